"""The window driven as an officer drives it (offscreen)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from db import actions, drugtests, people, places
from db.register import open_register
from gui.main_window import MainWindow
from gui.models import ID_ROLE, DueModel, PeopleModel


@pytest.fixture
def filled(tmp_path):
    reg = open_register(tmp_path / "so.db", create=True, today=lambda: date(2026, 11, 20))
    village = places.save_village(reg, {"name": "Bản Pá Khôm", "population": 500})
    names = ["Đặng Văn Đức", "Nguyễn Thị Ánh", "Lò Văn An", "Giàng A Páo", "Quàng Thị Ân"]
    ids = [people.add_person(reg, {"full_name": n, "village_id": village}) for n in names]
    drugtests.record_test(reg, ids[0], "18/11/2026", positives="MET")
    yield reg, ids
    reg.close()


def test_models_pass_qtmodeltester(qtmodeltester, filled):
    reg, _ = filled
    qtmodeltester.check(PeopleModel(reg))
    from db.due import due_items

    qtmodeltester.check(DueModel(due_items(reg)))


def test_register_lists_people_in_vietnamese_order(qtbot, filled):
    reg, _ = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    model = window.people_model
    shown = [model.index(r, PeopleModel.NAME).data() for r in range(model.rowCount())]
    # Given name first, Vietnamese alphabet: An < Ánh < Ân < Đức < Páo.
    assert shown == ["Lò Văn An", "Nguyễn Thị Ánh", "Quàng Thị Ân", "Đặng Văn Đức", "Giàng A Páo"]


def test_typing_without_diacritics_finds_the_person(qtbot, filled):
    reg, ids = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(1)
    qtbot.keyClicks(window.search, "dang duc")
    qtbot.waitUntil(lambda: window.people_model.rowCount() == 1, timeout=2000)
    index = window.people_model.index(0, PeopleModel.NAME)
    assert index.data() == "Đặng Văn Đức"
    assert index.data(ID_ROLE) == ids[0]
    assert window.people_count.text() == "1 người"


def test_positive_test_shows_overdue_decision_in_red(qtbot, filled):
    reg, ids = filled
    window = MainWindow(reg)
    qtbot.addWidget(window)
    model = window.due_model
    rows = [
        r for r in range(model.rowCount()) if model.index(r, DueModel.NAME).data() == "Đặng Văn Đức"
    ]
    assert rows, "the positive test must put its follow-up on the today screen"
    detail = model.index(rows[0], DueModel.DETAIL).data()
    assert "ra quyết định quản lý trước 23/11/2026" in detail
    # Due 23/11 is not overdue on 20/11, so the row is not red yet.
    assert model.index(rows[0], DueModel.DUE).data(Qt.ItemDataRole.ForegroundRole) is None
    actions.management_decision(reg, ids[0], "20/11/2026", decision_no="01/QĐ-UBND")
    window.refresh_due()
    names = [model.index(r, DueModel.DETAIL).data() for r in range(model.rowCount())]
    assert not any("ra quyết định quản lý trước" in (n or "") for n in names)
