"""The deadlines after a release from rehab (db.duties.post_rehab), Decree 116/2021 Art. 62, 77
and 78: the file within 3 working days of the release, the decision within 2 working days of
the file, the compulsory-rehab leaver's report within 5 working days. Dates hand-counted."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from db.duties import actions
from db.duties.post_rehab import post_rehab_deadlines
from db.law.workdays import WorkCalendar
from db.persons import episodes
from db.store.register import Register

CAL = WorkCalendar()


def test_art_77_78_release_on_the_friday_before_tet_2026() -> None:
    """Friday 13/02/2026; Tết Bính Ngọ: Monday 16/02 to Friday 20/02 off. The file: Monday 23,
    Tuesday 24, Wednesday 25/02. The decision: 2 working days after the file's deadline,
    Thursday 26, Friday 27/02 — never before the file."""
    steps = post_rehab_deadlines(date(2026, 2, 13), CAL)
    assert steps.file.due == date(2026, 2, 25)
    assert steps.decision.due == date(2026, 2, 27)
    assert steps.report is None
    assert [(s.kind, s.due) for s in steps.in_order()] == [
        ("file", date(2026, 2, 25)),
        ("decision", date(2026, 2, 27)),
    ]
    assert "Điều 77" in steps.file.rule.source and "Điều 78" in steps.decision.rule.source


def test_art_62_compulsory_leaver_on_the_friday_before_tet_2026() -> None:
    """The same Friday out of compulsory rehab: the person reports within 5 working days, Monday
    23 to Friday 27/02/2026; the file and the decision as for everyone."""
    steps = post_rehab_deadlines(date(2026, 2, 13), CAL, compulsory=True)
    assert steps.report is not None
    assert steps.report.due == date(2026, 2, 27)
    assert "Điều 62" in steps.report.rule.source
    assert [(s.kind, s.due) for s in steps.in_order()] == [
        ("file", date(2026, 2, 25)),
        ("report", date(2026, 2, 27)),
        ("decision", date(2026, 2, 27)),
    ]


def test_art_77_78_release_on_the_friday_before_tet_2025() -> None:
    """Friday 24/01/2025; Tết Ất Tỵ as decided: Monday 27/01 to Friday 31/01 off. The file:
    Monday 3, Tuesday 4, Wednesday 5/02; the decision: Thursday 6, Friday 7/02/2025."""
    steps = post_rehab_deadlines(date(2025, 1, 24), CAL)
    assert (steps.file.due, steps.decision.due) == (date(2025, 2, 5), date(2025, 2, 7))


def test_art_78_the_decision_counts_from_the_day_the_file_was_opened() -> None:
    """Released Thursday 03/12/2026, the file opened late on Monday 07/12: the decision is due
    2 working days after the file, Tuesday 8 and Wednesday 09/12/2026."""
    steps = post_rehab_deadlines(date(2026, 12, 3), CAL, file_opened=date(2026, 12, 7))
    assert steps.file.due == date(2026, 12, 8)  # Friday 4, Monday 7, Tuesday 8
    assert steps.decision.due == date(2026, 12, 9)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.booleans())
def test_art_77_78_the_decision_is_never_due_before_the_file(
    released: date, compulsory: bool
) -> None:
    steps = post_rehab_deadlines(released, CAL, compulsory=compulsory)
    assert released < steps.file.due < steps.decision.due
    order = steps.in_order()
    assert [s.due for s in order] == sorted(s.due for s in order)
    assert [s.kind for s in order].index("file") < [s.kind for s in order].index("decision")


def test_art_77_release_outcome_is_the_first_step(reg: Register, person: str) -> None:
    """Release from voluntary rehab on Friday 13/02/2026: the window shows the file's 25/02."""
    actions.start_treatment(reg, person, "rehab_home", "13/08/2025", duration_months=6)
    rehab = next(e for e in episodes.open_episodes(reg, person, date(2025, 9, 1))
                 if e["category"] == "rehab_home")  # fmt: skip
    out = actions.release_from_rehab(reg, rehab["id"], "13/02/2026")
    assert out.rule is not None and out.rule.key == "post_rehab_file"
    assert out.deadline == date(2026, 2, 25)
    assert out.deadline - date(2026, 2, 13) == timedelta(days=12)
