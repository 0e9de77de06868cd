"""The program's version: the one place it is written (pyproject.toml reads it from here).

`VERSION` is what a person reads in the About box and `main.py --version`; `BUILD` says which
build it is. A frozen copy carries a `BUILD.txt` stamped by packaging/build.py (date and commit,
or what the CI passes in); running from the source tree it is "dev".
"""

from __future__ import annotations

import sys
from pathlib import Path

VERSION = "0.2.0"
BUILD_FILE = "BUILD.txt"


def _stamped_build() -> str:
    """The stamp of a frozen build (PyInstaller unpacks data under sys._MEIPASS), else "dev"."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or bundle is None:
        return "dev"
    try:
        text = (Path(bundle) / BUILD_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return "dev"
    return text.splitlines()[0] if text else "dev"


BUILD = _stamped_build()


def describe() -> str:
    """The line `--version` and the About box show: "Sổ theo dõi 0.2.0 (dev)"."""
    return f"Sổ theo dõi {VERSION} ({BUILD})"
