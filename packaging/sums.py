"""SHA-256 sums of the files handed out, in the format `sha256sum -c` reads.

    python packaging/sums.py dist/SoTheoDoi-Setup-0.2.0.exe dist/*.zip --out dist/SHA256SUMS.txt
    python packaging/sums.py --check dist/SHA256SUMS.txt

An officer (or the province) compares the installer's sum with the one published beside it
(`certutil -hashfile FILE SHA256` on Windows) before installing.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import sys
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def expand(patterns: list[str]) -> list[Path]:
    """The files named, with wildcards expanded here (Windows shells do not expand them)."""
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        found += [Path(m) for m in matches]
    return found


def check(listing: Path) -> int:
    """Verify a sums file; the number of files that do not match."""
    bad = 0
    for line in listing.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        expected, name = line.split(maxsplit=1)
        path = listing.parent / name.lstrip("*")
        ok = path.is_file() and sha256(path) == expected
        bad += not ok
        print(f"{name}: {'OK' if ok else 'FAILED'}")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SHA-256 sums of release files.")
    parser.add_argument("files", nargs="+", help="files (wildcards allowed), or the sums file")
    parser.add_argument("--check", action="store_true", help="verify a sums file")
    parser.add_argument("--out", type=Path, help="write the sums here (UTF-8), not to stdout")
    args = parser.parse_args(argv)
    if args.check:
        return 1 if sum(check(Path(f)) for f in args.files) else 0
    files = expand(args.files)
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        print(f"no such file: {', '.join(missing) or ' '.join(args.files)}", file=sys.stderr)
        return 2
    listing = "".join(f"{sha256(path)}  {path.name}\n" for path in files)
    if args.out:
        args.out.write_text(listing, encoding="utf-8", newline="\n")
    sys.stdout.write(listing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
