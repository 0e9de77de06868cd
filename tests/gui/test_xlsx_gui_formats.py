"""The import's file dialog offers every format the register reads (db.excel.book)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from db.store.register import Register
from gui.pages.excel import ExcelPage


def test_the_import_dialog_offers_excel_libreoffice_and_csv(
    qtbot: Any, reg: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[Any, ...]] = []

    def chooser(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args)
        return "", ""  # the officer cancels: nothing happens

    monkeypatch.setattr(QFileDialog, "getOpenFileName", chooser)
    page = ExcelPage(reg)
    qtbot.addWidget(page)
    page.choose_import()
    (args,) = asked
    first = args[3].split(";;")[0]
    for pattern in ("*.xlsx", "*.xls", "*.ods", "*.csv"):
        assert pattern in first.split("(")[1]
    assert page.plan is None
