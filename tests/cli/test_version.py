"""`main.py --version`: the one version of db/core/version.py, as a person reads it."""

from __future__ import annotations

import subprocess
import sys

from db.core.version import VERSION
from tests.support.paths import ROOT


def test_version_prints_the_program_and_its_version() -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--version"], cwd=ROOT, capture_output=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "ascii"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").strip() == f"Sổ theo dõi {VERSION} (dev)"


def test_pyproject_reads_the_same_version() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "db.core.version.VERSION" in text
    assert '\nversion = "' not in text  # no second copy
