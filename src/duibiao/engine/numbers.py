"""Numbers as people write them: thousands separators, Saaty judgements, values in messages.
Standard library only (the scheme builder uses it too).

Shared by the scheme builder, ``duibiao score`` and the web app's value rules, so that "12,5"
or "1/3" means the same thing (or is refused for the same reason) wherever it is typed.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

__all__ = ["MisplacedSeparator", "parse_judgement", "plain", "strip_thousands"]

# "1,234", "1,234,567.5", "-12,345": one to three digits, then groups of exactly three.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
# What is a plain decimal once its commas are gone ("12,5" → "125" would be one).
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_JUDGEMENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?)\s*)?")


class MisplacedSeparator(ValueError):
    """A number whose thousands separators are not in groups of three ("12,5", "1,2345")."""


def strip_thousands(text: str) -> str:
    """The text without thousands separators when they stand in groups of three; otherwise
    unchanged (the caller's number parser then says it is not a number), or
    :class:`MisplacedSeparator` when the separators are the only thing wrong. A European
    decimal comma ("12,5") or a slip ("1,23") must not silently become 125 or 123.
    Full-width commas (，) count as separators.

    Usage: ``strip_thousands("1,234.5")`` → ``"1234.5"``; ``strip_thousands("12,5")`` raises.
    """
    t = text.strip().replace("，", ",")
    if "," not in t:
        return text.strip()
    if _GROUPED.fullmatch(t):
        return t.replace(",", "")
    if _DECIMAL.fullmatch(t.replace(",", "")):
        raise MisplacedSeparator(t)
    return t


def parse_judgement(value: Any) -> float:
    """One AHP pairwise judgement: a positive number, or a fraction written ``a/b``
    (``"1/3"``, ``" 1 / 3 "``) as Saaty's scale is usually written. ValueError otherwise.

    Usage: ``parse_judgement("1/3")`` → ``0.333…``; ``parse_judgement(5)`` → ``5.0``.
    """
    if isinstance(value, bool):
        raise ValueError("not a judgement")
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        m = _JUDGEMENT.fullmatch(value.replace("／", "/"))
        if not m:
            raise ValueError("not a judgement")
        num = Fraction(m.group(1))
        den = Fraction(m.group(2)) if m.group(2) is not None else Fraction(1)
        if den == 0:
            raise ValueError("division by zero")
        x = float(num / den)
    else:
        raise ValueError("not a judgement")
    if not math.isfinite(x) or x <= 0:
        raise ValueError("not positive")
    return x


def plain(value: Any) -> str:
    """A value as a person would write it in a message: ``np.str_('u9')`` → ``u9``,
    ``np.float64(150.0)`` → ``150``, ``0.1 + 0.2`` → ``0.3`` (never a Python repr).

    Usage: ``f"unit {plain(code)}"``.
    """
    if type(value).__module__ == "numpy" and hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".10g")
    return str(value)
