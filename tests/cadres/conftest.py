"""Cadres of 靖宇街道 (a) and 太古街道 (b) for the cadre tests."""

from __future__ import annotations

from datetime import date

import pytest

YEAR = 2026


@pytest.fixture
def cadres(world):
    from duibiao.cadres.services import cadre_create

    def make(unit, name, position, rank="科员", gender="男", born=date(1990, 5, 1)):
        return cadre_create(actor=world["office"], unit=unit, name=name, position=position, rank=rank,
                            gender=gender, birth_month=born)

    a = [
        make(world["a"], "王建华", "书记", "正科级", born=date(1975, 3, 1)),
        make(world["a"], "李丽娜", "主任", "正科级", "女", date(1980, 8, 1)),
        make(world["a"], "张志刚", "副主任", "副科级", born=date(1993, 1, 1)),
        make(world["a"], "刘秀英", "科员", gender="女", born=date(1996, 6, 1)),
        make(world["a"], "陈海燕", "科员", gender="女", born=date(1998, 11, 1)),
    ]
    b = [make(world["b"], "杨国庆", "书记", "正科级", born=date(1972, 2, 1))]
    return {**world, "cadres_a": a, "cadres_b": b, "year": YEAR}
