"""Compile the Windows installer (packaging/windows/installer.nsi) with NSIS's makensis.

    python packaging/installer.py dist/SoTheoDoi         # → dist/SoTheoDoi-Setup-<VERSION>.exe
    python packaging/installer.py --dummy                # check the script compiles (any OS)

makensis runs on Windows (choco install nsis) and on Linux (apt-get install nsis). A Linux build
is not a Windows program, so on Linux the script is checked against a stand-in folder of the
same layout (--dummy): the installer it makes is for checking only. Compiling against the real
234 MB folder takes minutes (LZMA, solid); the Windows workflow does that.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "packaging" / "windows" / "installer.nsi"
# What the installer's script names inside the built folder.
LAYOUT = ("SoTheoDoi.exe", "sotheodoi-cli.exe", "_internal/BUILD.txt")


def program_version() -> str:
    tree = ast.parse((ROOT / "db" / "core" / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "VERSION" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("db/core/version.py has no VERSION")


def find_makensis() -> str:
    """makensis on PATH, or where the NSIS installer puts it on Windows."""
    found = shutil.which("makensis")
    if found:
        return found
    for variable in ("ProgramFiles(x86)", "ProgramFiles"):
        base = os.environ.get(variable)
        if base and (Path(base) / "NSIS" / "makensis.exe").is_file():
            return str(Path(base) / "NSIS" / "makensis.exe")
    raise SystemExit("makensis not found: apt-get install nsis, or on Windows choco install nsis")


def dummy_folder(parent: Path) -> Path:
    """A stand-in for the built folder, with the files the script names."""
    folder = parent / "SoTheoDoi"
    for rel in LAYOUT:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("stand-in for checking the installer script\n", encoding="utf-8")
    return folder


def compile_installer(source: Path, out: Path, version: str) -> Path:
    """Run makensis (warnings are errors); return the installer written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        find_makensis(),
        "-V2",
        "-WX",
        "-INPUTCHARSET",
        "UTF8",
        f"-DVERSION={version}",
        f"-DSOURCE_DIR={source.resolve()}",
        f"-DOUTFILE={out.resolve()}",
        str(SCRIPT),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode or not out.is_file():
        raise SystemExit(f"makensis failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compile the Windows installer.")
    parser.add_argument("folder", type=Path, nargs="?", help="the built folder (dist/SoTheoDoi)")
    parser.add_argument("--dummy", action="store_true", help="compile against a stand-in folder")
    parser.add_argument("--out", type=Path, help="the installer to write")
    args = parser.parse_args(argv)
    version = program_version()
    started = time.perf_counter()
    if args.dummy:
        with tempfile.TemporaryDirectory(prefix="sotd-nsis-") as tmp:
            out = args.out or Path(tmp) / f"SoTheoDoi-Setup-{version}-check.exe"
            made = compile_installer(dummy_folder(Path(tmp)), out, version)
            size = made.stat().st_size
            print(f"installer script compiles (stand-in folder, {size // 1024} KiB installer)")
    elif args.folder is None:
        parser.error("name the built folder, or --dummy")
    else:
        missing = [rel for rel in LAYOUT if not (args.folder / rel).is_file()]
        if missing:
            print(f"{args.folder} is not a Windows build: no {', '.join(missing)}")
            return 2
        out = args.out or args.folder.parent / f"SoTheoDoi-Setup-{version}.exe"
        made = compile_installer(args.folder, out, version)
        print(f"{made} ({made.stat().st_size / 1e6:.0f} MB)")
    print(f"makensis took {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
