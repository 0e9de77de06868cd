"""Two sheets for the paper file: one person's record (Phiếu theo dõi), and a test-round list
with empty columns to fill in by hand on the day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph

from db.commune.places import village_by_name, villages
from db.commune.settings import get_settings
from db.core.dates import show
from db.core.errors import UserError
from db.duties.applies import refusal
from db.figures.series import round_list
from db.law.categories import END_KINDS, LABELS, SHORT_LABELS, Category
from db.persons.absences import absences_of
from db.persons.contacts import KINDS as CONTACT_KINDS
from db.persons.contacts import contacts_of
from db.persons.declarations import latest_declaration
from db.persons.drugtests import KINDS as TEST_KINDS
from db.persons.drugtests import METHODS, RESULTS, SUBSTANCES, tests_of
from db.persons.episodes import history, open_episodes, status_label
from db.persons.monitoring import open_orders
from db.persons.people import get_person
from db.persons.team import members_of
from db.store.register import Register
from reports.layout import (
    LANDSCAPE,
    PORTRAIT,
    Meta,
    esc,
    header,
    letterhead,
    make_styles,
    number,
    render,
    signature,
    signers,
    title,
)
from reports.tables import grid
from reports.typeface import FontSet

SEX = {"M": "Nam", "F": "Nữ"}
CENTER, LEFT = "CENTER", "LEFT"


def _labels(codes: str) -> str:
    return ", ".join(SUBSTANCES.get(c, c).split(" (")[0] for c in codes.split(",") if c)


def person_sheet(reg: Register, person_id: str, fonts: FontSet) -> bytes:
    """One person's identity, episodes, tests and contacts, for the file."""
    person = get_person(reg, person_id)
    settings = get_settings(reg)
    today = reg.today()
    lh = replace(letterhead(settings, today), number="")
    st = make_styles(fonts)
    out: list[Flowable] = [header(lh, st)]
    out += title("Phiếu theo dõi", "Người trong sổ quản lý, theo dõi về ma túy", st)

    def para(markup: str, style: str = "body") -> None:
        if style in ("heading", "lead"):
            out.append(CondPageBreak(30 * mm))  # no heading alone at the foot of a page
        out.append(Paragraph(markup, st["body" if style == "lead" else style]))

    status = status_label([e["category"] for e in open_episodes(reg, person_id, today)])
    para("I. THÔNG TIN CÁ NHÂN", "heading")
    identity = [
        ("Họ và tên", person["full_name"]),
        ("Tên gọi khác", person["other_names"]),
        ("Ngày sinh", show(person["birth_date"])),
        ("Giới tính", SEX.get(person["sex"] or "", "")),
        ("Dân tộc", person["ethnicity"]),
        ("Số CCCD/CMND", person["id_number"]),
        ("Thôn, bản", person["village"] or ""),
        ("Nơi thường trú", person["permanent_address"]),
        ("Nơi ở hiện tại", person["current_address"]),
        ("Nghề nghiệp", person["occupation"]),
        ("Số điện thoại", person["phone"]),
        ("Người thân liên hệ", person["family_contact"]),
        (f"Tình trạng ngày {show(today)}", status or "Không còn trong diện quản lý"),
        ("Ghi chú", person["notes"]),
    ]
    rows: list[list[Any]] = [[label, value or ""] for label, value in identity]
    out.append(grid(rows, [50 * mm, 115 * mm], fonts, header_rows=0, align=(LEFT, LEFT)))
    if substances := _substances_line(reg, person_id):
        para(substances)

    episodes = history(reg, person_id)
    para("II. QUÁ TRÌNH QUẢN LÝ, CAI NGHIỆN, ĐIỀU TRỊ", "heading")
    if episodes:
        rows = [["STT", "Diện", "Quyết định", "Từ ngày", "Đến ngày", "Kết thúc"]]
        for i, e in enumerate(episodes, start=1):
            decision = e["decision_no"]
            if e["decision_date"]:
                decision = f"{decision} ngày {show(e['decision_date'])}".strip()
            until = show(e["end_date"]) or (
                f"dự kiến {show(e['planned_end'])}" if e["planned_end"] else ""
            )
            ended = END_KINDS.get(e["end_kind"] or "", "")
            detail = "; ".join(x for x in (e["end_reason"], e["moved_to"]) if x)
            ending = f"{ended} ({detail})" if detail else ended
            rows.append(
                [str(i), LABELS[Category(e["category"])], decision, show(e["start_date"]), until,
                 ending]
            )  # fmt: skip
        widths = [w * mm for w in (11, 42, 32, 22, 24, 34)]
        out.append(grid(rows, widths, fonts, size=11,
                        align=(CENTER, LEFT, LEFT, CENTER, CENTER, LEFT)))  # fmt: skip
    else:
        para("Chưa có quyết định, diện quản lý nào.")
    # The team serving today (db.persons.team: its own table, and teams typed with a decision).
    members = members_of(reg, person_id, on=today, ended=False)
    if members:
        para("Tổ quản lý, giúp đỡ:", "lead")
        rows = [["Vai trò", "Họ và tên", "Quan hệ, đơn vị", "Điện thoại", "Từ ngày"]]
        rows += [[m["role_label"], m["name"], m["relation"], m["phone"], show(m["from_date"])]
                 for m in members]  # fmt: skip
        widths = [w * mm for w in (44, 40, 34, 25, 22)]
        out.append(grid(rows, widths, fonts, size=11,
                        align=(LEFT, LEFT, LEFT, LEFT, CENTER)))  # fmt: skip

    orders = open_orders(reg, person_id)
    if orders:
        para("Giám sát điện tử (Luật 120/2025/QH15):", "lead")
        for order in orders:
            para(_order_line(order, today))
    away = absences_of(reg, person_id)
    if away:
        para("Vắng mặt không báo cáo (không tính vào thời hạn quản lý sau cai nghiện):", "lead")
        rows = [["STT", "Từ ngày", "Đến ngày", "Số ngày", "Ghi chú"]]
        rows += [[str(i), show(a["start_date"]), show(a["end_date"]), str(a["days"]), a["notes"]]
                 for i, a in enumerate(away, start=1)]  # fmt: skip
        widths = [w * mm for w in (11, 25, 25, 18, 86)]
        out.append(grid(rows, widths, fonts, size=11,
                        align=(CENTER, CENTER, CENTER, CENTER, LEFT)))  # fmt: skip

    tests = tests_of(reg, person_id)
    para("III. CÁC LẦN XÉT NGHIỆM", "heading")
    if tests:
        rows = [["STT", "Ngày", "Hình thức", "Phương pháp", "Kết quả", "Chất dương tính",
                 "Cán bộ"]]  # fmt: skip
        for i, t in enumerate(tests, start=1):
            rows.append([str(i), show(t["test_date"]), TEST_KINDS.get(t["kind"], t["kind"]),
                         METHODS.get(t["method"], t["method"]), RESULTS[t["result"]],
                         _labels(t["positives"]), t["officer"]])  # fmt: skip
        widths = [w * mm for w in (11, 22, 20, 32, 21, 33, 26)]
        out.append(grid(rows, widths, fonts, size=11,
                        align=(CENTER, CENTER, CENTER, LEFT, CENTER, LEFT, LEFT)))  # fmt: skip
    else:
        para("Chưa có lần xét nghiệm nào.")

    contacts = contacts_of(reg, person_id)
    para("IV. KIỂM TRA CƯ TRÚ, THĂM GIA ĐÌNH, TƯ VẤN", "heading")
    if contacts:
        rows = [["STT", "Ngày", "Nội dung", "Có mặt tại nơi cư trú", "Ghi chép", "Cán bộ"]]
        for i, c in enumerate(contacts, start=1):
            present = {1: "Có", 0: "Không"}.get(c["at_address"], "")
            rows.append([str(i), show(c["contact_date"]), CONTACT_KINDS.get(c["kind"], c["kind"]),
                         present, c["notes"], c["officer"]])  # fmt: skip
        widths = [w * mm for w in (11, 22, 36, 22, 48, 26)]
        out.append(grid(rows, widths, fonts, size=11,
                        align=(CENTER, CENTER, LEFT, CENTER, LEFT, LEFT)))  # fmt: skip
    else:
        para("Chưa có lần kiểm tra, tiếp xúc nào.")

    officer = replace(
        lh, signer_title="CÁN BỘ LẬP PHIẾU", signer_name=str(settings.get("officer_name") or "")
    )
    out.append(signature(officer, [], st))
    meta = Meta(f"Phiếu theo dõi — {person['full_name']}", "Phiếu theo dõi", lh.unit_in_text)
    return render(out, fonts, meta, PORTRAIT)


