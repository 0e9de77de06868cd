"""The pages of the provincial monthly report: the province's totals (I), a table of communes
(II), the communes whose report is not in (III), the plan's progress (IV), the signature.

Everything printed comes from a `ProvincialData` (db.province's rows and totals); this module
only words and lays them out in the Decree 30 format (reports/layout.py), from the provincial
police: BỘ CÔNG AN over CÔNG AN TỈNH …, signed by its director.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, TableStyle

from db.core.dates import show
from db.core.textfold import fold
from db.law.categories import SHORT_LABELS, Category
from reports.layout import (
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
from reports.provincial_data import (
    ProvincialData,
    baseline_text,
    closest,
    commune_name,
    criteria_met,
    report_state,
)
from reports.tables import grid
from reports.typeface import FontSet

SUBJECT = "Kết quả công tác quản lý người sử dụng trái phép chất ma túy, người nghiện ma túy tháng "
CENTER, LEFT, RIGHT = "CENTER", "LEFT", "RIGHT"
CLOSEST = 5  # communes named as closest to meeting every criterion
# Column heads that do not fit 14 mm as the short labels write them.
HEADS = {Category.METHADONE: "Điều trị thay thế", Category.WATCH: "Theo dõi 2 năm"}


def province_letterhead(data: ProvincialData) -> Letterhead:
    """BỘ CÔNG AN over CÔNG AN TỈNH … (the setting `province_name`), "Số: …/BC-CAT", signed
    by the director unless the settings name another signer of the province."""
    base = letterhead(data.settings, data.issued, prefix="BC-CAT")
    title_set = str(data.settings.get("chief_title") or "")
    # A commune's signer ("TRƯỞNG CÔNG AN XÃ") never signs the province's report.
    own = bool(title_set) and "xa" not in fold(title_set).split()
    return dataclasses.replace(
        base,
        parent="BỘ CÔNG AN",
        unit=base.parent,
        place=str(data.settings.get("place_name") or ""),
        signer_title=title_set.upper() if own else "GIÁM ĐỐC",
        signer_name=str(data.settings.get("chief_name") or "") if own else "",
    )


def recipients(lh: Letterhead) -> list[str]:
    """Where the provincial report goes, ending with the unit's own copy."""
    return [
        "- Bộ Công an (Cục C04);",
        "- Tỉnh ủy, UBND tỉnh (để báo cáo);",
        "- Đồng chí Giám đốc (để báo cáo);",
        "- Công an các xã, phường, đặc khu;",
        "- Lưu: VT, PC04.",
    ]


def _sum(data: ProvincialData, key: str, values: Sequence[int]) -> int:
    """A province total: as db.province gave it, or the sum of the communes' column."""
    value = data.totals.get(key)
    return int(value) if isinstance(value, int) else sum(values)


def _categories(data: ProvincialData) -> dict[str, int]:
    given = data.totals.get("by_category")
    if isinstance(given, dict):
        return {c.value: int(given.get(c.value, 0)) for c in Category}
    return {c.value: sum(r.by_category.get(c.value, 0) for r in data.rows) for c in Category}


class _Story:
    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self.st = make_styles(fonts)
        self.out: list[Flowable] = []

    def para(self, markup: str, style: str = "body") -> None:
        if style == "heading":
            self.out.append(CondPageBreak(40 * mm))
        elif style == "lead":
            self.out.append(CondPageBreak(30 * mm))
            style = "body"
        self.out.append(Paragraph(markup, self.st[style]))

    def heads(self, labels: Sequence[str]) -> list[Any]:
        return [Paragraph(esc(label), self.st["small_head"]) for label in labels]


