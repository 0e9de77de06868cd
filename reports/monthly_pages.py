"""The pages of the monthly report: sections I–V, the corrections to past months (VI, see
reports/monthly_notes.py), the signature with the change log's anchor, and the annex.

Everything printed comes from a `MonthlyData` (the register's own figures); this module only
words and lays them out in the Decree 30 format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
)

from db.core.dates import show
from db.figures.stats import MOVEMENTS
from db.persons.drugtests import SUBSTANCES
from reports import chart
from reports.layout import (
    DOTS,
    PORTRAIT,
    Letterhead,
    Meta,
    esc,
    header,
    letterhead,
    make_styles,
    number,
    render,
    signature,
    title,
)
from reports.monthly import ANNEX_LIMIT, MonthlyData, basis_text, monitoring_line, month_text
from reports.monthly_notes import anchor_line, corrections_section
from reports.tables import grid
from reports.typeface import FontSet

ADDICT_SPLIT = {
    "untreated": "Chưa cai nghiện, điều trị",
    "rehab_home": "Cai nghiện tự nguyện tại gia đình, cộng đồng",
    "rehab_facility": "Cai nghiện tự nguyện tại cơ sở",
    "rehab_compulsory": "Cai nghiện bắt buộc",
    "methadone": "Điều trị thay thế (methadone)",
}
NO_VILLAGE = "Chưa rõ thôn, bản"
CENTER, LEFT, RIGHT = "CENTER", "LEFT", "RIGHT"
Styles = dict[str, ParagraphStyle]
Row = list[Any]


def _title_case(upper: str) -> str:
    """A place inside a sentence: "TỈNH SƠN LA" → "tỉnh Sơn La"."""
    words = upper.split(" ")
    kinds = {"TỈNH": "tỉnh", "THÀNH": "thành", "PHỐ": "phố"}
    out = []
    for i, word in enumerate(words):
        leading = i == 0 or (i == 1 and words[0] == "THÀNH")
        out.append(kinds[word] if leading and word in kinds else word.capitalize())
    return " ".join(out)


def recipients(lh: Letterhead, settings: dict[str, Any]) -> list[str]:
    """Where the report goes, ending with the unit's own copy."""
    province = lh.parent.removeprefix("CÔNG AN ")
    province = province if DOTS in province else _title_case(province)
    commune = str(settings.get("commune_name") or "").strip() or DOTS
    return [
        f"- Công an {province} (PC04);",
        f"- Đảng ủy, UBND xã {commune};",
        "- Lưu: hồ sơ, CAX.",
    ]


def _percent(value: Any) -> str:
    return "—" if value is None else f"{number(value)}%"


def _met(value: bool | None) -> str:
    return {True: "Đạt", False: "Chưa đạt", None: "—"}[value]


def _criterion_value(c: dict[str, Any]) -> str:
    value = c["value"]
    if isinstance(value, float) or (value is None and str(c["label"]).endswith("(%)")):
        return _percent(value)
    if isinstance(value, int):
        return number(value)
    return str(value)


class _Story:
    """Collects the flowables of one report."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self.st: Styles = make_styles(fonts)
        self.out: list[Flowable] = []

    def para(self, markup: str, style: str = "body") -> None:
        if style == "lead":
            # A sentence that introduces a table is not left alone at the foot of a page.
            self.out.append(CondPageBreak(30 * mm))
            style = "body"
        elif style == "heading":
            self.out.append(CondPageBreak(40 * mm))
        self.out.append(Paragraph(markup, self.st[style]))

    def table(
        self, rows: Sequence[Row], widths: Sequence[float], align: Sequence[str], **kw: Any
    ) -> None:
        self.out.append(grid(rows, [w * mm for w in widths], self.fonts, align=align, **kw))

    def heads(self, labels: Sequence[str]) -> Row:
        return [Paragraph(esc(label), self.st["small_head"]) for label in labels]


def story(data: MonthlyData, fonts: FontSet) -> list[Flowable]:
    """The report's pages as ReportLab flowables."""
    s = _Story(fonts)
    lh = letterhead(data.settings, data.issued)
    note = "" if data.complete else f"(Số liệu tạm tính đến ngày {show(data.end)})"
    s.out.append(header(lh, s.st))
    subject = (
        "Kết quả quản lý người sử dụng trái phép chất ma túy, "
        f"người nghiện ma túy tháng {data.label}"
    )
    s.out += title("Báo cáo", subject, s.st, note)
    s.para(
        f"Thực hiện {esc(basis_text(data.basis))}, {esc(lh.unit_in_text)} báo cáo kết quả quản lý "
        "người sử dụng trái phép chất ma túy, người nghiện ma túy trên địa bàn tháng "
        f"{data.label} (số liệu {_period(data)}) như sau:"
    )
    _people(s, data)
    _tests(s, data)
    s.out.append(CondPageBreak(60 * mm))
    s.para("III. SỐ LIỆU THEO THÔN, BẢN", "heading")
    _villages(s, data.figures)
    _criteria(s, data.figures)
    _charts(s, data)
    s.out += corrections_section(data, "VI", s.st, fonts, names=len(data.due) <= ANNEX_LIMIT)
    closing = Paragraph(
        "Trên đây là báo cáo kết quả quản lý người sử dụng trái phép chất ma túy, người nghiện "
        f"ma túy tháng {data.label} của {esc(lh.unit_in_text)}./.",
        s.st["body"],
    )
    s.out.append(signature(lh, recipients(lh, data.settings), s.st, closing=[closing],
                           anchor=anchor_line(data)))  # fmt: skip
    _annex(s, data, lh)
    return s.out


