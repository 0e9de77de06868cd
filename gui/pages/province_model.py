"""The provincial overview's table: one row per commune (db.province.overview.CommuneRow).

A province has a few hundred communes at most: the model holds them, sorts them itself (names
in Vietnamese order, numbers as numbers — no proxy model) and filters them by name, by "this
month's report not in" and by "close to meeting the criteria".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor

from db.core.textfold import fold, place_key
from db.law.categories import SHORT_LABELS, Category
from db.province.overview import CommuneRow, meets_all
from gui.kit.common import ID_ROLE, RED, Index, TableModel
from reports.provincial import baseline_text, commune_name, criteria_met, when

GREEN = QColor("#1b5e20")
SORT_ROLE = Qt.ItemDataRole.UserRole + 7  # the value a column sorts by
# "Close to meeting the criteria": not all met, and at most this many still missing.
NEAR_MISSING = 2
# Short heads of the drug-free criteria (db.figures.stats keys); the full label is the tooltip.
CRITERIA_HEADS = {
    "addicts_with_file": "Hồ sơ người nghiện",
    "addicts_in_treatment": "Cai, điều trị",
    "suspects_tested": "Xét nghiệm người nghi",
    "post_rehab_tested": "Xét nghiệm sau cai",
    "baseline": "Giảm so với khi đăng ký",
    "hotspots": "Không có tụ điểm",
    "models": "Có mô hình",
    "psychosis": "Không có vụ ngáo đá",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ProvinceModel", text)


@dataclass(frozen=True)
class Col:
    """A column: its head, the cell's text, the value it sorts by, and its tooltip."""

    head: str
    text: Callable[[CommuneRow], str]
    key: Callable[[CommuneRow], Any]
    tip: str = ""
    right: bool = False
    criterion: str = ""
    good: Callable[[CommuneRow], bool | None] | None = None  # green when True, red when False


def near(row: CommuneRow) -> bool:
    """Close to meeting every criterion: not all met, at most NEAR_MISSING still missing."""
    missing = len(row.criteria) - criteria_met(row)
    return not meets_all(row) and missing <= NEAR_MISSING


def _count(get: Callable[[CommuneRow], int], head: str, tip: str = "") -> Col:
    return Col(head, lambda r: str(get(r)), get, tip, right=True)


def _in_category(category: Category) -> Callable[[CommuneRow], int]:
    return lambda r: r.by_category.get(category.value, 0)


def _criterion(key: str, labels: dict[str, str]) -> Col:
    def text(r: CommuneRow) -> str:
        if key not in r.criteria:
            return ""
        return _tr("Đạt") if r.criteria[key] else _tr("Chưa đạt")

    return Col(_tr(CRITERIA_HEADS.get(key, key)), text, lambda r: r.criteria.get(key, False),
               labels.get(key, ""), criterion=key, good=lambda r: r.criteria.get(key))  # fmt: skip


