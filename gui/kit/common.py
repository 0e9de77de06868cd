"""Building blocks every screen uses: tables, a list model, date fields, error labels, dialogs,
and the wheel guard (a field changes only when the officer has put the cursor in it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from db.core.errors import UserError

ID_ROLE = Qt.ItemDataRole.UserRole + 1
RED = QColor("#b00020")
Index = QModelIndex | QPersistentModelIndex
DATE_FORMAT = "dd/MM/yyyy"


def tr(context: str, text: str) -> str:
    """Translate outside a QObject (module-level helpers)."""
    return QCoreApplication.translate(context, text)


def number(value: Any) -> str:
    """A figure as the officer reads it: decimal comma, "—" when there is nothing to count."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def named_button(name: str, text: str) -> QPushButton:
    """A push button with an objectName (tests and screen readers find it by that name)."""
    button = QPushButton(text)
    button.setObjectName(name)
    return button


def make_table(name: str, *, stretch_last: bool = True) -> QTableView:
    """A read-only, row-selecting table view with an objectName."""
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(stretch_last)
    view.setWordWrap(False)
    return view


@dataclass(frozen=True)
class Column:
    """A column of a ListModel: header, and how a row shows in it."""

    header: str
    value: Callable[[dict[str, Any]], Any]
    align_right: bool = False


class TableModel(QAbstractTableModel):
    """A flat table model with fixed column headers; subclasses say how many rows there are
    (`row_count`) and what a cell shows (`data`)."""

    def __init__(self, parent: Any = None, headers: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self._headers = list(headers)

    def row_count(self) -> int:
        """How many rows (override)."""
        return 0

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


class ListModel(TableModel):
    """A table over a short list of dict rows (a person's tests, the villages…).

    Big lists (the register) use their own SQL-backed model instead; this one holds its rows.
    `red(row)` marks rows shown in red (overdue); the row's "id" comes back under ID_ROLE.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[dict[str, Any]] = (),
        red: Callable[[dict[str, Any]], bool] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent, [c.header for c in columns])
        self._columns = list(columns)
        self._rows = list(rows)
        self._red = red

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> dict[str, Any]:
        """The dict behind a row."""
        return self._rows[index]

    def rows(self) -> list[dict[str, Any]]:
        """All rows."""
        return list(self._rows)

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == ID_ROLE:
            return row.get("id")
        if role == Qt.ItemDataRole.ForegroundRole and self._red is not None and self._red(row):
            return QBrush(RED)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def date_edit(name: str, value: date | None = None) -> QDateEdit:
    """A keyboard-friendly dd/mm/yyyy date field with a calendar popup."""
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setDate(to_qdate(value or date.today()))
    return edit


def to_qdate(value: date) -> QDate:
    """A Python date as a QDate."""
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    """A QDate as a Python date."""
    return date(value.year(), value.month(), value.day())


def error_label(name: str) -> QLabel:
    """A red label under a field that says what is wrong (empty and hidden when fine)."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def set_error(label: QLabel, message: str | None) -> None:
    """Show or clear an error label."""
    label.setText(message or "")
    label.setVisible(bool(message))


def place_errors(labels: dict[str, QLabel], errors: dict[str, str]) -> list[str]:
    """Show each message of a refused save next to its field; the ones with no field come back
    (for a general label or a message box)."""
    unplaced = []
    for key, message in errors.items():
        if key in labels:
            set_error(labels[key], message)
        else:
            unplaced.append(message)
    return unplaced


def show_failure(parent: QWidget, exc: BaseException) -> None:
    """A person-fixable error as its message; anything else as a bug, plainly, logged with a
    reference the officer can quote (when the crash hook is installed)."""
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, tr("common", "Không thực hiện được"), exc.message)
        return
    from gui.kit import crash

    reference = crash.report_bug(exc)
    text = tr("common", "Lỗi chương trình (không phải do dữ liệu nhập); sổ không bị ghi dở.")
    if reference:
        text += "\n" + tr("common", "Mã lỗi: %1").replace("%1", reference)
    QMessageBox.critical(
        parent, tr("common", "Lỗi chương trình"), text + f"\n\n{type(exc).__name__}: {exc}"
    )


# --- The mouse wheel. ---------------------------------------------------------------------------

# Fields whose value the wheel steps: spin boxes, date fields (both QAbstractSpinBox), combos.
WHEEL_FIELDS = (QAbstractSpinBox, QComboBox)


def _field_under(widget: QObject) -> QWidget | None:
    """The spin box, date field or combo box a wheel event is for (its own line edit counts)."""
    if isinstance(widget, WHEEL_FIELDS):
        return widget
    if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), WHEEL_FIELDS):
        return widget.parentWidget()
    return None


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area (a page, a table) holding the widget."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """App-wide: the wheel over a field the officer has not focused scrolls the page around it
    instead of changing the field (a baseline count went 67 → 53 while scrolling Settings, and
    was saved). Such fields take focus by click or Tab only, never by the wheel; a focused field
    still steps with the wheel."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, WHEEL_FIELDS):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
            field = _field_under(watched)
            if field is not None and not field.hasFocus():
                self._scroll_instead(field, event)
                return True
        return False

    @staticmethod
    def _scroll_instead(field: QWidget, event: QWheelEvent) -> None:
        # Sent on explicitly (rather than ignored for Qt to pass up): Qt passes a wheel event up
        # only when it came from the device, and this way a real and a sent event act the same.
        event.accept()
        area = _scroll_area_of(field)
        if area is None:
            return
        viewport = area.viewport()
        where = event.globalPosition()
        scroll = QWheelEvent(
            viewport.mapFromGlobal(where), where, event.pixelDelta(), event.angleDelta(),
            event.buttons(), event.modifiers(), event.phase(), event.inverted(), event.source(),
        )  # fmt: skip
        QCoreApplication.sendEvent(viewport, scroll)


def install_wheel_guard() -> None:
    """Put the wheel guard on the application, once (the sign-in dialog does it at start, so
    every later window has it; calling it again does nothing)."""
    app = QCoreApplication.instance()
    if app is None or app.findChild(WheelGuard, "wheelGuard") is not None:
        return
    guard = WheelGuard(app)
    guard.setObjectName("wheelGuard")
    app.installEventFilter(guard)
