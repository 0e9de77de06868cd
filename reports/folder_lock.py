"""One writer at a time in a folder, across threads and processes: a lock file made with
O_EXCL, taken over when a program that died mid-write left it (older than a minute)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from db.core.errors import UserError

_STALE_S = 60
_WAIT_S = 10
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold `folder/.lock` for the block; UserError if another program keeps it past 10 s."""
    key = str(Path(folder).resolve())
    with _guard:
        thread_lock = _locks.setdefault(key, threading.Lock())
    with thread_lock:
        lock = Path(folder) / ".lock"
        deadline = time.monotonic() + _WAIT_S
        while True:
            try:
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                break
            except FileExistsError:
                with contextlib.suppress(OSError):
                    if time.time() - lock.stat().st_mtime > _STALE_S:
                        lock.unlink()  # left by a program that died mid-write
                        continue
                if time.monotonic() > deadline:
                    raise UserError(
                        f"Hộp thư đi “{folder}” đang được chương trình khác ghi; "
                        "hãy thử lại sau ít phút."
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
