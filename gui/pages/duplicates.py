"""Hồ sơ có thể trùng: pairs of records that may be one person (db.persons.duplicates), both
shown side by side; "Gộp" merges them (the chief's), "Không phải trùng" remembers they are two
people; a merge can be undone here until the next handover bundle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from db.core.dates import show
from db.core.errors import UserError
from db.persons import duplicates, merging
from db.persons.correction_log import chief_refusal
from db.store.register import Register
from gui.dialogs.corrections import MergeDialog, UnmergeDialog
from gui.kit.common import Column, ListModel, make_table, named_button, show_failure, tr
from gui.kit.page import Page

LIMIT = 500


def _tr(text: str) -> str:
    return tr("duplicates", text)


def _who(card: dict[str, Any]) -> str:
    born = show(card.get("birth_date"))
    return f"{card['full_name']}" + (f" ({born})" if born else "")


PAIR_COLUMNS = (
    Column(_tr("Dấu hiệu"), lambda r: r["reasons"]),
    Column(_tr("Hồ sơ thứ nhất"), lambda r: _who(r["first"])),
    Column(_tr("Thôn/bản"), lambda r: r["first"].get("village") or ""),
    Column(_tr("Hồ sơ thứ hai"), lambda r: _who(r["second"])),
    Column(_tr("Thôn/bản"), lambda r: r["second"].get("village") or ""),
)
MERGE_COLUMNS = (
    Column(_tr("Hồ sơ giữ lại"), lambda r: r["kept_name"]),
    Column(_tr("Hồ sơ đã gộp vào"), lambda r: r["merged_name"]),
    Column(_tr("Lúc gộp"), lambda r: show(r["created_at"][:10])),
    Column(_tr("Tách lại"), lambda r: r["refusal"] or _tr("được")),
)
SEX = {"M": "Nam", "F": "Nữ"}
# What the side-by-side cards show: (caption, how a card shows it).
CARD_ROWS: tuple[tuple[str, Callable[[dict[str, Any]], Any]], ...] = (
    ("Họ và tên", lambda c: c["full_name"]),
    ("Tên gọi khác", lambda c: c["other_names"]),
    ("Ngày sinh", lambda c: show(c["birth_date"])),
    ("Giới tính", lambda c: SEX.get(c["sex"] or "", "")),
    ("Số CCCD/CMND", lambda c: c["id_number"]),
    ("Thôn/bản", lambda c: c["village"] or ""),
    ("Nơi thường trú", lambda c: c["permanent_address"]),
    ("Nơi ở hiện tại", lambda c: c["current_address"]),
    ("Người thân", lambda c: c["family_contact"]),
    ("Tình trạng", lambda c: c["status"] or "không còn diện quản lý"),
    ("Quyết định, diện", lambda c: str(c["counts"]["episodes"])),
    ("Xét nghiệm", lambda c: str(c["counts"]["drug_tests"])),
    ("Tiếp xúc", lambda c: str(c["counts"]["contacts"])),
    ("Tổ quản lý", lambda c: str(c["counts"]["management_team"])),
)


class _Card(QGroupBox):
    """One record of the pair, with a button to open it."""

    def __init__(self, name: str, title: str, open_person: Callable[[str], object]) -> None:
        super().__init__(title)
        self.setObjectName(name)
        self.form = QFormLayout(self)
        self.values: list[QLabel] = []
        for caption, _ in CARD_ROWS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(_tr(caption), value)
            self.values.append(value)
        self.open_button = named_button(f"{name}Open", _tr("Mở hồ sơ"))
        self.open_button.clicked.connect(lambda: self.person_id and open_person(self.person_id))
        self.form.addRow(self.open_button)
        self.person_id: str | None = None

    def show_card(self, card: dict[str, Any] | None) -> None:
        """Show a record (None: nothing chosen)."""
        self.person_id = card["id"] if card else None
        for label, (_, value) in zip(self.values, CARD_ROWS, strict=True):
            label.setText(str(value(card) or "—") if card else "")
        self.open_button.setEnabled(card is not None)


class DuplicatesPage(Page):
    """The review list of possible duplicates."""

    def __init__(self, reg: Register, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesPage")
        self.reg = reg
        self.summary = QLabel()
        self.summary.setObjectName("duplicatesSummary")
        self.summary.setWordWrap(True)
        reload = named_button("reloadDuplicates", _tr("Tìm lại"))
        reload.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(reload)
        self.pairs = ListModel(PAIR_COLUMNS)
        self.view = make_table("pairsTable")
        self.view.setModel(self.pairs)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._pair_chosen())
        self.first = _Card("firstCard", _tr("Hồ sơ thứ nhất"), self.person_requested.emit)
        self.second = _Card("secondCard", _tr("Hồ sơ thứ hai"), self.person_requested.emit)
        self.merge_button = named_button("mergeButton", _tr("Gộp"))
        self.merge_button.clicked.connect(self.merge)
        self.dismiss_button = named_button("notDuplicate", _tr("Không phải trùng"))
        self.dismiss_button.clicked.connect(self.dismiss)
        self.why = QLabel()
        self.why.setObjectName("whyNotMerge")
        self.why.setWordWrap(True)
        # The two cards side by side, scrolled together: on a small screen the page stays
        # within the window, and row N of one card stays level with row N of the other.
        pair = QWidget()
        cards = QHBoxLayout(pair)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.addWidget(self.first, 1)
        cards.addWidget(self.second, 1)
        self.cards = QScrollArea()
        self.cards.setObjectName("pairCards")
        self.cards.setFrameShape(QFrame.Shape.NoFrame)
        self.cards.setWidgetResizable(True)
        self.cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards.setWidget(pair)
        buttons = QHBoxLayout()
        buttons.addWidget(self.why, 1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.merge_button)
        review = QWidget()
        review_layout = QVBoxLayout(review)
        review_layout.setContentsMargins(0, 0, 0, 0)
        review_layout.addWidget(self.cards, 1)
        review_layout.addLayout(buttons)

        self.merges = ListModel(MERGE_COLUMNS)
        self.merges_view = make_table("mergesTable")
        self.merges_view.setModel(self.merges)
        self.merges_view.selectionModel().selectionChanged.connect(lambda *_: self._merge_chosen())
        self.unmerge_button = named_button("unmergeButton", _tr("Tách lại"))
        self.unmerge_button.clicked.connect(self.unmerge)
        done = QWidget()
        done_layout = QVBoxLayout(done)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_bar = QHBoxLayout()
        done_bar.addWidget(
            QLabel(_tr("Đã gộp (tách lại được đến khi làm gói bàn giao tiếp theo):"))
        )
        done_bar.addStretch(1)
        done_bar.addWidget(self.unmerge_button)
        done_layout.addLayout(done_bar)
        done_layout.addWidget(self.merges_view, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("duplicatesSplitter")
        split.addWidget(self.view)
        split.addWidget(review)
        split.addWidget(done)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.refresh()

    def refresh(self) -> None:
        """Look for possible duplicates again, and the merges that can still be undone."""
        found = duplicates.possible_pairs(self.reg, LIMIT)
        cards = {c["id"]: c for c in duplicates.cards(
            self.reg, sorted({i for p in found for i in (p.first, p.second)}))}  # fmt: skip
        self.pairs.set_rows([
            {"id": f"{p.first}|{p.second}", "reasons": p.reasons, "first": cards[p.first],
             "second": cards[p.second]} for p in found])  # fmt: skip
        self.view.resizeColumnsToContents()
        if not found:
            self.summary.setText(_tr("Không thấy hồ sơ nào có thể trùng."))
        elif len(found) >= LIMIT:
            text = _tr("%1 cặp đầu tiên có thể trùng (dấu hiệu mạnh nhất trước); xem xét xong sẽ "
                       "hiện các cặp khác.")  # fmt: skip
            self.summary.setText(text.replace("%1", str(LIMIT)))
        else:
            text = _tr("%1 cặp hồ sơ có thể là cùng một người: xem hai bên rồi chọn “Gộp” hoặc "
                       "“Không phải trùng”.")  # fmt: skip
            self.summary.setText(text.replace("%1", str(len(found))))
        self.merges.set_rows(merging.merges(self.reg))
        self.merges_view.resizeColumnsToContents()
        if found:
            self.view.selectRow(0)
        self._pair_chosen()
        self._merge_chosen()

    def chosen(self) -> dict[str, Any] | None:
        """The pair selected, if any."""
        rows = self.view.selectionModel().selectedRows()
        return self.pairs.row(rows[0].row()) if rows else None

    def _pair_chosen(self) -> None:
        pair = self.chosen()
        self.first.show_card(pair["first"] if pair else None)
        self.second.show_card(pair["second"] if pair else None)
        refused = chief_refusal(self.reg, merging.MERGE_WHAT)
        self.merge_button.setEnabled(pair is not None and not refused)
        self.merge_button.setToolTip(refused)
        self.dismiss_button.setEnabled(pair is not None)
        self.why.setText(refused if pair is not None else _tr("Chọn một cặp ở danh sách trên."))

    def _merge_chosen(self) -> None:
        rows = self.merges_view.selectionModel().selectedRows()
        merge = self.merges.row(rows[0].row()) if rows else None
        self.unmerge_button.setEnabled(merge is not None and not merge["refusal"])
        self.unmerge_button.setToolTip(merge["refusal"] if merge else _tr("Chọn một lần gộp."))

    def _done(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.register_changed.emit()

    def merge(self) -> None:
        """Merge the chosen pair (the chief chooses which record to keep)."""
        pair = self.chosen()
        if pair:
            self._done(MergeDialog(self.reg, pair["first"], pair["second"], self))

    def dismiss(self) -> None:
        """Remember that the chosen pair are two people."""
        pair = self.chosen()
        if not pair:
            return
        try:
            duplicates.dismiss(self.reg, pair["first"]["id"], pair["second"]["id"])
        except UserError as exc:
            show_failure(self, exc)
            return
        self.refresh()

    def unmerge(self) -> None:
        """Undo the chosen merge."""
        rows = self.merges_view.selectionModel().selectedRows()
        if rows:
            self._done(UnmergeDialog(self.reg, self.merges.row(rows[0].row()), self))
