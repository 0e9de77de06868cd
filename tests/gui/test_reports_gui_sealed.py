"""The Reports screen on an encrypted register lists the sealed reports of its outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db.store.register import Register, open_register
from gui.pages.reports import ReportsPage
from reports.build import monthly_report
from tests.support.registers import PASSWORD, TODAY


@pytest.fixture
def secure(secure_path: Path) -> Iterator[Register]:
    with open_register(secure_path, user="chihuy", password=PASSWORD, today=lambda: TODAY) as reg:
        yield reg


def test_the_outbox_of_an_encrypted_register_shows_its_sealed_reports(
    qtbot: Any, secure: Register
) -> None:
    monthly_report(secure, "2026-10")
    page = ReportsPage(secure)
    qtbot.addWidget(page)
    assert page.outbox.sealed
    assert page.outbox_model.rowCount() == 1
    assert not list(page.outbox.folder.glob("*.pdf"))  # nothing in clear beside the register


def test_a_sealed_report_opens_and_saves_in_clear_only_where_asked(
    qtbot: Any, secure: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QFileDialog

    built = monthly_report(secure, "2026-10")
    page = ReportsPage(secure)
    qtbot.addWidget(page)
    page.outbox_view.selectRow(0)
    assert page.current_entry == built.entry.id  # type: ignore[union-attr]
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    page.open_current()
    (shown,) = opened
    assert Path(shown).read_bytes().startswith(b"%PDF")
    assert not Path(shown).is_relative_to(page.outbox.folder)
    target = tmp_path / "bao-cao-thang-10.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.save_current()
    assert target.read_bytes().startswith(b"%PDF")
