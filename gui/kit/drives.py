"""Removable drives (USB sticks) to offer as the target of a handover bundle.

Windows: drive letters of type DRIVE_REMOVABLE. Linux: mount points under /media and
/run/media (where desktops mount sticks). macOS: volumes under /Volumes other than the system
disk. No Qt here: the screen asks, this answers.
"""

from __future__ import annotations

import os
import shutil
import string
import sys
from dataclasses import dataclass
from pathlib import Path

DRIVE_REMOVABLE = 2


@dataclass(frozen=True)
class Drive:
    """A removable drive: where it is mounted, its name, the free space (bytes, if known)."""

    path: Path
    label: str
    free: int | None

    def describe(self) -> str:
        """ "E:\\ (KINGSTON) — còn trống 3,2 GB"."""
        name = f"{self.path} ({self.label})" if self.label else str(self.path)
        if self.free is None:
            return name
        gb = self.free / 1e9
        size = f"{gb:.1f} GB" if gb >= 1 else f"{self.free / 1e6:.0f} MB"
        return f"{name} — còn trống {size.replace('.', ',')}"


def _free(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _windows() -> list[Drive]:  # pragma: no cover - exercised on Windows only
    import ctypes

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel.GetLogicalDrives()
    drives = []
    for i, letter in enumerate(string.ascii_uppercase):
        if not mask & (1 << i):
            continue
        root = f"{letter}:\\"
        if kernel.GetDriveTypeW(root) != DRIVE_REMOVABLE:
            continue
        name = ctypes.create_unicode_buffer(261)
        ok = kernel.GetVolumeInformationW(root, name, 261, None, None, None, None, 0)
        if not ok:
            continue  # a card reader with no card in it
        drives.append(Drive(Path(root), name.value, _free(Path(root))))
    return drives


def _mounted(patterns: list[str]) -> list[Drive]:
    found: list[Drive] = []
    for pattern in patterns:
        base, _, glob = pattern.partition("*")
        root = Path(base)
        if not root.is_dir():
            continue
        try:
            candidates = sorted(root.glob("*" + glob))
        except OSError:
            continue
        for path in candidates:
            if path.is_dir() and os.path.ismount(path) and os.access(path, os.W_OK):
                found.append(Drive(path, path.name, _free(path)))
    return found


def removable_drives() -> list[Drive]:
    """The removable drives mounted now, in a stable order."""
    if sys.platform == "win32":
        return _windows()
    if sys.platform == "darwin":
        return [d for d in _mounted(["/Volumes/*"]) if d.path.resolve() != Path("/")]
    user = os.environ.get("USER") or ""
    patterns = ["/media/*/*", "/run/media/*/*", "/media/*"]
    if user:
        patterns = [f"/media/{user}/*", f"/run/media/{user}/*", *patterns]
    seen: set[Path] = set()
    out = []
    for drive in _mounted(patterns):
        if drive.path not in seen:
            seen.add(drive.path)
            out.append(drive)
    return out
