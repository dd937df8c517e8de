"""统一社会信用代码 (GB 32100-2015): published codes pass, and every typing mistake — any one
character changed, any two neighbours swapped — is caught, with the reason in Chinese."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duibiao.inspections.credit_code import (
    CODE_SET,
    KINDS,
    WEIGHTS,
    check_character,
    credit_code_problems,
    is_valid_credit_code,
    normalise_credit_code,
)

# Codes printed on real business licences (enterprises, 91…); their check characters were
# verified by hand against the standard's weights before they were written here.
PUBLISHED = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "91310000717854505W",
    "91110108551385082Q",
]


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(CODE_SET) == 31 and not set("IOZSV") & set(CODE_SET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert credit_code_problems(code) == []
    assert check_character(code[:17]) == code[17]
    assert is_valid_credit_code(code)


def test_check_character_worked_by_hand() -> None:
    # 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + M(21)·20 + 1·8 + Y(30)·30 + 4·28 = 1640 (the zeros add
    # nothing); 1640 mod 31 = 28; 31 − 28 = 3, the code's last character.
    total = sum(CODE_SET.index(ch) * w for ch, w in zip("91350100M000100Y4", WEIGHTS, strict=True))
    assert total == 1640 and total % 31 == 28
    assert check_character("91350100M000100Y4") == "3"
    # A sum divisible by 31 gives 31, which is written 0.
    assert check_character("00000000000000000") == "0"
    assert check_character("00000000000000001") == CODE_SET[31 - 28]  # weight 28 → 3


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_single_character_change_is_caught(code: str) -> None:
    caught = 0
    for pos in range(18):
        for ch in CODE_SET:
            if ch == code[pos]:
                continue
            changed = code[:pos] + ch + code[pos + 1:]
            assert credit_code_problems(changed), changed
            caught += 1
    assert caught == 18 * 30


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_swap_of_neighbours_is_caught(code: str) -> None:
    for pos in range(17):
        if code[pos] != code[pos + 1]:
            swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
            assert credit_code_problems(swapped), swapped


def test_wrong_check_character_names_the_right_one() -> None:
    assert credit_code_problems("91350100M000100Y44") == ["第18位校验码应为3"]
    assert credit_code_problems("91110000600037341K") == ["第18位校验码应为L"]


@pytest.mark.parametrize(("code", "message"), [
    ("91350100M000100Y4", "统一社会信用代码应为18位（现为17位）"),
    ("91350100M000100Y433", "统一社会信用代码应为18位（现为19位）"),
    ("", "统一社会信用代码应为18位（现为0位）"),
    ("91350100M0001O0Y43", "第14位“O”不是统一社会信用代码使用的字符"),
    ("91350100M000I00Y43", "第13位“I”不是统一社会信用代码使用的字符"),
    ("9135010OS000100Y43", "第8位“O”不是统一社会信用代码使用的字符"),
])
def test_length_and_characters(code: str, message: str) -> None:
    problems = credit_code_problems(code)
    assert problems and problems[0].startswith(message)


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_department_kind_and_region_are_checked_even_with_a_right_check_character() -> None:
    assert credit_code_problems(_with_check("B1350100M000100Y4")) == ["第1位登记管理部门代码“B”不存在"]
    assert credit_code_problems(_with_check("94350100M000100Y4")) == [
        "第2位机构类别代码“4”不属于登记管理部门“9”"]
    assert credit_code_problems(_with_check("9135A100M000100Y4")) == [
        "第3至8位登记管理机关行政区划码应为6位数字"]
    for dept, kinds in KINDS.items():
        for kind in kinds:
            assert credit_code_problems(_with_check(f"{dept}{kind}230104MA1234567")) == []


def test_normalising_what_people_type() -> None:
    full_width = "９１３５０１００ｍ０００１００ｙ４３"
    assert normalise_credit_code(full_width) == "91350100M000100Y43"
    assert normalise_credit_code("  91350100m000100y43\u3000\n") == "91350100M000100Y43"
    assert normalise_credit_code("9135 0100 M000 100Y 43") == "91350100M000100Y43"
    assert is_valid_credit_code(full_width)
    assert not is_valid_credit_code("91350100M000100Y44")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CODE_SET, min_size=17, max_size=17), st.integers(0, 17), st.sampled_from(CODE_SET))
def test_any_code_with_its_check_character_passes_the_check_and_one_change_fails(
    first17: str, pos: int, ch: str
) -> None:
    code = _with_check(first17)
    assert not any(p.startswith("第18位") for p in credit_code_problems(code))
    changed = code[:pos] + ch + code[pos + 1:]
    if changed != code:
        assert any(p.startswith("第18位") for p in credit_code_problems(changed))
