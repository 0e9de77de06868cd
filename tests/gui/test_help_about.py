"""Trợ giúp: F1 opens the user's guide shipped with the program, at the part about the screen
in sight, with its pictures; Giới thiệu says the version, the build, the register, what the
program needs and the font's licence. The guide is the file the frozen build carries."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QPushButton

from db.core import version
from db.store.register import Register
from gui.dialogs import guide as guide_module
from gui.dialogs.about import AboutDialog
from gui.dialogs.guide import GUIDE, IMAGE_WIDTH, SECTIONS, GuideDialog
from gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
PICTURES = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
# Offscreen windows cannot be raised; nothing to fix.
pytestmark = pytest.mark.qt_log_ignore("does not support raise")


@pytest.fixture
def window(qtbot: Any, reg: Register) -> MainWindow:
    shown = MainWindow(reg)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def _help_menu(window: MainWindow) -> QMenu:
    menu = window.menuBar().findChild(QMenu, "helpMenu")
    assert menu is not None
    return menu


def _guide(window: MainWindow) -> GuideDialog:
    dialog = window.findChild(GuideDialog, "guideDialog")
    assert dialog is not None, "no guide window"
    return dialog


def test_the_help_menu_holds_the_guide_on_f1_and_about(window: MainWindow) -> None:
    actions = [a for a in _help_menu(window).actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == ["Hướng dẫn sử dụng", "Giới thiệu"]
    assert actions[0].shortcut() == QKeySequence("F1")
    assert _help_menu(window).title() == "&Trợ giúp"


def test_f1_opens_the_guide_with_its_headings_and_pictures(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = _guide(window)
    assert dialog.isVisible() and not dialog.isModal()
    browser = dialog.browser
    assert browser.objectName() == "guideBrowser"
    assert dialog.headings()[:3] == ["Hướng dẫn sử dụng Sổ theo dõi", "Bắt đầu",
                                     "Công việc hằng ngày"]  # fmt: skip
    assert "mã khôi phục" in browser.toPlainText()
    # Each picture is found beside the guide and shrunk to the window's width.
    pictures = PICTURES.findall(GUIDE.read_text(encoding="utf-8"))
    assert pictures
    image = QTextDocument.ResourceType.ImageResource.value
    for name in pictures:
        loaded = browser.loadResource(image, QUrl(name))
        picture = loaded if isinstance(loaded, QImage) else QImage.fromData(loaded)
        assert not picture.isNull(), name
        assert picture.width() <= IMAGE_WIDTH, name
    widest = max(QImage(str(GUIDE.parent / name)).width() for name in pictures)
    assert widest > IMAGE_WIDTH  # the window's pictures, shrunk above
    qtbot.waitUntil(lambda: browser.document().resource(image, QUrl(pictures[0])) is not None)
    # F1 again: the same window, not a second one.
    window.show_guide()
    assert len(window.findChildren(GuideDialog)) == 1


@pytest.mark.parametrize(("key", "heading"), [("round", "Xét nghiệm theo đợt"),
                                              ("usb", "Bàn giao bằng USB")])  # fmt: skip
def test_the_guide_opens_at_the_part_about_the_screen_in_sight(
    qtbot: Any, window: MainWindow, key: str, heading: str
) -> None:
    window.nav.setCurrentRow(window.keys.index(key))
    window.show_guide()
    browser = _guide(window).browser
    assert browser.textCursor().block().text() == heading
    qtbot.waitUntil(lambda: browser.verticalScrollBar().value() > 0)


def test_every_screen_the_guide_names_has_its_heading() -> None:
    dialog = GuideDialog()
    headings = dialog.headings()
    for screen, heading in SECTIONS.items():
        assert heading in headings, f"{screen}: no heading “{heading}” in {GUIDE.name}"
    dialog.deleteLater()


def test_a_missing_guide_says_where_it_was_looked_for(qtbot: Any, tmp_path: Path) -> None:
    missing = tmp_path / "huong-dan.md"
    dialog = GuideDialog(guide=missing)
    qtbot.addWidget(dialog)
    assert not dialog.found
    assert str(missing) in dialog.browser.toPlainText()


def test_the_pictures_are_the_ones_the_guide_shows_and_small() -> None:
    shown = set(PICTURES.findall(GUIDE.read_text(encoding="utf-8")))
    folder = GUIDE.parent / "img"
    files = {f"img/{p.name}" for p in folder.glob("*.png")}
    assert shown == files
    assert len(files) <= 12  # a guide to read, not an album: each picture earns its place
    for path in folder.glob("*.png"):
        assert path.stat().st_size <= 150_000, path.name


def test_the_frozen_build_carries_the_guide_where_the_program_reads_it() -> None:
    assert GUIDE == ROOT / "docs" / "guide" / "huong-dan.md"
    assert guide_module.__file__ is not None
    # The program finds the guide relative to its own module; the build puts both in place.
    assert Path(guide_module.__file__).resolve().parents[2] / "docs/guide/huong-dan.md" == GUIDE
    spec = (ROOT / "packaging" / "sotheodoi.spec").read_text(encoding="utf-8")
    assert '(str(GUIDE / "huong-dan.md"), "docs/guide")' in spec
    assert '(str(GUIDE / "img" / "*.png"), "docs/guide/img")' in spec
    assert 'GUIDE = ROOT / "docs" / "guide"' in spec


def test_about_says_version_build_register_requirement_and_font_licence(
    qtbot: Any, reg: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(version, "BUILD", "2026-12-01 abc1234")
    dialog = AboutDialog(reg.path)
    qtbot.addWidget(dialog)
    labels = {label.objectName(): label.text() for label in dialog.findChildren(QLabel)}
    assert labels["aboutName"] == "Sổ theo dõi"
    assert labels["aboutVersion"] == f"Phiên bản {version.VERSION} — bản dựng 2026-12-01 abc1234"
    assert labels["aboutRegister"] == f"Sổ đang mở: {reg.path}"
    assert "Windows 10" in labels["aboutRequirement"] and "64-bit" in labels["aboutRequirement"]
    assert "32-bit" in labels["aboutRequirement"]
    licence = dialog.licence.toPlainText()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Liberation" in licence
    assert dialog.licence.isReadOnly()


def test_about_copies_what_a_support_call_needs(qtbot: Any, reg: Register) -> None:
    dialog = AboutDialog(reg.path)
    qtbot.addWidget(dialog)
    copy = dialog.findChild(QPushButton, "copyAboutButton")
    assert copy is not None
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"Sổ theo dõi {version.VERSION} (")
    assert str(reg.path) in copied


def test_the_about_item_opens_about_over_the_window(qtbot: Any, window: MainWindow) -> None:
    seen: list[str] = []

    def close_it() -> None:
        about = QApplication.activeModalWidget()
        assert isinstance(about, AboutDialog)
        seen.append(about.objectName())
        about.accept()

    QTimer.singleShot(0, close_it)
    about = next(a for a in _help_menu(window).actions() if a.objectName() == "aboutAction")
    about.trigger()
    assert seen == ["aboutDialog"]
