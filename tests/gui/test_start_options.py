"""How the program starts from Windows: a double-clicked .sotd bundle opens at its import
preview, a portable copy keeps its register on the stick, a build's smoke test can quit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from cli import main as cli_main
from db.store.register import Register
from gui.app import quit_after_first_window
from gui.main_window import MainWindow
from gui.pages.usb.page import UsbPage


def test_a_bundle_opened_from_windows_shows_its_import_preview(
    qtbot, reg: Register, tmp_path: Path
) -> None:
    bundle = tmp_path / "xa-chieng-mung.sotd"
    bundle.write_bytes(b"not read until the passphrase is given")
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.open_bundle(bundle)
    usb = window.stack.currentWidget()
    assert isinstance(usb, UsbPage)
    assert usb.tabs.currentWidget() is usb.import_tab
    assert usb.import_tab.bundle == bundle
    assert usb.import_tab.file_label.text() == str(bundle)


def test_a_portable_copy_keeps_its_register_beside_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "USB" / "SoTheoDoi"
    stick.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(stick / "SoTheoDoi.exe"))
    assert cli_main.portable_folder() is None  # installed: the user's data folder
    assert stick not in cli_main.default_register_path().parents
    (stick / "portable.txt").write_text("", encoding="utf-8")
    assert cli_main.default_register_path() == stick / "DuLieu" / "so-theo-doi.db"


def test_the_smoke_hook_names_the_first_window_and_quits(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # The real exit would leave the test run's application unable to run later tests' jobs.
    exits: list[int] = []
    monkeypatch.setattr(app, "exit", exits.append)
    marker = tmp_path / "window.txt"
    shown = QWidget()
    shown.setObjectName("loginDialog")
    qtbot.addWidget(shown)
    shown.show()
    timer = quit_after_first_window(app, marker)
    qtbot.waitUntil(marker.exists, timeout=3000)
    assert not timer.isActive()
    assert exits == [0]
    names = {w.objectName() for w in app.topLevelWidgets() if w.isVisible()}
    assert marker.read_text(encoding="utf-8") in names
