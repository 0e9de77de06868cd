"""No loss on a crash: a writer killed with SIGKILL at random moments, 20 times.

The writer (a separate process, through the same db/ functions as the window) prints each id
only after the transaction that saved it has returned. After every kill the encrypted register
must open, pass the whole integrity check (SQLite's, SQLCipher's pages, the hash chain), and
hold every id that was reported saved.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from db.store.check import check_register
from db.store.register import open_register
from tests.support.paths import ROOT
from tests.support.registers import PASSWORD

KILLS = 20

WRITER = """
import sys
from db.persons import people
from db.store import records
from db.store.register import open_register

with open_register(sys.argv[1], user="chihuy", password=sys.stdin.readline().rstrip("\\n")) as reg:
    print("ready", flush=True)
    number = 0
    while True:
        number += 1
        person = people.add_person(reg, {"full_name": f"Người Thứ {number}"})
        with records.transaction(reg):  # two rows that stand or fall together
            records.update(reg, "persons", person, {"notes": "x" * (number % 700)})
            records.insert(reg, "contacts", {"person_id": person, "contact_date": "2026-11-20",
                                             "kind": "home_visit"})
        print(person, flush=True)
"""


def _run_and_kill(path: Path, after: float) -> list[str]:
    """Start the writer, kill it `after` seconds into writing; the ids it reported saved."""
    lines: list[str] = []
    ready = threading.Event()
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    ) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write(PASSWORD + "\n")  # never on the command line
        proc.stdin.close()

        def read() -> None:
            assert proc.stdout
            for line in proc.stdout:
                if line.strip() == "ready":
                    ready.set()
                else:
                    lines.append(line.strip())
            ready.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert ready.wait(30), "the writer did not start"
        time.sleep(after)
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup runs
        proc.wait(10)
        reader.join(10)
        errors = proc.stderr.read()
    assert proc.returncode != 0 and "Traceback" not in errors, errors
    return lines


@pytest.mark.slow
def test_killed_writer_loses_nothing_reported_saved(secure_path: Path) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    moments = random.Random(seed)
    saved: list[str] = []
    started = time.monotonic()
    for kill in range(KILLS):
        reported = _run_and_kill(secure_path, moments.uniform(0.0, 0.4))
        assert all(uuid.UUID(r) for r in reported), f"seed {seed}, kill {kill}"
        saved += reported
        with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
            assert check_register(reg) == [], f"seed {seed}, kill {kill}"
            present = {r[0] for r in reg.db.execute("SELECT id FROM persons")}
            missing = [s for s in saved if s not in present]
            assert not missing, f"seed {seed}, kill {kill}: lost {missing}"
            # Both rows of each reported transaction are there.
            visited = reg.db.execute(
                "SELECT count(DISTINCT person_id) FROM contacts WHERE kind = 'home_visit'"
            ).fetchone()[0]
            assert visited >= len(saved)
    assert len(saved) > KILLS  # the writer did write between kills
    assert time.monotonic() - started < 60
