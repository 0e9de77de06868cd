"""Writing a file whole or not at all, and saying plainly why a write failed.

Every file the program writes outside SQLite — key slots, the lockout counter, reports, Excel
files, handover bundles, the key file beside a backup — goes through `atomic_write` (bytes) or
`atomic_write_with` (a writer given the temporary path): a temporary file in the same folder,
flushed and fsynced, put in place with `os.replace` (atomic on POSIX and on NTFS), then the folder
fsynced where the OS allows it, so a crash or a power cut leaves the old file or the new one,
never half of one, and a failed write leaves no temporary file behind.

`write_error` is the one place an `OSError` from writing becomes a message an officer can act on:
a full disk or an exhausted quota becomes `DiskFull`; a read-only stick, a missing permission or a
file held open by another program a `UserError` that says so. SQLite's own errors (a full disk
seen by SQLite) are classified in `db.store.sqlerrors`, which words a full disk through
`disk_full` here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from db.core.errors import DiskFull, UserError

T = TypeVar("T")

NOTHING_HALF_WRITTEN = "không có tệp nào bị ghi dở"
# A full disk or an exhausted quota; on Windows ERROR_HANDLE_DISK_FULL (39) and ERROR_DISK_FULL
# (112), which Python maps to ENOSPC on most versions but not every call path.
_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_FULL_WINERRORS = frozenset({39, 112})
# Read-only media, no permission, or (Windows) a file held open by another program:
# ERROR_ACCESS_DENIED (5), ERROR_WRITE_PROTECT (19), ERROR_SHARING_VIOLATION (32),
# ERROR_LOCK_VIOLATION (33).
_DENIED_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_DENIED_WINERRORS = frozenset({5, 19, 32, 33})
# A folder whose file system cannot fsync a directory (some network and FUSE mounts) or that
# cannot be opened for reading: the rename is done, only its durability is the OS's business.
_NO_FOLDER_SYNC = frozenset(
    {errno.EINVAL, errno.EACCES, errno.EPERM, getattr(errno, "ENOTSUP", errno.EINVAL)}
)


@dataclass(frozen=True)
class Wording:
    """How a failed write is told to the officer.

    `what`: the action that did not happen ("sao lưu"), said as "… nên chưa sao lưu được";
    `kept`: what is unharmed; `held_by`: the program that may hold the file open; `field`: the
    form field the message belongs to; `error`: the class raised for all but a full disk.
    """

    what: str | None = None
    kept: str = NOTHING_HALF_WRITTEN
    held_by: str = "chương trình khác"
    field: str | None = None
    error: type[UserError] = UserError


PLAIN = Wording()


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error says the disk (or the user's quota on it) is full."""
    if not isinstance(exc, OSError):
        return False
    return exc.errno in _FULL_ERRNOS or getattr(exc, "winerror", None) in _FULL_WINERRORS


def is_denied(exc: OSError) -> bool:
    """Whether a write was refused: read-only media, no permission, or a file held open."""
    if isinstance(exc, PermissionError) or exc.errno in _DENIED_ERRNOS:
        return True
    return getattr(exc, "winerror", None) in _DENIED_WINERRORS


def _so(wording: Wording) -> str:
    return f" nên chưa {wording.what} được" if wording.what else ""


def disk_full(path: Path, wording: Wording = PLAIN) -> DiskFull:
    """The message for a full disk while writing `path`."""
    return DiskFull(
        f"Ổ đĩa chứa “{path}” đã đầy{_so(wording)}. Hãy giải phóng dung lượng (hoặc chọn ổ "
        f"khác) rồi thử lại; {wording.kept}.",
        field=wording.field,
    )


def write_error(path: Path, exc: OSError, wording: Wording = PLAIN) -> UserError:
    """The message for an `OSError` raised while writing `path` (the one mapping of them)."""
    so, kept = _so(wording), wording.kept
    if is_disk_full(exc):
        return disk_full(path, wording)
    if exc.errno == errno.EFBIG:
        message = (
            f"Tệp “{path}” lớn hơn cỡ tệp mà ổ này nhận (USB định dạng FAT32 chỉ nhận tệp dưới "
            f"4 GB){so}. Hãy chọn ổ khác rồi thử lại; {kept}."
        )
    elif isinstance(exc, FileNotFoundError):
        message = (
            f"Thư mục “{path.parent}” không tồn tại (hoặc USB đã bị rút ra){so}. "
            f"Hãy chọn thư mục khác; {kept}."
        )
    elif is_denied(exc):
        message = (
            f"Không ghi được “{path}”: tệp đang mở trong {wording.held_by}, thư mục chỉ đọc "
            f"hoặc không có quyền ghi{so}. Hãy đóng tệp đó hoặc chọn nơi khác; {kept}."
        )
    else:
        message = (
            f"Không ghi được “{path}” ({exc.strerror or exc}: ổ đĩa lỗi hoặc USB bị rút ra)"
            f"{so}. Hãy kiểm tra ổ đĩa rồi thử lại; {kept}."
        )
    return wording.error(message, field=wording.field)


@contextlib.contextmanager
def write_errors(path: Path, wording: Wording = PLAIN) -> Iterator[None]:
    """Turn an `OSError` raised inside into `write_error`'s message about `path`."""
    try:
        yield
    except OSError as exc:
        raise write_error(path, exc, wording) from exc


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to fsync,
    and NTFS journals the rename itself)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        if exc.errno in _NO_FOLDER_SYNC:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_FOLDER_SYNC:
            raise
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Push a file written by someone else (SQLite, a library) to the disk."""
    # Opened for writing: Windows' _commit needs a handle with write access.
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def replace(source: Path, target: Path) -> None:
    """Put a finished (and fsynced) file in place of `target` in one rename, durably."""
    os.replace(source, target)
    sync_folder(target.parent)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _temporary(path: Path, private: bool) -> tuple[Path, int]:
    """A new, empty temporary file beside `path` (never an existing one) and its descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, flags, 0o600 if private else 0o666)
        except FileExistsError:
            continue


def atomic_write(
    path: Path, data: bytes, wording: Wording = PLAIN, *, private: bool = False
) -> None:
    """Write `data` to `path` whole or not at all (`private`: readable by this user only)."""
    path = Path(path)
    with write_errors(path, wording):
        temp, fd = _temporary(path, private)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            replace(temp, path)
        except BaseException:
            _discard(temp)
            raise


def atomic_write_with(
    path: Path,
    write: Callable[[Path], T],
    wording: Wording = PLAIN,
    *,
    check: Callable[[Path, T], None] | None = None,
    private: bool = False,
) -> T:
    """Let `write` fill a temporary file beside `path`, fsync it, `check` it, put it in place.

    For writers that want a file name (a workbook) or their own handle (a bundle). `check` gets
    the temporary file and what `write` returned (to read it back); raising refuses the file.
    Returns what `write` returns; any error leaves `path` as it was and no temporary file.
    """
    path = Path(path)
    with write_errors(path, wording):
        temp, fd = _temporary(path, private)
        os.close(fd)
        try:
            result = write(temp)
            fsync_file(temp)
            if check is not None:
                check(temp, result)
            replace(temp, path)
        except BaseException:
            _discard(temp)
            raise
    return result
