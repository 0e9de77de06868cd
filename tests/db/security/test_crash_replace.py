"""Killed in the middle of replacing the register: a restore leaves the old register or the new one
whole; the first encryption never leaves a plain copy, and its recovery code was shown before
the plain file was gone."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from db.persons import people
from db.security.backup import make_backup
from db.security.encryption import unlock_with_recovery
from db.store import keys
from db.store.check import check_register
from db.store.connect import SQLITE_HEADER, register_state
from db.store.register import open_register
from tests.support.paths import ROOT
from tests.support.registers import PASSWORD

KILLS = 12

RESTORE = """
import sys
from db.security.restore import restore
from db.store.unlock import unlock
path, source = sys.argv[1], sys.argv[2]
login, key, _ = unlock(__import__("pathlib").Path(path), "chihuy", sys.stdin.readline().strip())
print("go", flush=True)
restore(__import__("pathlib").Path(path), __import__("pathlib").Path(source), key, login=login)
print("done", flush=True)
"""

ENCRYPT = """
import sys
from db.store import keys
keys.SCRYPT_N = 2**10
from db.security.encryption import encrypt_register
print("go", flush=True)
reg, _ = encrypt_register(sys.argv[1], "chihuy", sys.stdin.readline().strip(),
                          show_code=lambda code: print("code", code, flush=True))
reg.close()
print("done", flush=True)
"""


def _run_and_kill(script: str, args: list[str], after: float) -> list[str]:
    """Run `script`, kill it `after` seconds past its "go"; the lines it printed."""
    lines: list[str] = []
    go = threading.Event()
    with subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    ) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdin.write(PASSWORD + "\n")
        proc.stdin.close()

        def read() -> None:
            assert proc.stdout
            for line in proc.stdout:
                lines.append(line.strip())
                if line.strip() == "go":
                    go.set()
            go.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert go.wait(60), proc.stderr.read()
        time.sleep(after)
        proc.kill()
        proc.wait(10)
        reader.join(10)
        errors = proc.stderr.read()
    assert "Traceback" not in errors, errors
    return lines


def _persons(path: Path, key: bytes | None) -> set[str]:
    with open_register(path, user="chihuy", key=key, log_login=False) as reg:
        assert check_register(reg) == []
        return {r[0] for r in reg.db.execute("SELECT full_name FROM persons")}


@pytest.mark.slow
def test_a_killed_restore_leaves_the_old_or_the_new_register_whole(
    secure_path: Path, tmp_path: Path
) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    moments = random.Random(seed)
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        key = reg.key
        for n in range(400):
            people.add_person(reg, {"full_name": f"Trong Bản Sao {n}", "notes": "x" * 400})
        made = make_backup(reg, tmp_path / "usb")
        old_conn = reg.reopen()  # keeps the WAL from being merged when reg closes
        for n in range(300):
            people.add_person(reg, {"full_name": f"Sau Bản Sao {n}", "notes": "y" * 400})
    # The old register as a crash left it: its last commits only in the -wal.
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    for suffix in ("", "-wal", ".keys"):
        shutil.copyfile(f"{secure_path}{suffix}", pristine / f"mahoa.db{suffix}")
    old_conn.close()
    look = tmp_path / "look"
    shutil.copytree(pristine, look)  # opening merges the -wal: read a copy, keep the pristine
    old = _persons(look / "mahoa.db", key)
    new = _persons(made, key)
    assert old != new and new < old
    outcomes = set()
    for kill in range(KILLS):
        for leftover in secure_path.parent.glob("mahoa.db*"):
            if leftover.is_file() and not leftover.name.endswith(".lock"):
                leftover.unlink()
        for suffix in ("", "-wal", ".keys"):
            shutil.copyfile(pristine / f"mahoa.db{suffix}", f"{secure_path}{suffix}")
        lines = _run_and_kill(RESTORE, [str(secure_path), str(made)], moments.uniform(0, 0.6))
        found = _persons(secure_path, key)
        assert found in (old, new), f"seed {seed}, kill {kill}"
        if "done" in lines:
            assert found == new, f"seed {seed}, kill {kill}"
        outcomes.add(found == new)
        for copy in secure_path.parent.glob("mahoa.db.hong-*.bak"):  # the old one, whole
            keys.copy_keys(pristine / "mahoa.db", copy)
            assert _persons(copy, key) == old, f"seed {seed}, kill {kill}"
    assert not list(secure_path.parent.glob("*.tmp*"))  # the last open cleared them


@pytest.mark.slow
def test_a_killed_first_encryption_leaves_no_plain_copy_and_showed_its_code(
    tmp_path: Path, fast_keys: None
) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    moments = random.Random(seed)
    source = tmp_path / "cu.db"
    with open_register(source, create=True) as plain:
        for n in range(1500):
            people.add_person(plain, {"full_name": f"Người Rõ {n}", "notes": "z" * 300})
    for kill in range(KILLS):
        folder = tmp_path / f"lan-{kill}"
        folder.mkdir()
        path = folder / "cu.db"
        shutil.copyfile(source, path)
        lines = _run_and_kill(ENCRYPT, [str(path)], moments.uniform(0, 1.6))
        codes = [line.split(" ", 1)[1] for line in lines if line.startswith("code ")]
        if register_state(path) == "plain":
            with open_register(path) as reg:
                assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 1500
            continue
        # Encrypted: the code was shown before the plain file went, and it opens the register.
        assert codes, f"seed {seed}, kill {kill}: encrypted but no code was shown"
        with unlock_with_recovery(path, codes[-1], "mat-khau-moi-1") as reg:
            assert reg.db.execute("SELECT count(*) FROM persons").fetchone()[0] == 1500
        # After that start nothing readable without the key is left beside it.
        for other in folder.iterdir():
            if other.is_file() and other.name != "cu.db.lock":
                assert not other.read_bytes().startswith(SQLITE_HEADER), other
                assert ".tmp" not in other.name, other
