"""What reading a bundle may spend is bounded before it is spent: a header asking for a huge
scrypt cost, a line that inflates to half a gigabyte, JSON nested deep enough to break a parser.
Memory is measured in a separate process (peak resident size before and after the attempt)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.handover import bundle_read, receive
from db.handover.bundle import MAX_LINE, DamagedBundle, kdf_cost_ok
from tests.db.handover.crafting import raw_bundle
from tests.support.handover import PASS, commune, export, laptop

_PEAK = """
import resource, sys, time
from pathlib import Path
from db.handover import bundle_read
from db.handover.bundle import BundleError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
try:
    bundle_read.open_bundle(Path(sys.argv[1]), sys.argv[2])
    outcome = "opened"
except BundleError as exc:
    outcome = type(exc).__name__ + ": " + exc.message
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024, round(time.monotonic() - start, 2), outcome)
"""


def _open_measured(path: Path) -> tuple[int, float, str]:
    """Open a bundle in a fresh process: extra peak memory (MiB), seconds, what happened."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path), PASS],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3],
    )  # fmt: skip
    grown, seconds, outcome = done.stdout.strip().split(" ", 2)
    return int(grown), float(seconds), outcome


def _manifest(body: bytes = b"") -> dict[str, object]:
    return {"format": 1, "counts": {}, "content_sha256": hashlib.sha256(body).hexdigest()}


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [(1 << 20, 16, 4), (1 << 20, 8, 1), (1 << 30, 8, 1), (3000, 8, 1), (1 << 16, 0, 1),
     (1 << 16, 8, 0), (1 << 17, 16, 1)],
)  # fmt: skip
def test_a_header_asking_for_too_much_scrypt_is_refused_before_spending_it(
    tmp_path: Path, n: int, r: int, p: int
) -> None:
    assert not kdf_cost_ok(n, r, p)
    path = raw_bundle(tmp_path / "kdf.sotd", [], _manifest(), n=n, r=r, p=p, derive=False)
    grown, seconds, outcome = _open_measured(path)
    assert outcome.startswith("DamagedBundle") and "phần đầu tệp" in outcome
    assert grown < 32 and seconds < 1


def test_what_writers_use_is_within_the_bounds() -> None:
    assert kdf_cost_ok(1 << 16, 8, 1)  # real bundles
    assert kdf_cost_ok(1 << 10, 8, 1)  # the tests'
    assert kdf_cost_ok(1 << 17, 8, 1)  # room to double the cost later


def _long_line(megabytes: int) -> Iterator[bytes]:
    yield b'{"t":"persons","c":["id"]}\n["'
    block = b"0" * (1 << 20)
    for _ in range(megabytes):
        yield block


@pytest.mark.slow
def test_a_line_inflating_to_half_a_gigabyte_is_refused_early(tmp_path: Path) -> None:
    path = raw_bundle(tmp_path / "bomb.sotd", _long_line(512), _manifest())
    assert path.stat().st_size < 2 << 20  # half a gigabyte of zeros, compressed
    grown, seconds, outcome = _open_measured(path)
    assert outcome.startswith("DamagedBundle") and "dài quá" in outcome
    assert grown < 64, f"{grown} MiB"
    assert seconds < 5


def test_a_line_just_within_the_bound_is_read(tmp_path: Path) -> None:
    text = "x" * (MAX_LINE - 64)
    body = (
        b'{"t":"settings","c":["key"]}\n'
        + json.dumps([text]).encode()
        + b'\n{"e":"settings","n":1}\n'
    )
    path = raw_bundle(tmp_path / "long.sotd", [body], _manifest(body))
    opened = bundle_read.open_bundle(path, PASS)
    rows = [row for _, _, batches in opened.tables() for batch in batches for row in batch]
    assert rows == [[text]]


def test_json_nested_too_deep_for_a_parser_is_refused(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=1)
    b = laptop(tmp_path, "b")
    real = bundle_read.open_bundle(export(a, tmp_path, full=True).path, PASS).manifest
    deep = b"[" * 200_000 + b"]" * 200_000
    body = b'{"t":"accounts","c":["id"]}\n' + deep + b'\n{"e":"accounts","n":1}\n'
    manifest = {**real, "counts": {"accounts": 1}, "content_sha256": _manifest(body)[
        "content_sha256"]}  # fmt: skip
    path = raw_bundle(tmp_path / "deep.sotd", [body], manifest)
    with pytest.raises(DamagedBundle, match="không đọc được"):
        receive.import_bundle(b, path, PASS, take_over=True)


def test_batches_stay_small_when_rows_are_long(tmp_path: Path) -> None:
    text = "y" * (900 << 10)
    lines = b"".join(json.dumps([text]).encode() + b"\n" for _ in range(6))
    body = b'{"t":"settings","c":["key"]}\n' + lines + b'{"e":"settings","n":6}\n'
    path = raw_bundle(tmp_path / "rows.sotd", [body], _manifest(body))
    opened = bundle_read.open_bundle(path, PASS)
    sizes = [len(batch) for _, _, batches in opened.tables() for batch in batches]
    assert sum(sizes) == 6
    assert max(sizes) <= 3  # batches close at ~2 MB, not at 2,000 rows


def test_opening_a_real_bundle_is_quick(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a")
    commune(a, persons=3)
    started = time.monotonic()
    bundle_read.open_bundle(export(a, tmp_path, full=True).path, PASS)
    assert time.monotonic() - started < 5
