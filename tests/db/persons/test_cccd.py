"""Personal ID numbers (db.persons.cccd): the 12-digit CCCD, the old 9-digit CMND, and their
checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.persons.cccd import FIELD, check_id, clean_id


def test_valid_cccd() -> None:
    checked = check_id("001090123456")
    assert checked.number == "001090123456"
    assert checked.kind == "cccd"
    assert checked.error is None


@pytest.mark.parametrize(
    ("number", "year", "sex"),
    [
        ("001090123456", 1990, "M"),  # 0 = man born 1900-1999, "90"
        ("014190000001", 1990, "F"),  # 1 = woman born 1900-1999
        ("038201000002", 2001, "M"),  # 2 = man born 2000-2099
        ("096301654321", 2001, "F"),  # 3 = woman born 2000-2099, "01"
        ("001400000003", 2100, "M"),  # 4 = man born 2100-2199
        ("001500000004", 2100, "F"),
        ("001199000005", 1999, "F"),
    ],
)
def test_century_sex_and_year_digits_agree(number: str, year: int, sex: str) -> None:
    checked = check_id(number, year, sex)
    assert checked.error is None
    assert checked.kind == "cccd"


@pytest.mark.parametrize(
    ("number", "year", "sex", "words"),
    [
        ("001090123456", 1991, "M", "năm sinh 1990"),
        ("001090123456", 2090, "M", "năm sinh 1990"),  # 0 is the 1900s, not the 2000s
        ("001290123456", 1990, "M", "năm sinh 2090"),
        ("001090123456", 1990, "F", "giới tính nam"),
        ("096301654321", 2001, "M", "giới tính nữ"),
        ("001690123456", None, None, "chữ số thứ 4"),  # no century 6
    ],
)
def test_digits_contradicting_birth_year_or_sex(
    number: str, year: int | None, sex: str | None, words: str
) -> None:
    checked = check_id(number, year, sex)
    assert checked.error is not None
    assert checked.error.startswith(FIELD)
    assert words in checked.error


def test_unknown_year_or_sex_is_not_held_against_the_number() -> None:
    assert check_id("001090123456", None, None).error is None
    assert check_id("001090123456", 1990, None).error is None
    assert check_id("001090123456", None, "M").error is None


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("00109012345", "có 11"),  # one digit short
        ("0010901234567", "có 13"),
        ("12345", "có 5"),
        ("00109012345A", "chỉ được gồm chữ số"),
        ("CCCD001090123", "chỉ được gồm chữ số"),
        ("001090²12345", "chỉ được gồm chữ số"),  # a superscript passes str.isdigit()
        ("000090123456", "mã tỉnh"),
        ("097090123456", "mã tỉnh"),
        ("999090123456", "mã tỉnh"),
    ],
)
def test_refused_numbers_name_the_field_in_vietnamese(raw: str, words: str) -> None:
    checked = check_id(raw)
    assert checked.error is not None
    assert checked.error.startswith("Số CCCD:")
    assert words in checked.error


def test_province_code_bounds() -> None:
    assert check_id("001090123456").error is None  # Hà Nội
    assert check_id("096090123456").error is None  # Cà Mau


def test_old_nine_digit_cmnd_is_accepted_as_cmnd() -> None:
    checked = check_id("012345678", 1990, "M")
    assert checked.kind == "cmnd"
    assert checked.error is None
    assert checked.number == "012345678"


@pytest.mark.parametrize(
    "raw", ["001 090 123 456", "001.090.123.456", "001-090-123456", " 001090123456 "]
)
def test_separators_are_stripped(raw: str) -> None:
    assert clean_id(raw) == "001090123456"
    checked = check_id(raw, 1990, "M")
    assert checked.number == "001090123456"
    assert checked.kind == "cccd"
    assert checked.error is None


@pytest.mark.parametrize("raw", [None, "", "  ", " - . "])
def test_empty_number_is_no_number(raw: str | None) -> None:
    checked = check_id(raw, 1990, "M")
    assert (checked.number, checked.kind, checked.error) == ("", "", None)


@given(
    province=st.integers(1, 96),
    year=st.integers(1900, 2199),
    sex=st.sampled_from(["M", "F"]),
    tail=st.integers(0, 999_999),
)
def test_a_number_built_from_year_and_sex_always_agrees(
    province: int, year: int, sex: str, tail: int
) -> None:
    code = 2 * ((year - 1900) // 100) + (sex == "F")
    number = f"{province:03d}{code}{year % 100:02d}{tail:06d}"
    assert check_id(number, year, sex).error is None
    other_sex = "F" if sex == "M" else "M"
    assert check_id(number, year, other_sex).error is not None
    assert check_id(number, year + 1, sex).error is not None