def _period(data: MonthlyData) -> str:
    return f"từ ngày {show(data.start)} đến ngày {show(data.end)}"


def _people(s: _Story, data: MonthlyData) -> None:
    f = data.figures
    s.para("I. TÌNH HÌNH NGƯỜI SỬ DỤNG TRÁI PHÉP CHẤT MA TÚY, NGƯỜI NGHIỆN MA TÚY", "heading")
    s.para(
        f"1. Số người trong sổ quản lý, theo dõi đến ngày {show(data.end)}: "
        f"<b>{number(f['people_total'])}</b> người (một người có thể thuộc nhiều diện), cụ thể:",
        "lead",
    )
    rows: list[Row] = [["STT", "Diện quản lý, theo dõi", "Số người"]]
    for i, code in enumerate(f["categories"], start=1):
        rows.append([str(i), f["category_labels"][code], number(f["categories"][code])])
    s.table(rows, [14, 121, 30], (CENTER, LEFT, RIGHT))
    a = f["addicts"]
    s.para(
        f"2. Người nghiện ma túy: <b>{number(a['total'])}</b> người, trong đó "
        f"{number(a['with_file'])} người có hồ sơ quản lý; chia theo hình thức cai nghiện, "
        "điều trị:",
        "lead",
    )
    rows = [s.heads(list(ADDICT_SPLIT.values())), [number(a[k]) for k in ADDICT_SPLIT]]
    s.table(rows, [33] * 5, [CENTER] * 5)
    s.para(f"3. Biến động trong tháng ({_period(data)}):", "lead")
    rows = [s.heads(list(MOVEMENTS.values())), [number(f["movements"][k]) for k in MOVEMENTS]]
    s.table(rows, [165 / len(MOVEMENTS)] * len(MOVEMENTS), [CENTER] * len(MOVEMENTS))
    if line := monitoring_line(data):
        s.para(f"4. {line}", "lead")


def _tests(s: _Story, data: MonthlyData) -> None:
    t = data.figures["tests"]
    s.para("II. KẾT QUẢ XÉT NGHIỆM CHẤT MA TÚY TRONG CƠ THỂ", "heading")
    s.para(
        f"1. Trong tháng đã xét nghiệm <b>{number(t['total'])}</b> lượt cho "
        f"{number(t['people_tested'])} người (định kỳ {number(t['periodic'])} lượt, đột xuất "
        f"{number(t['surprise'])} lượt); kết quả dương tính <b>{number(t['positive'])}</b> lượt."
    )
    point = 2
    if t["by_substance"]:
        s.para(
            "2. Dương tính theo chất ma túy (một lượt có thể dương tính với nhiều chất):", "lead"
        )
        rows: list[Row] = [["STT", "Chất ma túy", "Số lượt dương tính"]]
        for i, (code, n) in enumerate(t["by_substance"].items(), start=1):
            rows.append([str(i), SUBSTANCES.get(code, code), number(n)])
        s.table(rows, [14, 111, 40], (CENTER, LEFT, RIGHT))
        point = 3
    s.para(
        f"{point}. Đến ngày {show(data.end)}, còn <b>{number(t['overdue'])}</b> người quá hạn "
        "xét nghiệm định kỳ (danh sách người cần xét nghiệm tháng sau tại Phụ lục)."
    )


