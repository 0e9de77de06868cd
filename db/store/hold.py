"""Who holds a register file: every open instance shares it; a replacer must hold it alone.

Two small lock files sit beside a register (they hold nothing and are never removed):

- `<register>.lock`: every open connection (the window, each worker thread, each command) holds
  a **shared** OS lock on it for as long as it is open, taken *before* SQLite opens the file.
  Anything that replaces or removes the register file — restore, encryption, a migration —
  takes it **exclusive** first. So a replacement waits for nobody and is refused while anyone
  has the register open ("close the window first"), and nobody is ever left writing into a file
  (or a `-wal`/`-shm`) that was swapped or removed under them. An instance that starts while a
  replacement runs waits for it (`WAIT_SECONDS`) and then opens the new file.
- `<register>.window.lock`: the window holds it exclusive while it runs, so a second window on
  the same register is refused with a message (`hold_window`). Commands do not take it.

The locks are the OS's advisory file locks (`flock` on POSIX, `LockFileEx` on Windows): they
belong to an open file, end with it, and are released by the OS when a process is killed, so a
crash never leaves a register held. Both lock files are created readable by the user only.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from pathlib import Path

from db.core.errors import RegisterLocked

LOCK_SUFFIX = ".lock"
WINDOW_SUFFIX = ".window.lock"
# How long an opener waits for a restore or an encryption to finish, and how long a replacer
# waits for other instances to close, before saying so.
WAIT_SECONDS = 15.0
_POLL = 0.05


def lock_path(db_path: Path) -> Path:
    """The lock file every open instance of a register holds shared."""
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


def window_lock_path(db_path: Path) -> Path:
    """The lock file the one window on a register holds."""
    return db_path.with_name(db_path.name + WINDOW_SUFFIX)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2

    class _Overlapped(ctypes.Structure):
        _fields_ = [
            ("Internal", ctypes.c_void_p),
            ("InternalHigh", ctypes.c_void_p),
            ("Offset", wintypes.DWORD),
            ("OffsetHigh", wintypes.DWORD),
            ("hEvent", wintypes.HANDLE),
        ]

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.LockFileEx.argtypes = [
        wintypes.HANDLE, wintypes.DWORD, wintypes.DWORD, wintypes.DWORD, wintypes.DWORD,
        ctypes.POINTER(_Overlapped),
    ]  # fmt: skip
    _kernel32.LockFileEx.restype = wintypes.BOOL
    _kernel32.UnlockFileEx.argtypes = [
        wintypes.HANDLE, wintypes.DWORD, wintypes.DWORD, wintypes.DWORD,
        ctypes.POINTER(_Overlapped),
    ]  # fmt: skip
    _kernel32.UnlockFileEx.restype = wintypes.BOOL

    def _try_lock(fd: int, exclusive: bool) -> bool:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        handle = wintypes.HANDLE(msvcrt.get_osfhandle(fd))
        return bool(_kernel32.LockFileEx(handle, flags, 0, 1, 0, ctypes.byref(_Overlapped())))

    def _unlock(fd: int) -> None:
        handle = wintypes.HANDLE(msvcrt.get_osfhandle(fd))
        _kernel32.UnlockFileEx(handle, 0, 1, 0, ctypes.byref(_Overlapped()))

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class Hold:
    """A lock held on one lock file (shared or exclusive) until `release()`."""

    def __init__(self, path: Path, fd: int, exclusive: bool) -> None:
        self.path, self._fd, self.exclusive = path, fd, exclusive

    @property
    def held(self) -> bool:
        """Whether the lock is still held."""
        return self._fd >= 0

    def share(self) -> None:
        """Turn an exclusive hold into a shared one (others may open the register again)."""
        if self._fd < 0 or not self.exclusive:
            return
        _unlock(self._fd)
        if not _wait(self._fd, exclusive=False, seconds=WAIT_SECONDS):
            self.release()
            raise _busy_opening(self.path)
        self.exclusive = False

    def release(self) -> None:
        """Let go (closing the file releases the OS lock)."""
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            with contextlib.suppress(OSError):
                _unlock(fd)
            os.close(fd)

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # a Register dropped without close() must not keep its hold
        self.release()


def _wait(fd: int, *, exclusive: bool, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _try_lock(fd, exclusive):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)
    return True


def _open_lock_file(path: Path) -> int | None:
    """The lock file, made if missing (private); None where it cannot be (read-only media)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, 0o600)
    except OSError:
        pass
    try:  # a lock file someone else made, in a folder we may not write to
        return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None


