"""The PDFs read as a reader reads them: text, figures, page numbers, fonts, and a look at page 1.

A 500-person demo commune is built once for the module; every figure printed in its monthly
report must be the register's own figure for that period.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import reportlab
from pypdf import PdfReader

from db.commune import places
from db.commune.settings import save_settings
from db.core.dates import show
from db.core.errors import UserError
from db.demo.fill import fill_demo
from db.duties import actions
from db.figures.stats import MOVEMENTS, figures
from db.persons import people
from db.persons.drugtests import SUBSTANCES
from db.store.register import Register, open_register
from reports.layout import long_date, number
from reports.monthly import gather, parse_month
from reports.monthly_pages import ADDICT_SPLIT, render_monthly
from reports.sheets import person_sheet, round_sheet
from reports.typeface import MissingGlyph, load_fonts
from tests.support.paths import ROOT

TODAY = date(2026, 11, 20)
VIETNAMESE_LINES = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "CÔNG AN TỈNH SƠN LA",
    "CÔNG AN XÃ CHIỀNG MUNG",
    "Chiềng Mung, ngày 20 tháng 11 năm 2026",
    "BÁO CÁO",
    "TRƯỞNG CÔNG AN XÃ",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    """A demo commune of 500 people as of 20/11/2026."""
    path = tmp_path_factory.mktemp("demo") / "so.db"
    reg = open_register(path, create=True, today=lambda: TODAY)
    fill_demo(reg, persons=500, seed=1, on=TODAY)
    yield reg
    reg.close()


@pytest.fixture(scope="module")
def monthly(demo: Register) -> tuple[Any, bytes]:
    """October's report of the demo commune: the data and the PDF."""
    data = gather(demo, 2026, 10)
    return data, render_monthly(data, load_fonts())


@pytest.fixture(scope="module")
def fresh(demo: Register, monthly: tuple[Any, bytes]) -> dict[str, Any]:
    """The register's figures for the report's period, asked afresh (not from the report)."""
    data, _ = monthly
    return figures(demo, on=data.end, start=data.start)


