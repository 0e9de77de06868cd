"""The USB handover screen driven as officers drive it (offscreen; the test answers dialogs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton

import gui.pages.usb.receive
import gui.pages.usb.send
from db.commune.settings import get_settings, save_settings
from db.handover import bundle, conflicts
from db.persons import people
from db.store.anchor import chain_head, parse_anchor
from db.store.register import Register
from gui.kit.drives import Drive, removable_drives
from gui.pages.usb.page import UsbPage, conflict_model, preview_model
from tests.support.handover import commune, laptop

WAIT_MS = 20_000
PASS = "Chieng Mung 20/11!"  # typed with keyClicks: QtTest types ASCII only


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "KDF_N", 1 << 10)


@pytest.fixture
def stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A "USB stick" (a folder) that the drive list shows."""
    folder = tmp_path / "usb"
    folder.mkdir()
    drive = Drive(folder, "KINGSTON", 8_000_000_000)
    monkeypatch.setattr(gui.pages.usb.send, "removable_drives", lambda: [drive])
    monkeypatch.setattr(gui.pages.usb.receive, "removable_drives", lambda: [drive])
    return folder


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Register, Register, list[str]]]:
    a = laptop(tmp_path, "a", "an")
    ids = commune(a, persons=3)
    b = laptop(tmp_path, "b", "binh")
    yield a, b, ids
    a.close()
    b.close()


def page_for(qtbot: Any, reg: Register) -> UsbPage:
    page = UsbPage(reg)
    qtbot.addWidget(page)
    return page


def click(qtbot: Any, page: UsbPage, button: QPushButton) -> None:
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=WAIT_MS)


def export_from(qtbot: Any, page: UsbPage, receiver: str, *, full: bool) -> Path:
    (page.export_tab.full_radio if full else page.export_tab.incremental_radio).setChecked(True)
    page.export_tab.receiver_combo.setEditText(receiver)
    qtbot.keyClicks(page.export_tab.pass1, PASS)
    assert "Nhập lại" in page.export_tab.export_reason.text()
    qtbot.keyClicks(page.export_tab.pass2, PASS)
    click(qtbot, page, page.export_tab.export_button)
    assert page.export_tab.exported is not None, page.export_tab.export_result.text()
    return page.export_tab.exported.path


def import_into(qtbot: Any, page: UsbPage, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page.tabs.setCurrentIndex(1)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(page.findChild(QPushButton, "chooseBundle"), Qt.MouseButton.LeftButton)
    assert page.import_tab.import_reason.text() == "Nhập mật khẩu gói rồi bấm Xem trước."
    qtbot.keyClicks(page.import_tab.import_pass, PASS)
    click(qtbot, page, page.import_tab.preview_button)


def test_models_pass_qtmodeltester(qtmodeltester: Any) -> None:
    counts = preview_model()
    counts.set_rows([{"label": "Người trong sổ", "new": 1, "changed": 2, "unchanged": 3,
                      "conflicts": 1, "skipped": 0}])  # fmt: skip
    qtmodeltester.check(counts)
    listed = conflict_model()
    listed.set_rows([{"id": 1, "table_label": "Người trong sổ", "record": "Lò Thị Hoa",
                      "field_label": "Ghi chú", "local_shown": "A", "local_by": "an",
                      "local_when": "20/11/2026 08:00", "remote_shown": "B",
                      "remote_by": "binh", "remote_when": "20/11/2026 09:00"}])  # fmt: skip
    qtmodeltester.check(listed)


def test_export_says_why_it_waits(qtbot: Any, laptops: Any, stick: Path) -> None:
    a, _, _ = laptops
    page = page_for(qtbot, a)
    assert page.export_tab.drive_combo.currentText().startswith(
        f"{stick} (KINGSTON) — còn trống 8,0 GB"
    )
    assert not page.export_tab.export_button.isEnabled()
    assert "Đặt mật khẩu gói" in page.export_tab.export_reason.text()
    qtbot.keyClicks(page.export_tab.pass1, "ngan")
    assert "ít nhất 8 ký tự" in page.export_tab.pass_error.text()
    assert "chưa đạt" in page.export_tab.export_reason.text()
    page.export_tab.pass1.clear()
    qtbot.keyClicks(page.export_tab.pass1, PASS)
    qtbot.keyClicks(page.export_tab.pass2, PASS + "x")
    assert "không giống nhau" in page.export_tab.pass_error.text()
    page.export_tab.incremental_radio.setChecked(True)
    assert page.export_tab.export_reason.text() == "Gói bổ sung cần tên bên nhận."


def test_hand_over_then_exchange_with_a_conflict(
    qtbot: Any, laptops: Any, stick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, ids = laptops
    page_a = page_for(qtbot, a)
    path = export_from(qtbot, page_a, "Máy B", full=True)
    assert path.parent == stick and path.name.isascii()
    assert bundle.file_sha256(path)[:8] in page_a.export_tab.export_result.text()
    assert page_a.export_tab.pass1.text() == ""  # the passphrase does not stay on the screen

    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "bien-ban.pdf"), ""))  # fmt: skip
    click(qtbot, page_a, page_a.export_tab.export_record)
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "bien-ban.pdf").pages)
    assert "BIÊN BẢN BÀN GIAO DỮ LIỆU" in text

    page_b = page_for(qtbot, b)
    import_into(qtbot, page_b, path, monkeypatch)
    rows = {r["label"]: r for r in page_b.import_tab.preview_rows.rows()}
    assert rows["Người trong sổ"]["new"] == 3
    assert page_b.import_tab.other_label.text()  # a fresh laptop: another commune's bundle
    assert not page_b.import_tab.import_button.isEnabled()
    assert page_b.import_tab.take_over.isVisibleTo(
        page_b
    ) and page_b.import_tab.accept_other.isVisibleTo(page_b)
    page_b.import_tab.take_over.setChecked(True)
    with qtbot.waitSignal(page_b.register_changed, timeout=WAIT_MS):
        click(qtbot, page_b, page_b.import_tab.import_button)
    assert "7 mới" in page_b.import_tab.import_result.text()  # 3 people, a village, 3 settings
    assert b.commune_id == a.commune_id  # the window's own connection follows the take-over
    assert not page_b.import_tab.import_button.isEnabled()

    people.update_person(a, ids[0], {"notes": "ghi ở máy A"})
    people.update_person(b, ids[0], {"notes": "ghi ở máy B"})
    page_a.refresh()
    again = export_from(qtbot, page_a, "Máy B", full=False)
    import_into(qtbot, page_b, again, monkeypatch)
    assert page_b.import_tab.preview_rows.rows()[0]["conflicts"] == 1
    click(qtbot, page_b, page_b.import_tab.import_button)
    assert page_b.tabs.currentIndex() == 2
    assert page_b.tabs.tabText(2) == "Xung đột (1)"
    [shown] = page_b.conflict_rows.rows()
    assert (shown["local_shown"], shown["remote_shown"]) == ("ghi ở máy B", "ghi ở máy A")
    assert not page_b.take_remote.isEnabled()
    page_b.conflict_view.selectRow(0)
    qtbot.mouseClick(page_b.take_remote, Qt.MouseButton.LeftButton)
    assert conflicts.count_open(b) == 0
    assert page_b.conflict_rows.rowCount() == 0
    assert people.get_person(b, ids[0])["notes"] == "ghi ở máy A"


