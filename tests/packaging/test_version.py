"""db/core/version.py: one version, and the build a frozen copy was stamped with."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from db.core import version
from tests.packaging.scripts import load

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_program() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "db.core.version.VERSION"}


def test_the_scripts_read_the_same_version() -> None:
    assert load("build").program_version() == version.VERSION
    assert load("installer").program_version() == version.VERSION


def test_running_from_source_is_the_dev_build() -> None:
    assert version.BUILD == "dev"
    assert version.describe() == f"Sổ theo dõi {version.VERSION} (dev)"


def test_a_frozen_copy_reads_its_stamp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / version.BUILD_FILE).write_text("2026-12-03 ab12cd34\n", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert version._stamped_build() == "2026-12-03 ab12cd34"


def test_a_frozen_copy_without_a_stamp_says_dev(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert version._stamped_build() == "dev"


@pytest.mark.skipif(sys.platform != "win32", reason="PyInstaller reads it only on Windows")
def test_the_windows_version_resource_is_what_pyinstaller_reads(tmp_path: Path) -> None:
    versioninfo = pytest.importorskip("PyInstaller.utils.win32.versioninfo", exc_type=ImportError)
    build = load("build")
    path = build.windows_version_file(tmp_path / "v.txt", "0.2.0", "ci 7 abc")
    info = versioninfo.load_version_info_from_text_file(str(path))
    assert info.ffi.fileVersionMS == (0 << 16) | 2
    assert "Sổ theo dõi" in str(info)
