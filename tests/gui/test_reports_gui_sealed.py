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
