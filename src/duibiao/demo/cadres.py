"""Demo cadres: five per assessed unit, with routine grades for the four quarters of this year,
党性/发展/能力 scores, and annual proposals for last year and this year.

Deterministic and re-runnable: a unit that already has cadres is left as it is. The proposals
put more cadres at 优秀 than the 20 % quota allows in every third unit, and a few cadres have
one or two 一般 quarters, so both rules visibly change grades; one department has its 25 %
approved. Everything goes through the services, so the audit log shows how it was built.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TypedDict

from django.utils import timezone

from duibiao.cadres.models import Cadre
from duibiao.cadres.services import (
    CadreYearInput,
    cadre_create,
    cadre_quota_set,
    cadre_routine_grades_set,
    cadre_rules_apply,
    cadre_year_save,
)
from duibiao.org.models import Unit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
GIVEN_M = ["建国", "志强", "海涛", "振华", "立新", "国栋", "文斌", "晓东", "明辉", "春雷", "宏伟", "子轩"]
GIVEN_F = ["丽娟", "晓梅", "雪梅", "玉兰", "海燕", "秀英", "思琪", "佳怡", "红霞", "静怡", "慧敏", "雨欣"]
# (position, rank) of the five cadres of a street / town, and of a department
STREET_POSTS = [("党工委书记", "正科级"), ("办事处主任", "正科级"), ("副主任", "副科级"),
                ("副主任", "副科级"), ("科员", "科员")]
DEPARTMENT_POSTS = [("党组书记、局长", "正科级"), ("副局长", "副科级"), ("副局长", "副科级"),
                    ("科员", "科员"), ("科员", "科员")]
QUOTA_APPROVED_UNIT = "fagai"


class _Person(TypedDict):
    """The arguments of cadre_create that describe one person."""

    name: str
    position: str
    rank: str
    gender: str
    birth_month: date
    order: int


def _people(rng: random.Random, unit: Unit) -> list[_Person]:
    posts = DEPARTMENT_POSTS if unit.kind == Unit.Kind.DEPARTMENT else STREET_POSTS
    out: list[_Person] = []
    for order, (position, rank) in enumerate(posts):
        female = rng.random() < 0.4
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_F if female else GIVEN_M)
        # leaders born 1968–1982, deputies 1978–1990, staff 1991–1999 (some young enough for 墩苗)
        lo, hi = ((1968, 1982) if order < 2 else (1978, 1990) if rank == "副科级" else (1991, 1999))
        born = date(rng.randint(lo, hi), rng.randint(1, 12), 1)
        out.append({"name": name, "position": position, "rank": rank, "gender": "女" if female else "男",
                    "birth_month": born, "order": order})
    return out


def demo_cadres_load(year: int | None = None) -> int:
    """Create the demo cadres and their grades; returns how many cadres were created."""
    year = year or timezone.localdate().year
    created = 0
    units = Unit.objects.filter(category__isnull=False).order_by("category__order", "order", "code")
    for index, unit in enumerate(units):
        if Cadre.objects.filter(unit=unit).exists():
            continue
        rng = random.Random(f"duibiao-cadres-{unit.code}")
        cadres = [cadre_create(actor=None, unit=unit, **person) for person in _people(rng, unit)]
        created += len(cadres)
        grades: dict[tuple[int, int], str] = {}
        for i, cadre in enumerate(cadres):
            for quarter in (1, 2, 3, 4):
                grades[(cadre.pk, quarter)] = "好" if rng.random() < 0.55 else "较好"
            if (index + i) % 9 == 4:  # one 一般: no 优秀 this year
                grades[(cadre.pk, 2)] = "一般"
            if (index + i) % 23 == 7:  # two 一般: at best 基本称职
                grades[(cadre.pk, 1)] = grades[(cadre.pk, 3)] = "一般"
        cadre_routine_grades_set(actor=None, unit=unit, year=year, grades=grades)
        for y in (year - 1, year):
            entries = []
            for i, cadre in enumerate(cadres):
                excellent = i == 0 or (i in (1, 4) and index % 3 == 0) or (i == 2 and (index + y) % 4 == 0)
                entries.append(CadreYearInput(
                    cadre_id=cadre.pk, proposed="优秀" if excellent else "称职",
                    indicators={
                        "party": float(rng.randint(80, 97)),
                        "development": float(rng.randint(72, 96)),
                        "capability": float(rng.randint(75, 95)),
                    },
                ))
            cadre_year_save(actor=None, unit=unit, year=y, entries=entries)
            if unit.code == QUOTA_APPROVED_UNIT and y == year:
                cadre_quota_set(actor=None, unit=unit, year=y, approved=True, note="区委组织部批复同意按25%确定")
            cadre_rules_apply(actor=None, unit=unit, year=y)
    return created