def test_a_wrong_passphrase_is_said_and_nothing_changes(
    qtbot: Any, laptops: Any, stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = laptops
    path = export_from(qtbot, page_for(qtbot, a), "", full=True)
    page_b = page_for(qtbot, b)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(page_b.findChild(QPushButton, "chooseBundle"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page_b.import_tab.import_pass, "khong phai mat khau")
    click(qtbot, page_b, page_b.import_tab.preview_button)
    assert "Mật khẩu gói không đúng" in page_b.import_tab.import_result.text()
    assert not page_b.import_tab.import_button.isEnabled()
    assert b.conn.execute("SELECT count(*) FROM persons").fetchone()[0] == 0


def test_drive_list_on_this_machine_does_not_fail() -> None:
    assert all(isinstance(d, Drive) for d in removable_drives())


def test_the_preview_lists_what_is_left_out_and_the_senders_anchor(
    qtbot: Any, laptops: Any, stick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = laptops
    page_a, page_b = page_for(qtbot, a), page_for(qtbot, b)
    first = export_from(qtbot, page_a, "Máy B", full=True)
    import_into(qtbot, page_b, first, monkeypatch)
    tab = page_b.import_tab
    assert tab.import_notes.text() == ""  # a take-over brings the settings: nothing left out
    page_b.import_tab.take_over.setChecked(True)
    click(qtbot, page_b, tab.import_button)
    # A's chief sets A's upload address; a bundle never carries settings.
    save_settings(a, {"upload_url": "https://gia-mao.example/nhan"})
    page_a.refresh()
    again = export_from(qtbot, page_a, "Máy B", full=False)
    import_into(qtbot, page_b, again, monkeypatch)
    assert tab.preview is not None
    assert tab.import_notes.isVisibleTo(page_b)
    assert tab.import_notes.text().startswith("Lưu ý:\n• Không nhập 1 mục cài đặt (upload_url)")
    code = tab.preview.anchor
    assert code is not None and parse_anchor(code) is not None
    assert parse_anchor(code)[0] <= chain_head(a.conn)[0]  # type: ignore[index]
    assert tab.sender_anchor.text().startswith(f"Mốc nhật ký của máy gửi khi lập gói: {code} ")
    click(qtbot, page_b, tab.import_button)
    assert "Không nhập 1 mục cài đặt" in tab.import_notes.text()  # said again after the import
    assert get_settings(b)["upload_url"] == ""
    # Choosing another bundle clears them.
    tab.set_bundle(first)
    assert tab.import_notes.text() == tab.sender_anchor.text() == ""


@pytest.mark.parametrize(
    ("fields", "shown"),
    [({}, ""), ({"anchor": "12-3F9A0C7B21E4"}, "12-3F9A0C7B21E4"),
     ({"sender_anchor": "13-3F9A0C7B21E4"}, "13-3F9A0C7B21E4")],
)  # fmt: skip
def test_the_anchor_shows_whichever_field_the_preview_has(
    qtbot: Any, laptops: Any, fields: dict[str, str], shown: str
) -> None:
    """Previews from before the anchor (none), with `anchor`, or with a `sender_anchor` field."""
    a, _, _ = laptops
    page = page_for(qtbot, a)
    page.import_tab._show_notes(SimpleNamespace(notes=[], **fields))  # type: ignore[arg-type]
    assert (shown in page.import_tab.sender_anchor.text()) and (
        bool(shown) == bool(page.import_tab.sender_anchor.text())
    )
