"""The base class of every screen of the left-hand list (and the person screen).

The main window talks to a page only through this interface: it refreshes a page that went stale
while hidden, opens the person a page asks for, and tells the other pages when one changed the
register. A page that has nothing to refresh or to announce simply does not emit.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class Page(QWidget):
    """A screen: `refresh()` reads the register again; the signals go to the main window."""

    person_requested = Signal(str)  # a person's id: show that person
    register_changed = Signal()  # this page wrote to the register: other pages are stale

    def refresh(self) -> None:
        """Read the register again (called when the page is shown after a change elsewhere)."""
