"""`main.py province …` and `--commune` as the province's chief types them, on a province
register made from three demo communes' bundles: the overview table and its JSON, the plan,
and one commune's figures, due list and monthly report equal to the commune's own register."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.main import main
from db.duties.due import due_items
from db.figures.stats import figures
from db.province.overview import month_period, row_from_figures
from db.store.register import Register
from tests.db.province.province_helpers import Province, build_province
from tests.support.registers import PASSWORD

ON = "2026-11-20"


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    built = build_province(tmp_path_factory.mktemp("province-cli"))
    built.reg.close()  # the commands open it themselves
    yield built
    for reg in built.communes.values():
        reg.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _own(province: Province, stem: str) -> tuple[str, Register]:
    return next((c, r) for c, r in province.communes.items() if r.path.stem == stem)


def test_the_overview_table_lists_every_commune(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "province", "--db", str(province.reg.path), "--month",
                         "10/2026", "--sort", "qua-han")  # fmt: skip
    assert code == 0, err
    assert "TỔNG HỢP CÁC XÃ — THÁNG 10/2026 (3 xã)" in out
    for name in ("Công an xã Chiềng Mung", "Công an xã Mường Bú", "Công an xã Chiềng Ban"):
        assert name in out
    assert out.count("CHƯA") == 3  # no report in the inbox yet
    assert "Chưa đặt chỉ tiêu năm 2026" in out


def test_the_overview_json_holds_each_communes_own_figures(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "province", "--db", str(province.reg.path), "--month",
                         "10/2026", "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["month"] == "10/2026" and len(data["communes"]) == 3
    for row in data["communes"]:
        own = province.communes[row["commune_id"]]
        start, end = month_period(own, date(2026, 10, 1))
        expected = row_from_figures(row["commune_id"], "", figures(own, end, start))
        assert row["by_category"] == expected.by_category
        assert (row["tests_month"], row["positives_month"], row["overdue_tests"]) == (
            expected.tests_month, expected.positives_month, expected.overdue_tests)  # fmt: skip
        assert row["criteria"] == expected.criteria
        assert row["name"] == province.names[row["commune_id"]]
    assert data["totals"]["people"] == sum(r["people"] for r in data["communes"])


def test_the_plan_is_set_listed_and_checked(
    province: Province, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(province.reg.path)
    code, out, err = run(capsys, "province", "plan", "set", "--db", db, "--year", "2026",
                         "--communes", "92", "--villages", "1850", "--total-communes", "204",
                         "--total-villages", "2303", "--name", "Kế hoạch không ma túy",
                         "--number", "125/KH-UBND")  # fmt: skip
    assert code == 0, err
    assert "Đã đặt chỉ tiêu năm 2026: 92/204 xã, 1850/2303 thôn, bản" in out
    code, out, err = run(capsys, "province", "plan", "list", "--db", db, "--json")
    assert code == 0 and [(t["year"], t["communes"]) for t in json.loads(out)] == [(2026, 92)]
    code, out, err = run(capsys, "province", "plan", "set", "--db", db, "--year", "2027",
                         "--communes", "300", "--villages", "1", "--total-communes", "204",
                         "--total-villages", "2303", "--name", "Kế hoạch")  # fmt: skip
    assert code == 2 and "Số xã đạt không ma túy: từ 0 đến tổng số xã (204)" in err
    code, out, err = run(capsys, "province", "--db", db, "--month", "10/2026")
    assert "Chỉ tiêu năm 2026 (Kế hoạch không ma túy số 125/KH-UBND): 92/204 xã" in out
    assert "hiện đạt 0 xã (còn thiếu 92)" in out


def test_stats_and_due_of_one_commune_equal_its_own(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(province.reg.path)
    _, own = _own(province, "muong-bu")
    code, out, err = run(capsys, "stats", "--db", db, "--commune", "mường bú", "--on", ON,
                         "--json")  # fmt: skip
    assert code == 0, err
    expected_figures = json.dumps(figures(own, date(2026, 11, 20)), default=str)
    assert json.loads(out) == json.loads(expected_figures)
    code, out, err = run(capsys, "due", "--db", db, "--commune", "Mường Bú", "--on", ON, "--json")
    assert code == 0, err
    expected = [i.as_dict() for i in due_items(own, date(2026, 11, 20))]
    assert json.loads(out) == json.loads(json.dumps(expected, default=str))
    code, out, err = run(capsys, "due", "--db", db, "--commune", "Mường Bú", "--on", ON)
    assert out.splitlines()[0].endswith("— Công an xã Mường Bú")


def test_an_ambiguous_or_unknown_commune_is_refused(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(province.reg.path)
    code, _, err = run(capsys, "stats", "--db", db, "--commune", "Chiềng")
    assert code == 2 and "khớp nhiều xã" in err
    code, _, err = run(capsys, "due", "--db", db, "--commune", "Tà Xùa")
    assert code == 2 and "Không biết xã “Tà Xùa”" in err


def test_one_communes_monthly_report_from_the_province(
    province: Province, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_pdf = tmp_path / "muong-bu-10-2026.pdf"
    code, out, err = run(capsys, "report", "monthly", "--db", str(province.reg.path),
                         "--commune", "Mường Bú", "--month", "2026-10", "--out",
                         str(out_pdf))  # fmt: skip
    assert code == 0, err
    assert "Đã lập báo cáo tháng 10/2026 của Công an xã Mường Bú" in out
    text = " ".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert "CÔNG AN XÃ MƯỜNG BÚ" in text.upper()
    assert "16/09/2026" in text  # its own cut-off day (15): the period begins on the 16th
    assert not (province.reg.path.parent / "outbox").exists()  # never in the province's outbox
    code, _, err = run(capsys, "report", "monthly", "--db", str(province.reg.path),
                       "--commune", "Mường Bú", "--month", "2026-10")  # fmt: skip
    assert code == 2 and "cần --out" in err


def test_an_encrypted_province_register(
    province: Province, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fast_keys: None, tmp_path: Path,
) -> None:  # fmt: skip
    copy = tmp_path / "tinh.db"
    copy.write_bytes(province.reg.path.read_bytes())
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    code, out, err = run(capsys, "province", "--db", str(copy), "--month", "10/2026", "--json")
    assert code == 0, err  # encrypted on the way (a plain register given a password)
    assert len(json.loads(out)["communes"]) == 3
    _, own = _own(province, "chieng-ban")
    code, out, err = run(capsys, "stats", "--db", str(copy), "--commune", "chiềng ban", "--on",
                         ON, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["people_total"] == figures(own, date(2026, 11, 20))["people_total"]
