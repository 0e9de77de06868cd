"""The files handed out: the portable zip with its marker, the SHA-256 sums, the installer."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.packaging.scripts import load

portable = load("portable")
sums = load("sums")
installer = load("installer")
build = load("build")


def fake_build(tmp_path: Path) -> Path:
    folder = tmp_path / "dist" / "SoTheoDoi"
    (folder / "_internal").mkdir(parents=True)
    (folder / "SoTheoDoi").write_bytes(b"window")
    (folder / "SoTheoDoi").chmod(0o755)
    (folder / "_internal" / "BUILD.txt").write_text("2026-12-03 abc\n", encoding="utf-8")
    return folder


def test_the_portable_zip_carries_the_marker_and_the_program(tmp_path: Path) -> None:
    folder = fake_build(tmp_path)
    made = portable.make_portable(folder, tmp_path / "p.zip")
    with zipfile.ZipFile(made) as archive:
        names = set(archive.namelist())
        marker = archive.read("SoTheoDoi/portable.txt").decode("utf-8")
        mode = archive.getinfo("SoTheoDoi/SoTheoDoi").external_attr >> 16
    assert names == {
        "SoTheoDoi/SoTheoDoi",
        "SoTheoDoi/_internal/BUILD.txt",
        "SoTheoDoi/portable.txt",
    }
    assert "DuLieu" in marker and "64-bit" in marker
    assert mode & 0o100, "the executable bit is kept"
    assert not (folder / "portable.txt").exists(), "the built folder itself stays installable"


def test_the_portable_zip_is_named_by_version_and_platform(tmp_path: Path) -> None:
    made = portable.make_portable(fake_build(tmp_path))
    assert made.name == (
        f"SoTheoDoi-{portable.program_version()}-portable-{portable.platform_tag()}.zip"
    )
    assert made.parent == tmp_path / "dist"


def test_sums_are_what_sha256sum_reads_and_check_catches_a_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = tmp_path / "a.exe", tmp_path / "b.zip"
    one.write_bytes(b"installer")
    two.write_bytes(b"zip")
    listing = tmp_path / "SHA256SUMS.txt"
    assert sums.main([str(tmp_path / "*.*"), "--out", str(listing)]) == 0
    lines = listing.read_text(encoding="utf-8").splitlines()
    assert f"{hashlib.sha256(b'installer').hexdigest()}  a.exe" in lines
    assert sums.main(["--check", str(listing)]) == 0
    two.write_bytes(b"zip, changed")
    assert sums.main(["--check", str(listing)]) == 1
    assert "b.zip: FAILED" in capsys.readouterr().out


def test_a_missing_file_is_not_summed(tmp_path: Path) -> None:
    assert sums.main([str(tmp_path / "nowhere.exe")]) == 2


@pytest.mark.skipif(shutil.which("makensis") is None, reason="makensis (Debian: nsis) missing")
def test_the_installer_script_compiles(tmp_path: Path) -> None:
    out = tmp_path / "SoTheoDoi-Setup-0.2.0.exe"
    made = installer.compile_installer(installer.dummy_folder(tmp_path), out, "0.2.0")
    assert made.read_bytes()[:2] == b"MZ"


def test_the_installer_keeps_the_register_folder() -> None:
    """The uninstaller removes only its own files, never the register's folder or a folder
    as a whole (a register kept beside the program survives)."""
    script = installer.SCRIPT.read_text(encoding="utf-8-sig")
    uninstall = script[script.index('Section "Uninstall"') :]
    removals = [line.strip() for line in uninstall.splitlines() if line.strip().startswith("RMDir")]
    assert removals == [
        'RMDir /r "$INSTDIR\\_internal"',
        'RMDir "$INSTDIR"  ; only if empty: whatever else is there was not ours',
        'RMDir "$SMPROGRAMS\\${APP_NAME}"',
    ]
    assert "DATA_DIR" in uninstall and "RequestExecutionLevel user" in script


def test_a_build_missing_its_fonts_is_refused(tmp_path: Path) -> None:
    folder = fake_build(tmp_path)
    missing = build.check_bundle(folder)
    assert (
        str(folder / "_internal" / "reports" / "fonts" / "LiberationSerif-Regular.ttf") in missing
    )
    assert str(build.executable(folder, build.COMMAND_LINE)) in missing
