"""“Đã chuyển cơ quan điều tra”: the action that records the hand-over of a sign of the crime of
Art. 256a to the investigating police (db.duties.crime.record_handover). It applies only while
the person has a positive test the due list reads as a crime sign; after it the due list's
"crime" item is gone. Today is Friday 20/11/2026."""

from __future__ import annotations

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.duties.applies import applicable_actions, check_action, refusal
from db.duties.crime import HANDOVER_NOTE
from db.duties.due import due_items
from db.persons import contacts, drugtests
from db.store.register import Register


def crime_items(reg: Register, person: str) -> list[str]:
    return [i.text for i in due_items(reg) if i.kind == "crime" and i.person_id == person]


def applies(reg: Register, person: str) -> bool:
    return "handover" in {a.key for a in applicable_actions(reg, person)}


@pytest.fixture
def on_methadone(reg: Register, person: str) -> str:
    """An addict found on 01/05/2025, on methadone from 01/06/2026."""
    actions.found_addicted(reg, person, "01/05/2025")
    actions.start_treatment(reg, person, "methadone", "01/06/2026")
    return person


def test_a_crime_sign_is_handed_over_and_leaves_the_due_list(
    reg: Register, on_methadone: str
) -> None:
    person = on_methadone
    assert not applies(reg, person)
    drugtests.record_test(reg, person, "18/11/2026", positives="MET")
    assert crime_items(reg, person) and applies(reg, person)
    actions.run_action(reg, "handover", person, {"date": "19/11/2026", "notes": "CV số 12"})
    assert crime_items(reg, person) == []
    assert not applies(reg, person)
    assert "dấu hiệu tội phạm (Điều 256a" in refusal(reg, "handover", person)
    [contact] = contacts.contacts_of(reg, person)
    assert contact["notes"] == f"{HANDOVER_NOTE}. CV số 12"
    # A new positive after the hand-over is a new sign: the action applies again.
    drugtests.record_test(reg, person, "20/11/2026", positives="MET")
    assert crime_items(reg, person) and applies(reg, person)


def test_methadone_alone_is_no_sign_to_hand_over(reg: Register, on_methadone: str) -> None:
    drugtests.record_test(reg, on_methadone, "18/11/2026", positives="MTD")
    assert crime_items(reg, on_methadone) == []
    assert not applies(reg, on_methadone)


def test_refused_without_a_sign_and_before_the_test(reg: Register, on_methadone: str,
                                                    add) -> None:  # fmt: skip
    other = add("Lò Văn Khác", birth_date="1990")
    actions.management_decision(reg, other, "15/09/2026")
    drugtests.record_test(reg, other, "18/11/2026", positives="MET")  # a user: no crime sign
    assert not applies(reg, other)
    with pytest.raises(ValidationError) as caught:
        actions.handed_to_investigators(reg, other, "19/11/2026")
    assert "Đã chuyển cơ quan điều tra" in caught.value.errors["person"]
    assert contacts.contacts_of(reg, other) == []
    drugtests.record_test(reg, on_methadone, "18/11/2026", positives="MET")
    # Handed over before the positive test: there was nothing to hand over yet.
    assert "person" in check_action(reg, "handover", on_methadone, {"date": "17/11/2026"})
    assert "date" in check_action(reg, "handover", on_methadone, {"date": "21/11/2026"})
    assert check_action(reg, "handover", on_methadone, {"date": "18/11/2026"}) == {}
