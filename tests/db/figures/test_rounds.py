"""Who is in a test round (db.figures.rounds.round_people): the one answer the round screen and
the printed round sheet share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from db.commune import places
from db.commune.settings import save_settings
from db.duties import actions
from db.duties.due import due_items
from db.figures.rounds import round_people
from db.figures.series import round_list
from db.persons import drugtests
from db.store.register import Register
from tests.support.registers import TODAY


def names(rows: list[dict[str, object]]) -> list[object]:
    return [r["full_name"] for r in rows]


def test_in_name_order_not_due_order(reg: Register, add: Callable[..., str]) -> None:
    an, binh = add("Lò Văn An"), add("Quàng Văn Bình")
    for person in (an, binh):
        actions.management_decision(reg, person, "01/10/2026", decision_no="1/QĐ")
    drugtests.record_test(reg, an, "25/10/2026")  # due 24/11; Bình overdue since 31/10
    due = [i.person_id for i in due_items(reg) if i.kind == "test"]
    assert due == [binh, an]  # the due list puts the overdue first
    rows = round_people(reg, TODAY, due=True)
    assert names(rows) == ["Lò Văn An", "Quàng Văn Bình"]
    assert [r["due"] for r in rows] == [date(2026, 11, 24), date(2026, 10, 31)]
    assert rows[0]["last_test"] == "2026-10-25" and rows[0]["categories"] == ["user"]


def test_due_means_the_warning_window_of_the_settings(reg: Register, add: Callable[..., str]):
    person = add("Lò Văn An")
    actions.management_decision(reg, person, "01/10/2026", decision_no="1/QĐ")
    drugtests.record_test(reg, person, "01/11/2026")  # due 01/12: 11 days ahead
    assert round_people(reg, TODAY, due=True) == []
    save_settings(reg, {"due_window_days": 11})
    assert names(round_people(reg, TODAY, due=True)) == ["Lò Văn An"]
    window = round_people(reg, TODAY, due_until=TODAY + timedelta(days=11))
    assert window == round_people(reg, TODAY, due=True) == round_list(reg, None, date(2026, 12, 1))


def test_a_village_on_a_day(reg: Register, add: Callable[..., str]) -> None:
    home, away, later = add("Lò Văn An"), add("Cầm Văn Bình"), add("Vì Văn Cường")
    other = places.save_village(reg, {"name": "Bản Khác"})
    elsewhere = add("Điêu Văn Dũng", village_id=other)
    for person in (home, elsewhere):
        actions.management_decision(reg, person, "05/10/2026", decision_no="1/QĐ")
    actions.start_treatment(reg, away, "rehab_compulsory", "05/10/2026")
    actions.management_decision(reg, later, "10/11/2026", decision_no="2/QĐ")
    village = reg.db.execute("SELECT village_id FROM persons WHERE id = ?", [home]).fetchone()[0]
    assert names(round_people(reg, TODAY, village)) == ["Lò Văn An", "Vì Văn Cường"]
    # On 01/11 Cường was not yet managed.
    assert names(round_people(reg, date(2026, 11, 1), village)) == ["Lò Văn An"]
    assert names(round_people(reg, TODAY)) == ["Lò Văn An", "Vì Văn Cường", "Điêu Văn Dũng"]
    assert round_list(reg, village) == round_people(reg, TODAY, village)