def _substances_line(reg: Register, person_id: str) -> str:
    """What the person declared using (Law 120/2025/QH15), as markup; "chưa khai báo" for one
    who must declare and has not, nothing for anyone else."""
    declared = latest_declaration(reg, person_id)
    if declared is not None:
        return (
            f"Chất sử dụng (khai báo ngày {show(declared['declared_on'])}): {esc(declared['text'])}"
        )
    if not refusal(reg, "declare", person_id):
        return "Chất sử dụng: chưa khai báo."
    return ""


def _order_line(order: dict[str, Any], today: date) -> str:
    """An electronic monitoring order not yet ended, as markup."""
    if order["in_effect"]:
        state = "đang giám sát"
    elif order["from_date"] > today.isoformat():
        state = "chưa đến ngày giám sát"
    else:
        state = "đã qua ngày giám sát, chưa ghi kết thúc"
    device = f"; thiết bị: {esc(order['device'])}" if order["device"] else ""
    return (
        f"Quyết định ngày {show(order['ordered_on'])} của {esc(order['ordered_by'])} (diện "
        f"{esc(order['category_label'])}): giám sát từ {show(order['from_date'])} đến "
        f"{show(order['to_date'])}{device}; {state}."
    )


def find_village(reg: Register, name: str) -> dict[str, Any]:
    """A village by name (case and diacritics ignored); UserError naming the known ones."""
    found = village_by_name(reg, name)
    if found is None:
        known = ", ".join(v["name"] for v in villages(reg)[:30])
        raise UserError(
            f"Thôn, bản: không có “{name}” trong sổ."
            + (f" Các thôn, bản: {known}." if known else " Sổ chưa có thôn, bản nào."),
            field="village",
        )
    return found


