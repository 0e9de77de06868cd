"""Qt's own words in Vietnamese: message-box buttons and the context menus of text fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPlainTextEdit, QWidget

from gui.kit import translations
from gui.kit.translations import install_vietnamese, uninstall_vietnamese

EDIT_MENU = {"Hoàn tác", "Làm lại", "Cắt", "Sao chép", "Dán", "Xóa", "Chọn tất cả"}


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The test's application with the translation installed, and removed afterwards so that
    other tests see Qt as it is without it."""
    install_vietnamese(qapp)
    yield qapp
    uninstall_vietnamese(qapp)


def plain(text: str) -> str:
    """What a person reads on a button or menu entry: no accelerator mark, no shortcut."""
    return text.split("\t")[0].replace("&", "")


def button_texts(box: QMessageBox) -> dict[QMessageBox.StandardButton, str]:
    return {box.standardButton(b): plain(b.text()) for b in box.buttons()}


def question() -> QMessageBox:
    S = QMessageBox.StandardButton
    return QMessageBox(QMessageBox.Icon.Question, "Xóa?", "Xóa người này?", S.Yes | S.No)


def menu_texts(widget: QWidget) -> set[str]:
    menu = widget.createStandardContextMenu()  # type: ignore[attr-defined]
    try:
        return {plain(a.text()) for a in menu.actions() if not a.isSeparator()}
    finally:
        menu.deleteLater()


def test_a_question_box_says_co_and_khong(app: QApplication) -> None:
    S = QMessageBox.StandardButton
    box = question()
    assert button_texts(box) == {S.Yes: "Có", S.No: "Không"}
    box.deleteLater()


def test_other_standard_buttons(app: QApplication) -> None:
    S = QMessageBox.StandardButton
    box = QMessageBox(
        QMessageBox.Icon.Warning, "t", "x", S.Ok | S.Cancel | S.Save | S.Close | S.Retry
    )
    assert button_texts(box) == {
        S.Ok: "Đồng ý",
        S.Cancel: "Hủy",
        S.Save: "Lưu",
        S.Close: "Đóng",
        S.Retry: "Thử lại",
    }
    box.deleteLater()


def test_a_line_edits_context_menu_is_vietnamese(app: QApplication) -> None:
    edit = QLineEdit("Nguyễn Văn An")
    edit.selectAll()
    assert menu_texts(edit) >= EDIT_MENU
    edit.deleteLater()


def test_a_text_areas_context_menu_is_vietnamese(app: QApplication) -> None:
    area = QPlainTextEdit("Ghi chú")
    area.selectAll()
    assert menu_texts(area) >= EDIT_MENU
    area.deleteLater()


def test_without_the_translation_qt_speaks_english(qapp: QApplication) -> None:
    """The tests above measure the translation, not a Qt that happens to be Vietnamese."""
    S = QMessageBox.StandardButton
    install_vietnamese(qapp)
    uninstall_vietnamese(qapp)
    box = question()
    assert button_texts(box) == {S.Yes: "Yes", S.No: "No"}
    box.deleteLater()


def test_installing_twice_installs_one_translator(app: QApplication) -> None:
    install_vietnamese(app)
    found = app.findChildren(QTranslator, translations.TRANSLATOR_NAME)
    assert len(found) == 1


def test_a_missing_file_leaves_english_and_does_not_stop(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(translations, "QM_FILE", tmp_path / "missing.qm")
    install_vietnamese(qapp)
    try:
        assert qapp.findChild(QTranslator, translations.TRANSLATOR_NAME) is None
        assert plain(question().button(QMessageBox.StandardButton.Yes).text()) == "Yes"
    finally:
        uninstall_vietnamese(qapp)