def columns(criteria: Sequence[str], labels: dict[str, str]) -> list[Col]:
    """The table's columns, the criteria in the order the register lists them."""
    cols = [Col(_tr("Xã, phường"), commune_name, lambda r: place_key(commune_name(r)))]
    cols.append(_count(lambda r: r.people, _tr("Tổng số người"), _tr("Số người trong sổ")))
    for c in Category:
        cols.append(_count(_in_category(c), _tr(SHORT_LABELS[c])))
    cols += [
        _count(lambda r: r.tests_month, _tr("Xét nghiệm"), _tr("Lượt xét nghiệm trong tháng")),
        _count(lambda r: r.positives_month, _tr("Dương tính"), _tr("Lượt dương tính")),
        _count(lambda r: r.overdue_tests, _tr("Quá hạn XN"), _tr("Người quá hạn xét nghiệm")),
        Col(_tr("Tiêu chí đạt"), lambda r: f"{criteria_met(r)}/{len(r.criteria)}",
            lambda r: (r.closeness, criteria_met(r)), _tr("Số tiêu chí xã không ma túy đạt"),
            right=True),
    ]  # fmt: skip
    cols += [_criterion(key, labels) for key in criteria]
    cols += [
        Col(_tr("Thôn, bản không ma túy"), lambda r: f"{r.villages_drug_free}/{r.villages_total}",
            lambda r: (r.villages_drug_free, r.villages_total), right=True),
        Col(_tr("So với khi đăng ký"), baseline_text, lambda r: r.count_vs_baseline,
            _tr("Số người sử dụng, người nghiện hiện nay / khi đăng ký xã không ma túy"),
            right=True),
        Col(_tr("Gói dữ liệu mới nhất"), lambda r: when(r.latest_bundle_at),
            lambda r: r.latest_bundle_at.isoformat() if r.latest_bundle_at else ""),
        Col(_tr("Báo cáo tháng mới nhất"), lambda r: when(r.latest_report_at),
            lambda r: r.latest_report_at.isoformat() if r.latest_report_at else ""),
        Col(_tr("Báo cáo tháng này"), lambda r: _tr("Đã nhận") if r.report_in else _tr("Chưa gửi"),
            lambda r: r.report_in, good=lambda r: r.report_in),
    ]  # fmt: skip
    return cols


class CommuneModel(TableModel):
    """The communes of the overview, sorted and filtered here."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[CommuneRow] = []
        self._rows: list[CommuneRow] = []
        self._cols: list[Col] = columns(list(CRITERIA_HEADS), {})
        self._headers = [c.head for c in self._cols]
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)
        self._text = ""
        self._missing_only = False
        self._near_only = False

    # -- what the page asks ------------------------------------------------------------------
    def set_rows(self, rows: Sequence[CommuneRow]) -> None:
        """Replace the communes (the criteria columns follow those the register gives)."""
        keys: list[str] = []
        labels: dict[str, str] = {}
        for r in rows:
            keys += [k for k in r.criteria if k not in keys]
            labels.update(r.criteria_labels)
        self.beginResetModel()
        self._cols = columns(keys or list(CRITERIA_HEADS), labels)
        self._headers = [c.head for c in self._cols]
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str = "", *, missing_only: bool = False,
                   near_only: bool = False) -> None:  # fmt: skip
        """Show the communes whose name holds `text` (any case, accents, đ), only those whose
        report is not in, only those close to meeting the criteria."""
        self.beginResetModel()
        self._text = fold(text.strip())
        self._missing_only, self._near_only = missing_only, near_only
        self._apply()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._cols):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order()
        self.layoutChanged.emit()

    def commune(self, row: int) -> CommuneRow:
        """The commune shown at `row`."""
        return self._rows[row]

    def communes(self) -> list[CommuneRow]:
        """The communes shown, in the order shown."""
        return list(self._rows)

    def column_of(self, criterion: str) -> int:
        """The column of a criterion (-1 if none)."""
        return next((i for i, c in enumerate(self._cols) if c.criterion == criterion), -1)

    # -- Qt ----------------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._rows)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return self._cols[section].tip or None
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], self._cols[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(row)
        if role == ID_ROLE:
            return row.commune_id
        if role == SORT_ROLE:
            return col.key(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            good = col.good(row) if col.good is not None else None
            return None if good is None else QBrush(GREEN if good else RED)
        if role == Qt.ItemDataRole.ToolTipRole and col.criterion:
            return row.criteria_labels.get(col.criterion) or col.tip or None
        return None

    def _apply(self) -> None:
        rows = self._all
        if self._text:
            rows = [r for r in rows if self._text in fold(r.name)]
        if self._missing_only:
            rows = [r for r in rows if not r.report_in]
        if self._near_only:
            rows = [r for r in rows if near(r)]
        self._rows = list(rows)
        self._order()

    def _order(self) -> None:
        column, order = self._sort
        key = self._cols[min(column, len(self._cols) - 1)].key
        name = self._cols[0].key
        # The name breaks ties, always A→Z, so equal counts keep a stable, readable order.
        self._rows.sort(key=name)
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
