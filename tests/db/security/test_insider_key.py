"""What someone holding an officer's key gets by opening the register under the chief's name:
no restore, no deleting backups, no key change, no password reset, no sign-off; and the files the
program makes are this user's only."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from db.core.errors import NotAllowed
from db.duties import actions
from db.persons import people
from db.security import auth, backup, restore
from db.security.rekey import rotate_key
from db.store import keys, seal
from db.store.register import open_register, unlock
from reports.build import monthly_report
from tests.support.registers import PASSWORD

AN = "mat-khau-cua-an"
MORNING = datetime(2026, 11, 20, 8, 0, 0)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def with_officer(secure_path: Path) -> Path:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", AN)
        auth.add_account(chief, "binh", "mat-khau-cua-binh")
        person = people.add_person(chief, {"full_name": "Đặng Văn Đức"})
        actions.management_decision(chief, person, "2026-11-02")
    return secure_path


def test_an_officers_key_naming_the_chief_cannot_restore_or_delete_backups(
    with_officer: Path, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    with open_register(with_officer, user="chihuy", password=PASSWORD) as chief:
        made = [backup.make_backup(chief, usb, now=MORNING + timedelta(days=d)) for d in range(3)]
        people.add_person(chief, {"full_name": "Sau Bản Sao"})
    _, officer_key, _ = unlock(with_officer, "an", AN)
    made_up = keys.Unlocked(bytes(officer_key), seal.new_chief_secret())  # a secret of their own
    before = _digest(with_officer)
    for key in (officer_key, bytes(officer_key), made_up):
        with pytest.raises(NotAllowed, match="khóa niêm phong của chỉ huy"):
            restore.restore(with_officer, made[0], key, login="chihuy")
        assert _digest(with_officer) == before
    # Opened with the key under the chief's name: the accounts row says chief, and yet ...
    with open_register(with_officer, user="chihuy", key=bytes(officer_key)) as posing:
        assert posing.role == "chief"
        with pytest.raises(NotAllowed):
            backup.make_backup(posing, usb, keep=1)
        with pytest.raises(NotAllowed):
            backup.rotate(posing, usb, 1)
        with pytest.raises(NotAllowed):
            rotate_key(posing)
        with pytest.raises(NotAllowed):
            auth.disable_account(posing, "an")
        with pytest.raises(NotAllowed, match="khóa niêm phong"):  # taking over binh's account
            auth.reset_password(posing, "binh", "mat-khau-cua-ke-gian")
        episode = posing.conn.execute("SELECT id FROM episodes").fetchone()[0]
        with pytest.raises(NotAllowed, match="khóa niêm phong"):  # a sign-off in the chief's name
            auth.sign_off(posing, episode)
        assert auth.signed_off(posing, episode) is None
        added = backup.make_backup(posing, usb, now=MORNING + timedelta(days=5))  # only adds
    assert set(usb.glob("*.db")) == {*made, added}
    # The chief, signed in with the password, still does all of it.
    with open_register(with_officer, user="chihuy", password=PASSWORD) as chief:
        assert backup.rotate(chief, usb, 3)
    _, chief_key, _ = unlock(with_officer, "chihuy", PASSWORD)
    restore.restore(with_officer, made[-1], chief_key, login="chihuy")
    with open_register(with_officer, user="chihuy", password=PASSWORD) as chief:
        assert chief.conn.execute(
            "SELECT count(*) FROM persons WHERE full_name = 'Sau Bản Sao'"
        ).fetchone() == (0,)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_every_file_and_folder_the_program_makes_is_this_users_only(
    with_officer: Path, tmp_path: Path
) -> None:
    old = os.umask(0o022)  # a desktop's usual mask: files 0644 unless the program says
    try:
        with open_register(with_officer, user="chihuy", password=PASSWORD) as chief:
            backup.auto_backup(chief)
            backup.make_backup(chief, tmp_path / "usb")
            monthly_report(chief, "2026-10")
    finally:
        os.umask(old)
    made = list(tmp_path.rglob("*"))
    assert any(p.name.endswith(".keys") for p in made)
    assert any(p.name.endswith(".anchor") for p in made)
    assert any(p.name.endswith(".sealed") for p in made)
    for path in made:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
