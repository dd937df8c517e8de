"""The vocabularies of the project ledger: each a closed list of codes with Chinese labels.

Pure Python (``duibiao project-rates`` runs without Django); the models take their choices from
here and the ledger reader parses with them, so a label means one thing everywhere. Also
importable from ``duibiao.projects.rates``.

    Stage.parse("续建") is Stage.CONTINUING; Stage.CONTINUING.label == "续建"
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

__all__ = ["Funding", "Kind", "Level", "Stage", "Vocabulary"]


class Vocabulary(StrEnum):
    """A closed list of codes, each with its Chinese label; parses either (and aliases)."""

    label: str

    def __new__(cls, code: str, label: str) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """Other spellings people type, mapped to a code."""
        return {}

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member whose code or label (or an alias) is `text`, trimmed; None otherwise."""
        key = text.strip()
        key = cls.aliases().get(key, key)
        for member in cls:
            if key in (member.value, member.label):
                return member
        return None

    @classmethod
    def allowed(cls) -> str:
        """The accepted values, for error messages: 新开工（new）、续建（continuing）…"""
        return "、".join(f"{m.label}（{m.value}）" for m in cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs, as Django model fields take them."""
        return [(m.value, m.label) for m in cls]


class Stage(Vocabulary):
    NEW = "new", "新开工"
    CONTINUING = "continuing", "续建"
    COMPLETED = "completed", "竣工投产"
    SUSPENDED = "suspended", "停缓建"


class Level(Vocabulary):
    PROVINCE = "province", "省重点"
    CITY = "city", "市重点"
    DISTRICT = "district", "区重点"

    @classmethod
    def aliases(cls) -> dict[str, str]:
        return {"省": "province", "市": "city", "区": "district"}


class Kind(Vocabulary):
    """Project type (项目类型)."""

    INDUSTRY = "industry", "产业"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    SOCIAL = "social", "社会事业"
    AGRICULTURE = "agriculture", "农业"
    LOGISTICS = "logistics", "商贸物流"


class Funding(Vocabulary):
    """Investment source (投资来源)."""

    GOVERNMENT = "government", "政府投资"
    ENTERPRISE = "enterprise", "企业投资"
