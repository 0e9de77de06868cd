"""Fail when a module of the program grows past the limit without a reason on record.

A file past ~400 lines is asking to be split by responsibility (docs/architecture.md). The few
that are long for a reason are listed in .ci/long-modules.txt, one per line: `path  # why`.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 400
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("db", "gui", "cli", "reports")


def allowed() -> dict[str, str]:
    """path → reason, from the allow-list; a line without a reason is itself an error."""
    entries: dict[str, str] = {}
    for number, line in enumerate((ROOT / ".ci" / "long-modules.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        path, _, why = line.partition("#")
        if not why.strip():
            sys.exit(f".ci/long-modules.txt:{number}: “{path.strip()}” has no reason")
        entries[path.strip()] = why.strip()
    return entries


def main() -> int:
    entries = allowed()
    failures = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT and name not in entries:
                failures.append(
                    f"{name}: {lines} lines (limit {LIMIT}; split it, or say why in "
                    ".ci/long-modules.txt)"
                )
    stale = [n for n in entries if not (ROOT / n).exists()]
    failures += [f".ci/long-modules.txt names {n}, which does not exist" for n in stale]
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
