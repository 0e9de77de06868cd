"""A key change keeps the sealed outbox readable: every caller of db.security.rekey.rotate_key
(disabling an account, resetting a password, `change-key`) leaves the reports sealed under the
register's new key, in this session and in the next, and an old backup's key slot opens only
that backup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cli.main import main
from db.core.errors import RegisterDamaged
from db.duties import actions
from db.persons import people
from db.security import auth
from db.security.backup import make_backup
from db.security.encryption import create_register
from db.store import keys
from db.store.register import Register, open_register, unlock
from reports.build import (
    monthly_report,
    open_report,
    outbox_for,
    reseal_outbox,
    set_upload_config,
    upload_config,
)
from reports.outbox import default_folder
from reports.upload_config import UploadConfig
from tests.support.registers import PASSWORD, TODAY

AN = "mat-khau-cua-an"
NAME = "Lò Văn Ươn"
TOKEN = "xa-chieng-mung.7f3a9"


@pytest.fixture
def path(tmp_path: Path, fast_keys: None) -> Path:
    """An encrypted register: the chief, officer "an", one person under management, and the
    October report sealed in its outbox."""
    where = tmp_path / "so.db"
    reg, _code = create_register(where, "chihuy", PASSWORD, today=lambda: TODAY)
    with reg:
        auth.add_account(reg, "an", AN)
        person = people.add_person(reg, {"full_name": NAME, "birth_date": "1990"})
        actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
        monthly_report(reg, "2026-10")
        set_upload_config(reg, UploadConfig(token=TOKEN))
    return where


def chief(path: Path) -> Register:
    return open_register(path, user="chihuy", password=PASSWORD, today=lambda: TODAY)


def the_report_opens(path: Path, folder: Path, *, old_key_kept: bool = False) -> None:
    """In a fresh session: the report is listed, intact, and opens as a PDF. `old_key_kept`:
    the key file still holds the key before the change (the outbox had not followed)."""
    with chief(path) as reg:
        assert reg.key is not None
        assert (getattr(reg.key, "previous", None) is not None) == old_key_kept
        box = outbox_for(reg)
        (entry,) = box.entries()
        assert box.verify(entry)
        folder.mkdir()
        shown = open_report(reg, box, entry.id, folder)
        assert shown.read_bytes().startswith(b"%PDF")
        assert upload_config(reg, box).token == TOKEN  # the province's credential follows too


Rotation = Callable[[Register], object]
ROTATIONS: dict[str, Rotation] = {
    "disable": lambda reg: auth.disable_account(reg, "an", rotate=True, after=reseal_outbox),
    "reset": lambda reg: auth.reset_password(
        reg, "an", "mat-khau-moi-an", rotate=True, after=reseal_outbox
    ),
}


@pytest.mark.parametrize("how", sorted(ROTATIONS))
def test_the_sealed_report_opens_after_the_key_changed(path: Path, tmp_path: Path,
                                                        how: str) -> None:  # fmt: skip
    with chief(path) as reg:
        old = make_backup(reg, tmp_path / "usb")
        old_key = bytes(reg.key or b"")
        ROTATIONS[how](reg)
        assert bytes(reg.key or b"") != old_key
    the_report_opens(path, tmp_path / "mo")
    # An's slot in the old backup's key file opens that backup, not the register any more.
    _, from_backup, _ = unlock(old, "an", AN)
    assert bytes(from_backup) == old_key
    with pytest.raises(RegisterDamaged):
        open_register(path, user="an", key=from_backup)


def test_change_key_on_the_command_line_keeps_the_outbox(path: Path, tmp_path: Path) -> None:
    secret = tmp_path / "mk.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    access = ["--password-file", str(secret), "--user", "chihuy"]
    assert main(["change-key", "--db", str(path), "--disable", "an", *access]) == 0
    the_report_opens(path, tmp_path / "mo")
    assert main(["change-key", "--db", str(path), *access]) == 0
    the_report_opens(path, tmp_path / "mo2")


def test_a_crash_before_the_outbox_followed_is_finished_by_the_next_session(
    path: Path, tmp_path: Path
) -> None:
    """Killed after the register moved to the new key but before the outbox followed: the key
    file still holds the old key, so the next session's outbox seals the reports again."""

    def killed(reg: Register, old_key: bytes) -> None:
        raise KeyboardInterrupt  # the power goes off here

    with chief(path) as reg, pytest.raises(KeyboardInterrupt):
        auth.disable_account(reg, "an", rotate=True, after=killed)
    assert keys.read_keys(path).slots["chihuy"].previous is not None
    the_report_opens(path, tmp_path / "mo", old_key_kept=True)


def test_without_a_follower_the_outbox_is_not_lost_either(path: Path, tmp_path: Path) -> None:
    """A caller that passes nothing (a script) leaves the old key in the key file until an
    outbox has followed; the next session's outbox then follows by itself."""
    with chief(path) as reg:
        auth.disable_account(reg, "an", rotate=True)
    the_report_opens(path, tmp_path / "mo", old_key_kept=True)
    files = [p for p in default_folder(path).iterdir() if p.is_file()]
    assert files and not any(NAME.encode() in p.read_bytes() for p in files)  # none in clear


def test_an_outbox_that_cannot_follow_now_follows_at_the_next_session(
    path: Path, tmp_path: Path
) -> None:
    """The key changed but the outbox could not be sealed again (its folder locked, a full
    disk): the account is disabled and the key changed — said as done, not as a failure — and
    the next session's outbox follows from the old key the key file still holds."""
    from db.core.errors import UserError as Refusal

    def locked(reg: Register, old_key: bytes) -> None:
        raise Refusal("Hộp thư đi đang bị khóa.")

    with chief(path) as reg:
        old_key = bytes(reg.key or b"")
        auth.disable_account(reg, "an", rotate=True, after=locked)
        assert bytes(reg.key or b"") != old_key
    assert keys.read_keys(path).slots["chihuy"].previous is not None
    the_report_opens(path, tmp_path / "mo", old_key_kept=True)