def story(data: ProvincialData, fonts: FontSet) -> list[Flowable]:
    """The report's pages as ReportLab flowables."""
    s = _Story(fonts)
    lh = province_letterhead(data)
    s.out.append(header(lh, s.st))
    note = "" if data.complete else f"(Số liệu tạm tính đến ngày {show(data.end)})"
    s.out += title("Báo cáo", SUBJECT + data.label, s.st, note)
    s.para(
        f"{esc(lh.unit_in_text)} tổng hợp kết quả quản lý người sử dụng trái phép chất ma túy, "
        "người nghiện ma túy của các xã, phường, đặc khu trên địa bàn tỉnh tháng "
        f"{data.label} (số liệu theo kỳ báo cáo tháng của từng xã, trong sổ của tỉnh) như sau:"
    )
    _totals(s, data)
    _people_table(s, data)
    _work_table(s, data)
    _missing(s, data)
    _plan(s, data)
    closing = Paragraph(
        "Trên đây là báo cáo kết quả công tác quản lý người sử dụng trái phép chất ma túy, "
        f"người nghiện ma túy tháng {data.label} của {esc(lh.unit_in_text)}./.",
        s.st["body"],
    )
    s.out.append(signature(lh, recipients(lh), s.st, closing=[closing]))
    return s.out


def _totals(s: _Story, data: ProvincialData) -> None:
    rows = data.rows
    s.para("I. TÌNH HÌNH CHUNG TOÀN TỈNH", "heading")
    cats = _categories(data)
    split = "; ".join(
        f"{esc(SHORT_LABELS[c].lower())}: <b>{number(cats[c.value])}</b>"
        for c in Category
        if cats[c.value]
    )
    people = _sum(data, "people", [r.people for r in rows])
    s.para(
        f"1. Toàn tỉnh có <b>{number(len(rows))}</b> xã, phường, đặc khu có số liệu trong sổ; "
        f"số người trong sổ quản lý, theo dõi: <b>{number(people)}</b> người"
        + (f" (theo diện — {split})." if split else ".")
    )
    tests = _sum(data, "tests_month", [r.tests_month for r in rows])
    positives = _sum(data, "positives_month", [r.positives_month for r in rows])
    overdue = _sum(data, "overdue_tests", [r.overdue_tests for r in rows])
    s.para(
        f"2. Xét nghiệm chất ma túy trong tháng: <b>{number(tests)}</b> lượt, "
        f"dương tính <b>{number(positives)}</b> lượt; người quá hạn xét nghiệm: "
        f"<b>{number(overdue)}</b> người."
    )
    free = _sum(data, "villages_drug_free", [r.villages_drug_free for r in rows])
    villages = _sum(data, "villages_total", [r.villages_total for r in rows])
    all_met = sum(1 for r in rows if r.criteria and all(r.criteria.values()))
    s.para(
        f"3. Thôn, bản, tổ dân phố đạt không ma túy: <b>{number(free)}/{number(villages)}</b>; "
        f"xã đạt đủ các tiêu chí xã không ma túy: <b>{number(all_met)}/{number(len(rows))}</b>."
    )
    reported = len(rows) - len(data.missing)
    s.para(
        f"4. Báo cáo tháng {data.label} đã nhận: <b>{number(reported)}/{number(len(rows))}</b> xã."
    )


def _name_cell(s: _Story, name: str) -> Paragraph:
    return Paragraph(esc(name), s.st["small"])


def _people_table(s: _Story, data: ProvincialData) -> None:
    s.para("II. SỐ LIỆU TỪNG XÃ", "heading")
    s.para("1. Số người trong sổ quản lý, theo dõi theo diện (người):", "lead")
    cats = list(Category)
    heads = [HEADS.get(c, SHORT_LABELS[c]) for c in cats]
    rows: list[list[Any]] = [s.heads(["TT", "Xã, phường", *heads])]
    for i, r in enumerate(data.rows, start=1):
        rows.append([str(i), _name_cell(s, commune_name(r)),
                     *[number(r.by_category.get(c.value, 0)) for c in cats]])  # fmt: skip
    totals = _categories(data)
    rows.append(["", "Toàn tỉnh", *[number(totals[c.value]) for c in cats]])
    _table(s, rows, [8, 31, *[14] * len(cats)], [CENTER, LEFT, *[RIGHT] * len(cats)])


