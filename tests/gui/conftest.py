"""Qt fixtures: only the window tests use Qt."""

from __future__ import annotations

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
