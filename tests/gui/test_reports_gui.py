"""The Reports screen driven as an officer drives it (offscreen; no dialog is left to block)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from db.commune import places
from db.commune.settings import save_settings
from db.duties import actions
from db.store.register import Register
from gui.kit.common import ID_ROLE
from gui.pages import reports as reports_page
from gui.pages.reports import MONTHLY, PERSON, ROUND, OutboxModel, ReportsPage
from reports.build import monthly_report, outbox_for

WAIT_MS = 20_000


@pytest.fixture
def managed(reg: Register, add: Callable[..., str]) -> str:
    """One managed person in "Bản Mòng"."""
    person = add("Đặng Văn Đức", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
    return person


@pytest.fixture
def page(qtbot: Any, reg: Register, managed: str, tmp_path: Path) -> Iterator[ReportsPage]:
    widget = ReportsPage(reg, outbox_folder=tmp_path / "outbox")
    qtbot.addWidget(widget)
    yield widget
    qtbot.waitUntil(lambda: widget.task is None and widget.upload_task is None, timeout=WAIT_MS)


def choose(page: ReportsPage, kind: str) -> None:
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(kind))


def build(qtbot: Any, page: ReportsPage) -> None:
    assert page.build_button.isEnabled(), page.reason_label.text()
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=WAIT_MS)


def test_outbox_model_passes_qtmodeltester(qtmodeltester, reg, managed, tmp_path):
    box = outbox_for(reg, tmp_path / "outbox")
    entry = monthly_report(reg, "2026-10", outbox=box).entry
    monthly_report(reg, "2026-10", outbox=box)
    model = OutboxModel()
    model.set_entries(box.entries(), {entry.id: False})
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    row = model.row_of(entry.id)
    assert model.index(row, OutboxModel.STATE).data() == "Tệp bị thay đổi hoặc mất"
    assert model.index(row, OutboxModel.TITLE).data(ID_ROLE) == entry.id
    assert model.index(1 - row, OutboxModel.STATE).data() == "Chưa gửi"


def test_monthly_report_is_built_off_the_ui_thread_and_listed(qtbot, page):
    assert page.kind() == MONTHLY
    assert page.month_edit.date() == QDate(2026, 10, 1)  # the last closed month by default
    build(qtbot, page)
    assert page.progress.value() == page.progress.maximum()
    assert "Báo cáo tháng 10/2026 (bản 1)" in page.result_label.text()
    assert page.current is not None and page.current.read_bytes().startswith(b"%PDF")
    model = page.outbox_model
    assert model.rowCount() == 1
    assert model.index(0, OutboxModel.STATE).data() == "Chưa gửi"
    assert page.outbox_view.currentIndex().row() == 0


def test_open_uses_the_system_viewer_and_save_as_copies(qtbot, page, monkeypatch, tmp_path):
    build(qtbot, page)
    opened: list[str] = []
    monkeypatch.setattr(
        reports_page.QDesktopServices,
        "openUrl",
        lambda url: opened.append(url.toLocalFile()) or True,
    )
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    # A clear copy in the program's temp folder, checked against the outbox, opens in the viewer.
    (shown,) = opened
    assert Path(shown).read_bytes() == page.current.read_bytes()
    assert Path(shown).parent != page.current.parent
    target = tmp_path / "ban-sao.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == page.current.read_bytes()
    assert str(target) in page.result_label.text()


def test_person_sheet_from_a_search_without_diacritics(qtbot, page):
    choose(page, PERSON)
    assert not page.build_button.isEnabled()
    assert "chọn một người" in page.reason_label.text()
    qtbot.keyClicks(page.person_search, "dang duc")
    assert page.person_combo.count() == 1
    assert page.person_combo.currentText().startswith("Đặng Văn Đức")
    build(qtbot, page)
    assert page.current is not None and page.current.name == "phieu-theo-doi-dang-van-duc.pdf"
    assert page.outbox_model.rowCount() == 0  # a person's sheet is not kept in the outbox


def test_round_sheet_needs_a_village_or_the_due_list(qtbot, page, reg):
    choose(page, ROUND)
    assert page.village_combo.isVisible() or not page.isVisible()
    assert not page.build_button.isEnabled()
    assert "Chọn một thôn, bản" in page.build_button.toolTip()
    page.due_check.setChecked(True)
    assert page.build_button.isEnabled()
    page.due_check.setChecked(False)
    page.village_combo.setCurrentIndex(page.village_combo.findText("Bản Mòng"))
    build(qtbot, page)
    assert page.current is not None and page.current.exists()


def test_a_failure_is_said_on_the_page(qtbot, page, reg):
    choose(page, ROUND)
    page.village_combo.setCurrentIndex(page.village_combo.findText("Bản Mòng"))
    village = places.village_by_name(reg, "Bản Mòng")
    reg.db.execute("UPDATE villages SET name = 'Bản Đổi Tên', name_folded = 'ban doi ten' "
                   "WHERE id = ?", [village["id"]])  # fmt: skip
    build(qtbot, page)
    assert "không có “Bản Mòng”" in page.result_label.text()
    assert page.progress.value() == 0


def test_copy_to_usb_and_mark_sent(qtbot, page, monkeypatch, tmp_path):
    build(qtbot, page)
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(usb))
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    assert len(list(usb.glob("*.pdf"))) == 1 and len(list(usb.glob("*.json"))) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.mark_button, Qt.MouseButton.LeftButton)
    state = page.outbox_model.index(0, OutboxModel.STATE).data()
    assert state.startswith("Đã gửi ngày ")
    assert not page.mark_button.isEnabled()


class Receiver:
    """A report receiver on 127.0.0.1 for the upload buttons."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                report = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.keys.append(self.headers["Idempotency-Key"])
                # The receipt vouches for what arrived (reports/upload.py marks sent only then).
                body = json.dumps({
                    "id": f"BN-{report['id'][:8]}", "sha256": report["sha256"],
                    "manifest_sha256": report["manifest_sha256"],
                }).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/bao-cao"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def test_upload_is_off_without_an_address(qtbot, page):
    build(qtbot, page)
    assert not page.upload_button.isEnabled()
    assert "Chưa cài đặt địa chỉ nhận báo cáo" in page.upload_label.text()
    page.auto_upload()
    assert page.upload_task is None


def test_upload_button_sends_pending_reports(qtbot, page, reg, receiver):
    build(qtbot, page)
    save_settings(reg, {"upload_url": receiver.url})
    page.refresh_outbox()
    assert page.upload_button.isEnabled()
    qtbot.mouseClick(page.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.upload_task is None, timeout=WAIT_MS)
    entry = page.outbox_model.entry(0)
    assert receiver.keys == [entry.id]
    assert page.outbox_model.index(0, OutboxModel.STATE).data().startswith("Đã gửi ngày ")
    assert "đã gửi 1" in page.upload_label.text()
    assert not page.upload_button.isEnabled()  # nothing pending any more


def test_pending_reports_are_retried_automatically(qtbot, page, reg, receiver):
    build(qtbot, page)
    save_settings(reg, {"upload_url": receiver.url})
    assert page.retry_timer.isActive() and page.retry_timer.interval() == 10 * 60 * 1000
    page.retry_timer.timeout.emit()
    qtbot.waitUntil(lambda: page.upload_task is None and bool(receiver.keys), timeout=WAIT_MS)
    assert len(receiver.keys) == 1
    page.retry_timer.timeout.emit()  # nothing pending: nothing sent again
    assert page.upload_task is None and len(receiver.keys) == 1
