"""Qt fixtures: only the window tests use Qt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window geometry and the last screen are saved by QSettings: keep them out of the real
    user's settings (and out of other tests') by pointing QSettings at a temporary folder."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@pytest.fixture
def no_message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes would block an offscreen test: note their texts instead."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: shown.append(a[2]))
    return shown


@pytest.fixture(autouse=True, scope="session")
def _private_crash_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The crash log (gui/kit/crash.py) goes to a temporary folder, never the user's."""
    import os

    from gui.kit.crash import LOG_DIR_VARIABLE

    folder = tmp_path_factory.mktemp("logs")
    before = os.environ.get(LOG_DIR_VARIABLE)
    os.environ[LOG_DIR_VARIABLE] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(LOG_DIR_VARIABLE, None)
    else:
        os.environ[LOG_DIR_VARIABLE] = before


@pytest.fixture(autouse=True)
def _no_crash_hook_left() -> Iterator[None]:
    """A test that installs the crash hook leaves Python's hooks as they were."""
    yield
    from gui.kit import crash

    crash.uninstall()


@pytest.fixture(autouse=True)
def _no_task_from_an_earlier_test() -> None:
    """A background job an earlier test's screen started (the today list) finishes before the
    next test starts, so tests that count or wait for jobs see only their own."""
    from gui.kit.worker import wait_for_all

    wait_for_all()
