"""The encrypted register: key slots, passwords, delays, the recovery code, roles, conversion."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.commune import settings
from db.core.errors import (
    KeysFileError,
    NotAllowed,
    PasswordRequired,
    RegisterDamaged,
    RegisterFileError,
    TooManyAttempts,
    UserError,
    ValidationError,
    WrongPassword,
    WrongRecoveryCode,
)
from db.persons import people
from db.security import auth
from db.security.encryption import (
    PLAIN_COPY_SUFFIX,
    create_register,
    encrypt_register,
    unlock_with_recovery,
)
from db.store import keys, lockout
from db.store.register import SQLITE_HEADER, open_register, register_state, unlock
from tests.support.registers import PASSWORD, TODAY, count


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _open(path: Path, user: str = "chihuy", password: str = PASSWORD):
    return open_register(path, user=user, password=password, today=lambda: TODAY)


def test_the_file_is_unreadable_without_the_key(secure_path: Path) -> None:
    with _open(secure_path) as reg:
        people.add_person(reg, {"full_name": "Đặng Văn Đức", "id_number": "014090000123"})
    raw = secure_path.read_bytes()
    assert not raw.startswith(SQLITE_HEADER)
    assert "Đặng Văn Đức".encode() not in raw and b"014090000123" not in raw
    assert register_state(secure_path) == "encrypted"
    plain = sqlite3.connect(secure_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM sqlite_master").fetchall()
    plain.close()
    # Without a password the program says what it needs, and changes nothing.
    before = _digest(secure_path)
    with pytest.raises(PasswordRequired, match="cần mật khẩu"):
        open_register(secure_path)
    assert _digest(secure_path) == before


def test_the_password_opens_it_with_the_account_and_role(secure_path: Path) -> None:
    with _open(secure_path) as reg:
        assert (reg.user, reg.role, reg.full_name) == ("chihuy", "chief", "Lò Văn Thắng")
        assert reg.encrypted and reg.key is not None
        assert reg.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert reg.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        # A second connection for a worker thread, without the password.
        with reg.reopen() as other:
            assert (other.user, other.role) == ("chihuy", "chief")
            assert count(other, "villages") == 1
        login = reg.db.execute(
            "SELECT user, action FROM change_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert tuple(login) == ("chihuy", "login")


@pytest.mark.parametrize(("user", "password"), [("chihuy", "sai-mat-khau"), ("ai-do", PASSWORD)])
def test_wrong_password_or_unknown_login_changes_nothing(
    secure_path: Path, user: str, password: str
) -> None:
    before = _digest(secure_path)
    with pytest.raises(WrongPassword) as caught:
        _open(secure_path, user, password)
    assert caught.value.message == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert caught.value.exit_code == 3
    assert _digest(secure_path) == before


def test_growing_delays_after_wrong_passwords(secure_path: Path) -> None:
    now = [1000.0]

    def clock() -> float:
        return now[0]

    for _ in range(2):  # two typos cost nothing
        with pytest.raises(WrongPassword):
            unlock(secure_path, "chihuy", "sai", clock)
    with pytest.raises(WrongPassword, match="đợi 2 giây"):
        unlock(secure_path, "chihuy", "sai", clock)
    # Even the right password must wait now.
    with pytest.raises(TooManyAttempts) as caught:
        unlock(secure_path, "chihuy", PASSWORD, clock)
    assert caught.value.wait_seconds == 2
    now[0] += 2.5
    with pytest.raises(WrongPassword, match="đợi 4 giây"):
        unlock(secure_path, "chihuy", "sai", clock)
    now[0] += 3
    with pytest.raises(TooManyAttempts, match="1 giây"):
        unlock(secure_path, "chihuy", PASSWORD, clock)
    now[0] += 1.5
    login, key, failures = unlock(secure_path, "chihuy", PASSWORD, clock)
    assert (login, failures, len(key)) == ("chihuy", 4, 32)
    assert lockout.failures(secure_path, "chihuy") == 0  # forgotten after a success


def test_delays_grow_and_are_capped() -> None:
    delays = [lockout.delay_after(n) for n in range(1, 16)]
    assert delays[:2] == [0, 0]
    growing = delays[2:12]
    assert all(a < b for a, b in itertools.pairwise(growing))
    assert max(delays) == lockout.MAX_DELAY == delays[-1]


def test_slots_use_scrypt_with_their_own_cost(secure_path: Path) -> None:
    assert keys.SCRYPT_N == 2**10  # the fast_keys fixture asks for less than a key file may hold
    slot = keys.read_keys(secure_path).slots["chihuy"]
    assert (slot.n, slot.r, slot.p) == (2**14, 8, 1)  # the lowest cost a key file may hold
    assert PASSWORD.encode() not in keys.keys_path(secure_path).read_bytes()


def test_default_scrypt_cost_is_memory_hard() -> None:
    # (No fast_keys fixture here: the program's own cost.)
    assert keys.SCRYPT_N * keys.SCRYPT_R * 128 >= 128 * 2**20  # at least 128 MiB per try


def test_changing_a_password_does_not_rewrite_the_register(secure_path: Path) -> None:
    salt = secure_path.read_bytes()[:16]  # SQLCipher's per-file salt: new if re-encrypted
    with _open(secure_path) as reg:
        with pytest.raises(WrongPassword):
            auth.change_password(reg, "sai-mat-khau", "mat-khau-moi-2026")
        with pytest.raises(ValidationError, match="ít nhất 8"):
            auth.change_password(reg, PASSWORD, "ngan")
        auth.change_password(reg, PASSWORD, "mat-khau-moi-2026")
        key = reg.key
    assert secure_path.read_bytes()[:16] == salt
    with pytest.raises(WrongPassword):
        _open(secure_path)
    with _open(secure_path, password="mat-khau-moi-2026") as reg:
        assert reg.key == key


def test_recovery_code_opens_the_register_when_passwords_are_lost(
    tmp_path: Path, fast_keys: None
) -> None:
    path = tmp_path / "so.db"
    reg, code = create_register(path, "chihuy", PASSWORD)
    with reg:
        auth.add_account(reg, "an", "mat-khau-cua-an")
        people.add_person(reg, {"full_name": "Lò Thị Hoa"})
    assert len(code) == 39 and code.count("-") == 7
    keys.keys_path(path).unlink()  # every password is lost with the key file
    with pytest.raises(KeysFileError, match="mã khôi phục"):
        _open(path)
    with pytest.raises(WrongRecoveryCode, match="32 chữ"):
        unlock_with_recovery(path, "ABCD-1234", "mat-khau-moi-1")
    other_code = keys.new_recovery()[0]
    with pytest.raises(WrongRecoveryCode, match="sổ khác"):
        unlock_with_recovery(path, other_code, "mat-khau-moi-1")
    # Typed in lowercase, with spaces, 0 for O: still the code.
    typed = code.lower().replace("-", " ").replace("o", "0")
    with unlock_with_recovery(path, typed, "mat-khau-moi-1") as again:
        assert (again.user, again.role) == ("chihuy", "chief")
        assert count(again, "persons") == 1
        assert (
            again.db.execute("SELECT count(*) FROM change_log WHERE action = 'recover'").fetchone()[
                0
            ]
            == 1
        )
    with _open(path, password="mat-khau-moi-1") as reg:
        assert reg.role == "chief"
    # The officer's slot went with the lost file: the chief gives a new password.
    with pytest.raises(WrongPassword):
        _open(path, "an", "mat-khau-cua-an")


def test_another_registers_key_file_does_not_fit(secure_path: Path, tmp_path: Path) -> None:
    other, _ = create_register(tmp_path / "khac.db", "chihuy", PASSWORD)
    other.close()
    shutil.copyfile(keys.keys_path(tmp_path / "khac.db"), keys.keys_path(secure_path))
    with pytest.raises(RegisterDamaged, match="không khớp"):
        _open(secure_path)


def test_damaged_key_file_says_what_to_do(secure_path: Path) -> None:
    keys.keys_path(secure_path).write_text("{ hỏng", encoding="utf-8")
    with pytest.raises(KeysFileError, match=r"bị hỏng.*mã khôi phục"):
        _open(secure_path)


def test_roles_are_enforced_in_db(secure_path: Path) -> None:
    with _open(secure_path) as chief:
        auth.add_account(chief, "Nguyễn Văn An", "mat-khau-cua-an", full_name="Nguyễn Văn An")
        person = people.add_person(chief, {"full_name": "Hà Văn Dũng"})
        from db.duties import actions

        episode = actions.management_decision(chief, person, "2026-11-02").episode_id
        assert episode is not None
    with _open(secure_path, "nguyen van an", "mat-khau-cua-an") as officer:
        assert (officer.user, officer.role) == ("nguyen van an", "officer")
        people.add_person(officer, {"full_name": "Lò Văn Sướng"})  # keeping records: allowed
        refused = [
            lambda: settings.save_settings(officer, {"unit_name": "CÔNG AN XÃ X"}),
            lambda: auth.add_account(officer, "binh", "mat-khau-binh"),
            lambda: auth.reset_password(officer, "chihuy", "mat-khau-moi-1"),
            lambda: auth.disable_account(officer, "chihuy"),
            lambda: auth.sign_off(officer, episode),
            lambda: auth.require_chief(officer),
        ]
        for attempt in refused:
            with pytest.raises(NotAllowed, match="chỉ huy") as caught:
                attempt()
            assert caught.value.exit_code == 5
        assert settings.get_settings(officer)["unit_name"] == ""
        assert [a["login"] for a in auth.list_accounts(officer)] == ["chihuy", "nguyen van an"]
    with _open(secure_path) as chief:
        auth.sign_off(chief, episode)
        signed = auth.signed_off(chief, episode)
        assert signed is not None and signed["by"] == "chihuy" and not signed["changed_since"]


def test_disabled_account_cannot_log_in(secure_path: Path) -> None:
    with _open(secure_path) as chief:
        auth.add_account(chief, "an", "mat-khau-cua-an")
        with pytest.raises(UserError, match="tự khóa"):
            auth.disable_account(chief, "chihuy")
        auth.disable_account(chief, "an")
        assert [a["disabled"] for a in auth.list_accounts(chief)] == [0, 1]
    with pytest.raises(WrongPassword):
        _open(secure_path, "an", "mat-khau-cua-an")
    with _open(secure_path) as chief:
        auth.enable_account(chief, "an", "mat-khau-moi-cua-an")
    with _open(secure_path, "an", "mat-khau-moi-cua-an") as officer:
        assert officer.role == "officer"


def test_a_second_chief_can_stop_the_first(secure_path: Path) -> None:
    with _open(secure_path) as chief:
        auth.add_account(chief, "pho", "mat-khau-pho-1", role="chief")
    with _open(secure_path, "pho", "mat-khau-pho-1") as deputy:
        auth.disable_account(deputy, "chihuy")
    with pytest.raises(WrongPassword):
        _open(secure_path)


def test_an_account_row_without_a_slot_or_a_slot_without_a_row_lets_no_one_in(
    secure_path: Path,
) -> None:
    with _open(secure_path) as chief:
        key = chief.key
    keyfile = keys.read_keys(secure_path)
    assert key is not None
    keyfile.slots["khach"] = keys.wrap(key, "khach", "mat-khau-khach")
    keys.write_keys(secure_path, keyfile)
    with pytest.raises(NotAllowed, match="không còn được dùng"):
        _open(secure_path, "khach", "mat-khau-khach")


def test_plain_register_is_converted_keeping_everything(tmp_path: Path, fast_keys: None) -> None:
    path = tmp_path / "cu.db"
    with open_register(path, create=True) as old:
        people.add_person(old, {"full_name": "Hoàng Thị Đào", "birth_date": "2001"})
        logged = count(old, "change_log")
    reg, code = encrypt_register(path, "chihuy", PASSWORD, full_name="Lò Văn Thắng")
    with reg:
        assert reg.role == "chief"
        assert [r["full_name"] for r in reg.db.query("SELECT full_name FROM persons")] == [
            "Hoàng Thị Đào"
        ]
        assert count(reg, "change_log") == logged + 2  # the chief's account, the conversion
    assert register_state(path) == "encrypted"
    assert not path.with_name(path.name + PLAIN_COPY_SUFFIX).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cu.db",
        "cu.db.anchor",
        "cu.db.keys",
        "cu.db.lock",
    ]
    with unlock_with_recovery(path, code, "mat-khau-moi-1") as again:
        assert count(again, "persons") == 1


def test_a_failed_conversion_leaves_the_plain_register_as_it_was(
    tmp_path: Path, fast_keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import db.security.encryption

    path = tmp_path / "cu.db"
    with open_register(path, create=True) as old:
        people.add_person(old, {"full_name": "Hoàng Thị Đào"})
    before = _digest(path)

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(db.security.encryption, "_add_chief", broken)
    with pytest.raises(UserError, match="đầy"):
        encrypt_register(path, "chihuy", PASSWORD)
    assert _digest(path) == before and register_state(path) == "plain"
    assert not keys.keys_path(path).exists()
    assert not list(tmp_path.glob("*.tmp*"))
    # No plain copy is made: the plain register itself stays until the encrypted one is in place.
    assert not list(tmp_path.glob("*.bak"))
    with open_register(path) as reg:
        assert count(reg, "persons") == 1


def test_creating_refuses_an_existing_file_and_weak_passwords(
    secure_path: Path, tmp_path: Path
) -> None:
    with pytest.raises(RegisterFileError, match="Đã có tệp"):
        create_register(secure_path, "chihuy", PASSWORD)
    with pytest.raises(ValidationError, match="ít nhất 8"):
        create_register(tmp_path / "moi.db", "chihuy", "1234567")
    with pytest.raises(ValidationError, match="trùng tên đăng nhập"):
        create_register(tmp_path / "moi.db", "chihuy123", "ChiHuy123")
    assert not (tmp_path / "moi.db").exists()
