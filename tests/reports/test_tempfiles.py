"""The program's temporary folder: a sheet opened from the window is written there, and what a
run left behind (a crash, a kill) is removed at the next start — but never the folder of a run
that is still going."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports import tempfiles
from reports.tempfiles import clean_temp, release, scratch

_HOLD = """
import sys, time
from pathlib import Path
from reports.tempfiles import scratch
folder = scratch(Path(sys.argv[1]))
(folder / "phieu-theo-doi.pdf").write_bytes(b"%PDF ten nguoi")
print(folder, flush=True)
time.sleep(60)
"""


def _run_holding(root: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(root)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def test_a_crashed_runs_files_are_removed_at_the_next_start_a_running_ones_are_not(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tam"
    live, live_folder = _run_holding(root)
    crashed, crashed_folder = _run_holding(root)
    try:
        crashed.send_signal(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)
        crashed.wait(10)
        assert (crashed_folder / "phieu-theo-doi.pdf").exists()  # what a crash leaves
        assert clean_temp(root) == 1
        assert not crashed_folder.exists()
        assert (live_folder / "phieu-theo-doi.pdf").exists()  # another window still uses it
    finally:
        for proc in (live, crashed):
            proc.kill()
            proc.communicate(timeout=10)
    assert clean_temp(root) == 1
    assert list(root.iterdir()) == []


def test_this_runs_folder_is_private_kept_and_released(tmp_path: Path) -> None:
    root = tmp_path / "tam"
    folder = scratch(root)
    assert scratch(root) == folder and folder.parent == root
    if os.name == "posix":
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (folder / "a.pdf").write_bytes(b"x")
    assert clean_temp(root) == 0 and folder.exists()  # its own folder is never removed
    (root / "stray.tmp").write_bytes(b"left over")
    clean_temp(root)
    assert not (root / "stray.tmp").exists()
    release(folder)
    assert not folder.exists()


def test_the_root_is_the_per_user_cache_folder_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOTHEODOI_TEMP", str(tmp_path / "o-day"))
    assert tempfiles.temp_root() == tmp_path / "o-day"
    monkeypatch.delenv("SOTHEODOI_TEMP")
    import platformdirs

    asked: list[str] = []

    def cache_dir(name: str, appauthor: object = None) -> str:
        asked.append(name)
        return str(tmp_path / "cache" / name)

    monkeypatch.setattr(platformdirs, "user_cache_dir", cache_dir)
    root = tempfiles.temp_root()
    assert asked == ["SoTheoDoi"] and root == tmp_path / "cache" / "SoTheoDoi" / "tam"
    started = time.monotonic()
    clean_temp()  # quick, and never fails
    assert time.monotonic() - started < 5