def round_sheet(
    reg: Register,
    fonts: FontSet,
    village: str | None = None,
    due_until: date | None = None,
) -> bytes:
    """A list for a test round: a village's people, or those due, with columns to fill in."""
    if village is None and due_until is None:
        raise UserError("Danh sách xét nghiệm: chọn một thôn, bản hoặc người đến hạn.")
    place = find_village(reg, village) if village else None
    people = round_list(reg, place["id"] if place else None, due_until)
    settings = get_settings(reg)
    today = reg.today()
    lh = replace(letterhead(settings, today), number="")
    st = make_styles(fonts)
    if place and due_until:
        subject = f"{place['name']}: người đến hạn xét nghiệm đến ngày {show(due_until)}"
    elif place:
        subject = f"{place['name']}"
    else:
        subject = f"Người đến hạn xét nghiệm đến ngày {show(due_until)}"
    out: list[Flowable] = [header(lh, st, LANDSCAPE)]
    out += title("Danh sách xét nghiệm chất ma túy trong cơ thể", subject, st)
    gap = "&nbsp;" * 8
    out.append(
        Paragraph(
            f"Ngày xét nghiệm: ……/……/………{gap}Địa điểm: ……………………………{gap}"
            "Phương pháp: que thử nước tiểu …… chất",
            st["body"],
        )
    )
    out.append(Paragraph(
        f"Số người trong danh sách: <b>{number(len(people))}</b> (không gồm người đang cai "
        "nghiện tại cơ sở). Cột “Kết quả” ghi Âm tính hoặc Dương tính; dương tính ghi rõ chất.",
        st["note"]))  # fmt: skip
    with_village = place is None
    heads = ["STT", "Họ và tên", "Năm sinh", "Giới tính"]
    widths = [11.0, 42.0 if with_village else 48.0, 17.0, 14.0]
    if with_village:
        heads.append("Thôn, bản")
        widths.append(26)
    heads += ["Diện quản lý", "Xét nghiệm gần nhất", "Kết quả", "Chất dương tính",
              "Người được xét nghiệm ký", "Ghi chú"]  # fmt: skip
    widths += [30 if with_village else 34, 22, 22, 26, 28]
    widths.append(LANDSCAPE.width / mm - sum(widths))
    rows: list[list[Any]] = [heads]
    for i, p in enumerate(people, start=1):
        row = [str(i), p["full_name"], show(p["birth_date"]), SEX.get(p["sex"] or "", "")]
        if with_village:
            row.append(p["village"] or "")
        cats = ", ".join(SHORT_LABELS[Category(c)] for c in p["categories"])
        row += [cats, show(p["last_test"]), "", "", "", ""]
        rows.append(row)
    align = [CENTER, LEFT, CENTER, CENTER] + ([LEFT] if with_village else []) + [LEFT, CENTER]
    out.append(grid(rows, [w * mm for w in widths], fonts, size=11, align=align,
                    heights=11 * mm))  # fmt: skip
    if not people:
        out.append(Paragraph("Không có người nào trong danh sách.", st["body"]))
    out.append(
        signers(
            [("Người lấy mẫu", ""), ("Người chứng kiến", ""),
             ("Cán bộ lập danh sách", str(settings.get("officer_name") or ""))],
            st,
            LANDSCAPE,
        )
    )  # fmt: skip
    meta = Meta(f"Danh sách xét nghiệm — {subject}", "Danh sách xét nghiệm", lh.unit_in_text)
    return render(out, fonts, meta, LANDSCAPE)