def _still_there(path: Path, fd: int) -> bool:
    """Whether the locked file is still the one at `path` (a lock on a file someone removed
    meanwhile would exclude nobody)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def exclusive_file(path: Path, *, wait: float | None = None) -> Hold | None:
    """An exclusive lock on the lock file `path` (made if missing), waiting up to `wait`
    seconds; None where no lock file can exist (read-only media). Used to serialise short
    read-modify-writes of a small file between programs (the key file)."""
    wait = WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    while True:
        fd = _open_lock_file(path)
        if fd is None:
            return None
        if _wait(fd, exclusive=True, seconds=max(0.0, deadline - time.monotonic())):
            if _still_there(path, fd):
                return Hold(path, fd, exclusive=True)
            os.close(fd)  # removed while we waited: lock the file that is there now
            continue
        os.close(fd)
        raise RegisterLocked(
            f"Tệp “{path}” đang bị một chương trình khác giữ quá {wait:.0f} giây. Hãy thử lại."
        )


def _busy_opening(db_path: Path) -> RegisterLocked:
    return RegisterLocked(
        f"Sổ “{db_path}” đang được khôi phục, mã hóa hoặc nâng cấp ở một chương trình khác "
        f"(đã đợi {WAIT_SECONDS:.0f} giây). Hãy đợi việc đó xong rồi mở lại; không có gì bị "
        "thay đổi."
    )


def share(db_path: Path, *, wait: float | None = None) -> Hold | None:
    """The shared hold every open instance keeps; None on media where no lock file can exist
    (a read-only stick: nobody can replace the register there either)."""
    lock = lock_path(db_path)
    fd = _open_lock_file(lock)
    if fd is None:
        return None
    if not _wait(fd, exclusive=False, seconds=WAIT_SECONDS if wait is None else wait):
        os.close(fd)
        raise _busy_opening(db_path)
    return Hold(lock, fd, exclusive=False)


def try_alone(db_path: Path) -> Hold | None:
    """An exclusive hold if nobody else has the register open right now, else None (no wait)."""
    fd = _open_lock_file(lock_path(db_path))
    if fd is None:
        return None
    if not _try_lock(fd, exclusive=True):
        os.close(fd)
        return None
    return Hold(lock_path(db_path), fd, exclusive=True)


def alone(db_path: Path, what: str, *, wait: float | None = None) -> Hold:
    """The exclusive hold a replacement needs (`what`: "khôi phục sổ"), waiting `wait` seconds
    for others to close; RegisterLocked naming what to close otherwise."""
    fd = _open_lock_file(lock_path(db_path))
    if fd is None:
        raise RegisterLocked(
            f"Không {what} được: thư mục của sổ “{db_path}” chỉ đọc hoặc không có quyền ghi."
        )
    if not _wait(fd, exclusive=True, seconds=WAIT_SECONDS if wait is None else wait):
        os.close(fd)
        raise RegisterLocked(
            f"Sổ “{db_path}” đang mở ở nơi khác (cửa sổ chương trình, hoặc một lệnh đang chạy) "
            f"nên chưa {what} được: không thể thay tệp sổ khi còn người đang ghi vào. Hãy đóng "
            "cửa sổ Sổ theo dõi và đợi các lệnh khác xong rồi thử lại; sổ không bị thay đổi."
        )
    return Hold(lock_path(db_path), fd, exclusive=True)


def hold_window(db_path: str | os.PathLike[str]) -> Hold:
    """The window's claim on a register, held while it runs; a second window is refused.

    `gui.app` calls it before the login and keeps it until the window closes.
    """
    path = Path(db_path).expanduser()
    lock = window_lock_path(path)
    fd = _open_lock_file(lock)
    if fd is None:  # read-only media: nothing to protect against, nothing can be written
        fd = os.open(os.devnull, os.O_RDONLY)
        return Hold(lock, fd, exclusive=True)
    if not _try_lock(fd, exclusive=True):
        os.close(fd)
        raise RegisterLocked(
            f"Sổ “{path}” đang mở trong một cửa sổ Sổ theo dõi khác trên máy này. Hãy dùng cửa "
            "sổ đó (có thể đang thu nhỏ dưới thanh tác vụ); mỗi sổ chỉ mở một cửa sổ."
        )
    return Hold(lock, fd, exclusive=True)
