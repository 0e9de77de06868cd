"""The register's working calendar (db.commune.holidays): the decided days shipped with the
program, the officer's days, and a year the unit enters itself (replacing the program's days).

Labour Code 2019 Art. 112 is the fallback; the Law on Drug Prevention 2021 Art. 23 decision is
due 3 working days after a positive test (rule "positive_test_decision").
"""

from __future__ import annotations

from datetime import date

import pytest

from db.commune import holidays
from db.core.errors import UserError
from db.law.rules import deadline
from db.store.register import Register


def due(reg: Register, tested: date) -> date:
    return deadline("positive_test_decision", tested, holidays.work_calendar(reg))[0]


def test_the_register_counts_on_the_decided_2025_days_art_23(reg: Register) -> None:
    # Fri 25/04/2025, Saturday 26/4 worked (decided swap for Fri 2/5): Sat 26, Mon 28, Tue 29/4.
    assert due(reg, date(2025, 4, 25)) == date(2025, 4, 29)
    days = {x.day: x for x in holidays.year_days(reg, 2025)}
    assert days[date(2025, 4, 26)].kind == "workday"
    assert days[date(2025, 4, 26)].origin == "decided"
    assert days[date(2025, 5, 2)][1:] == (
        "holiday", "Ngày nghỉ (thay cho ngày 26/04/2025)", "decided"
    )  # fmt: skip
    assert holidays.year_basis(reg, 2025).label.startswith("Theo lịch nghỉ đã công bố (nguồn: ")


def test_a_year_with_no_decision_says_it_counts_on_art_112(reg: Register) -> None:
    basis = holidays.year_basis(reg, 2027)
    assert basis.kind == "labour_code"
    assert basis.label == "Chưa có lịch nghỉ công bố: tính theo Bộ luật Lao động Điều 112"
    assert {x.origin for x in holidays.year_days(reg, 2027)} == {"labour_code"}


def test_a_year_the_unit_enters_replaces_the_program_days_art_112(reg: Register) -> None:
    """Marked "entered", 2027 counts only the officer's days: not Art. 112's guess as well."""
    holidays.set_day(reg, "01/01/2027", "holiday", "Tết Dương lịch")
    for day in ("04/02/2027", "05/02/2027", "08/02/2027", "09/02/2027", "10/02/2027"):
        holidays.set_day(reg, day, "holiday", "Nghỉ Tết Nguyên đán")
    # Before the mark, the officer's days are added to Art. 112's: 4/2 and 11/2 are both off.
    # Wed 3/2/2027: 4, 5, 8, 9, 10, 11/2 off; Fri 12, Mon 15, Tue 16/2.
    assert due(reg, date(2027, 2, 3)) == date(2027, 2, 16)
    holidays.set_year_entered(reg, 2027, True)
    assert holidays.entered_years(reg) == {2027}
    assert holidays.year_basis(reg, 2027).kind == "entered"
    # Only the officer's days: Thu 11/2 works again; Thu 11, Fri 12, Mon 15/2.
    assert due(reg, date(2027, 2, 3)) == date(2027, 2, 15)
    days = holidays.year_days(reg, 2027)
    assert [x.day for x in days] == [
        date(2027, 1, 1), date(2027, 2, 4), date(2027, 2, 5), date(2027, 2, 8),
        date(2027, 2, 9), date(2027, 2, 10),
    ]  # fmt: skip
    assert {x.origin for x in days} == {"entered"}
    assert holidays.work_calendar(reg).is_working_day(date(2027, 4, 30))  # not entered
    # Other years keep the program's days.
    assert holidays.year_basis(reg, 2026).kind == "decided"
    holidays.set_year_entered(reg, 2027, False)
    assert holidays.entered_years(reg) == set()
    assert due(reg, date(2027, 2, 3)) == date(2027, 2, 16)


def test_marking_a_year_is_logged_and_refuses_a_wrong_year(reg: Register) -> None:
    holidays.set_year_entered(reg, 2027, True)
    holidays.set_year_entered(reg, 2027, True)  # once is enough: one row per year
    rows = reg.db.execute(
        "SELECT value FROM settings WHERE key = 'calendar.entered.2027' AND deleted = 0"
    ).fetchall()
    assert rows == [("true",)]
    logged = reg.db.execute("SELECT COUNT(*) FROM change_log WHERE table_name = 'settings'")
    assert logged.fetchone()[0] >= 1
    with pytest.raises(UserError):
        holidays.set_year_entered(reg, 20270, True)
