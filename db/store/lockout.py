"""Growing delays after wrong passwords, counted where they cannot simply be deleted.

Wrong passwords cannot be counted inside the register: it is encrypted, and a wrong password is
exactly the case where it cannot be opened. They are counted in the key file beside it (its
`lockout` section), which password logins need: deleting it stops every password, not the
delays. Each try — read the counts, wait if due, scrypt, record — runs under an exclusive lock
(`<register>.keys.lock`), so tries made in parallel are counted one after another; and the key
file is rewritten under the same lock by everything else that changes it (accounts, passwords),
so no change is lost between them.

- Per account: after FREE_ATTEMPTS wrong passwords in a row the next try waits 2 s, then 4, 8 …
  up to MAX_DELAY; a success forgets them.
- For the whole register (`*`): every wrong try, with a known or a made-up login name, counts;
  after GLOBAL_FREE of them in a row every login waits the same way. Made-up names are not kept
  one by one, so a stream of them neither grows the file nor pushes a real account's count out.

What this does not stop: someone who copies the register and its key file guesses offline with
no delay at all (that is what scrypt's cost and 8+ character passwords are for), and someone who
can replace the key file with an older copy also resets its counts. On read-only media nothing
can be counted. An `.attempts` file of an older version is folded in and removed.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from db.core.errors import TooManyAttempts, UserError
from db.store import hold
from db.store.keyfile import keys_path, read_keys, write_keys

ATTEMPTS_SUFFIX = ".attempts"  # an older version's counts (folded into the key file)
LOCK_SUFFIX = ".keys.lock"
FREE_ATTEMPTS = 3  # typos: no wait after the first two
GLOBAL_FREE = 10  # wrong tries in a row across all names before everyone waits
MAX_DELAY = 15 * 60
EVERYONE = "*"

Clock = Callable[[], float]
_held = threading.local()


def attempts_path(db_path: Path) -> Path:
    """An older version's file of failure counts beside a register."""
    return db_path.with_name(db_path.name + ATTEMPTS_SUFFIX)


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` wrong passwords in a row: 0, 0, 2, 4, 8 … 15 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0
    return int(min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY))


def _delay_everyone(failures: int) -> int:
    return delay_after(failures - (GLOBAL_FREE - FREE_ATTEMPTS))


@contextlib.contextmanager
def editing_keys(db_path: Path) -> Iterator[None]:
    """Hold the key file's lock while reading and rewriting it (re-entrant in one thread)."""
    depth: dict[Path, int] = getattr(_held, "depth", None) or {}
    _held.depth = depth
    key = db_path.resolve()
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    lock = hold.exclusive_file(db_path.with_name(db_path.name + LOCK_SUFFIX))
    depth[key] = 1
    try:
        yield
    finally:
        depth[key] = 0
        if lock is not None:
            lock.release()


def _counts(db_path: Path) -> dict[str, dict[str, float]]:
    if not keys_path(db_path).exists():
        return {}
    counts = dict(read_keys(db_path).lockout)
    legacy = attempts_path(db_path)
    if legacy.exists():
        with contextlib.suppress(OSError, ValueError, RecursionError):
            raw = legacy.read_bytes()[: 1 << 16]
            older = json.loads(raw)
            if isinstance(older, dict):
                for login, entry in older.items():
                    if isinstance(entry, dict) and isinstance(entry.get("failures"), int):
                        mine = counts.get(str(login), {"failures": 0, "last": 0.0})
                        counts[str(login)] = {
                            "failures": max(int(mine["failures"]), int(entry["failures"])),
                            "last": max(float(mine["last"]), float(entry.get("last", 0))),
                        }
        _write(db_path, counts)
        with contextlib.suppress(OSError):
            legacy.unlink()
    return counts


def _write(db_path: Path, counts: dict[str, dict[str, float]]) -> None:
    # A read-only folder must not stop a login; only the delay is forgotten.
    with contextlib.suppress(UserError):
        found = read_keys(db_path)
        found.lockout = {k: v for k, v in counts.items() if v.get("failures")}
        write_keys(db_path, found)


def failures(db_path: Path, login: str) -> int:
    """Wrong passwords in a row for a login."""
    with editing_keys(db_path):
        return int(_counts(db_path).get(login, {}).get("failures", 0))


def _wait(entry: dict[str, float], delay: Callable[[int], int], now: float) -> float:
    count = int(entry.get("failures", 0))
    return float(entry.get("last", 0)) + delay(count) - now if count else 0.0


def check(db_path: Path, login: str, clock: Clock = time.time) -> None:
    """TooManyAttempts if this login (or every login) must still wait before the next try."""
    with editing_keys(db_path):
        counts = _counts(db_path)
    now = clock()
    own = counts.get(login, {})
    wait = max(_wait(own, delay_after, now), _wait(counts.get(EVERYONE, {}), _delay_everyone, now))
    if wait > 0:
        seconds = math.ceil(wait)
        count = int(own.get("failures", 0)) or int(counts[EVERYONE]["failures"])
        raise TooManyAttempts(
            f"Đã nhập sai mật khẩu {count} lần liền. Hãy đợi {seconds} giây rồi thử lại.",
            wait_seconds=seconds,
        )


def record_failure(db_path: Path, login: str | None, clock: Clock = time.time) -> int:
    """Count one more wrong password (`login` None: a name with no slot, counted only for
    everyone); returns the count that decides the next delay."""
    with editing_keys(db_path):
        counts = _counts(db_path)
        now = clock()
        everyone = int(counts.get(EVERYONE, {}).get("failures", 0)) + 1
        counts[EVERYONE] = {"failures": everyone, "last": now}
        own = 0
        if login is not None:
            own = int(counts.get(login, {}).get("failures", 0)) + 1
            counts[login] = {"failures": own, "last": now}
        _write(db_path, counts)
    return max(own, everyone - (GLOBAL_FREE - FREE_ATTEMPTS))


def record_success(db_path: Path, login: str) -> int:
    """Forget the failures of a login (and the run of failures for everyone); returns how many
    there were for it (for the audit log)."""
    with editing_keys(db_path):
        counts = _counts(db_path)
        entry = counts.pop(login, None)
        if entry is None and EVERYONE not in counts:
            return 0
        counts.pop(EVERYONE, None)
        _write(db_path, counts)
    return int((entry or {}).get("failures", 0))
