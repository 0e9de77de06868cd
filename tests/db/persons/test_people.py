"""People (db.persons.people): checking the form, adding, changing, duplicates and deleting."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from db.core.errors import NotFound, UserError, ValidationError
from db.core.textfold import sort_key
from db.persons import people, search
from db.store.register import Register
from tests.support.registers import count, log_entries


def _refused(reg: Register, data: dict[str, Any]) -> ValidationError:
    """Adding `data` fails, and neither a person nor a log entry is written."""
    persons, logged = count(reg, "persons"), count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        people.add_person(reg, data)
    assert count(reg, "persons") == persons
    assert count(reg, "change_log") == logged
    return caught.value


def test_add_and_get(reg: Register, village: str) -> None:
    pid = people.add_person(
        reg,
        {"full_name": "Đặng Văn Đức", "birth_date": "17/05/1990", "sex": "Nam",
         "id_number": "001 090 123 456", "village_id": village, "phone": "0912 345 678"},
    )  # fmt: skip
    got = people.get_person(reg, pid)
    assert got["full_name"] == "Đặng Văn Đức"
    assert got["birth_date"] == "1990-05-17"
    assert got["sex"] == "M"
    assert got["id_number"] == "001090123456"
    assert got["id_kind"] == "cccd"
    assert got["village"] == "Bản Mòng"
    assert got["name_folded"] == "dang van duc"
    assert got["sort_key"] == sort_key("Đặng Văn Đức")
    assert got["created_by"] == reg.user
    assert got["device_id"] == reg.device_id
    [entry] = log_entries(reg, pid)
    assert entry["action"] == "insert"
    assert entry["table_name"] == "persons"
    assert entry["changes"]["full_name"] == "Đặng Văn Đức"


def test_nfd_input_is_stored_nfc_and_spaces_collapsed(reg: Register) -> None:
    typed = unicodedata.normalize("NFD", "  Đặng   Văn\tĐức ")
    pid = people.add_person(reg, {"full_name": typed, "other_names": "  Đức   Béo "})
    got = people.get_person(reg, pid)
    assert got["full_name"] == "Đặng Văn Đức"
    assert unicodedata.is_normalized("NFC", got["full_name"])
    assert got["other_names"] == "Đức Béo"


def test_year_only_birth_is_kept_without_an_invented_day(reg: Register) -> None:
    pid = people.add_person(reg, {"full_name": "Lò Văn Sướng", "birth_date": "1990"})
    assert people.get_person(reg, pid)["birth_date"] == "1990"
    pid = people.add_person(reg, {"full_name": "Lò Văn Ơn", "birth_date": "5/1990"})
    assert people.get_person(reg, pid)["birth_date"] == "1990-05"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"id_number": "00109012345"}, "id_number", "Số CCCD"),
        ({"id_number": "001090I23456"}, "id_number", "Số CCCD"),
        ({"id_number": "097090123456"}, "id_number", "Số CCCD"),
        ({"id_number": "001090123456", "birth_date": "1991"}, "id_number", "năm sinh 1990"),
        ({"id_number": "001090123456", "sex": "Nữ"}, "id_number", "giới tính nam"),
        ({"birth_date": "21/11/2026"}, "birth_date", "tương lai"),  # today is 20/11/2026
        ({"birth_date": "2027"}, "birth_date", "tương lai"),
        ({"birth_date": "31/02/1990"}, "birth_date", "Ngày sinh"),
        ({"sex": "khác"}, "sex", "Giới tính"),
        ({"phone": "gọi tôi"}, "phone", "Số điện thoại"),
        ({"village_id": "no-such-village"}, "village_id", "Thôn/bản"),
        ({"full_name": "   "}, "full_name", "Họ và tên"),
        ({"full_name": "123 456"}, "full_name", "không phải là tên người"),
    ],
)
def test_bad_fields_are_refused_and_nothing_written(
    reg: Register, data: dict[str, Any], field: str, words: str
) -> None:
    error = _refused(reg, {"full_name": "Nguyễn Văn An", **data})
    assert field in error.errors
    assert words in error.errors[field]
    assert isinstance(error, UserError)


def test_several_errors_are_reported_together(reg: Register) -> None:
    error = _refused(reg, {"full_name": "", "id_number": "12", "birth_date": "3000"})
    assert set(error.errors) == {"full_name", "id_number", "birth_date"}
    assert error.field == "full_name"
    assert "Số CCCD" in str(error)


def test_birth_today_is_not_in_the_future(reg: Register) -> None:
    pid = people.add_person(reg, {"full_name": "Mùa A Dua", "birth_date": "20/11/2026"})
    assert people.get_person(reg, pid)["birth_date"] == "2026-11-20"


def test_duplicate_cccd_is_refused(reg: Register, add: Callable[..., str]) -> None:
    add("Đặng Văn Đức", birth_date="1990", sex="Nam", id_number="001090123456")
    error = _refused(
        reg, {"full_name": "Đặng Văn Đưc", "birth_date": "1990", "id_number": "001.090.123.456"}
    )
    assert "đã có trong sổ" in error.errors["id_number"]
    assert "Đặng Văn Đức" in error.errors["id_number"]
    assert "Bản Mòng" in error.errors["id_number"]


def test_cccd_of_a_deleted_person_can_be_used_again(reg: Register, add: Callable[..., str]) -> None:
    first = add("Đặng Văn Đức", id_number="001090123456")
    people.delete_person(reg, first)
    second = add("Đặng Văn Đức", id_number="001090123456")
    assert people.get_person(reg, second)["id_number"] == "001090123456"


def test_possible_duplicates_by_folded_name_and_birth_year(
    reg: Register, add: Callable[..., str]
) -> None:
    same = add("Đặng Văn Đức", birth_date="17/05/1990")
    add("Đặng Văn Đức", birth_date="1991")  # another year: someone else
    add("Đặng Văn Đông", birth_date="1990")  # another name
    found = people.possible_duplicates(reg, {"full_name": "dang van DUC", "birth_date": "1990"})
    assert [f["id"] for f in found] == [same]
    assert found[0]["reason"] == "Trùng họ tên và năm sinh"
    assert found[0]["village"] == "Bản Mòng"
    # The person being edited is not their own duplicate.
    assert (
        people.possible_duplicates(
            reg, {"full_name": "Đặng Văn Đức", "birth_date": "1990"}, exclude_id=same
        )
        == []
    )
    # Without a birth year a name alone is not enough.
    assert people.possible_duplicates(reg, {"full_name": "Đặng Văn Đức"}) == []


def test_possible_duplicates_by_cccd_once_per_person(
    reg: Register, add: Callable[..., str]
) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990", id_number="001090123456")
    found = people.possible_duplicates(
        reg, {"full_name": "Đặng Văn Đức", "birth_date": "1990", "id_number": "001090123456"}
    )
    assert [(f["id"], f["reason"]) for f in found] == [(pid, "Trùng số CCCD/CMND")]


def test_update_changes_only_what_is_given_and_logs_old_and_new(
    reg: Register, add: Callable[..., str]
) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990", sex="Nam", occupation="Làm ruộng")
    changed = people.update_person(reg, pid, {"full_name": "Đặng  Văn Đông", "phone": "0912345678"})
    assert changed["full_name"] == ["Đặng Văn Đức", "Đặng Văn Đông"]
    assert changed["phone"] == ["", "0912345678"]
    assert changed["name_folded"] == ["dang van duc", "dang van dong"]
    got = people.get_person(reg, pid)
    assert got["full_name"] == "Đặng Văn Đông"
    assert got["occupation"] == "Làm ruộng"
    assert got["birth_date"] == "1990"
    assert got["sort_key"] == sort_key("Đặng Văn Đông")
    assert got["updated_at"] >= got["created_at"]
    entries = log_entries(reg, pid)
    assert [e["action"] for e in entries] == ["insert", "update"]
    assert entries[1]["changes"]["full_name"] == ["Đặng Văn Đức", "Đặng Văn Đông"]
    # Found under the new name only.
    assert [r["id"] for r in search.find(reg, "dong")] == [pid]
    assert search.find(reg, "duc") == []


def test_update_with_nothing_new_writes_nothing(reg: Register, add: Callable[..., str]) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990")
    logged = count(reg, "change_log")
    assert people.update_person(reg, pid, {"full_name": " Đặng Văn Đức "}) == {}
    assert count(reg, "change_log") == logged


def test_update_is_checked_like_add(reg: Register, add: Callable[..., str]) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990", sex="Nam", id_number="001090123456")
    other = add("Lò Văn Sướng", birth_date="1985")
    logged = count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        people.update_person(reg, pid, {"sex": "Nữ"})
    assert "giới tính" in caught.value.errors["id_number"]
    with pytest.raises(ValidationError) as caught:
        people.update_person(reg, other, {"id_number": "001090123456", "birth_date": "1990"})
    assert "đã có trong sổ" in caught.value.errors["id_number"]
    assert count(reg, "change_log") == logged
    assert people.get_person(reg, pid)["sex"] == "M"
    assert people.get_person(reg, other)["id_number"] == ""


def test_soft_delete_hides_the_person(reg: Register, add: Callable[..., str]) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990", id_number="001090123456")
    keep = add("Đặng Thị Đào", birth_date="1992")
    people.delete_person(reg, pid)
    with pytest.raises(NotFound):
        people.get_person(reg, pid)
    with pytest.raises(NotFound):
        people.update_person(reg, pid, {"phone": "0912345678"})
    assert [r["id"] for r in search.find(reg, "dang")] == [keep]
    assert search.find(reg, "001090123456") == []
    # The row stays (the deletion travels and is audited), marked and logged.
    row = reg.db.execute("SELECT deleted FROM persons WHERE id = ?", [pid]).fetchone()
    assert row == (1,)
    assert log_entries(reg, pid)[-1]["action"] == "delete"
    assert log_entries(reg, pid)[-1]["changes"] == {"deleted": [0, 1]}


def test_deleting_twice_or_a_stranger_is_not_found(reg: Register, person: str) -> None:
    people.delete_person(reg, person)
    with pytest.raises(NotFound):
        people.delete_person(reg, person)
    with pytest.raises(NotFound):
        people.get_person(reg, "no-such-id")


@pytest.mark.parametrize(
    ("said", "sex"), [("Nam", "M"), ("nữ", "F"), ("NU", "F"), ("M", "M"), ("", None), (None, None)]
)
def test_parse_sex(said: str | None, sex: str | None) -> None:
    assert people.parse_sex(said) == sex
