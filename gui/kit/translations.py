"""Qt's own words in Vietnamese: the buttons of message boxes, the context menu of text fields,
the file dialog.

Qt ships no Vietnamese translation of its strings, so the program carries one:
gui/i18n/qt_vi.ts, compiled to qt_vi.qm by packaging/make_translations.py (the frozen build
carries the .qm at the same place under its folder).

    install_vietnamese(app)   # once, after the QApplication exists
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

QM_FILE = Path(__file__).resolve().parent.parent / "i18n" / "qt_vi.qm"
TRANSLATOR_NAME = "qtVietnamese"

# The application keeps only a pointer to an installed translator: keep the Python object too.
_installed: list[QTranslator] = []


def install_vietnamese(app: QApplication) -> None:
    """Install the Vietnamese translation of Qt's strings into `app` (once: a second call does
    nothing). A missing or damaged file leaves Qt's English words; it never stops the program."""
    if app.findChild(QTranslator, TRANSLATOR_NAME) is not None:
        return
    translator = QTranslator(app)
    if not translator.load(str(QM_FILE)):
        translator.deleteLater()
        return
    translator.setObjectName(TRANSLATOR_NAME)
    app.installTranslator(translator)
    _installed.append(translator)


def uninstall_vietnamese(app: QApplication) -> None:
    """Take the translation out again: Qt's strings are English from then on."""
    translator = app.findChild(QTranslator, TRANSLATOR_NAME)
    if translator is None:
        return
    app.removeTranslator(translator)
    translator.setObjectName("")
    translator.deleteLater()
    if translator in _installed:
        _installed.remove(translator)