def _villages(s: _Story, f: dict[str, Any]) -> None:
    heads = ["STT", "Thôn, bản", "Dân số", "Trong sổ", "Sử dụng", "Nghiện", "Sau cai",
             "Nghi vấn", "Lượt XN", "Dương tính", "Không ma túy"]  # fmt: skip
    widths = [11, 31, 15, 13, 13, 14, 13, 13, 13, 15, 14]
    rows: list[Row] = [s.heads(heads)]

    def counts(c: dict[str, Any]) -> list[str]:
        return [number(c.get(k, 0)) for k in ("user", "addict", "post_rehab", "suspect")]

    for i, v in enumerate(f["villages"], start=1):
        rows.append(
            [str(i), v["name"], number(v["population"]), number(v["people"]),
             *counts(v["categories"]), number(v["tests"]), number(v["positives"]),
             "Đạt" if v["drug_free"] else ""]
        )  # fmt: skip
    unassigned = f["unassigned"]
    if unassigned.get("people"):
        # figures() counts people without a village but not their tests: left blank.
        rows.append(["", NO_VILLAGE, "", number(unassigned["people"]), *counts(unassigned),
                     "", "", ""])  # fmt: skip
    free = sum(1 for v in f["villages"] if v["drug_free"])
    rows.append(
        ["", "Toàn xã", number(f["population"]), number(f["people_total"]),
         *counts(f["categories"]), number(f["tests"]["total"]), number(f["tests"]["positive"]),
         f"{free}/{len(f['villages'])}"]
    )  # fmt: skip
    align = [CENTER, LEFT, *[RIGHT] * 8, CENTER]
    s.table(rows, widths, align, size=11, bold_rows=[len(rows) - 1])


def _criteria(s: _Story, f: dict[str, Any]) -> None:
    s.out.append(CondPageBreak(70 * mm))
    s.para("IV. TIÊU CHÍ XÃ KHÔNG MA TÚY", "heading")
    s.para("1. Kết quả thực hiện các tiêu chí:", "lead")
    widths = [12, 86, 25, 20, 22]
    align = (CENTER, LEFT, CENTER, CENTER, CENTER)
    rows: list[Row] = [["STT", "Tiêu chí", "Kết quả", "Chỉ tiêu", "Đánh giá"]]
    for i, c in enumerate(f["criteria"], start=1):
        rows.append(
            [str(i), c["label"], _criterion_value(c),
             c["target"] or "—", _met(c["met"])]
        )  # fmt: skip
    s.table(rows, widths, align)
    s.para("2. So với thời điểm đăng ký xây dựng xã không ma túy:")
    s.para(_baseline_text(f["baseline"]))
    h = f["hotspot"]
    s.para("3. Tiêu chí xác định xã trọng điểm về ma túy (Quyết định số 28/2025/QĐ-TTg):", "lead")
    rows = [["STT", "Tiêu chí", "Số liệu", "Ngưỡng", "Đạt ngưỡng"]]
    # The register words the value and the threshold as they are compared (a share cut to 2
    # decimals, the plants' count and area), so the row never contradicts its verdict.
    for i, x in enumerate(h["thresholds"], start=1):
        rows.append([str(i), x["label"], x["shown"], x["target"], "Có" if x["met"] else "Không"])
    s.table(rows, [12, 70, 33, 28, 22], align)
    verdict = "thuộc" if h["type_one"] else "không thuộc"
    s.para(
        f"Đạt {h['met']}/{len(h['thresholds'])} tiêu chí (cần ít nhất {h['needed']}): xã "
        f"<b>{verdict}</b> diện xã trọng điểm loại I về ma túy."
    )


def _baseline_text(b: dict[str, Any]) -> str:
    if not b["date"]:
        return (
            "Chưa nhập số liệu tại ngày đăng ký xây dựng xã không ma túy (mục Cài đặt); hiện nay "
            f"có {number(b['now_total'])} người sử dụng trái phép chất ma túy và người nghiện."
        )
    change = b["change"]
    if change < 0:
        trend = f"giảm {number(-change)} người"
    elif change > 0:
        trend = f"tăng {number(change)} người"
    else:
        trend = "không giảm"
    return (
        f"Tại ngày đăng ký {show(b['date'])}: {number(b['users'])} người sử dụng trái phép chất "
        f"ma túy và {number(b['addicts'])} người nghiện, tổng {number(b['total'])} người. Hiện "
        f"nay: {number(b['now_total'])} người ({number(b['now_users'])} người sử dụng, "
        f"{number(b['now_addicts'])} người nghiện), <b>{trend}</b> so với khi đăng ký."
    )


