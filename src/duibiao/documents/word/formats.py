"""The texts GB/T 9704-2012 fixes the form of: 发文字号, 成文日期 and the heading numbers.
Pure functions (no Django), so the register, the builder and the tests share one rule."""

from __future__ import annotations

import datetime as dt

_DIGITS = "〇一二三四五六七八九"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """发文字号: 机关代字 + 〔year〕 + sequence + 号 — the year in 六角括号 (U+3014/U+3015),
    no 第 and no leading zeros (§7.2.4).

    >>> document_number("道外考核办", 2026, 7)
    '道外考核办〔2026〕7号'
    """
    prefix = prefix.strip()
    if not prefix or any(ch in prefix for ch in "〔〕[]()（）"):
        raise ValueError("机关代字不能为空，也不能含括号")
    if not 1000 <= year <= 9999:
        raise ValueError("年份应为四位数字")
    if sequence < 1:
        raise ValueError("发文顺序号从 1 开始")
    return f"{prefix}〔{year}〕{sequence}号"


def document_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, the year in full, month and day without padding (§7.3.5.3;
    the 2012 standard replaced the Chinese numerals of GB/T 9704-1999).

    >>> document_date(dt.date(2026, 1, 6))
    '2026年1月6日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_numeral(n: int) -> str:
    """1..99 as 一 … 九十九, as heading numbers are written."""
    if not 1 <= n <= 99:
        raise ValueError("标题序号应在 1 至 99 之间")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """The number of the n-th heading of a level: 一、 / （一） / 1. / （1） (§7.3.3)."""
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError("公文标题层次只有四级")
