"""Growing delays after wrong passwords, kept beside the register in `<register>.attempts`.

Wrong passwords cannot be counted inside the register: it is encrypted, and a wrong password is
exactly the case where it cannot be opened. The counts are a small JSON file; losing it only
forgets the delays. (Someone who copies the files can guess offline without any delay — that is
what the slow scrypt of each key slot is for.)
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.core.errors import TooManyAttempts, UserError
from db.core.files import atomic_write

ATTEMPTS_SUFFIX = ".attempts"
FREE_ATTEMPTS = 3  # typos: no wait after the first two
MAX_DELAY = 15 * 60
_MAX_ENTRIES = 200  # a stream of made-up login names cannot grow the file without end

Clock = Callable[[], float]


def attempts_path(db_path: Path) -> Path:
    """The file of failure counts beside a register."""
    return db_path.with_name(db_path.name + ATTEMPTS_SUFFIX)


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` wrong passwords in a row: 0, 0, 2, 4, 8 … 15 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY))


def _read(db_path: Path) -> dict[str, Any]:
    try:
        data = json.loads(attempts_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(db_path: Path, data: dict[str, Any]) -> None:
    if len(data) > _MAX_ENTRIES:
        newest = sorted(data.items(), key=lambda kv: kv[1].get("last", 0), reverse=True)
        data = dict(newest[:_MAX_ENTRIES])
    # A read-only folder must not stop a login; only the delay is forgotten.
    with contextlib.suppress(UserError):
        atomic_write(attempts_path(db_path), json.dumps(data).encode("utf-8"), private=True)


def failures(db_path: Path, login: str) -> int:
    """Wrong passwords in a row for a login."""
    return int(_read(db_path).get(login, {}).get("failures", 0))


def check(db_path: Path, login: str, clock: Clock = time.time) -> None:
    """TooManyAttempts if this login must still wait before the next try."""
    entry = _read(db_path).get(login, {})
    count = int(entry.get("failures", 0))
    wait = float(entry.get("last", 0)) + delay_after(count) - clock()
    if count and wait > 0:
        seconds = math.ceil(wait)
        raise TooManyAttempts(
            f"Đã nhập sai mật khẩu {count} lần liền. Hãy đợi {seconds} giây rồi thử lại.",
            wait_seconds=seconds,
        )


def record_failure(db_path: Path, login: str, clock: Clock = time.time) -> int:
    """Count one more wrong password; returns the count."""
    data = _read(db_path)
    count = int(data.get(login, {}).get("failures", 0)) + 1
    data[login] = {"failures": count, "last": clock()}
    _write(db_path, data)
    return count


def record_success(db_path: Path, login: str) -> int:
    """Forget the failures of a login; returns how many there were (for the audit log)."""
    data = _read(db_path)
    entry = data.pop(login, None)
    if entry is None:
        return 0
    _write(db_path, data)
    return int(entry.get("failures", 0))
