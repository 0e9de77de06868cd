"""Revocation: disabling an account (or resetting a password, on request) changes the register's
key, so old key slots open only old backups; a killed key change leaves a register that opens."""

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

from db.core.errors import NotAllowed, RegisterDamaged, RegisterLocked
from db.persons import people
from db.security import auth
from db.security.backup import make_backup
from db.security.encryption import create_register, unlock_with_recovery
from db.security.rekey import rotate_key
from db.store import keys
from db.store.check import check_register
from db.store.register import open_register, unlock
from tests.support.paths import ROOT
from tests.support.registers import PASSWORD, count

AN, BINH = "mat-khau-cua-an", "mat-khau-cua-binh"


@pytest.fixture
def made(tmp_path: Path, fast_keys: None) -> tuple[Path, str]:
    """A register with the chief, two officers and a person; and its recovery code."""
    path = tmp_path / "so.db"
    reg, code = create_register(path, "chihuy", PASSWORD)
    with reg:
        auth.add_account(reg, "an", AN)
        auth.add_account(reg, "binh", BINH)
        people.add_person(reg, {"full_name": "Trước Khi Khóa"})
    return path, code


def test_a_disabled_account_s_old_slot_opens_only_old_backups(made: tuple[Path, str],
                                                              tmp_path: Path) -> None:  # fmt: skip
    path, code = made
    with open_register(path, user="chihuy", password=PASSWORD) as chief:
        old = make_backup(chief, tmp_path / "usb")
        old_key = bytes(chief.key or b"")
        stranded = auth.disable_account(chief, "an", rotate=True)
        assert stranded == []
        assert bytes(chief.key or b"") != old_key
        people.add_person(chief, {"full_name": "Sau Khi Khóa"})  # the session goes on
        assert check_register(chief) == []
    # An's slot, kept in the old backup's key file, still gives the old key ...
    _, from_backup, _ = unlock(old, "an", AN)
    assert bytes(from_backup) == old_key
    with open_register(old, user="an", key=from_backup) as backup:
        assert count(backup, "persons") == 1
    # ... which no longer opens the register.
    with pytest.raises(RegisterDamaged):
        open_register(path, user="an", key=from_backup)
    with pytest.raises(RegisterDamaged):
        open_register(path, user="chihuy", key=old_key)
    # Everyone else, and the recovery code, follow the new key without a new password.
    with open_register(path, user="binh", password=BINH) as binh:
        assert count(binh, "persons") == 2
    with unlock_with_recovery(path, code, "mat-khau-moi-1") as again:
        assert count(again, "persons") == 2
    with unlock_with_recovery(old, code, "mat-khau-moi-2") as backup:  # and the old backup
        assert count(backup, "persons") == 1


def test_a_reset_password_may_change_the_key_too(made: tuple[Path, str]) -> None:
    path, _ = made
    with open_register(path, user="chihuy", password=PASSWORD) as chief:
        before = bytes(chief.key or b"")
        auth.reset_password(chief, "binh", "mat-khau-moi-binh", rotate=True)
        after = bytes(chief.key or b"")
    assert before != after
    with open_register(path, user="binh", password="mat-khau-moi-binh") as binh:
        assert bytes(binh.key or b"") == after


def test_only_the_chief_alone_changes_the_key(made: tuple[Path, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from db.store import hold

    monkeypatch.setattr(hold, "WAIT_SECONDS", 0.3)
    path, _ = made
    with open_register(path, user="an", password=AN) as officer, pytest.raises(NotAllowed):
        rotate_key(officer)
    with open_register(path, user="chihuy", password=PASSWORD) as chief:
        before = bytes(chief.key or b"")
        other = chief.reopen()  # a worker's connection still open
        with pytest.raises(RegisterLocked, match="đang mở ở nơi khác"):
            auth.disable_account(chief, "an", rotate=True)
        other.close()
        assert count(chief, "accounts", "login = 'an' AND disabled = 1") == 1  # disabled anyway
    with pytest.raises(Exception):  # noqa: B017 - its slot went with it
        unlock(path, "an", AN)
    assert keys.read_keys(path).recovery is not None
    with open_register(path, user="chihuy", password=PASSWORD) as chief:
        assert bytes(chief.key or b"") == before  # the key was not changed


ROTATE = """
import sys
from db.security.rekey import rotate_key
from db.store.register import open_register
with open_register(sys.argv[1], user="chihuy", password=sys.stdin.readline().strip()) as reg:
    print("go", flush=True)
    rotate_key(reg, reason="thử")
    print("done", flush=True)
"""


@pytest.mark.slow
def test_a_killed_key_change_leaves_a_register_that_opens(made: tuple[Path, str],
                                                          tmp_path: Path) -> None:  # fmt: skip
    path, _ = made
    with open_register(path, user="chihuy", password=PASSWORD) as chief:
        for n in range(600):
            people.add_person(chief, {"full_name": f"Người {n}", "notes": "x" * 400})
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    moments = random.Random(seed)
    for kill in range(8):
        go = threading.Event()
        with subprocess.Popen([sys.executable, "-c", ROTATE, str(path)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as proc:  # fmt: skip
            assert proc.stdin and proc.stdout and proc.stderr
            proc.stdin.write(PASSWORD + "\n")
            proc.stdin.close()
            threading.Thread(target=lambda p=proc, g=go: (p.stdout.readline(), g.set()),
                             daemon=True).start()  # fmt: skip
            assert go.wait(60)
            time.sleep(moments.uniform(0, 0.8))
            proc.kill()
            proc.wait(10)
            assert "Traceback" not in proc.stderr.read()
        for opener, password in (("chihuy", PASSWORD), ("binh", BINH)):
            with open_register(path, user=opener, password=password) as reg:
                assert check_register(reg) == [], f"seed {seed}, kill {kill}"
                assert count(reg, "persons") == 601
    assert not [p for p in path.parent.iterdir() if ".tmp" in p.name]
    shutil.rmtree(tmp_path / "usb", ignore_errors=True)
