"""The program's own temporary folder: where a sheet opened from the window waits to be read.

    clean_temp()            # at start: what runs that ended (or crashed) left behind
    folder = scratch()      # this run's folder, readable by this user only

Every run works in a folder of its own under one per-user root (the platform's cache folder,
not the shared temp folder), and holds a lock on it while it runs. `clean_temp` removes the
folders whose lock nobody holds — runs that have ended, even by a crash — and leaves those of
another window or command still running. Folders are 0700 and files 0600 on POSIX.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import IO

_ROOT_ENV = "SOTHEODOI_TEMP"  # tests (and a portable install) may put the root elsewhere
_LOCK = ".dang-dung"
_held: dict[Path, IO[bytes]] = {}


def temp_root() -> Path:
    """The per-user root of the program's temporary folders (made 0700 if missing)."""
    override = os.environ.get(_ROOT_ENV)
    if override:
        root = Path(override)
    else:
        from platformdirs import user_cache_dir

        root = Path(user_cache_dir("SoTheoDoi", appauthor=False)) / "tam"
    private_folder(root)
    return root


def private_folder(folder: Path) -> Path:
    """Make a folder (and its parents) readable by this user only, on POSIX."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    return folder


def _lock(handle: IO[bytes], blocking: bool) -> bool:
    """Lock an open file (the run's mark on its folder); False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def scratch(root: Path | None = None) -> Path:
    """This run's own folder under the root, locked while the process lives."""
    base = private_folder(root) if root is not None else temp_root()
    for folder, _handle in _held.items():
        if folder.parent == base and folder.is_dir():
            return folder
    folder = private_folder(base / f"lan-{os.getpid()}-{secrets.token_hex(4)}")
    handle = (folder / _LOCK).open("wb")
    _lock(handle, blocking=True)
    _held[folder] = handle
    return folder


@atexit.register
def _release_all() -> None:
    """A run that ends normally removes its own folder (clear copies of reports in it)."""
    for folder in list(_held):
        release(folder)


def release(folder: Path) -> None:
    """Remove this run's folder now (the window closing); `clean_temp` would do it later."""
    handle = _held.pop(folder, None)
    if handle is not None:
        handle.close()
    shutil.rmtree(folder, ignore_errors=True)


def clean_temp(root: Path | None = None) -> int:
    """Remove what ended runs left in the program's temporary folder; how many folders."""
    base = root or temp_root()
    removed = 0
    for folder in sorted(base.iterdir()) if base.is_dir() else ():
        if folder in _held:
            continue
        if not folder.is_dir():
            with contextlib.suppress(OSError):
                folder.unlink()
            continue
        try:
            handle = (folder / _LOCK).open("ab")
        except OSError:
            handle = None
        if handle is not None:
            try:
                if not _lock(handle, blocking=False):
                    continue  # another window or command is using it
            finally:
                handle.close()
        shutil.rmtree(folder, ignore_errors=True)
        removed += not folder.exists()
    return removed
