"""Slow work off the UI thread: its own register connection, progress and the result by signal.

    run_in_background(self, self.tr("Đang lập báo cáo…"), reg, job, on_done)

`job(worker_reg, progress)` runs in a QThread with a connection of its own (SQLite connections
are not shared between threads); `progress(text, done, total)` moves the dialog's bar. The result
comes back to `on_done` on the UI thread; a `UserError` is shown as its message, anything else as
a bug. Widgets are never touched from the worker.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from db.core.errors import UserError
from db.store.register import Register

Progress = Callable[[str, int, int], None]
Job = Callable[[Register, Progress], Any]

# Tasks keep themselves alive here from start until Qt has destroyed them: a caller that drops
# its reference inside on_done must not let Python free the wrapper Qt is about to delete.
_ALIVE: set[BackgroundTask] = set()


def wait_for_all() -> None:
    """Let running jobs finish (closing the window mid-job must not destroy a live thread)."""
    for task in list(_ALIVE):
        if isValid(task) and isValid(task.thread) and task.thread.isRunning():
            task.thread.quit()
            task.thread.wait()


class _Worker(QObject):
    progressed = Signal(str, int, int)
    finished = Signal(object)
    failed = Signal(object, str)

    def __init__(self, reg: Register, job: Job) -> None:
        super().__init__()
        self._reg = reg  # only its path, account and key are read, by reopen()
        self._job = job
        self.cancelled = False

    @Slot()
    def run(self) -> None:
        try:
            # The same account (and, for an encrypted register, the key) on a new connection.
            with self._reg.reopen() as own:
                result = self._job(own, self._progress)
        except UserError as exc:
            self.failed.emit(exc, "")
        except Exception as exc:  # noqa: BLE001 - reported to the person as a bug
            self.failed.emit(exc, traceback.format_exc())
        else:
            self.finished.emit(result)

    def _progress(self, text: str, done: int, total: int) -> None:
        self.progressed.emit(text, done, total)


class BackgroundTask(QObject):
    """One background job with its thread, worker and progress dialog."""

    done = Signal(object)
    error = Signal(str)

    def __init__(self, parent: QWidget, title: str, reg: Register, job: Job) -> None:
        super().__init__(parent)
        self._parent = parent
        self.thread = QThread(self)
        self.worker = _Worker(reg, job)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog(title, "", 0, 0, parent)
        self.dialog.setObjectName("progressDialog")
        self.dialog.setCancelButton(None)
        self.dialog.setMinimumDuration(300)
        self.dialog.setWindowTitle(title)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the job."""
        _ALIVE.add(self)
        self.destroyed.connect(_forget_dead)
        self.thread.start()

    @Slot(str, int, int)
    def _on_progress(self, text: str, done: int, total: int) -> None:
        self.dialog.setLabelText(text)
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))

    def _stop(self) -> None:
        self.dialog.reset()
        self.dialog.hide()
        self.thread.quit()
        self.thread.wait()
        self.deleteLater()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._stop()
        self.done.emit(result)

    @Slot(object, str)
    def _on_failed(self, exc: object, trace: str) -> None:
        self._stop()
        if isinstance(exc, UserError):
            message = exc.message
        else:
            message = self.tr(
                "Lỗi chương trình (không phải do dữ liệu nhập); sổ không bị ghi dở.\n\n%1"
            ).replace("%1", trace.strip().splitlines()[-1] if trace else str(exc))
        self.error.emit(message)
        if self._parent.isVisible():
            QMessageBox.warning(self._parent, self.tr("Không thực hiện được"), message)


def _forget_dead() -> None:
    for task in list(_ALIVE):
        if not isValid(task):
            _ALIVE.discard(task)


def run_in_background(
    parent: QWidget,
    title: str,
    reg: Register,
    job: Job,
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None] | None = None,
) -> BackgroundTask:
    """Run `job` off the UI thread; `on_done(result)` runs on the UI thread when it ends."""
    task = BackgroundTask(parent, title, reg, job)
    task.done.connect(on_done)
    if on_error is not None:
        task.error.connect(on_error)
    task.start()
    return task
