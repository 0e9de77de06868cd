"""The provincial monthly report: every commune and the province's totals on paper, the
communes whose report is not in, the plan's progress, and a past month printed again the same.

The province register is three demo communes' bundles (tests/db/province/province_helpers.py);
two of them upload their November report to the province's inbox.
"""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli.province_report_command import add_province_report_parser
from db.figures.stats import figures
from db.persons import drugtests
from db.province import inbox, tokens
from db.province.overview import commune_rows, month_period, province_totals
from db.province.plan import set_target
from db.province.scope import scoped
from db.store.register import Register
from reports.build import monthly_report, outbox_for
from reports.provincial import gather, provincial_pdf, provincial_report
from tests.db.province.province_helpers import Province, build_province, receive_bundle
from tests.db.province.upload_helpers import body_of
from tests.support.handover import export

NOVEMBER = date(2026, 11, 1)
SENDERS = ("Công an xã Chiềng Mung", "Công an xã Chiềng Ban")  # Mường Bú sends nothing


def send_report(province: Register, commune: Register, month: str, folder: Path) -> None:
    """The commune makes its monthly report and the province's inbox receives it."""
    box = outbox_for(commune, folder / f"outbox-{commune.commune_id[:8]}")
    entry = monthly_report(commune, month, outbox=box).entry
    assert entry is not None
    token, _secret = tokens.add_token(province, commune.commune_id)
    inbox.receive(province, token, inbox.check_upload(body_of(commune, box, entry)))


def build(folder: Path) -> Province:
    """Three communes; Chiềng Mung and Chiềng Ban sent their November report."""
    built = build_province(folder, persons=40)
    for cid, name in built.names.items():
        if name in SENDERS:
            send_report(built.reg, built.communes[cid], "2026-11", folder)
    return built


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    built = build(tmp_path_factory.mktemp("tinh"))
    yield built
    for reg in (built.reg, *built.communes.values()):
        reg.close()


