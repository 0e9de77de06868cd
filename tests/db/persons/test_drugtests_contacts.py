"""Drug tests and contacts (db.persons.drugtests, db.persons.contacts)."""

from __future__ import annotations

import pytest

from db.core.errors import NotFound, ValidationError
from db.duties import actions
from db.persons import contacts, drugtests
from db.persons.people import delete_person
from db.store.register import Register
from tests.support.registers import count, episodes_of, log_entries


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("MET, THC", ["MET", "THC"]),
        ("met , thc,", ["MET", "THC"]),
        ("ma túy đá", ["MET"]),
        ("MA TUY DA", ["MET"]),
        ("thuốc lắc, cần sa", ["MDMA", "THC"]),
        ("Heroin", ["HER"]),  # not the "Morphine / heroin" strip listed before it
        ("amphetamine", ["AMP"]),  # not methamphetamine, which contains the word
        ("Methamphetamine", ["MET"]),
        ("morphine", ["MOP"]),
        ("ketamine, KET", ["KET"]),  # the same substance twice is listed once
        (["MET", "ma túy đá", "AMP"], ["MET", "AMP"]),
        ("nấm thần", ["nấm thần"]),  # unknown: kept as typed
        ("", []),
        (None, []),
    ],
)
def test_parse_substances(typed: str | list[str] | None, codes: list[str]) -> None:
    assert drugtests.parse_substances(typed) == codes


def test_negative_test(reg: Register, person: str) -> None:
    tid = drugtests.record_test(reg, person, "19/11/2026", substances="MET, MOP, THC")
    row = reg.db["drug_tests"].get(tid)
    assert row["result"] == "negative"
    assert row["substances"] == "MET,MOP,THC"
    assert row["positives"] == ""
    assert row["test_date"] == "2026-11-19"
    [entry] = log_entries(reg, tid)
    assert entry["action"] == "insert"


def test_positive_when_any_substance_is_positive(reg: Register, person: str) -> None:
    tid = drugtests.record_test(
        reg, person, "19/11/2026", substances="MET, MOP", positives="ma túy đá, cần sa",
        result="negative",
    )  # fmt: skip
    row = reg.db["drug_tests"].get(tid)
    assert row["result"] == "positive"
    assert row["positives"] == "MET,THC"
    # A positive substance is also a tested one.
    assert row["substances"] == "MET,MOP,THC"


def test_positive_by_result_alone(reg: Register, person: str) -> None:
    tid = drugtests.record_test(reg, person, "19/11/2026", result="positive")
    assert reg.db["drug_tests"].get(tid)["result"] == "positive"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"test_date": "21/11/2026"}, "test_date"),  # tomorrow
        ({"test_date": "31/11/2026"}, "test_date"),
        ({"test_date": "11/2026"}, "test_date"),
        ({"kind": "random"}, "kind"),
        ({"method": "sniff"}, "method"),
        ({"result": "unclear"}, "result"),
    ],
)
def test_bad_tests_are_refused_and_nothing_written(
    reg: Register, person: str, kwargs: dict[str, str], field: str
) -> None:
    args = {"test_date": "19/11/2026", **kwargs}
    logged = count(reg, "change_log")
    with pytest.raises(ValidationError) as caught:
        drugtests.record_test(reg, person, **args)
    assert field in caught.value.errors
    assert count(reg, "drug_tests") == 0
    assert count(reg, "change_log") == logged


def test_future_test_names_the_field(reg: Register, person: str) -> None:
    with pytest.raises(
        ValidationError, match="Ngày xét nghiệm: 21/11/2026 là ngày trong tương lai"
    ):
        drugtests.record_test(reg, person, "21/11/2026")


def test_a_test_closes_an_open_suspicion(reg: Register, person: str) -> None:
    actions.suspected(reg, person, "10/11/2026")
    drugtests.record_test(reg, person, "12/11/2026")
    [suspect] = episodes_of(reg, person)
    assert (suspect["end_date"], suspect["end_kind"]) == ("2026-11-12", "tested")
    assert suspect["end_reason"] == "Âm tính"


def test_a_test_before_the_suspicion_leaves_it_open(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "01/11/2026")
    actions.suspected(reg, person, "10/11/2026")
    drugtests.record_test(reg, person, "05/11/2026", positives="MET")  # entered late
    [suspect] = episodes_of(reg, person)
    assert suspect["end_date"] is None


def test_a_test_keeps_other_episodes_open(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/01/2026")
    drugtests.record_test(reg, person, "12/11/2026", positives="MET")
    [user] = episodes_of(reg, person)
    assert user["end_date"] is None


def test_tests_of_newest_first_without_deleted_people(reg: Register, person: str) -> None:
    drugtests.record_test(reg, person, "01/10/2026")
    drugtests.record_test(reg, person, "01/11/2026", positives="MET")
    assert [t["test_date"] for t in drugtests.tests_of(reg, person)] == ["2026-11-01", "2026-10-01"]
    delete_person(reg, person)
    with pytest.raises(NotFound):
        drugtests.record_test(reg, person, "02/11/2026")


def test_add_contact(reg: Register, person: str) -> None:
    cid = contacts.add_contact(
        reg, person, "15/11/2026", "residence_check", at_address=True, officer=" Lò Văn Minh "
    )
    row = reg.db["contacts"].get(cid)
    assert (row["contact_date"], row["kind"], row["at_address"]) == (
        "2026-11-15",
        "residence_check",
        1,
    )
    assert row["officer"] == "Lò Văn Minh"
    contacts.add_contact(reg, person, "16/11/2026", "counselling")
    assert [c["kind"] for c in contacts.contacts_of(reg, person)] == [
        "counselling",
        "residence_check",
    ]
    assert contacts.contacts_of(reg, person)[0]["at_address"] is None


@pytest.mark.parametrize(
    ("day", "kind", "field"),
    [("21/11/2026", "home_visit", "contact_date"), ("hôm nay", "home_visit", "contact_date"),
     ("15/11/2026", "party", "kind")],
)  # fmt: skip
def test_bad_contacts_are_refused(
    reg: Register, person: str, day: str, kind: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        contacts.add_contact(reg, person, day, kind)
    assert field in caught.value.errors
    assert count(reg, "contacts") == 0


def test_a_round_is_recorded_all_or_nothing(reg, add) -> None:
    from db.core.errors import ValidationError
    from db.persons.drugtests import record_round, tests_of

    first, second = add("Lò Văn An"), add("Quàng Thị Bình")
    bad = [
        {"person_id": first, "test_date": "19/11/2026", "positives": "MET"},
        {"person_id": second, "test_date": "25/11/2026"},
    ]
    with pytest.raises(ValidationError) as refused:
        record_round(reg, bad)
    assert set(refused.value.errors) == {"2.test_date"}
    assert refused.value.errors["2.test_date"].startswith("Quàng Thị Bình: ")
    assert tests_of(reg, first) == [] and tests_of(reg, second) == []
    good = [bad[0], {"person_id": second, "test_date": "19/11/2026"}]
    ids = record_round(reg, good)
    assert [t["id"] for t in tests_of(reg, first) + tests_of(reg, second)] == ids
    assert [t["result"] for t in tests_of(reg, first) + tests_of(reg, second)] == [
        "positive",
        "negative",
    ]
