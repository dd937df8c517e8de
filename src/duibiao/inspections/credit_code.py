"""统一社会信用代码 (unified social credit identifier, GB 32100-2015): normalise and check.

18 characters from the 31 of the code set (digits and capitals without I O Z S V):
position 1 the registration department, 2 the kind of body within it, 3–8 the registering
office's administrative division (GB/T 2260, digits), 9–17 the body's own code, 18 a check
character over the first 17 (weights 3^(i-1) mod 31; 31 − sum mod 31; 31 counts as 0).
Any single character changed, and any two neighbours swapped, changes the check character,
so a typing mistake is always caught.

    code = normalise_credit_code("９１３５０１００ｍ０００１００ｙ４３")  # → 91350100M000100Y43
    credit_code_problems(code)   # → [] ; or ["第18位校验码应为3"]
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

__all__ = [
    "CODE_SET",
    "KINDS",
    "check_character",
    "credit_code_problems",
    "is_valid_credit_code",
    "normalise_credit_code",
]

CODE_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(CODE_SET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, …, 28
_SPACE = re.compile(r"\s+")

# GB 32100-2015 table 1 with its later additions (A: 中央军委改革和编制办公室, N: 农业):
# registration department → the kinds of body it registers.
KINDS: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
          "5": "仲裁委员会", "9": "其他"},
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
          "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}


def normalise_credit_code(text: str) -> str:
    """What a person typed or pasted, as the code is stored: full-width characters made
    half-width (NFKC), spaces removed, upper case. Checks nothing."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (all from CODE_SET).

    Usage: ``check_character("91350100M000100Y4")`` → ``"3"``.
    """
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CODE_SET[(31 - total % 31) % 31]


def credit_code_problems(code: str) -> list[str]:
    """Why ``code`` (already normalised) is not a valid code, in Chinese; empty when valid.

    Usage: ``credit_code_problems("91350100M000100Y44")`` → ``["第18位校验码应为3"]``.
    """
    if len(code) != 18:
        return [_("统一社会信用代码应为18位（现为%(n)s位）") % {"n": len(code)}]
    bad = [(i, ch) for i, ch in enumerate(code, start=1) if ch not in _VALUE]
    if bad:
        return [_("第%(pos)s位“%(ch)s”不是统一社会信用代码使用的字符（数字和除 I、O、Z、S、V 外的大写字母）")
                % {"pos": i, "ch": ch} for i, ch in bad]
    problems = []
    kinds = KINDS.get(code[0])
    if kinds is None:
        problems.append(_("第1位登记管理部门代码“%(ch)s”不存在") % {"ch": code[0]})
    elif code[1] not in kinds:
        problems.append(_("第2位机构类别代码“%(ch)s”不属于登记管理部门“%(dept)s”")
                        % {"ch": code[1], "dept": code[0]})
    if not code[2:8].isdigit():
        problems.append(_("第3至8位登记管理机关行政区划码应为6位数字"))
    expected = check_character(code[:17])
    if code[17] != expected:
        problems.append(_("第18位校验码应为%(ch)s") % {"ch": expected})
    return problems


def is_valid_credit_code(text: str) -> bool:
    """True when ``text``, normalised, is a valid code."""
    return not credit_code_problems(normalise_credit_code(text))
