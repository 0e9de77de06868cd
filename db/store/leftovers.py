"""What a crash can leave beside a register, removed at the next start.

Every temporary file the program writes next to a register has `.tmp` in its name after the
register's own name: the copy being restored (`<name>.khoi-phuc.tmp`), the file being encrypted
or made (`<name>.ma-hoa.tmp`, `<name>.tao-moi.tmp`), the key and lockout files being replaced
(`.<name>.keys.<random>.tmp`), a backup being written (`sao-luu/<stem>-<time>.db.tmp`), and
SQLite's `-journal`/`-wal`/`-shm` of any of them. A plain copy kept while a plain register was
encrypted (`<name>.truoc-*.bak` that starts with SQLite's plain header) must not outlive the
encryption either: beside an encrypted register it is removed.

`remove_leftovers` runs only while the register is held alone (db.store.hold.try_alone): then no
other instance can be in the middle of writing one of these files.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from db.store.connect import SQLITE_HEADER, register_state

BACKUP_FOLDER = "sao-luu"


def _is_temporary(name: str, owner: str) -> bool:
    for prefix in (f"{owner}.", f".{owner}."):
        if name.startswith(prefix) and ".tmp" in name[len(prefix) - 1 :]:
            return True
    return False


def _is_plain(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _plain_copy(entry: Path, db_path: Path) -> bool:
    name = entry.name
    return name.startswith(f"{db_path.name}.truoc-") and name.endswith(".bak") and _is_plain(entry)


def leftovers(db_path: Path) -> list[Path]:
    """The files a crash left beside a register (and in its backup folder)."""
    found: list[Path] = []
    encrypted = register_state(db_path) == "encrypted"
    with contextlib.suppress(OSError):
        for entry in db_path.parent.iterdir():
            if _is_temporary(entry.name, db_path.name) or (
                encrypted and _plain_copy(entry, db_path)
            ):
                found.append(entry)
    backups = db_path.parent / BACKUP_FOLDER
    stem, suffix = re.escape(db_path.stem), re.escape(db_path.suffix)
    backup_temp = re.compile(rf"^\.?{stem}-\d{{8}}-\d{{6}}(?:-\d+)?{suffix}\..*tmp")
    with contextlib.suppress(OSError):
        for entry in backups.iterdir():
            if backup_temp.match(entry.name):
                found.append(entry)
    return [p for p in found if p.is_file()]


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove what `leftovers` finds; returns what was removed."""
    removed = []
    for path in leftovers(db_path):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed
