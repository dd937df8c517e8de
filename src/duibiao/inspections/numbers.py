"""Quantities written the way a 通报 writes them: "清理绿地 12.35 万平方米", "清运垃圾 737 吨".

Pure (no Django): the work-statistics sentence, the pages and the export use the same text.
Usage: ``quantity_text(Decimal("123456"), "平方米")`` → ``"12.35 万平方米"``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def _plain(value: Decimal, places: int) -> str:
    """At most `places` decimals, half-up (as a bulletin rounds), trailing zeros dropped."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def number_parts(value: Decimal) -> tuple[str, str]:
    """A count in Chinese style as (digits, 万 or 亿 or ""): below 10 000 as it is (two
    decimals at most), then in 万 and 亿 with two decimals at most — how the district's pages
    and bulletins state totals."""
    # Rounded first, so that 9 999.995 is written "1 万" rather than "10000".
    size = abs(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if size >= YI:
        return _plain(value / YI, 2), "亿"
    if size >= WAN:
        return _plain(value / WAN, 2), "万"
    return _plain(value, 2), ""


def number_text(value: Decimal) -> str:
    """"737", "12.35万", "1.2亿"."""
    digits, word = number_parts(value)
    return digits + word


def quantity_text(value: Decimal, unit_of_measure: str) -> str:
    """A quantity with its unit of measure: "737 吨", "12.35 万平方米"."""
    digits, word = number_parts(value)
    return f"{digits} {word}{unit_of_measure}".rstrip()


def totals_sentence(items: list[tuple[str, Decimal, str]], *, lead: str = "截至目前") -> str:
    """The sentence of the work statistics: "截至目前，共清理绿地 12.35 万平方米、清运垃圾
    737 吨。" from (work type, total, unit of measure); an empty list says nothing was logged."""
    parts = [f"{name} {quantity_text(total, measure)}" for name, total, measure in items]
    if not parts:
        return f"{lead}，尚无工作量记录。"
    return f"{lead}，共{'、'.join(parts)}。"