def _work_table(s: _Story, data: ProvincialData) -> None:
    s.para(
        "2. Xét nghiệm trong tháng, tiêu chí xã không ma túy, số người so với khi đăng ký "
        "và báo cáo tháng:",
        "lead",
    )
    labels = ["TT", "Xã, phường", "Lượt xét nghiệm", "Dương tính", "Quá hạn xét nghiệm",
              "Tiêu chí đạt", "Thôn, bản không ma túy", "Hiện nay / khi đăng ký",
              "Báo cáo tháng"]  # fmt: skip
    rows: list[list[Any]] = [s.heads(labels)]
    for i, r in enumerate(data.rows, start=1):
        rows.append([
            str(i), _name_cell(s, commune_name(r)), number(r.tests_month),
            number(r.positives_month), number(r.overdue_tests),
            f"{criteria_met(r)}/{len(r.criteria)}", f"{r.villages_drug_free}/{r.villages_total}",
            baseline_text(r), report_state(r),
        ])  # fmt: skip
    rows.append([
        "", "Toàn tỉnh",
        number(sum(r.tests_month for r in data.rows)),
        number(sum(r.positives_month for r in data.rows)),
        number(sum(r.overdue_tests for r in data.rows)), "",
        f"{sum(r.villages_drug_free for r in data.rows)}/"
        f"{sum(r.villages_total for r in data.rows)}",
        "", f"{len(data.rows) - len(data.missing)}/{len(data.rows)}",
    ])  # fmt: skip
    widths = [8, 40, 16, 15, 16, 14, 18, 20, 18]
    _table(s, rows, widths, [CENTER, LEFT, *[RIGHT] * 3, *[CENTER] * 4])
    s.para(
        "Tiêu chí đạt: số tiêu chí xã không ma túy xã đạt trên tổng số tiêu chí; "
        "Hiện nay / khi đăng ký: tổng số người sử dụng, người nghiện hiện nay so với khi "
        "đăng ký xây dựng xã không ma túy.",
        "note",
    )


def _table(s: _Story, rows: list[list[Any]], widths: Sequence[float], align: Sequence[str]) -> None:
    """A ruled table in 10 pt, the province's row (last) bold and never alone on a page."""
    table = grid(rows, [w * mm for w in widths], s.fonts, size=10, align=align,
                 bold_rows=[len(rows) - 1])  # fmt: skip
    table.setStyle(TableStyle([("NOSPLIT", (0, -2), (-1, -1))]))
    s.out.append(table)


def _missing(s: _Story, data: ProvincialData) -> None:
    s.para(f"III. CÁC XÃ CHƯA GỬI BÁO CÁO THÁNG {data.label}", "heading")
    if not data.missing:
        s.para(f"Tất cả các xã đã gửi báo cáo tháng {data.label}.")
        return
    names = ", ".join(esc(commune_name(r)) for r in data.missing)
    s.para(f"Có <b>{number(len(data.missing))}</b> xã chưa gửi báo cáo tháng: {names}.")


def _plan(s: _Story, data: ProvincialData) -> None:
    s.para("IV. TIẾN ĐỘ KẾ HOẠCH XÂY DỰNG XÃ KHÔNG MA TÚY", "heading")
    if data.plan:
        s.para(esc(data.plan) + ".")
    else:
        s.para(
            f"Chưa nhập chỉ tiêu năm {data.year} của kế hoạch xây dựng xã không ma túy của tỉnh "
            f"vào sổ. Hiện có {number(_sum(data, 'communes_drug_free', []))} xã đạt đủ tiêu chí."
        )
    near = closest(data, CLOSEST)
    if near:
        named = "; ".join(
            f"{esc(commune_name(r))} ({criteria_met(r)}/{len(r.criteria)} tiêu chí)" for r in near
        )
        s.para(f"Các xã gần đạt tiêu chí xã không ma túy nhất: {named}.")


def render_provincial(data: ProvincialData, fonts: FontSet) -> bytes:
    """The PDF of the provincial report."""
    lh = province_letterhead(data)
    meta = Meta(title=f"Báo cáo tháng {data.label}", subject=SUBJECT + data.label,
                author=lh.unit_in_text)  # fmt: skip
    return render(story(data, fonts), fonts, meta, PORTRAIT)
