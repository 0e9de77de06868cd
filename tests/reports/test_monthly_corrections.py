"""Past months' reports already sent are not rewritten; the next report notes the correction
(issue 11), and every monthly report prints the change log's anchor under its signature, kept in
its figures too (issue 16).

A hand-built register lives on 20/11/2026: October's report is made, a positive test of
12/10/2026 is voided with a reason, November's report is made. November lists the correction
(month, person, what, old → new, reason, account, time); October's report, printed again from
the outbox, is what it was.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from db.duties import actions
from db.persons import corrections, drugtests
from db.store.anchor import anchor_code, chain_anchor, chain_head, verify_anchor
from db.store.register import Register
from reports import build, monthly_pages
from reports.build import monthly_report, open_report, previous_report, save_report
from reports.monthly import MISTAKEN, SOMEONE, gather
from reports.monthly_notes import HEADING
from reports.outbox import Outbox

NAME = "Nguyễn Thị Hường"
REASON = "Nhập nhầm kết quả của người khác trong đợt xét nghiệm"
VOIDED = "Kết quả: Dương tính (Methamphetamine) → đã hủy, không tính"
WHEN = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def flat(pdf: bytes) -> str:
    """All the text of a PDF on one line: wrapped sentences and cells read whole."""
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return re.sub(r"\s+", " ", " ".join(pages))


@pytest.fixture
def box(tmp_path: Path, reg: Register) -> Outbox:
    return Outbox(tmp_path / "outbox", reg.commune_id)


@pytest.fixture
def hường(add: Callable[..., str]) -> str:
    return add(NAME, birth_date="12/03/1990", sex="Nữ")


def _text(box: Outbox, built: build.Built) -> str:
    assert built.entry is not None
    return flat(box.pdf_bytes(built.entry))


def _data(box: Outbox, built: build.Built) -> dict[str, Any]:
    assert built.entry is not None
    return box.with_data(built.entry).data


def test_november_notes_octobers_voided_positive_and_octobers_reprint_is_unchanged(
    reg: Register, box: Outbox, hường: str, tmp_path: Path
) -> None:
    test = drugtests.record_test(reg, hường, "12/10/2026", positives="MET")
    code = anchor_code(*chain_head(reg.conn))  # the log's head as October is made
    october = monthly_report(reg, "2026-10", outbox=box)
    assert october.entry is not None
    printed = box.pdf_bytes(october.entry)
    text = flat(printed)
    assert "kết quả dương tính 1 lượt" in text
    assert HEADING not in text  # nothing corrected before it
    # The anchor printed is the log's head at that moment, and kept in the figures.
    assert f"Mã nhật ký: {code}" in text
    assert _data(box, october)["anchor"] == code

    corrections.void_test(reg, test, REASON)
    later = chain_anchor(reg)
    assert later != code  # the print and the correction were written since
    november = monthly_report(reg, "2026-11", outbox=box)

    text = _text(box, november)
    assert f"VI. {HEADING}" in text
    assert "Sau khi lập Báo cáo tháng 10/2026" in text
    assert f"1 10/2026 {NAME} Hủy kết quả xét nghiệm: Xét nghiệm ngày 12/10/2026" in text
    assert VOIDED in text
    assert f"{REASON} {reg.user}, " in text
    assert f"Mã nhật ký: {later}" in text and f"Mã nhật ký: {code}" not in text
    data = _data(box, november)
    assert data["anchor"] == later
    (noted,) = data["corrections"]
    assert noted["month"] == "2026-10" and noted["person"] == NAME
    assert noted["change"] == VOIDED and noted["reason"] == REASON and noted["by"] == reg.user
    assert WHEN.fullmatch(noted["at"])
    assert data["corrections_since"] == {"report": "10/2026", "made_at": october.entry.created_at,
                                         "anchor": code, "counted_by": "anchor"}  # fmt: skip

    # October printed again from the outbox is October as it was sent: one positive.
    again = save_report(reg, box, october.entry.id, tmp_path / "in-lai.pdf")
    assert again.read_bytes() == printed
    assert open_report(reg, box, october.entry.id, tmp_path).read_bytes() == printed
    assert box.verify(october.entry)
    figures = _data(box, october)["figures"]
    assert figures["tests"]["positive"] == 1
    # …while the register itself has followed the correction.
    assert gather(reg, 2026, 10).figures["tests"]["positive"] == 0
    # The anchor October printed still holds: the log only grew.
    assert verify_anchor(reg, code) is None


def test_each_correction_is_noted_once_by_the_report_after_it(
    reg: Register, box: Outbox, hường: str
) -> None:
    september = drugtests.record_test(reg, hường, "15/09/2026", positives="MET")
    october = drugtests.record_test(reg, hường, "12/10/2026", positives="THC", substances="THC")
    november = drugtests.record_test(reg, hường, "05/11/2026", positives="MET")
    corrections.void_test(reg, september, "Trùng với lượt đã nhập")

    # No report before October's in the outbox: it counts from the start of its own period.
    made = monthly_report(reg, "2026-10", outbox=box)
    assert "Từ ngày 01/10/2026, đã đính chính 1 nội dung" in _text(box, made)
    assert [c["month"] for c in _data(box, made)["corrections"]] == ["2026-09"]

    corrections.correct_test(reg, october, {"result": "negative", "reason": "Đọc sai que thử"})
    corrections.void_test(reg, november, "Nhập hai lần")  # this month: its own figures say it
    text = _text(box, monthly_report(reg, "2026-11", outbox=box))
    assert "đã đính chính 1 nội dung" in text
    assert "Sửa kết quả xét nghiệm: Xét nghiệm ngày 12/10/2026" in text
    assert "Kết quả: Dương tính → Âm tính" in text and "Đọc sai que thử" in text
    assert "Trùng với lượt đã nhập" not in text and "Nhập hai lần" not in text

    # November made again counts from October's report still, not from November's first.
    again = _text(box, monthly_report(reg, "2026-11", outbox=box))
    assert "Đọc sai que thử" in again


def test_a_report_with_nothing_corrected_has_no_such_section(reg: Register, box: Outbox) -> None:
    monthly_report(reg, "2026-10", outbox=box)
    made = monthly_report(reg, "2026-11", outbox=box)
    assert HEADING not in _text(box, made)
    assert _data(box, made)["corrections"] == []


def test_no_name_is_printed_or_kept_when_the_annex_prints_only_counts(
    reg: Register, box: Outbox, hường: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions.management_decision(reg, hường, "05/10/2026", decision_no="12/QĐ")
    test = drugtests.record_test(reg, hường, "12/10/2026", positives="MET")
    monthly_report(reg, "2026-10", outbox=box)
    corrections.void_test(reg, test, REASON)
    monkeypatch.setattr(monthly_pages, "ANNEX_LIMIT", 0)
    monkeypatch.setattr(build, "ANNEX_LIMIT", 0)

    made = monthly_report(reg, "2026-11", outbox=box)
    text = _text(box, made)
    assert f"1 10/2026 {SOMEONE} Hủy kết quả xét nghiệm" in text and VOIDED in text
    assert "Hường" not in text
    data = _data(box, made)
    assert "Hường" not in json.dumps(data, ensure_ascii=False)
    assert data["corrections"][0]["person"] == SOMEONE


def test_a_person_deleted_as_entered_by_mistake_is_not_named(
    reg: Register, box: Outbox, hường: str
) -> None:
    drugtests.record_test(reg, hường, "12/10/2026", positives="MET")
    monthly_report(reg, "2026-10", outbox=box)
    corrections.delete_person(reg, hường, "Người xã khác, nhập nhầm")
    text = _text(box, monthly_report(reg, "2026-11", outbox=box))
    assert f"10/2026 {MISTAKEN} Xóa người nhập nhầm." in text
    assert "Có trong sổ → đã xóa khỏi sổ (kèm 1 lượt xét nghiệm)" in text
    assert "Người xã khác, nhập nhầm" in text and "Hường" not in text


def test_without_an_anchor_the_report_before_counts_from_when_it_was_made(
    reg: Register, box: Outbox, hường: str
) -> None:
    test = drugtests.record_test(reg, hường, "12/10/2026", positives="MET")
    # October's report from before reports carried an anchor: only its time says when.
    old = box.add("monthly", "monthly:2026-10", "Báo cáo tháng 10/2026", b"%PDF-1.4\n", {},
                  created_by=reg.user, font="")  # fmt: skip
    corrections.void_test(reg, test, REASON)
    since = previous_report(box, 2026, 11)
    assert (since.month, since.made_at, since.anchor) == ("10/2026", old.created_at, "")
    made = monthly_report(reg, "2026-11", outbox=box)
    assert REASON in _text(box, made)
    assert _data(box, made)["corrections_since"]["counted_by"] == "time"


def test_the_report_sent_is_the_one_counted_from(reg: Register, box: Outbox) -> None:
    first = monthly_report(reg, "2026-10", outbox=box)
    assert first.entry is not None
    box.mark_sent(first.entry.id)
    monthly_report(reg, "2026-10", outbox=box)  # made again, not sent
    monthly_report(reg, "2026-11", outbox=box)  # a later month never counts for November
    assert previous_report(box, 2026, 11).anchor == _data(box, first)["anchor"]
    assert previous_report(box, 2026, 10).month == ""
