"""The crash hook: an uncaught exception becomes a message with a reference and a log entry that
holds no personal data; a UserError is shown as its own message; nothing loops or crashes."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton

from db.core.errors import DiskFull
from gui.kit import crash

NAME = "Nguyễn Thị Hoà"
PASSWORD = "Bí-mật#2026"
REFERENCE = re.compile(r"Mã lỗi: ([0-9A-F]{8})")


class Boxes:
    """QMessageBox.critical and .warning, recorded instead of shown."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []  # (kind, title, text)
        self.during: Any = None  # called while "showing" (to raise or to fail again)

    def record(self, kind: str) -> Any:
        def show(parent: Any, title: str, text: str, *args: Any) -> Any:
            self.shown.append((kind, title, text))
            if self.during is not None:
                self.during()
            return QMessageBox.StandardButton.Ok

        return show


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    recorded = Boxes()
    monkeypatch.setattr(QMessageBox, "critical", recorded.record("critical"))
    monkeypatch.setattr(QMessageBox, "warning", recorded.record("warning"))
    return recorded


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "logs"
    crash.uninstall()


def _log_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.log*")))


def _personal_error() -> None:
    raise RuntimeError(f"không lưu được {NAME}, mật khẩu {PASSWORD}")


def test_an_exception_in_a_slot_reaches_the_log_and_a_message_box(
    qtbot: Any, boxes: Boxes, log_dir: Path
) -> None:
    # Installed inside the test: pytest-qt puts its own hook back between a test's phases.
    crash.install(log_dir)
    button = QPushButton("Lưu")
    qtbot.addWidget(button)
    button.clicked.connect(_personal_error)

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert len(boxes.shown) == 1
    kind, title, text = boxes.shown[0]
    assert (kind, title) == ("critical", "Lỗi chương trình")
    assert "Chương trình gặp lỗi" in text
    found = REFERENCE.search(text)
    assert found is not None
    reference = found.group(1)
    assert str(log_dir / crash.LOG_NAME) in text
    log = _log_text(log_dir)
    assert reference in log
    assert "RuntimeError" in log
    assert "_personal_error" in log and "test_crash_hook.py" in log
    # Neither the message (a name typed by the officer, a password) nor local values.
    assert NAME not in log and PASSWORD not in log
    assert "không lưu được" not in log
    assert str(Path.home()) not in log  # a Windows account name is often a person's name


def test_an_exception_in_a_timer_is_caught_too(qtbot: Any, boxes: Boxes, log_dir: Path) -> None:
    crash.install(log_dir)
    QTimer.singleShot(0, _personal_error)
    qtbot.waitUntil(lambda: bool(boxes.shown), timeout=5000)
    assert "Chương trình gặp lỗi" in boxes.shown[0][2]
    assert PASSWORD not in _log_text(log_dir)


def test_the_cause_is_logged_by_type_only(boxes: Boxes, log_dir: Path) -> None:
    handler = crash.install(log_dir)
    try:
        try:
            _personal_error()
        except RuntimeError as exc:
            raise KeyError(NAME) from exc
    except KeyError as exc:
        reference = handler.handle(exc)
    log = _log_text(log_dir)
    assert reference is not None and reference in log
    assert "KeyError" in log and "caused by RuntimeError" in log
    assert NAME not in log and PASSWORD not in log


def test_a_user_error_is_shown_as_its_message_not_as_a_bug(
    qtbot: Any, boxes: Boxes, log_dir: Path
) -> None:
    crash.install(log_dir)
    button = QPushButton("Sao lưu")
    qtbot.addWidget(button)

    def full() -> None:
        raise DiskFull(f"Ổ đĩa đầy: không lưu được hồ sơ {NAME}.")

    button.clicked.connect(full)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert boxes.shown == [
        ("warning", "Không thực hiện được", f"Ổ đĩa đầy: không lưu được hồ sơ {NAME}.")
    ]
    log = _log_text(log_dir)
    assert "DiskFull" in log and NAME not in log


