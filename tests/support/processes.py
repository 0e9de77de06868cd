"""Other programs on the same register: a writer process that reports each save, and commands."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.registers import PASSWORD

# The window's kind of writes, through the same db/ functions: each transaction adds a person and
# a contact; the id is printed only after the transaction that saved it returned.
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
        person = people.add_person(reg, {"full_name": f"{sys.argv[2]} Thứ {number}"})
        with records.transaction(reg):
            records.update(reg, "persons", person, {"notes": "x" * (number % 700)})
            records.insert(reg, "contacts", {"person_id": person, "contact_date": "2026-11-20",
                                             "kind": "home_visit"})
        print(person, flush=True)
"""


class Writer:
    """A writer process on a register; `saved` holds every id it reported saved."""

    def __init__(self, path: Path, name: str = "Người") -> None:
        self.saved: list[str] = []
        self.errors = ""
        self._ready = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), name], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )  # fmt: skip
        assert self.proc.stdin is not None
        self.proc.stdin.write(PASSWORD + "\n")  # never on the command line
        self.proc.stdin.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        assert self._ready.wait(60), "the writer did not start"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip() == "ready":
                self._ready.set()
            elif line.strip():
                self.saved.append(line.strip())
        self._ready.set()

    def stop(self) -> list[str]:
        """Kill it (no cleanup runs) and return what it reported saved."""
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)
        assert self.proc.stderr is not None
        self.errors = self.proc.stderr.read()
        self.proc.stderr.close()
        self.proc.stdout.close()  # type: ignore[union-attr]
        return list(self.saved)


def run_command(*args: str, password: str = PASSWORD, timeout: float = 120
                ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`python main.py ARGS` as a person at a terminal runs it, the password in the environment."""
    env = {**os.environ, "SOTHEODOI_PASSWORD": password, "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=timeout, check=False,
    )  # fmt: skip
