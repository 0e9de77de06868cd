"""Background tasks: results on the UI thread, progress, and a lifetime the worker alone owns."""

from __future__ import annotations

import gc
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QProgressDialog, QWidget
from shiboken6 import delete, isValid

from db.store.register import Register
from gui.kit import crash, worker
from gui.kit.worker import BackgroundTask, Progress, run_in_background

WAIT_MS = 10_000


def _flush_deletes() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _settled(before: int) -> bool:
    _flush_deletes()
    gc.collect()
    return worker.running_tasks() == 0 and len(worker._ALIVE) <= before


def test_the_result_and_the_progress_come_back_on_the_ui_thread(qtbot: Any, reg: Register) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[Any] = []
    steps: list[tuple[str, int, int]] = []

    def job(own: Register, progress: Progress) -> tuple[bool, str]:
        progress("nửa đường", 1, 2)
        return own is not reg, threading.current_thread().name

    task = BackgroundTask(parent, "Đang làm…", reg, job)
    task.progressed.connect(lambda *step: steps.append(step))
    task.done.connect(results.append)
    task.start()
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    own_connection, thread = results[0]
    assert own_connection and thread != threading.current_thread().name
    assert steps == [("nửa đường", 1, 2)]
    assert not task.running()


def test_a_quiet_task_has_no_progress_dialog(qtbot: Any, reg: Register) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    done: list[Any] = []
    run_in_background(parent, "Thử lại", reg, lambda own, progress: 1, done.append, quiet=True)
    assert parent.findChildren(QProgressDialog) == []
    qtbot.waitUntil(lambda: done == [1], timeout=WAIT_MS)


def test_a_caller_may_drop_its_task_inside_on_done(qtbot: Any, reg: Register) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    before = len(worker._ALIVE)
    held: dict[str, BackgroundTask | None] = {}
    finished: list[Any] = []

    def on_done(result: Any) -> None:
        held["task"] = None  # the last reference the caller had
        gc.collect()
        finished.append(result)

    held["task"] = run_in_background(parent, "Đang làm…", reg, lambda own, p: "xong", on_done)
    qtbot.waitUntil(lambda: finished == ["xong"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _settled(before), timeout=WAIT_MS)


def test_a_task_outlives_a_caller_closed_mid_job(
    qtbot: Any, reg: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    started = threading.Event()
    calls: list[str] = []
    monkeypatch.setattr(worker.QMessageBox, "warning", lambda *a: calls.append("box"))

    def job(own: Register, progress: Progress) -> str:
        started.set()
        release.wait(WAIT_MS / 1000)
        progress("sau khi đóng", 1, 1)
        return "xong"

    before = len(worker._ALIVE)
    parent = QWidget()
    task = run_in_background(
        parent, "Đang làm…", reg, job, lambda r: calls.append("done"), calls.append
    )
    task.progressed.connect(lambda *a: calls.append("progress"))
    assert started.wait(WAIT_MS / 1000)
    delete(parent)  # the screen is closed (and destroyed) while the job runs
    assert not isValid(parent)
    release.set()
    qtbot.waitUntil(lambda: _settled(before), timeout=WAIT_MS)
    assert calls == []  # nobody left to tell: no callback, no box, no crash


def test_wait_blocks_until_the_job_ends(qtbot: Any, reg: Register) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    done: list[Any] = []
    task = run_in_background(
        parent, "Đang làm…", reg, lambda own, p: release.wait(WAIT_MS / 1000), done.append
    )
    assert task.running()
    threading.Timer(0.1, release.set).start()
    task.wait()
    assert not task.running() and release.is_set()
    qtbot.waitUntil(lambda: done == [True], timeout=WAIT_MS)


def test_wait_for_all_lets_every_job_finish(qtbot: Any, reg: Register) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    done: list[Any] = []
    tasks = [
        run_in_background(
            parent, "…", reg, lambda own, p: release.wait(WAIT_MS / 1000), done.append
        )
        for _ in range(2)
    ]
    threading.Timer(0.1, release.set).start()
    worker.wait_for_all()
    assert not any(t.running() for t in tasks)
    assert worker.running_tasks() == 0
    qtbot.waitUntil(lambda: done == [True, True], timeout=WAIT_MS)


def test_a_bug_in_a_job_is_logged_with_a_reference(
    qtbot: Any, reg: Register, tmp_path: Path
) -> None:
    crash.install(tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[str] = []

    def job(own: Register, progress: Progress) -> None:
        raise ValueError("hồ sơ của Lò Văn An")

    run_in_background(parent, "Đang làm…", reg, job, errors.append, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    found = re.search(r"Mã lỗi: ([0-9A-F]{8})", errors[0])
    assert found is not None
    log = (tmp_path / crash.LOG_NAME).read_text(encoding="utf-8")
    assert found.group(1) in log and "ValueError" in log and "Lò Văn An" not in log