def test_an_exception_in_a_python_thread_shows_on_the_ui_thread(
    qtbot: Any, boxes: Boxes, log_dir: Path
) -> None:
    crash.install(log_dir)
    thread = threading.Thread(target=_personal_error, name="helper")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(boxes.shown), timeout=5000)
    assert "Chương trình gặp lỗi" in boxes.shown[0][2]
    log = _log_text(log_dir)
    assert "in thread helper" in log and PASSWORD not in log


def test_an_error_while_the_box_is_open_does_not_loop(boxes: Boxes, log_dir: Path) -> None:
    handler = crash.install(log_dir)
    seen: list[str | None] = []

    def fail_again() -> None:
        # A timer firing under the open box raises again: logged, not a second box.
        seen.append(handler.handle(ValueError(PASSWORD)))

    boxes.during = fail_again
    first = handler.handle(ValueError(NAME))
    assert len(boxes.shown) == 1
    assert first is not None and seen and seen[0] is not None
    log = _log_text(log_dir)
    assert first in log and seen[0] in log
    assert NAME not in log and PASSWORD not in log


def test_a_box_that_fails_does_not_come_back_to_the_hook(boxes: Boxes, log_dir: Path) -> None:
    handler = crash.install(log_dir)

    def broken() -> None:
        raise RuntimeError("the box itself is broken")

    boxes.during = broken
    assert handler.handle(ValueError("x")) is not None
    assert len(boxes.shown) == 1


def test_under_pythonw_without_a_console_or_a_log_nothing_crashes(
    boxes: Boxes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pythonw: no console at all. And the log folder cannot be made (a file is in the way).
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "__stderr__", None)
    blocked = tmp_path / "logs"
    blocked.write_text("not a folder")
    handler = crash.install(blocked)
    assert handler.log_path is None

    def broken() -> None:
        raise RuntimeError("and the box fails too")

    boxes.during = broken
    handler.excepthook(RuntimeError, RuntimeError(PASSWORD), None)
    assert len(boxes.shown) == 1
    assert "Không ghi được nhật ký lỗi" in boxes.shown[0][2]
    crash.uninstall()


def test_the_log_rotates_at_about_a_megabyte_keeping_five(log_dir: Path) -> None:
    handler = crash.install(log_dir)
    files = [h for h in handler.logger.handlers if isinstance(h, RotatingFileHandler)]
    assert len(files) == 1
    assert files[0].maxBytes == 1_000_000 and files[0].backupCount == 5


def test_install_and_uninstall_put_the_hooks_back(log_dir: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    handler = crash.install(log_dir)
    assert sys.excepthook == handler.excepthook
    assert threading.excepthook == handler.thread_excepthook
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_log_folder_is_the_users_log_folder_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from platformdirs import user_log_dir

    monkeypatch.setenv(crash.LOG_DIR_VARIABLE, str(tmp_path))
    assert crash.log_folder() == tmp_path
    monkeypatch.delenv(crash.LOG_DIR_VARIABLE)
    assert crash.log_folder() == Path(user_log_dir("SoTheoDoi", appauthor=False))


def test_a_bug_caught_by_a_form_is_logged_and_shown_with_its_reference(
    qtbot: Any, boxes: Boxes, log_dir: Path
) -> None:
    """show_failure (a form's save that failed with a bug) gives the same reference as the log."""
    from PySide6.QtWidgets import QWidget

    from gui.kit.common import show_failure

    crash.install(log_dir)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        raise KeyError(f"{NAME} {PASSWORD}")
    except KeyError as exc:
        show_failure(parent, exc)
    ((kind, _, text),) = boxes.shown
    assert kind == "critical"
    found = REFERENCE.search(text)
    assert found is not None, text
    log = _log_text(log_dir)
    assert found.group(1) in log
    assert NAME not in log and PASSWORD not in log
