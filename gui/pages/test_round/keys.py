"""A round typed from the keyboard: one key, one result, one move; Enter never skips a person;
nothing changes past the last person; the last entry can be undone.

The rules, as the hint above the table says them:
- a / â / 0 / - : negative, then the next person. d / đ / 1 / + : positive; the substances are
  typed (e.g. "MET THC") and Enter goes on to the next person (Esc: stay, substances not yet).
- Enter right after a result key (which already moved) confirms it and does not move; any other
  Enter goes on to the next person. So "a" then Enter never skips anyone.
- After the last person, result keys, Enter, space and Delete do nothing until the officer moves
  back with the arrows or clicks a row: a stray key never changes the last result.
- Space cycles the result, Delete clears it (neither moves). Ctrl+Z (or "Hoàn tác") puts back
  the row changed last as it was and goes back to it; again, the one before.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemDelegate, QTableView, QWidget

from gui.pages.test_round.model import CYCLE, PositivesDelegate, RoundModel

NEGATIVE_KEYS = frozenset({"a", "â", "0", "-"})
POSITIVE_KEYS = frozenset({"d", "đ", "1", "+"})
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Keys that move back into the list once the end was reached (Qt moves the current row).
BACK = (Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Home)
Entry = tuple[str | None, tuple[str, ...]]


class RoundKeys(QObject):
    """The keyboard of the round table, its end-of-list stop and its undo."""

    changed = Signal()  # at_end or can_undo changed

    def __init__(self, view: QTableView, model: RoundModel, delegate: PositivesDelegate) -> None:
        super().__init__(view)
        self.view, self.model = view, model
        self.at_end = False  # moved past the last person: keys change nothing
        self._landed: int | None = None  # the row a result key just moved to
        self._undo: list[tuple[int, Entry]] = []
        self._typing_for: int | None = None  # a positive key opened the substances editor here
        self._viewport = view.viewport()  # kept: asked for in a filter while the view closes
        view.installEventFilter(self)
        self._viewport.installEventFilter(self)
        view.selectionModel().currentChanged.connect(self._moved)
        delegate.editor_opened.connect(self._editor_opened)
        delegate.closeEditor.connect(self._editor_closed)

    @property
    def can_undo(self) -> bool:
        """Whether an entry is there to undo."""
        return any(self.model.entry(row) != entry for row, entry in self._undo)

    def reset(self) -> None:
        """A new list, or the results saved: nothing to undo, not at the end."""
        self._undo.clear()
        self._landed = None
        self._set_at_end(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        if watched is self._viewport and event.type() == QEvent.Type.MouseButtonPress:
            self._set_at_end(False)  # a click chooses a row: typing counts again
        return False

    # --- Keys. ---------------------------------------------------------------------------------

    def _key(self, event: QKeyEvent) -> bool:
        if not self.model.rowCount():
            return False
        key, modifiers = event.key(), event.modifiers()
        if key == Qt.Key.Key_Z and modifiers & Qt.KeyboardModifier.ControlModifier:
            self.undo()
            return True
        if self.at_end:
            return key not in BACK  # only a way back up is let through
        index = self.view.currentIndex()
        row = index.row() if index.isValid() else 0
        column = index.column() if index.isValid() else RoundModel.RESULT
        if key in ENTER:
            return self._enter(row, column)
        blocked = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        if column == RoundModel.POSITIVES or modifiers & blocked:
            return False  # typing there opens the substances editor
        text = event.text().lower()
        if text in NEGATIVE_KEYS:
            if self._change(row, "negative"):
                self._next(row, by_result=True)
            return True
        if text in POSITIVE_KEYS:
            if self._change(row, "positive"):
                positives = self.model.index(row, RoundModel.POSITIVES)
                self.view.setCurrentIndex(positives)
                self._typing_for = row
                self.view.edit(positives)
            return True
        if text == " ":
            now = CYCLE.index(self.model.row(row).result)
            self._change(row, CYCLE[(now + 1) % len(CYCLE)])
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._change(row, None)
            return True
        # Any other letter on the result column is a stray key: it changes nothing.
        return bool(text and text.isprintable())

    def _enter(self, row: int, column: int) -> bool:
        current = self.model.index(row, column)
        if self.view.indexWidget(current) is not None:
            return True  # the editor's own Enter, passed on: it is closing already
        if column == RoundModel.POSITIVES and not self.model.row(row).saved_id:
            self.view.edit(current)
        elif self._landed == row:
            self._landed = None  # confirms the result that moved here: no second move
        else:
            self._next(row, by_result=False)
        return True

    def _change(self, row: int, result: str | None) -> bool:
        before = self.model.entry(row)
        if not self.model.set_result(row, result):
            return False
        self._remember(row, before)
        return True

    def _remember(self, row: int, before: Entry) -> None:
        self._undo.append((row, before))
        self.changed.emit()

    def _next(self, row: int, *, by_result: bool) -> None:
        """On to the next person; past the last one, stop (keys do nothing there)."""
        if row + 1 >= self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row, RoundModel.RESULT))
            self._set_at_end(True)
            return
        self.view.setCurrentIndex(self.model.index(row + 1, RoundModel.RESULT))
        self._landed = row + 1 if by_result else None

    def _moved(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._landed = None
        if current.row() != previous.row():
            self._set_at_end(False)

    def _set_at_end(self, at_end: bool) -> None:
        if at_end == self.at_end:
            return
        self.at_end = at_end
        if at_end:
            self.view.clearSelection()  # no row looks chosen: nothing will be typed into one
        self.changed.emit()

    # --- The substances editor. ----------------------------------------------------------------

    def _editor_opened(self, row: int) -> None:
        if self._typing_for != row:  # opened by a click or typing: its own entry to undo
            self._remember(row, self.model.entry(row))
        self._typing_for = None

    def _editor_closed(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        row = self.view.currentIndex().row()
        self.view.setFocus()
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter: the next person
            self._next(row, by_result=True)
        elif hint == QAbstractItemDelegate.EndEditHint.RevertModelCache:  # Esc: stay here
            self.view.setCurrentIndex(self.model.index(row, RoundModel.RESULT))
        self.changed.emit()

    # --- Undo. ---------------------------------------------------------------------------------

    def undo(self) -> None:
        """Put back the row changed last as it was, and go back to it."""
        while self._undo:
            row, entry = self._undo.pop()
            if self.model.entry(row) == entry:
                continue  # an entry that changed nothing (an editor left with Esc)
            if self.model.put_back(row, entry):
                self._set_at_end(False)
                self.view.setCurrentIndex(self.model.index(row, RoundModel.RESULT))
                self._landed = None
                break
        self.view.setFocus()
        self.changed.emit()