def text_of(pdf: bytes) -> str:
    """What a reader sees, pages joined, spaces collapsed."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return re.sub(r"\s+", " ", "\n".join(pages))


def undated(text: str) -> str:
    """The text without the day it was printed."""
    return re.sub(r"ngày \d{2} tháng \d{1,2} năm \d{4}", "ngày …", text)


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_report_prints_each_commune_and_the_provinces_totals(province: Province) -> None:
    _data, pdf = provincial_pdf(province.reg, 2026, 11)
    text = text_of(pdf)
    assert "CÔNG AN TỈNH SƠN LA" in text and "BỘ CÔNG AN" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text and "/BC-CAT" in text
    assert "Kết quả công tác quản lý người sử dụng trái phép chất ma túy" in text
    assert "tháng 11/2026" in text and "GIÁM ĐỐC" in text and "Nơi nhận:" in text
    # Each commune's people, as its own register counts them on the period's last day.
    people = section(text, "1. Số người trong sổ", "2. Xét nghiệm trong tháng")
    totals = {"people": 0, "tests": 0, "positives": 0}
    for cid, own in province.communes.items():
        start, end = month_period(own, NOVEMBER)
        mine = figures(own, on=end, start=start)
        name = province.names[cid].replace("Công an xã", "Xã")
        counts = " ".join(str(mine["categories"][c]) for c in mine["categories"])
        assert f"{name} {counts}" in people, name
        totals["people"] += mine["people_total"]
        totals["tests"] += mine["tests"]["total"]
        totals["positives"] += mine["tests"]["positive"]
    assert f"số người trong sổ quản lý, theo dõi: {totals['people']} người" in text
    assert f"trong tháng: {totals['tests']} lượt, dương tính {totals['positives']} lượt" in text
    assert "Báo cáo tháng 11/2026 đã nhận: 2/3 xã" in text


def test_the_communes_not_yet_reported_are_listed_and_only_they(province: Province) -> None:
    text = text_of(provincial_pdf(province.reg, 2026, 11)[1])
    missing = section(text, "III. CÁC XÃ CHƯA GỬI", "IV. TIẾN ĐỘ")
    assert "Có 1 xã chưa gửi báo cáo tháng: Xã Mường Bú." in missing
    assert "Chiềng Mung" not in missing and "Chiềng Ban" not in missing
    # October: nobody sent it.
    october = section(text_of(provincial_pdf(province.reg, 2026, 10)[1]), "III.", "IV.")
    assert "Có 3 xã chưa gửi báo cáo tháng" in october
    data = gather(province.reg, 2026, 11)
    assert [r.name for r in data.missing] == ["Công an xã Mường Bú"]


def test_the_plans_progress_is_printed(tmp_path: Path) -> None:
    built = build_province(tmp_path, persons=10)
    text = text_of(provincial_pdf(built.reg, 2026, 11)[1])
    assert "Chưa nhập chỉ tiêu năm 2026" in text
    set_target(built.reg, 2026, 92, 1500, 204, 2303, "Kế hoạch xây dựng xã không ma túy",
               "125/KH-UBND")  # fmt: skip
    rows = commune_rows(built.reg, NOVEMBER)
    met = province_totals(rows)["communes_drug_free"]
    text = text_of(provincial_pdf(built.reg, 2026, 11)[1])
    assert (
        f"Kế hoạch số 125/KH-UBND: năm 2026 mục tiêu 92/204 xã, 1.500/2.303 thôn, bản; "
        f"đã đạt {met} xã" in text
    )
    assert "Các xã gần đạt tiêu chí xã không ma túy nhất: Xã" in text


def test_a_past_month_prints_again_the_same(tmp_path: Path) -> None:
    built = build_province(tmp_path, persons=10)
    before = undated(text_of(provincial_pdf(built.reg, 2026, 10)[1]))
    november = text_of(provincial_pdf(built.reg, 2026, 11)[1])
    # A commune tests someone in November and sends the province a new bundle.
    cid, own = next(iter(built.communes.items()))
    person = own.conn.execute("SELECT id FROM persons WHERE deleted = 0 LIMIT 1").fetchone()[0]
    drugtests.record_test(own, person, "18/11/2026", positives="MET")
    receive_bundle(built.reg, export(own, tmp_path / "again", full=True).path, own)
    with scoped(built.reg, cid) as one:
        assert figures(one, on=date(2026, 11, 20))["tests"]["positive"] >= 1
    assert text_of(provincial_pdf(built.reg, 2026, 11)[1]) != november  # November moved…
    assert undated(text_of(provincial_pdf(built.reg, 2026, 10)[1])) == before  # …October not


def test_the_command_writes_the_report(province: Province, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    parser = argparse.ArgumentParser()
    actions = parser.add_subparsers(dest="command").add_parser("province").add_subparsers()
    add_province_report_parser(actions)
    out = tmp_path / "bao-cao-tinh"
    args = parser.parse_args(["province", "report", "--month", "11/2026", "--out", str(out)])
    assert args.handler(province.reg.path, args) == 0
    written = out.with_suffix(".pdf")
    assert "Đã lập báo cáo tháng 11/2026" in capsys.readouterr().out
    assert "Xã Mường Bú" in text_of(written.read_bytes())


def test_a_month_not_begun_or_a_bad_month_is_refused(province: Province, tmp_path: Path) -> None:
    from db.core.errors import UserError

    with pytest.raises(UserError, match="chưa bắt đầu"):
        provincial_report(province.reg, "12/2026", tmp_path / "x.pdf")
    with pytest.raises(UserError, match="Tháng báo cáo"):
        provincial_report(province.reg, "13/2026", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    from db.province.overview import CommuneRow
    from reports.provincial_data import ProvincialData
    from reports.provincial_pages import render_provincial
    from reports.typeface import load_fonts

    rows = [
        CommuneRow(
            f"x{i:02d}",
            f"Công an xã Số {i:02d} Điện Biên Đông",
            {"user": i, "addict": 2},
            i,
            i % 3,
            i % 4,
            {"models": i % 2 == 0, "hotspots": True},
            1,
            3,
            (i, 9),
            None,
            None,
            i % 5 != 0,
            0.5,
        )
        for i in range(1, 61)
    ]
    data = ProvincialData(2026, 10, date(2026, 10, 31), True, date(2026, 11, 20),
                          {"province_name": "CÔNG AN TỈNH ĐIỆN BIÊN"}, rows,
                          province_totals(rows))  # fmt: skip
    pages = [re.sub(r"\s+", " ", p.extract_text()) for p in
             PdfReader(io.BytesIO(render_provincial(data, load_fonts()))).pages]  # fmt: skip
    with_rows = [p for p in pages if "Xã Số" in p]
    assert len(with_rows) >= 3
    assert all("TT Xã, phường" in p for p in with_rows)
    assert "Có 12 xã chưa gửi báo cáo tháng" in " ".join(pages)