def pdf_text(pdf: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def lines_of(pdf: bytes) -> list[str]:
    """Every extracted line, stripped (table cells come out one per line)."""
    return [line.strip() for text in pdf_text(pdf) for line in text.splitlines() if line.strip()]


def flat(pdf: bytes) -> str:
    """All the text on one line: wrapped sentences read whole."""
    return re.sub(r"\s+", " ", " ".join(pdf_text(pdf)))


def after(lines: list[str], label: str, count: int = 1, start: int = 0) -> list[str]:
    """The `count` lines that follow `label` (from `start`); a label wrapped over lines in a
    narrow cell is read whole."""
    for i in range(start, len(lines)):
        joined, j = lines[i], i
        while len(joined) < len(label) and label.startswith(joined) and j + 1 < len(lines):
            j += 1
            joined = f"{joined} {lines[j]}"
        if joined == label:
            return lines[j + 1 : j + 1 + count]
    raise AssertionError(f"“{label}” is not in the text")


def test_reader_finds_the_national_title_the_units_and_every_diacritic(monthly):
    _, pdf = monthly
    lines = lines_of(pdf)
    for expected in VIETNAMESE_LINES:
        assert expected in lines, expected
    text = flat(pdf)
    assert (
        "Kết quả quản lý người sử dụng trái phép chất ma túy, người nghiện ma túy tháng 10/2026"
        in text
    )
    assert "Số: /BC-CAX" in re.sub(r"\s+", " ", text)
    assert "Nơi nhận:" in text and "- Lưu: hồ sơ, CAX." in text
    assert "Hoàng Văn Thắng" in lines  # the chief from the demo settings
    assert "■" not in text and "\ufffd" not in text


def test_people_and_movements_equal_the_registers_figures(monthly, fresh):
    data, pdf = monthly
    f = fresh
    lines = lines_of(pdf)
    assert f"{show(data.end)}: {f['people_total']} người" in flat(pdf)
    for code, label in f["category_labels"].items():
        assert after(lines, label) == [number(f["categories"][code])], label
    a = f["addicts"]
    assert f"Người nghiện ma túy: {a['total']} người, trong đó {a['with_file']} người" in flat(pdf)
    split = after(lines, "(methadone)", len(ADDICT_SPLIT))
    assert split == [number(a[k]) for k in ADDICT_SPLIT]
    moved = after(lines, "Đi tù", len(MOVEMENTS))
    assert moved == [number(f["movements"][k]) for k in MOVEMENTS]


def test_tests_and_overdue_equal_the_registers_figures(monthly, fresh):
    _, pdf = monthly
    t = fresh["tests"]
    text = flat(pdf)
    assert (
        f"đã xét nghiệm {number(t['total'])} lượt cho {number(t['people_tested'])} người "
        f"(định kỳ {number(t['periodic'])} lượt, đột xuất {number(t['surprise'])} lượt); "
        f"kết quả dương tính {number(t['positive'])} lượt" in text
    )
    assert f"còn {t['overdue']} người quá hạn xét nghiệm định kỳ" in text
    lines = lines_of(pdf)
    assert t["by_substance"], "the demo month has positives"
    for code, n in t["by_substance"].items():
        assert after(lines, SUBSTANCES[code]) == [number(n)]


def test_village_table_equals_the_registers_figures(monthly, fresh):
    _, pdf = monthly
    f = fresh
    lines = lines_of(pdf)
    start = lines.index("III. SỐ LIỆU THEO THÔN, BẢN")
    for v in f["villages"]:
        c = v["categories"]
        expected = [number(v["population"]), number(v["people"]), number(c["user"]),
                    number(c["addict"]), number(c["post_rehab"]), number(c["suspect"]),
                    number(v["tests"]), number(v["positives"])]  # fmt: skip
        assert after(lines, v["name"], 8, start) == expected, v["name"]
    total = after(lines, "Toàn xã", 9, start)
    assert total[:2] == [number(f["population"]), number(f["people_total"])]
    assert total[-1] == f"{sum(v['drug_free'] for v in f['villages'])}/{len(f['villages'])}"


def test_criteria_baseline_and_hotspots_equal_the_registers_figures(monthly, fresh):
    _, pdf = monthly
    f = fresh
    lines = lines_of(pdf)
    text = flat(pdf)
    start = lines.index("IV. TIÊU CHÍ XÃ KHÔNG MA TÚY")
    for c in f["criteria"]:
        value = c["value"]
        shown = f"{number(value)}%" if isinstance(value, float) else str(value)
        verdict = {True: "Đạt", False: "Chưa đạt", None: "—"}[c["met"]]
        i = next(k for k in range(start, len(lines)) if lines[k].startswith(c["label"][:25]))
        rest = lines[i + 1 : i + 5]
        assert shown in rest and verdict in rest, (c["label"], rest)
    b = f["baseline"]
    assert f"Hiện nay: {b['now_total']} người ({b['now_users']} người sử dụng" in text
    assert f"tổng {b['total']} người" in text
    h = f["hotspot"]
    assert f"Đạt {h['met']}/{len(h['thresholds'])} tiêu chí (cần ít nhất {h['needed']})" in text
    # Decision 28's rows print the value and the threshold as they were compared.
    table = next(k for k, line in enumerate(lines) if line.startswith("3. Tiêu chí xác định"))
    for x in h["thresholds"]:
        i = next(k for k in range(table, len(lines)) if lines[k].startswith(x["label"][:20]))
        rest = " ".join(lines[i + 1 : i + 9])
        assert x["shown"] in rest and x["target"] in rest, (x["label"], rest)
        assert ("Có" if x["met"] else "Không") in rest


def test_the_legal_basis_is_the_law_in_force_on_the_reports_date(reg, add, tmp_path):
    """Issued 20/11/2026, after Law 120/2025/QH15 took effect (01/07/2026), the report is made
    under it, even for June; issued 30/06/2026, under Law 73/2021 and Decrees 105 and 116."""
    add("Lò Văn Ươn")
    text = flat(render_monthly(gather(reg, 2026, 6), load_fonts()))
    assert "Thực hiện Luật Phòng, chống ma túy số 120/2025/QH15, Công an xã" in text
    assert "năm 2021" not in text
    june = open_register(tmp_path / "thang6.db", create=True, today=lambda: date(2026, 6, 30))
    try:
        text = flat(render_monthly(gather(june, 2026, 6), load_fonts()))
    finally:
        june.close()
    assert (
        "Thực hiện Luật Phòng, chống ma túy năm 2021, Nghị định số 105/2021/NĐ-CP và Nghị định "
        "số 116/2021/NĐ-CP của Chính phủ, Công an xã" in text
    )


def test_twelve_month_table_equals_the_series(monthly, fresh):
    data, pdf = monthly
    f = fresh
    lines = lines_of(pdf)
    # The table under the charts (the legends above it use the same words).
    start = lines.index("Tháng", lines.index("V. DIỄN BIẾN 12 THÁNG"))
    months = data.series
    assert len(months) == 12
    assert months[-1]["end"] == data.end.isoformat()
    row = after(lines, "Lượt xét nghiệm", 12, start)
    assert row == [number(m["tests"]) for m in months]
    assert after(lines, "Lượt dương tính", 12, start) == [number(m["positives"]) for m in months]
    assert after(lines, "Trong sổ", 12, start) == [number(m["people_total"]) for m in months]
    # The last month of the chart is the report's own month.
    assert months[-1]["tests"] == f["tests"]["total"]
    assert months[-1]["categories"] == f["categories"]


def test_annex_lists_everyone_due_next_month_by_village(monthly):
    data, pdf = monthly
    text = flat(pdf)
    assert "PHỤ LỤC" in text
    assert "DANH SÁCH NGƯỜI ĐẾN HẠN XÉT NGHIỆM THÁNG 11/2026" in text
    assert data.due, "someone is due in the demo commune"
    assert f"Tổng số: {len(data.due)} người" in text
    annex = text[text.index("PHỤ LỤC") :]
    for d in data.due:
        assert d["full_name"] in annex
        assert date.fromisoformat(d["due"]) <= data.next_end
    villages_in_order = list(dict.fromkeys(d["village"] for d in data.due))
    positions = [annex.index(f"{v} (") for v in villages_in_order]
    assert positions == sorted(positions)


def test_page_numbers_top_centre_from_page_two(monthly):
    _, pdf = monthly
    pages = pdf_text(pdf)
    assert len(pages) >= 4
    assert not pages[0].splitlines()[0].strip().isdigit()
    for n, text in enumerate(pages[1:], start=2):
        assert text.splitlines()[0].strip() == str(n)


def embedded_fonts(pdf: bytes) -> set[str]:
    """The fonts a PDF uses; each must be an embedded TrueType font."""
    seen = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            seen.add(font["/BaseFont"])
            assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    return seen


def test_every_font_is_embedded_truetype(monthly, demo):
    _, pdf = monthly
    village = places.villages(demo)[0]["name"]
    person = demo.db.execute("SELECT id FROM persons ORDER BY sort_key LIMIT 1").fetchone()[0]
    fonts = load_fonts()
    for document in (pdf, person_sheet(demo, person, fonts), round_sheet(demo, fonts, village)):
        seen = embedded_fonts(document)
        assert any("LiberationSerif" in name or "Times" in name for name in seen), seen
        assert not any("Helvetica" in name for name in seen)


def test_a_character_the_font_lacks_is_an_error_not_a_box(reg, add):
    vera = Path(reportlab.__file__).parent / "fonts"
    files = {"regular": vera / "Vera.ttf", "bold": vera / "VeraBd.ttf",
             "italic": vera / "VeraIt.ttf", "bold_italic": vera / "VeraBI.ttf"}  # fmt: skip
    # A "Times New Roman" without Vietnamese letters is passed over for the shipped font.
    fonts = load_fonts(prefer_system=False, candidates=[files])
    assert fonts.family == "Liberation Serif" and fonts.version.startswith("2.")
    person = add("Nguyễn Thị Ánh ก")  # a Thai letter no Vietnamese font needs
    with pytest.raises(MissingGlyph, match="U\\+0E01"):
        person_sheet(reg, person, fonts)
    assert isinstance(MissingGlyph("x"), UserError)


def test_the_shipped_font_and_its_licence_are_there():
    folder = ROOT / "reports" / "fonts"
    for style in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (folder / f"LiberationSerif-{style}.ttf").stat().st_size > 300_000
    licence = (folder / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_empty_settings_print_dotted_blanks_not_nothing(reg, add):
    person = add("Lò Văn Ươn", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
    data = gather(reg, 2026, 10)
    text = flat(render_monthly(data, load_fonts()))
    assert "CÔNG AN TỈNH ……………" in text
    assert "CÔNG AN XÃ ……………" in text
    assert "……………, ngày 20 tháng 11 năm 2026" in text
    assert "Chưa nhập số liệu tại ngày đăng ký" in text


@pytest.mark.parametrize(
    ("text", "expected"), [("2026-10", (2026, 10)), ("10/2026", (2026, 10)), ("2026-1", (2026, 1))]
)
def test_month_is_read_as_typed(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "13/2026", "tháng mười", "", "2026-00"])
def test_a_bad_month_names_the_field(text):
    with pytest.raises(UserError, match="Tháng báo cáo"):
        parse_month(text)


def test_a_month_not_yet_begun_is_refused(reg):
    with pytest.raises(UserError, match="chưa bắt đầu"):
        gather(reg, 2026, 12)


def test_the_current_month_is_counted_to_today_and_says_so(reg, add):
    add("Lò Văn Ươn")
    data = gather(reg, 2026, 11)
    assert data.end == TODAY and not data.complete
    assert "Số liệu tạm tính đến ngày 20/11/2026" in flat(render_monthly(data, load_fonts()))


def test_cutoff_day_moves_the_period(reg, add):
    save_settings(reg, {"report_cutoff_day": 15})
    data = gather(reg, 2026, 10)
    assert (data.start, data.end) == (date(2026, 9, 16), date(2026, 10, 15))
    assert data.series[-1]["end"] == "2026-10-15"
    assert "số liệu từ ngày 16/09/2026 đến ngày 15/10/2026" in flat(
        render_monthly(data, load_fonts())
    )


def test_decree_30_date_line_pads_days_and_the_first_two_months():
    assert long_date("Mường La", date(2026, 2, 5)) == "Mường La, ngày 05 tháng 02 năm 2026"
    assert long_date("Mường La", date(2026, 3, 5)) == "Mường La, ngày 05 tháng 3 năm 2026"


def test_person_sheet_holds_identity_episodes_tests_and_contacts(demo):
    person_id = demo.db.execute(
        "SELECT p.id FROM persons p WHERE EXISTS (SELECT 1 FROM drug_tests t WHERE "
        "t.person_id = p.id) AND EXISTS (SELECT 1 FROM contacts c WHERE c.person_id = p.id) "
        "ORDER BY p.sort_key LIMIT 1"
    ).fetchone()[0]
    person = people.get_person(demo, person_id)
    text = flat(person_sheet(demo, person_id, load_fonts()))
    assert "PHIẾU THEO DÕI" in text and person["full_name"] in text
    for heading in ("I. THÔNG TIN CÁ NHÂN", "II. QUÁ TRÌNH QUẢN LÝ", "III. CÁC LẦN XÉT NGHIỆM",
                    "IV. KIỂM TRA CƯ TRÚ"):  # fmt: skip
        assert heading in text
    newest = demo.db.execute(
        "SELECT max(test_date) FROM drug_tests WHERE person_id = ? AND deleted = 0", [person_id]
    ).fetchone()[0]
    assert show(newest) in text


def test_round_sheet_lists_the_village_with_empty_columns(reg, add, village):
    ids = [add(n, birth_date="1990") for n in ("Lò Văn Ươn", "Quàng Thị Ặc", "Đặng Văn Đức")]
    for i in ids:
        actions.management_decision(reg, i, "01/10/2026", decision_no="1/QĐ")
    other = places.save_village(reg, {"name": "Bản Khác"})
    elsewhere = people.add_person(reg, {"full_name": "Cầm Văn Hặc", "village_id": other})
    actions.management_decision(reg, elsewhere, "01/10/2026", decision_no="2/QĐ")
    lines = lines_of(round_sheet(reg, load_fonts(), village="ban mong"))
    text = " ".join(lines)
    assert "DANH SÁCH XÉT NGHIỆM CHẤT MA TÚY TRONG CƠ THỂ" in text
    assert "Bản Mòng" in lines
    names = [n for n in lines if n in ("Lò Văn Ươn", "Quàng Thị Ặc", "Đặng Văn Đức")]
    assert names == ["Quàng Thị Ặc", "Đặng Văn Đức", "Lò Văn Ươn"]  # Ặc < Đức < Ươn
    assert "Cầm Văn Hặc" not in text
    assert "Người được" in text and "NGƯỜI LẤY MẪU" in text


def test_round_sheet_for_an_unknown_village_names_the_known_ones(reg, village):
    with pytest.raises(UserError, match="Bản Mòng"):
        round_sheet(reg, load_fonts(), village="Bản Không Có")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_page_one_renders_to_png(monthly, tmp_path):
    """Page 1 as an image (kept in /tmp/shots to look at); a blank page would be tiny."""
    _, pdf = monthly
    source = tmp_path / "bc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    image = next(tmp_path.glob("p*.png"))
    assert image.stat().st_size > 20_000
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    shutil.copy(image, shots / "report-monthly-page1.png")


def test_electronic_monitoring_prints_only_once_law_120_applies(reg, add):
    """Law 120/2025 allows electronic monitoring from 01/07/2026 (db.law.rules): October's report
    says how many are monitored and how many orders were made; June's has no such line."""
    person = add("Lò Văn An")
    actions.start_treatment(reg, person, "rehab_home", "01/03/2026")
    actions.order_monitoring(reg, person, "01/10/2026", ordered_by="Lò Văn Thắng",
                             start="01/10/2026", end="31/03/2027")  # fmt: skip
    october = flat(render_monthly(gather(reg, 2026, 10), load_fonts()))
    assert (
        "4. Người đang bị giám sát điện tử đến ngày 31/10/2026: 1 người (Cai tại gia đình 1, "
        "Methadone 0, Sau cai 0); quyết định giám sát điện tử mới trong tháng: 1."
    ) in october
    november = flat(render_monthly(gather(reg, 2026, 11), load_fonts()))
    assert "đến ngày 20/11/2026: 1 người" in november
    assert "mới trong tháng: 0." in november
    july = flat(render_monthly(gather(reg, 2026, 7), load_fonts()))
    assert "Người đang bị giám sát điện tử đến ngày 31/07/2026: 0 người" in july
    june = flat(render_monthly(gather(reg, 2026, 6), load_fonts()))
    assert "giám sát điện tử" not in june
    assert "3. Biến động trong tháng" in june  # the section itself is there
