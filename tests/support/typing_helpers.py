"""Typing Vietnamese into widgets the way a Vietnamese keyboard (Unikey, an IME) does.

QTest's key clicks only know ASCII; a Vietnamese keyboard commits composed letters through an
input-method event. ASCII goes in as key clicks, everything else as an IME commit.
"""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type `text` into `widget` key by key (ASCII) and by IME commit (Vietnamese letters)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