def _charts(s: _Story, data: MonthlyData) -> None:
    f = data.figures
    series = data.series
    width = PORTRAIT.width
    s.out.append(CondPageBreak(120 * mm))
    s.para("V. DIỄN BIẾN 12 THÁNG", "heading")
    labels = {c: f["short_labels"][c] for c in f["categories"]}
    first = chart.month_label(series[0]["end"])
    last = chart.month_label(series[-1]["end"])
    s.out.append(chart.people_chart(series, labels, width, s.fonts))
    s.para(f"Biểu đồ 1. Số người trong sổ theo diện, cuối mỗi tháng (từ {first} đến {last})",
           "caption")  # fmt: skip
    together: list[Flowable] = [
        chart.tests_chart(series, width, s.fonts),
        Paragraph("Biểu đồ 2. Số lượt xét nghiệm và số lượt dương tính trong mỗi tháng",
                  s.st["caption"]),
    ]  # fmt: skip
    shown = [c for c in labels if any(m["categories"].get(c, 0) for m in series)]
    months = [chart.month_label(m["end"]).replace("/", "\n") for m in series]
    rows: list[Row] = [["Tháng", *months]]
    for c in shown:
        rows.append([labels[c], *(number(m["categories"].get(c, 0)) for m in series)])
    rows.append(["Trong sổ", *(number(m["people_total"]) for m in series)])
    rows.append(["Lượt xét nghiệm", *(number(m["tests"]) for m in series)])
    rows.append(["Lượt dương tính", *(number(m["positives"]) for m in series)])
    other = (165 - 33) / len(series)
    widths = [w * mm for w in (33, *[other] * len(series))]
    together.append(grid(rows, widths, s.fonts, size=9, align=[LEFT, *[RIGHT] * len(series)]))
    s.out.append(KeepTogether(together))


def _annex(s: _Story, data: MonthlyData, lh: Letterhead) -> None:
    nxt = month_text(data.next_end.year, data.next_end.month)
    attached = (
        f"(Kèm theo Báo cáo tháng {data.label} ngày {show(data.issued)} của {lh.unit_in_text}; "
        f"kỳ từ ngày {show(data.next_start)} đến ngày {show(data.next_end)})"
    )
    s.out += [
        PageBreak(),
        Paragraph("PHỤ LỤC", s.st["doctype"]),
        Paragraph(esc(f"DANH SÁCH NGƯỜI ĐẾN HẠN XÉT NGHIỆM THÁNG {nxt}"), s.st["annex_title"]),
        Paragraph(esc(attached), s.st["period"]),
        Spacer(1, 5 * mm),
    ]
    due = data.due
    if not due:
        s.para("Không có người đến hạn xét nghiệm trong kỳ.")
        return
    overdue = sum(1 for d in due if d["overdue"])
    s.para(
        f"Tổng số: <b>{number(len(due))}</b> người, trong đó {number(overdue)} người đã quá "
        f"hạn trước ngày {show(data.next_start)} (ghi “Quá hạn”).",
        "lead",
    )
    per_village = Counter(d["village"] or NO_VILLAGE for d in due)
    if len(due) > ANNEX_LIMIT:
        _annex_counts(s, due, per_village)
        return
    widths = [12, 50, 24, 38, 23, 18]
    rows: list[Row] = [["STT", "Họ và tên", "Năm sinh", "Diện quản lý", "Hạn xét nghiệm",
                        "Ghi chú"]]  # fmt: skip
    group_rows: list[int] = []
    village: str | None = None
    labels = data.figures["short_labels"]
    for i, d in enumerate(due, start=1):
        name = d["village"] or NO_VILLAGE
        if name != village:
            village = name
            group_rows.append(len(rows))
            rows.append([f"{name} ({number(per_village[name])} người)"])
        categories = ", ".join(labels[c] for c in d["categories"])
        rows.append(
            [str(i), d["full_name"], show(d["birth_date"]), categories, show(d["due"]),
             "Quá hạn" if d["overdue"] else ""]
        )  # fmt: skip
    align = (CENTER, LEFT, CENTER, LEFT, CENTER, CENTER)
    s.table(rows, widths, align, size=11, span_rows=group_rows)


def _annex_counts(s: _Story, due: list[dict[str, Any]], per_village: Counter[str]) -> None:
    late = Counter(d["village"] or NO_VILLAGE for d in due if d["overdue"])
    s.para(
        f"Danh sách quá {number(ANNEX_LIMIT)} người nên Phụ lục chỉ ghi số người theo thôn, bản; "
        "danh sách từng người in bằng “Danh sách xét nghiệm” của từng thôn, bản.",
        "note",
    )
    rows: list[Row] = [["STT", "Thôn, bản", "Số người đến hạn", "Trong đó quá hạn"]]
    for i, (name, n) in enumerate(per_village.items(), start=1):
        rows.append([str(i), name, number(n), number(late[name])])
    s.table(rows, [12, 85, 34, 34], (CENTER, LEFT, RIGHT, RIGHT))


def render_monthly(data: MonthlyData, fonts: FontSet) -> bytes:
    """The PDF of the monthly report."""
    lh = letterhead(data.settings, data.issued)
    meta = Meta(
        title=f"Báo cáo tháng {data.label}",
        subject="Kết quả quản lý người sử dụng trái phép chất ma túy, người nghiện ma túy",
        author=lh.unit_in_text,
    )
    return render(story(data, fonts), fonts, meta, PORTRAIT)
