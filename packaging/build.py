"""Build the frozen program: one folder, the window and the command line, no Python needed.

    pip install ".[build]"
    python packaging/build.py            # → dist/SoTheoDoi/
    python packaging/smoke.py dist/SoTheoDoi

The folder holds `SoTheoDoi` (the window; no console on Windows) and `sotheodoi-cli` (the command
line) over one shared `_internal/`. The build is stamped (db/core/version.py's BUILD): the date
and the commit, or $SOTHEODOI_BUILD when the CI passes one. PyInstaller does not cross-compile:
the Windows program is built on Windows (.github/workflows/windows.yml).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "sotheodoi.spec"
NAME = "SoTheoDoi"
WINDOW = "SoTheoDoi"
COMMAND_LINE = "sotheodoi-cli"
# What the program reads at run time, relative to the bundle's _internal/ folder.
REQUIRED_DATA = (
    "reports/fonts/LiberationSerif-Regular.ttf",
    "reports/fonts/LiberationSerif-Bold.ttf",
    "reports/fonts/LiberationSerif-Italic.ttf",
    "reports/fonts/LiberationSerif-BoldItalic.ttf",
    "reports/fonts/OFL.txt",
    "gui/i18n/qt_vi.qm",
    "packaging/icons/sotheodoi-256.png",
    "BUILD.txt",
)


def program_version() -> str:
    """VERSION from db/core/version.py, read without importing the program."""
    tree = ast.parse((ROOT / "db" / "core" / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "VERSION" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit("db/core/version.py has no VERSION")


def build_stamp() -> str:
    """$SOTHEODOI_BUILD, else "<UTC date> <commit>[-dirty]" (or the date alone outside git)."""
    given = os.environ.get("SOTHEODOI_BUILD", "").strip()
    if given:
        return given
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=8"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return day
    return f"{day} {commit}"


def windows_version_file(path: Path, version: str, stamp: str) -> Path:
    """The version resource of the Windows executables (Properties → Details)."""
    numbers = [int(part) for part in version.split(".")[:3] if part.isdigit()]
    four = tuple([*numbers, 0, 0, 0, 0][:4])
    strings = {
        "CompanyName": "Sổ theo dõi",
        "FileDescription": "Sổ theo dõi — công an xã",
        "FileVersion": f"{version} ({stamp})",
        "InternalName": NAME,
        "OriginalFilename": f"{WINDOW}.exe",
        "ProductName": "Sổ theo dõi",
        "ProductVersion": version,
    }
    entries = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    path.write_text(
        f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={four}, prodvers={four}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('042a04b0', [
          {entries}])]),
    VarFileInfo([VarStruct('Translation', [0x042a, 1200])])
  ]
)
""",
        encoding="utf-8",
    )
    return path


def folder_size(folder: Path) -> int:
    """Bytes of the files under `folder` (symbolic links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def executable(folder: Path, name: str) -> Path:
    return folder / (f"{name}.exe" if sys.platform == "win32" else name)


def check_bundle(folder: Path) -> list[str]:
    """What is missing from a built folder (empty when it is complete)."""
    missing = [
        str(executable(folder, name))
        for name in (WINDOW, COMMAND_LINE)
        if not executable(folder, name).is_file()
    ]
    internal = folder / "_internal"
    missing += [str(internal / rel) for rel in REQUIRED_DATA if not (internal / rel).is_file()]
    return missing


def build(dist: Path, work: Path, stamp: str, clean: bool) -> Path:
    """Run PyInstaller on packaging/sotheodoi.spec; return the built folder."""
    work.mkdir(parents=True, exist_ok=True)
    stamp_file = work / "BUILD.txt"
    stamp_file.write_text(stamp + "\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        *(["--clean"] if clean else []),
        str(SPEC),
        "--",
        "--stamp",
        str(stamp_file),
    ]
    if sys.platform == "win32":
        version_file = windows_version_file(work / "version.txt", program_version(), stamp)
        command += ["--version-file", str(version_file)]
    subprocess.run(command, cwd=ROOT, check=True)
    return dist / NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the frozen program (PyInstaller).")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's cache"
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print('PyInstaller is missing: pip install ".[build]"', file=sys.stderr)
        return 2
    stamp = build_stamp()
    folder = args.dist.resolve() / NAME
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    built = build(args.dist.resolve(), args.work.resolve(), stamp, args.clean)
    took = time.perf_counter() - started
    missing = check_bundle(built)
    for path in missing:
        print(f"missing from the build: {path}", file=sys.stderr)
    if missing:
        return 1
    size = folder_size(built) / 1e6
    print(
        f"Built {built} — Sổ theo dõi {program_version()} ({stamp}) in {took:.0f} s, {size:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
