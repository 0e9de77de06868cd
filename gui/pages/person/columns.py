"""The person screen's lists: the columns of each tab (dates dd/mm/yyyy, Vietnamese headers)."""

from __future__ import annotations

from typing import Any

from db.core.dates import show
from db.law.categories import END_KINDS, LABELS, Category
from db.persons import contacts, drugtests
from gui.kit.common import Column, tr


def _tr(text: str) -> str:
    return tr("person", text)


def _category(row: dict[str, Any]) -> str:
    return LABELS[Category(row["category"])]


EPISODE_COLUMNS = (
    Column(_tr("Diện"), _category),
    Column(_tr("Số quyết định"), lambda r: r["decision_no"]),
    Column(_tr("Bắt đầu"), lambda r: show(r["start_date"])),
    Column(_tr("Dự kiến kết thúc"), lambda r: show(r["planned_end"])),
    Column(_tr("Kết thúc"), lambda r: show(r["end_date"])),
    Column(_tr("Chỉ huy duyệt"), lambda r: r.get("signed", "")),
    Column(_tr("Hình thức kết thúc"),
           lambda r: " — ".join(x for x in (END_KINDS.get(r["end_kind"] or "", ""),
                                            r["end_reason"], r["moved_to"]) if x)),
)  # fmt: skip
TEST_COLUMNS = (
    Column(_tr("Ngày"), lambda r: show(r["test_date"])),
    Column(_tr("Hình thức"), lambda r: drugtests.KINDS.get(r["kind"], r["kind"])),
    Column(_tr("Kết quả"), lambda r: drugtests.RESULTS[r["result"]]),
    Column(_tr("Chất dương tính"), lambda r: r["positives"].replace(",", ", ")),
    Column(_tr("Chất đã thử"), lambda r: r["substances"].replace(",", ", ")),
    Column(_tr("Người thực hiện"), lambda r: r["officer"]),
)
CONTACT_COLUMNS = (
    Column(_tr("Ngày"), lambda r: show(r["contact_date"])),
    Column(_tr("Loại"), lambda r: contacts.KINDS.get(r["kind"], r["kind"])),
    Column(_tr("Có mặt"),
           lambda r: {None: "", 1: _tr("Có"), 0: _tr("Không")}[r["at_address"]]),
    Column(_tr("Cán bộ"), lambda r: r["officer"]),
    Column(_tr("Nội dung"), lambda r: r["notes"]),
)  # fmt: skip
# Electronic monitoring (Law 120/2025): db.persons.monitoring.orders_of, with the page's `state`.
MONITORING_COLUMNS = (
    Column(_tr("Ngày quyết định"), lambda r: show(r["ordered_on"])),
    Column(_tr("Người ra quyết định"), lambda r: r["ordered_by"]),
    Column(_tr("Từ ngày"), lambda r: show(r["from_date"])),
    Column(_tr("Đến ngày"), lambda r: show(r["to_date"])),
    Column(_tr("Thiết bị"), lambda r: r["device"]),
    Column(_tr("Kết thúc"), lambda r: r["state"]),
    Column(_tr("Lý do kết thúc"), lambda r: r["end_reason"]),
)
# Declared substances (Law 120/2025): db.persons.declarations.declarations_of.
DECLARATION_COLUMNS = (
    Column(_tr("Ngày khai báo"), lambda r: show(r["declared_on"])),
    Column(_tr("Chất sử dụng"), lambda r: r["text"]),
    Column(_tr("Ghi chú"), lambda r: r["notes"]),
)
# Unreported absences during post-rehab management: db.persons.absences.absences_of.
ABSENCE_COLUMNS = (
    Column(_tr("Từ ngày"), lambda r: show(r["start_date"])),
    Column(_tr("Đến ngày"), lambda r: show(r["end_date"])),
    Column(_tr("Số ngày"), lambda r: r["days"], align_right=True),
    Column(_tr("Ghi chú"), lambda r: r["notes"]),
)
# db.persons.history_view says it all in words: local time, the account's name, no ids.
HISTORY_COLUMNS = (
    Column(_tr("Thời điểm"), lambda r: r["at"]),
    Column(_tr("Người làm"), lambda r: r["who"]),
    Column(_tr("Mục"), lambda r: r["what"]),
    Column(_tr("Việc"), lambda r: r["action_label"]),
    Column(_tr("Nội dung"), lambda r: r["summary"]),
)


def order_state(order: dict[str, Any], today: str) -> str:
    """Where a monitoring order stands, in words: ended on a day, in effect, past its last day
    or not begun (`today` as yyyy-mm-dd)."""
    if order["ended_on"]:
        return show(order["ended_on"])
    if order["in_effect"]:
        return _tr("Đang giám sát")
    if order["to_date"] < today:
        return _tr("Hết thời hạn")
    return _tr("Chưa bắt đầu")
