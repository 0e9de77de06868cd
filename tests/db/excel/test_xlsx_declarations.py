"""The per-person records of Law 120/2025/QH15 in the Excel lists (issue 15): "Chất sử dụng" of a
person under management is a substance declaration, the template takes the end of a post-rehab
period or the rehab before it, and the program's own list still comes back as the same register.

Today is 20/11/2026 (tests/conftest.py).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from db.duties import actions
from db.excel.export import export_people
from db.excel.importer import IMPORT, REJECTED, ImportPlan, apply_import, plan_import
from db.excel.template import write_template
from db.persons import absences, episodes, people
from db.persons.declarations import declarations_of, latest_declaration
from db.store.register import Register, open_register
from tests.support.registers import TODAY


def filled(path: Path, rows: list[dict[str, Any]]) -> Path:
    """The program's template with these rows on "Đối tượng", each given by its headers."""
    write_template(path)
    book = load_workbook(path)
    sheet = book["Đối tượng"]
    column = {cell.value: cell.column for cell in sheet[1]}
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(number, column[header], value)
    book.save(path)
    return path


def listed(path: Path, rows: list[list[Any]]) -> Path:
    """A commune's own list: a header row and rows, on one sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Đối tượng"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def person_id(reg: Register, name: str) -> str:
    return str(reg.db.execute("SELECT id FROM persons WHERE full_name = ?", [name]).fetchone()[0])


def row_of(plan: ImportPlan, name: str) -> Any:
    return next(r for r in plan.rows if r.name == name)


def test_the_substances_of_a_managed_person_are_a_declaration_not_a_note(
    reg: Register, tmp_path: Path
) -> None:
    """Law 120/2025: people under management declare the substances they use. The list's row is
    dated by its start (else its decision date, else its own "Ngày khai báo")."""
    path = filled(tmp_path / "ds.xlsx", [
        {"Họ và tên": "Lò Văn An", "Ngày sinh": "1990", "Diện quản lý": "Sử dụng trái phép",
         "Ngày bắt đầu": date(2026, 3, 1), "Ngày quyết định": date(2026, 2, 27),
         "Chất sử dụng": "Heroin, ma túy đá", "Ghi chú": "Hay đi rẫy"},
        {"Họ và tên": "Lò Văn Ba", "Ngày sinh": "1991", "Diện quản lý": "Methadone",
         "Ngày quyết định": date(2026, 4, 2), "Chất sử dụng": "heroin"},
    ])  # fmt: skip
    plan = plan_import(reg, path)
    assert [r.fate for r in plan.rows] == [IMPORT, IMPORT]
    assert row_of(plan, "Lò Văn An").detail == (
        "Sử dụng trái phép (đang quản lý) từ 01/03/2026. Khai báo chất sử dụng ngày 01/03/2026: "
        "Heroin, Methamphetamine (ma túy đá)"
    )
    result = apply_import(reg, plan)
    assert (result.people, result.declarations) == (2, 2)
    assert "2 khai báo chất sử dụng" in result.summary()
    an = person_id(reg, "Lò Văn An")
    [declared] = declarations_of(reg, an)
    assert (declared["declared_on"], declared["codes"]) == ("2026-03-01", ["HER", "MET"])
    assert declared["text"] == "Heroin, Methamphetamine (ma túy đá)"
    assert people.get_person(reg, an)["notes"] == "Hay đi rẫy"
    # No "Ngày bắt đầu": the decision date, the day the treatment (and the addict episode) began.
    [ba] = declarations_of(reg, person_id(reg, "Lò Văn Ba"))
    assert (ba["declared_on"], ba["codes"]) == ("2026-04-02", ["HER"])


def test_where_the_declaration_does_not_apply_the_note_stays_and_the_preview_says_why(
    reg: Register, tmp_path: Path
) -> None:
    header = ["Họ và tên", "Năm sinh", "Diện quản lý", "Ngày bắt đầu", "Chất sử dụng",
              "Ngày khai báo", "Ghi chú"]  # fmt: skip
    path = listed(tmp_path / "ds.xlsx", [
        header,
        ["Cầm Văn Nghi", "1990", "Nghi vấn", "01/10/2026", "Cần sa", None, "Ở nhà vợ"],
        ["Cầm Văn Không", "1990", None, None, "Heroin"],
        ["Cầm Văn Sớm", "1990", "Sử dụng trái phép", "01/10/2026", "MET", "15/09/2026"],
        ["Cầm Văn Muộn", "1990", "Sử dụng trái phép", "01/10/2026", "MET", "12/10/2026"],
        ["Cầm Văn Trống", "1990", "Sử dụng trái phép", "01/10/2026", None, "12/10/2026"],
        ["Cầm Văn Mai", "1990", "Sử dụng trái phép", "01/10/2026", "MET", "21/11/2026"],
    ])  # fmt: skip
    plan = plan_import(reg, path)
    assert [r.fate for r in plan.rows] == [IMPORT, IMPORT, IMPORT, IMPORT, REJECTED, REJECTED]
    assert row_of(plan, "Cầm Văn Nghi").detail == (
        "Nghi sử dụng (cần xét nghiệm) từ 01/10/2026. Chất sử dụng ghi vào ghi chú, không thành "
        "khai báo (khai báo chất sử dụng chỉ áp dụng cho người đang có diện quản lý; diện “Nghi "
        "sử dụng (cần xét nghiệm)” không phải khai báo)"
    )
    assert row_of(plan, "Cầm Văn Không").detail.endswith(
        "(khai báo chất sử dụng chỉ áp dụng cho người đang có diện quản lý; dòng này không ghi "
        "diện quản lý)"
    )
    assert row_of(plan, "Cầm Văn Sớm").detail.endswith(
        "ngày khai báo 15/09/2026 trước ngày bắt đầu quản lý 01/10/2026)"
    )
    assert row_of(plan, "Cầm Văn Trống").reason == (
        "Ngày khai báo: có ngày khai báo nhưng cột “Chất sử dụng” để trống."
    )
    future = "Ngày khai báo: 21/11/2026 là ngày trong tương lai."
    assert row_of(plan, "Cầm Văn Mai").reason == future
    assert apply_import(reg, plan).declarations == 1
    notes = dict(reg.db.execute("SELECT full_name, notes FROM persons").fetchall())
    assert notes == {
        "Cầm Văn Nghi": "Ở nhà vợ [Chất sử dụng: Cần sa]",
        "Cầm Văn Không": "[Chất sử dụng: Heroin]",
        "Cầm Văn Sớm": "[Chất sử dụng: MET]",
        "Cầm Văn Muộn": "",
    }
    declared = reg.db.execute(
        "SELECT p.full_name, d.declared_on, d.substances FROM substance_declarations d "
        "JOIN persons p ON p.id = d.person_id"
    ).fetchall()
    assert declared == [("Cầm Văn Muộn", "2026-10-12", "MET")]


def test_the_export_reads_the_latest_declaration_and_leaves_old_notes_as_they_are(
    reg: Register, add: Any, tmp_path: Path
) -> None:
    an = add("Nguyễn Văn An", birth_date="1990", notes="Hay đi rẫy")
    actions.management_decision(reg, an, "01/03/2026")
    actions.declare_substances(reg, an, "10/03/2026", "Cần sa")
    actions.declare_substances(reg, an, "05/09/2026", "Heroin, ma túy đá")
    # Imported before declarations were kept: left as it is, in the notes.
    old = add("Lò Thị Bình", birth_date="1995", notes="Gia đình hợp tác [Chất sử dụng: Heroin]")
    actions.management_decision(reg, old, "01/04/2026")
    # A declaration typed in late, dated earlier: the latest is still the one of the later day.
    cuong = add("Cầm Văn Cường", birth_date="1988")
    actions.management_decision(reg, cuong, "01/02/2026")
    actions.declare_substances(reg, cuong, "01/10/2026", "Ketamine")
    actions.declare_substances(reg, cuong, "15/02/2026", "MDMA")
    out = tmp_path / "so.xlsx"
    export_people(reg, out)
    rows = list(load_workbook(out)["Đối tượng"].iter_rows(values_only=True))
    by_name = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_name["Nguyễn Văn An"]["Chất sử dụng"] == "Heroin, Methamphetamine (ma túy đá)"
    assert by_name["Nguyễn Văn An"]["Ngày khai báo"] == datetime(2026, 9, 5)
    assert by_name["Nguyễn Văn An"]["Ghi chú"] == "Hay đi rẫy"
    assert by_name["Cầm Văn Cường"]["Chất sử dụng"] == "Ketamine"
    assert by_name["Cầm Văn Cường"]["Ngày khai báo"] == datetime(2026, 10, 1)
    for name, pid in (("Nguyễn Văn An", an), ("Cầm Văn Cường", cuong)):
        assert by_name[name]["Chất sử dụng"] == (latest_declaration(reg, pid) or {})["text"]
    assert by_name["Lò Thị Bình"]["Chất sử dụng"] is None
    assert by_name["Lò Thị Bình"]["Ghi chú"] == "Gia đình hợp tác [Chất sử dụng: Heroin]"
    # Importing the list again brings in nothing: the old note is not turned into a declaration.
    plan = plan_import(reg, out)
    assert plan.importable == 0 and plan.rejected == 0
    assert declarations_of(reg, old) == []


def test_a_post_rehab_row_from_the_template_gets_the_end_the_law_gives(
    reg: Register, tmp_path: Path
) -> None:
    """Law 73/2021 Art. 40, Decree 116/2021 Art. 77–81 (db.law.rules): 2 years for an adult
    leaving compulsory rehab, else 1 year; a decided end is kept as decided. Released on
    15/03/2026: an adult after compulsory rehab → 15/03/2028; a 16-year-old (born 20/05/2009)
    after compulsory rehab → 15/03/2027; after rehab at home → 15/03/2027."""
    post = {"Diện quản lý": "Sau cai nghiện", "Ngày bắt đầu": date(2026, 3, 15)}
    path = filled(tmp_path / "ds.xlsx", [
        {"Họ và tên": "Lò Văn An", "Ngày sinh": "1990", **post,
         "Cai nghiện trước đó": "Cai nghiện bắt buộc"},
        {"Họ và tên": "Lò Văn Bé", "Ngày sinh": date(2009, 5, 20), **post,
         "Cai nghiện trước đó": "Cai nghiện bắt buộc"},
        {"Họ và tên": "Lò Văn Ca", "Ngày sinh": "1990", **post,
         "Cai nghiện trước đó": "Cai nghiện tại gia đình"},
        {"Họ và tên": "Lò Văn Dũng", "Ngày sinh": "1990", **post,
         "Ngày kết thúc dự kiến": date(2027, 9, 15)},
        {"Họ và tên": "Lò Văn Em", "Ngày sinh": "1990", **post},
    ])  # fmt: skip
    plan = plan_import(reg, path)
    assert [r.fate for r in plan.rows] == [IMPORT, IMPORT, IMPORT, IMPORT, REJECTED]
    # Neither column: refused naming the column, never a quiet 1 year.
    assert row_of(plan, "Lò Văn Em").reason.startswith(
        "Cai nghiện trước đó: cần biết để tính thời hạn quản lý sau cai nghiện"
    )
    assert "chương trình không tự cho 1 năm; ghi một trong:" in row_of(plan, "Lò Văn Em").reason
    apply_import(reg, plan)
    ends = dict(reg.db.execute(
        "SELECT p.full_name, e.planned_end FROM episodes e JOIN persons p ON p.id = e.person_id"
    ).fetchall())  # fmt: skip
    assert ends == {"Lò Văn An": "2028-03-15", "Lò Văn Bé": "2027-03-15",
                    "Lò Văn Ca": "2027-03-15", "Lò Văn Dũng": "2027-09-15"}  # fmt: skip


def test_a_list_without_either_column_is_told_to_add_one(reg: Register, tmp_path: Path) -> None:
    rows = [["Họ và tên", "Diện quản lý", "Ngày bắt đầu"],
            ["Lò Văn An", "Sau cai nghiện", "15/03/2026"]]  # fmt: skip
    path = listed(tmp_path / "ds.xlsx", rows)
    reason = plan_import(reg, path).rows[0].reason
    assert "thêm cột “Cai nghiện trước đó” và ghi một trong:" in reason
    assert "hoặc ghi “Ngày kết thúc dự kiến” theo quyết định." in reason


def snapshot(reg: Register) -> dict[str, Any]:
    """What a list carries of each person: identity and notes, open episodes, declarations."""
    found: dict[str, Any] = {}
    for p in reg.db.query("SELECT * FROM persons WHERE deleted = 0"):
        opened = sorted(
            (e["category"], e["start_date"], e["decision_no"], e["decision_date"],
             e["planned_end"])
            for e in episodes.open_episodes(reg, p["id"])
        )  # fmt: skip
        declared = [(d["declared_on"], d["substances"]) for d in declarations_of(reg, p["id"])]
        found[p["full_name"]] = (p["birth_date"], p["notes"], opened, declared)
    return found


def test_export_then_import_gives_the_same_register(tmp_path: Path) -> None:
    """The program's own list into an empty register: the same people, open episodes (their
    ends as decided, an absence's days included) and latest declarations."""
    reg = open_register(tmp_path / "so.db", create=True, today=lambda: TODAY)
    an = people.add_person(reg, {"full_name": "Nguyễn Văn An", "birth_date": "17/05/1990",
                                 "notes": "Hay đi rẫy"})  # fmt: skip
    actions.management_decision(reg, an, "01/03/2026", decision_no="12/QĐ-UBND")
    actions.declare_substances(reg, an, "05/09/2026", "Heroin, ma túy đá")
    binh = people.add_person(reg, {"full_name": "Lò Thị Bình", "birth_date": "1995"})
    actions.start_treatment(reg, binh, "rehab_home", "01/06/2026", decision_no="3/QĐ")
    actions.declare_substances(reg, binh, "01/06/2026", "Heroin")
    cuong = people.add_person(reg, {"full_name": "Cầm Văn Cường", "birth_date": "1988"})
    post = episodes.open_episode(reg, cuong, "post_rehab", "15/03/2026",
                                 prior_rehab="rehab_compulsory")  # fmt: skip
    absences.record_absence(reg, post, "01/05/2026", "10/05/2026")  # 15/03/2028 → 25/03/2028
    actions.declare_substances(reg, cuong, "20/03/2026", "ma túy đá")
    dung = people.add_person(reg, {"full_name": "Quàng Văn Dũng", "birth_date": "1992",
                                   "notes": "Hay vắng nhà [Chất sử dụng: Cần sa]"})  # fmt: skip
    episodes.open_episode(reg, dung, "suspect", "01/10/2026")
    out = tmp_path / "so.xlsx"
    export_people(reg, out)
    fresh = open_register(tmp_path / "moi.db", create=True, today=lambda: TODAY)
    plan = plan_import(fresh, out)
    assert plan.rejected == 0 and plan.duplicates == 0, [r.reason for r in plan.rows]
    apply_import(fresh, plan)
    before, after = snapshot(reg), snapshot(fresh)
    assert before["Cầm Văn Cường"][2] == [("post_rehab", "2026-03-15", "", None, "2028-03-25")]
    assert after == before
    reg.close()
    fresh.close()
