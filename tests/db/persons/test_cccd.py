"""Personal ID numbers (db.persons.cccd): the 12-digit CCCD, the old 9-digit CMND, and their
checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.demo.names import OTHER_PROVINCE_CODES
from db.persons.cccd import FIELD, PROVINCES, check_id, clean_id


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
        ("001199000005", 1999, "F"),
        ("014299000006", 2099, "M"),  # the last year a number can give
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


@pytest.mark.parametrize(
    ("code", "year", "words"),
    [
        ("4", 2100, "sinh từ năm 2100"),  # a man born in the 2100s: not yet
        ("5", 2101, "sinh từ năm 2100"),
        ("6", None, "chữ số thứ 4"),
        ("9", None, "chữ số thứ 4"),
    ],
)
def test_a_century_digit_for_births_after_2099_is_refused(
    code: str, year: int | None, words: str
) -> None:
    checked = check_id(f"001{code}00000003", year)
    assert checked.error is not None
    assert checked.error.startswith("Số CCCD:") and words in checked.error
    assert "0, 1 (sinh 1900–1999) hoặc 2, 3 (sinh 2000–2099)" in checked.error


ASSIGNED = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019",
    "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036",
    "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054",
    "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
]  # fmt: skip


def test_the_63_province_codes_of_circular_07_2016() -> None:
    """Only the codes actually assigned (Circular 07/2016/TT-BCA); the rest of 001–096 never
    were, and the 2025 mergers changed no number."""
    assert len(ASSIGNED) == 63
    assert sorted(PROVINCES) == ASSIGNED
    assert (PROVINCES["014"], PROVINCES["038"], PROVINCES["079"]) == (
        "Sơn La", "Thanh Hóa", "TP Hồ Chí Minh",
    )  # fmt: skip
    for code in (f"{n:03d}" for n in range(0, 100)):
        checked = check_id(f"{code}090123456", 1990, "M")
        if code in ASSIGNED:
            assert checked.error is None, code
        else:
            assert checked.error is not None and "mã tỉnh" in checked.error, code
            assert checked.error.startswith("Số CCCD:")


@pytest.mark.parametrize("code", ["003", "005", "009", "013", "050", "097"])
def test_an_unassigned_province_code_is_refused(code: str) -> None:
    checked = check_id(f"{code}090123456")
    assert checked.error is not None
    assert f"“{code}”" in checked.error and "mã tỉnh" in checked.error


def test_the_demo_makes_only_assigned_province_codes() -> None:
    assert {"014", *OTHER_PROVINCE_CODES} <= set(PROVINCES)


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
    province=st.sampled_from(ASSIGNED),
    year=st.integers(1900, 2099),
    sex=st.sampled_from(["M", "F"]),
    tail=st.integers(0, 999_999),
)
def test_a_number_built_from_year_and_sex_always_agrees(
    province: str, year: int, sex: str, tail: int
) -> None:
    code = 2 * ((year - 1900) // 100) + (sex == "F")
    number = f"{province}{code}{year % 100:02d}{tail:06d}"
    assert check_id(number, year, sex).error is None
    other_sex = "F" if sex == "M" else "M"
    assert check_id(number, year, other_sex).error is not None
    assert check_id(number, year + 1, sex).error is not None
