"""Search (db.persons.search): case-, diacritic- and đ-insensitive, by name, CCCD and village."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.commune import places
from db.duties import actions
from db.persons.people import delete_person
from db.persons.search import find, fts_query
from db.store.register import Register


@pytest.fixture
def listed(reg: Register, add: Callable[..., str]) -> dict[str, str]:
    """A few people: name → id."""
    other = places.save_village(reg, {"name": "Thôn Đông Sơn"})
    return {
        "Đặng Văn Đức": add("Đặng Văn Đức", birth_date="1990", sex="Nam",
                            id_number="001090123456", other_names="Đức Sẹo"),
        "Nguyễn Thị Bình": add("Nguyễn Thị Bình", birth_date="1995", sex="Nữ",
                               id_number="014195004321"),
        "Trần Văn An": add("Trần Văn An", birth_date="2001", village_id=other),
        "Lò Văn Dung": add("Lò Văn Dung", birth_date="1988"),
    }  # fmt: skip


def names(reg: Register, text: str) -> list[str]:
    return [r["full_name"] for r in find(reg, text)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("duc", ["Đặng Văn Đức"]),
        ("Đức", ["Đặng Văn Đức"]),
        ("DANG", ["Đặng Văn Đức"]),
        ("đặng đức", ["Đặng Văn Đức"]),
        ("dang  van   duc", ["Đặng Văn Đức"]),
        (unicodedata.normalize("NFD", "Đặng Văn Đức"), ["Đặng Văn Đức"]),
        ("seo", ["Đặng Văn Đức"]),  # other names
        ("bin", ["Nguyễn Thị Bình"]),  # words match as prefixes
        ("van", ["Trần Văn An", "Lò Văn Dung", "Đặng Văn Đức"]),  # Vietnamese order
        ("d", ["Trần Văn An", "Lò Văn Dung", "Đặng Văn Đức"]),  # An lives in Đông Sơn
        ("001090", ["Đặng Văn Đức"]),  # CCCD prefix
        ("4321", ["Nguyễn Thị Bình"]),  # a CCCD's last digits
        ("001 090 123 456", ["Đặng Văn Đức"]),
        ("001.090.123", ["Đặng Văn Đức"]),
        ("dong son", ["Trần Văn An"]),  # the village
        ("Bản Mòng", ["Nguyễn Thị Bình", "Lò Văn Dung", "Đặng Văn Đức"]),
        ("xyz", []),
        ("duc binh", []),  # every word must match
    ],
)
def test_find(reg: Register, listed: dict[str, str], query: str, expected: list[str]) -> None:
    assert names(reg, query) == expected


def test_results_carry_village_and_status(reg: Register, listed: dict[str, str]) -> None:
    actions.management_decision(reg, listed["Đặng Văn Đức"], "01/10/2026")
    actions.suspected(reg, listed["Đặng Văn Đức"], "01/11/2026")
    [row] = find(reg, "duc")
    assert row["village"] == "Bản Mòng"
    assert row["categories"] == ["user", "suspect"]
    assert row["id_number"] == "001090123456"
    assert find(reg, "binh")[0]["categories"] == []


def test_deleted_people_are_not_found(reg: Register, listed: dict[str, str]) -> None:
    delete_person(reg, listed["Đặng Văn Đức"])
    assert names(reg, "duc") == []
    assert names(reg, "123456") == []
    assert "Đặng Văn Đức" not in names(reg, "")


@pytest.mark.parametrize("query", ["", "   ", "!!!", "\"'*()", "-", "AND OR NOT", "NEAR(", "đ*"])
def test_odd_queries_do_not_crash(reg: Register, listed: dict[str, str], query: str) -> None:
    found = names(reg, query)
    assert set(found) <= set(listed)


def test_an_empty_query_lists_everyone_in_vietnamese_order(
    reg: Register, listed: dict[str, str]
) -> None:
    assert names(reg, "") == ["Trần Văn An", "Nguyễn Thị Bình", "Lò Văn Dung", "Đặng Văn Đức"]
    assert len(find(reg, "", limit=2)) == 2


def test_fts_query_folds_and_quotes() -> None:
    assert fts_query("Đặng  Văn") == '"dang"* "van"*'
    assert fts_query('"; DROP') == '"drop"*'
    assert fts_query("!!") == ""


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=20))
def test_any_text_is_a_safe_query(reg: Register, text: str) -> None:
    assert isinstance(find(reg, text), list)
