"""Slow work off the UI thread: its own register connection, progress and the result by signal.

    run_in_background(self, self.tr("Đang lập báo cáo…"), reg, job, on_done)

`job(worker_reg, progress)` runs in a QThread with a connection of its own (SQLite connections
are not shared between threads); `progress(text, done, total)` moves the dialog's bar (and the
task's `progressed` signal, for a page's own bar). The result comes back to `on_done` on the UI
thread; a `UserError` is shown as its message, anything else as a bug with the crash log's
reference. Widgets are never touched from the worker.

This module alone decides how long a task lives. A task belongs to no widget: it keeps itself
alive from `start()` until Qt has destroyed it, so a caller may drop its reference (even inside
`on_done`) or be closed mid-job; a task whose caller is gone finishes quietly. A caller that must
not go on before the job ends asks `task.wait()`; leaving the program waits for every job.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget
from shiboken6 import isValid

from db.core.errors import UserError
from db.store.register import Register
from gui.kit import crash

Progress = Callable[[str, int, int], None]
Job = Callable[[Register, Progress], Any]

# Tasks keep themselves alive here from start until Qt has destroyed them: a caller that drops
# its reference inside on_done must not let Python free the wrapper Qt is about to delete.
_ALIVE: set[BackgroundTask] = set()
_quit_hooked = False


def wait_for_all() -> None:
    """Let running jobs finish (closing the window mid-job must not destroy a live thread)."""
    for task in list(_ALIVE):
        if isValid(task):
            task.wait()


def running_tasks() -> int:
    """How many jobs are still running (for tests and the quit check)."""
    return sum(1 for task in list(_ALIVE) if isValid(task) and task.running())


class _Worker(QObject):
    progressed = Signal(str, int, int)
    finished = Signal(object)
    failed = Signal(object, str)

    def __init__(self, reg: Register, job: Job) -> None:
        super().__init__()
        self._reg = reg  # only its path, account and key are read, by reopen()
        self._job = job

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
    """One background job with its thread, worker and progress dialog.

    `quiet`: no progress dialog (automatic retries that work unseen)."""

    done = Signal(object)
    error = Signal(str)
    progressed = Signal(str, int, int)  # text, done, total: for a page's own progress bar

    def __init__(
        self, parent: QWidget, title: str, reg: Register, job: Job, *, quiet: bool = False
    ) -> None:
        # No Qt parent: a widget closed mid-job would otherwise destroy the running thread.
        super().__init__()
        self._parent = parent
        self._job_thread = QThread(self)
        self._worker = _Worker(reg, job)
        self._worker.moveToThread(self._job_thread)
        self._dialog: QProgressDialog | None = None
        if not quiet:
            dialog = QProgressDialog(title, "", 0, 0, parent)
            dialog.setObjectName("progressDialog")
            dialog.setCancelButton(None)
            dialog.setMinimumDuration(300)
            dialog.setWindowTitle(title)
            self._dialog = dialog
        self._job_thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the job."""
        global _quit_hooked
        _ALIVE.add(self)
        self.destroyed.connect(_forget_dead)
        app = QCoreApplication.instance()
        if app is not None and not _quit_hooked:
            # Qt aborts when a running QThread is destroyed: leaving waits for every job.
            app.aboutToQuit.connect(wait_for_all)
            _quit_hooked = True
        self._job_thread.start()

    def running(self) -> bool:
        """Whether the job is still working."""
        return isValid(self._job_thread) and self._job_thread.isRunning()

    def wait(self) -> None:
        """Block until the job has ended (its result still arrives through the event loop)."""
        if isValid(self._job_thread):
            self._job_thread.quit()  # the thread's loop ends as soon as the job returns
            self._job_thread.wait()

    def _caller_alive(self) -> bool:
        return isValid(self._parent)

    @Slot(str, int, int)
    def _on_progress(self, text: str, done: int, total: int) -> None:
        if self._dialog is not None and isValid(self._dialog):
            self._dialog.setLabelText(text)
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(min(done, max(total, 1)))
        if self._caller_alive():
            self.progressed.emit(text, done, total)

    def _stop(self) -> None:
        if self._dialog is not None and isValid(self._dialog):
            self._dialog.reset()
            self._dialog.hide()
            self._dialog.deleteLater()
        self.wait()
        self.deleteLater()

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self._stop()
        if self._caller_alive():
            self.done.emit(result)

    @Slot(object, str)
    def _on_failed(self, exc: object, trace: str) -> None:
        self._stop()
        if isinstance(exc, UserError):
            message = exc.message
        else:
            reference = crash.report_bug(exc) if isinstance(exc, BaseException) else None
            last = trace.strip().splitlines()[-1] if trace else str(exc)
            message = self.tr(
                "Lỗi chương trình (không phải do dữ liệu nhập); sổ không bị ghi dở.\n\n%1"
            ).replace("%1", last)
            if reference is not None:
                message += "\n" + self.tr("Mã lỗi: %1").replace("%1", reference)
        if not self._caller_alive():
            return  # the screen that asked was closed: nobody to tell
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
    *,
    quiet: bool = False,
) -> BackgroundTask:
    """Run `job` off the UI thread; `on_done(result)` runs on the UI thread when it ends."""
    task = BackgroundTask(parent, title, reg, job, quiet=quiet)
    task.done.connect(on_done)
    if on_error is not None:
        task.error.connect(on_error)
    task.start()
    return task
