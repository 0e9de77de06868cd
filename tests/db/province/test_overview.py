"""The provincial overview: a row per commune whose every figure is the commune's own register's,
the latest bundle and report, whether the month's report is in, the totals, the sorting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from db.core.errors import UserError
from db.figures.stats import figures
from db.province import inbox, tokens
from db.province.overview import (
    CommuneRow,
    commune_rows,
    month_period,
    province_totals,
    row_from_figures,
    sort_rows,
)
from reports.build import monthly_report, outbox_for
from tests.db.province.province_helpers import Province, build_province
from tests.db.province.upload_helpers import body_of

OCTOBER = date(2026, 10, 1)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    folder = tmp_path_factory.mktemp("overview")
    built = build_province(folder)
    # Mường Bú uploads its October report to the province's inbox (as the HTTPS inbox would).
    muong_bu = next(r for r in built.communes.values() if r.path.stem == "muong-bu")
    box = outbox_for(muong_bu, folder / "outbox-muong-bu")
    entry = monthly_report(muong_bu, "2026-10", outbox=box).entry
    assert entry is not None
    token, _ = tokens.add_token(built.reg, muong_bu.commune_id)
    inbox.receive(built.reg, token, inbox.check_upload(body_of(muong_bu, box, entry)))
    yield built
    for reg in (built.reg, *built.communes.values()):
        reg.close()


def _own_row(province: Province, cid: str, month: date) -> CommuneRow:
    own = province.communes[cid]
    start, end = month_period(own, month)
    return row_from_figures(cid, "", figures(own, end, start), period=(start, end))


def test_every_row_holds_the_communes_own_figures(province: Province) -> None:
    for month in (OCTOBER, date(2026, 11, 1), date(2026, 3, 1)):
        rows = {r.commune_id: r for r in commune_rows(province.reg, month)}
        assert set(rows) == set(province.communes)  # the province's own commune has no one
        for cid, row in rows.items():
            own = _own_row(province, cid, month)
            for name in ("by_category", "tests_month", "positives_month", "overdue_tests",
                         "criteria", "villages_drug_free", "villages_total",
                         "count_vs_baseline", "closeness", "people", "period"):  # fmt: skip
                assert getattr(row, name) == getattr(own, name), (cid, month, name)


def test_a_row_says_who_it_is_and_what_arrived(province: Province) -> None:
    rows = {r.name: r for r in commune_rows(province.reg, OCTOBER)}
    assert sorted(rows) == ["Công an xã Chiềng Ban", "Công an xã Chiềng Mung",
                            "Công an xã Mường Bú"]  # fmt: skip
    now = datetime.now(UTC)
    for row in rows.values():
        assert row.latest_bundle_at is not None
        assert now - timedelta(hours=1) < row.latest_bundle_at <= now
    muong_bu = rows["Công an xã Mường Bú"]
    assert muong_bu.report_in and muong_bu.report_version == 1
    assert muong_bu.latest_report_at is not None
    assert muong_bu.period == (date(2026, 9, 16), date(2026, 10, 15))  # its cut-off day: 15
    assert not rows["Công an xã Chiềng Ban"].report_in
    assert rows["Công an xã Chiềng Ban"].latest_report_at is None
    assert rows["Công an xã Chiềng Ban"].period == (date(2026, 10, 1), date(2026, 10, 31))
    # November: Mường Bú's October report is not November's.
    november = {r.name: r for r in commune_rows(province.reg, date(2026, 11, 1))}
    assert not november["Công an xã Mường Bú"].report_in
    assert november["Công an xã Mường Bú"].latest_report_at == muong_bu.latest_report_at


def test_the_criteria_keys_are_the_drug_free_pages(province: Province) -> None:
    row = commune_rows(province.reg, OCTOBER)[0]
    assert list(row.criteria) == ["addicts_with_file", "addicts_in_treatment",
                                  "suspects_tested", "post_rehab_tested", "baseline",
                                  "hotspots", "models", "psychosis"]  # fmt: skip
    assert row.criteria_labels["hotspots"] == "Điểm, tụ điểm phức tạp về ma túy đang tồn tại"
    assert row.closeness == sum(row.criteria.values()) / 8


def test_the_totals_add_up_the_rows(province: Province) -> None:
    rows = commune_rows(province.reg, OCTOBER)
    totals = province_totals(rows)
    assert totals["communes"] == 3
    assert totals["people"] == sum(r.people for r in rows) > 0
    assert totals["by_category"]["addict"] == sum(r.by_category["addict"] for r in rows)
    assert totals["tests_month"] == sum(r.tests_month for r in rows) > 0
    assert totals["villages_total"] == sum(r.villages_total for r in rows)
    assert totals["reports_in"] == 1
    assert sorted(totals["reports_missing"]) == ["Công an xã Chiềng Ban", "Công an xã Chiềng Mung"]


def _row(name: str, closeness: float, overdue: int, report_in: bool) -> CommuneRow:
    return CommuneRow(
        commune_id=name, name=name, by_category={}, tests_month=0, positives_month=overdue % 2,
        overdue_tests=overdue, criteria={"a": closeness == 1.0}, villages_drug_free=0,
        villages_total=0, count_vs_baseline=(0, 0), latest_bundle_at=None, latest_report_at=None,
        report_in=report_in, closeness=closeness,
    )  # fmt: skip


def test_rows_sort_as_the_officer_asks() -> None:
    rows = [_row("Ít Ong", 0.5, 3, True), _row("Chiềng Ơn", 0.75, 0, False),
            _row("Chiềng An", 0.5, 7, True)]  # fmt: skip
    assert [r.name for r in sort_rows(rows, "ten")] == ["Chiềng An", "Chiềng Ơn", "Ít Ong"]
    assert [r.name for r in sort_rows(rows, "gan-dat")] == ["Chiềng Ơn", "Chiềng An", "Ít Ong"]
    assert [r.name for r in sort_rows(rows, "qua-han")] == ["Chiềng An", "Ít Ong", "Chiềng Ơn"]
    assert [r.name for r in sort_rows(rows, "chua-bao-cao")] == ["Chiềng Ơn", "Chiềng An", "Ít Ong"]
    with pytest.raises(UserError, match="Cách sắp xếp"):
        sort_rows(rows, "size")


def test_a_month_not_begun_is_refused(province: Province, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="chưa bắt đầu"):
        commune_rows(province.reg, date(2027, 1, 1))


def test_the_provinces_own_settings_change_no_communes_figures(province: Province) -> None:
    """A commune's bundle carries only the settings it changed from the program's defaults; the
    province's own cut-off day and test intervals must not fill the rest (found in review)."""
    from db.commune.settings import save_settings

    save_settings(province.reg, {"report_cutoff_day": 15, "test_interval.user": 10,
                                 "test_interval.addict": 10})  # fmt: skip
    november = date(2026, 11, 1)
    for row in commune_rows(province.reg, november):
        own = _own_row(province, row.commune_id, november)
        assert (row.period, row.tests_month, row.overdue_tests) == (
            own.period,
            own.tests_month,
            own.overdue_tests,
        ), row.name
