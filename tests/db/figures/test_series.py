"""The 12-month series and the due list of db/figures/series.py agree with figures() and
due_items()."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from db.demo.fill import fill_demo
from db.duties import actions
from db.duties.due import due_items
from db.figures.series import due_tests, last_months, monthly_series, open_categories, round_list
from db.figures.stats import figures
from db.persons import drugtests, people
from db.store.register import Register, open_register

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path = tmp_path_factory.mktemp("series") / "so.db"
    reg = open_register(path, create=True, today=lambda: TODAY)
    fill_demo(reg, persons=500, seed=3, on=TODAY)
    yield reg
    reg.close()


@pytest.mark.parametrize("cutoff", [0, 15])
def test_series_equals_figures_for_every_month(demo, cutoff):
    periods = last_months(2026, 10, 12, cutoff)
    series = monthly_series(demo, periods)
    assert len(series) == 12
    for (start, end), month in zip(periods, series, strict=True):
        f = figures(demo, on=end, start=start)
        assert month["categories"] == f["categories"], end
        assert month["people_total"] == f["people_total"], end
        assert month["tests"] == f["tests"]["total"], end
        assert month["positives"] == f["tests"]["positive"], end
    assert any(m["tests"] for m in series) and any(m["people_total"] for m in series)


def test_series_leaves_out_deleted_people_and_tests(reg, add):
    kept, gone = add("Lò Văn An"), add("Cầm Văn Bình")
    for person in (kept, gone):
        actions.management_decision(reg, person, "05/10/2026", decision_no="1/QĐ")
        drugtests.record_test(reg, person, "06/10/2026", positives="MET")
    people.delete_person(reg, gone)
    (month,) = monthly_series(reg, [(date(2026, 10, 1), date(2026, 10, 31))])
    f = figures(reg, on=date(2026, 10, 31), start=date(2026, 10, 1))
    assert month["people_total"] == f["people_total"] == 1
    assert month["tests"] == f["tests"]["total"] == 1
    assert month["positives"] == f["tests"]["positive"] == 1


def test_last_months_are_consecutive_periods():
    periods = last_months(2026, 2, 12)
    assert periods[0] == (date(2025, 3, 1), date(2025, 3, 31))
    assert periods[-1] == (date(2026, 2, 1), date(2026, 2, 28))
    cut = last_months(2026, 1, 2, cutoff_day=15)
    assert cut == [
        (date(2025, 11, 16), date(2025, 12, 15)),
        (date(2025, 12, 16), date(2026, 1, 15)),
    ]


def test_tests_due_are_the_due_lists_tests(demo):
    until = date(2026, 12, 31)
    due = due_tests(demo, until)
    expected = {i.person_id for i in due_items(demo, until) if i.kind == "test" and i.due <= until}
    assert {i.person_id for i in due} == expected
    assert due and all(i.kind == "test" and i.due <= until for i in due)
    cats = open_categories(demo, [i.person_id for i in due], until)
    assert set(cats) == expected


def test_round_list_leaves_out_people_in_a_facility(reg, add):
    home, away = add("Lò Văn An"), add("Cầm Văn Bình")
    actions.management_decision(reg, home, "05/10/2026", decision_no="1/QĐ")
    actions.start_treatment(reg, away, "rehab_compulsory", "05/10/2026")
    names = [r["full_name"] for r in round_list(reg)]
    assert names == ["Lò Văn An"]


def test_periods_in_any_order_but_never_overlapping(reg, add):
    october = (date(2026, 10, 1), date(2026, 10, 31))
    september = (date(2026, 9, 1), date(2026, 9, 30))
    assert [m["end"] for m in monthly_series(reg, [october, september])] == [
        "2026-10-31",
        "2026-09-30",
    ]
    with pytest.raises(ValueError, match="overlap"):
        monthly_series(reg, [october, (date(2026, 10, 15), date(2026, 11, 14))])
