"""Roles that hold: accounts and settings edited straight in the file are refused at the next
open, for every account, until the chief undoes or accepts the edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from db.commune import settings
from db.core.errors import NotAllowed, UserError
from db.security import auth
from db.security.seal_repair import repair_seal
from db.store import keys, seal
from db.store.register import open_register
from tests.support.registers import PASSWORD

OFFICER_PASSWORD = "mat-khau-cua-an"


@pytest.fixture
def with_officer(secure_path: Path) -> Path:
    with open_register(secure_path, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", OFFICER_PASSWORD)
        settings.save_settings(chief, {"unit_name": "CÔNG AN XÃ MƯỜNG BÚ"})
    return secure_path


def _chief(path: Path):  # type: ignore[no-untyped-def]
    return open_register(path, user="chihuy", password=PASSWORD)


def _officer(path: Path):  # type: ignore[no-untyped-def]
    return open_register(path, user="an", password=OFFICER_PASSWORD)


def _raw(path: Path, *statements: str) -> None:
    """What someone who has the key (any account) can do by opening the file directly."""
    with _officer(path) as reg:
        key = reg.key
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {keys.sql_key(key)}")  # type: ignore[arg-type]
    for statement in statements:
        conn.execute(statement)
    conn.close()


EDITS = {
    "own-role": "UPDATE accounts SET role = 'chief' WHERE login = 'an'",
    "chief-setting": "UPDATE settings SET value = '\"KẺ GIẢ MẠO\"' WHERE key = 'unit_name'",
    "new-chief-row": "INSERT INTO accounts (id, login, full_name, role, disabled, created_at, "
    "created_by, updated_at, updated_by, device_id, deleted) VALUES ('x', 'ke-gian', '', "
    "'chief', 0, '', '', '', '', '', 0)",
    "disable-chief": "UPDATE accounts SET disabled = 1 WHERE login = 'chihuy'",
    # The province's inbox: a token slipped in would let anyone upload as that commune.
    "inbox-token-added": "INSERT INTO inbox_tokens (id, commune_id, token_hash, hint, "
    "created_at, created_by) VALUES ('t', 'xa-khac', 'abc', 'abcd', '', '')",
    "seal-removed": "DELETE FROM seal",
    "seal-edited": "UPDATE seal SET body = replace(body, '\"officer\"', '\"chief\"')",
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_direct_edit_is_refused_at_the_next_open(with_officer: Path, edit: str,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]
                                                   ) -> None:  # fmt: skip
    _raw(with_officer, EDITS[edit])
    for opening in (_officer, _chief):
        with pytest.raises(seal.SealBroken, match="repair-seal") as caught:
            opening(with_officer)
        assert caught.value.exit_code == 3
    monkeypatch.setenv("SOTHEODOI_PASSWORD", OFFICER_PASSWORD)
    assert main(["stats", "--db", str(with_officer), "--user", "an"]) == 3
    err = capsys.readouterr().err
    assert "sửa trực tiếp" in err and "Traceback" not in err
    assert main(["check", "--db", str(with_officer), "--user", "an"]) == 3
    assert "bị sửa ngoài chương trình" in capsys.readouterr().err


def test_the_chief_undoes_the_edit(with_officer: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    _raw(with_officer, EDITS["own-role"], EDITS["chief-setting"], EDITS["new-chief-row"])
    with pytest.raises(NotAllowed):  # not by the officer, even as "chief" in the edited rows
        repair_seal(with_officer, "an", OFFICER_PASSWORD)
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["repair-seal", "--db", str(with_officer), "--user", "chihuy"]) == 0
    out = capsys.readouterr().out
    assert "Đã đưa về" in out and "ke-gian" in out
    with _officer(with_officer) as officer:
        assert officer.role == "officer"
        assert settings.get_settings(officer)["unit_name"] == "CÔNG AN XÃ MƯỜNG BÚ"
        assert [a["login"] for a in auth.list_accounts(officer)] == ["an", "chihuy"]
        logged = officer.conn.execute(
            "SELECT user, changes FROM change_log WHERE action = 'seal'"
        ).fetchone()
        assert logged[0] == "chihuy"
        assert any("ke-gian" in line for line in json.loads(logged[1])["undone"])


def test_the_chief_may_accept_an_edit_they_made(with_officer: Path) -> None:
    _raw(with_officer, EDITS["chief-setting"])
    found = repair_seal(with_officer, "chihuy", PASSWORD, accept=True)
    assert found and "unit_name" in found[0]
    with _chief(with_officer) as chief:
        assert settings.get_settings(chief)["unit_name"] == "KẺ GIẢ MẠO"
    assert repair_seal(with_officer, "chihuy", PASSWORD) == []


def test_a_removed_seal_can_only_be_accepted(with_officer: Path) -> None:
    _raw(with_officer, EDITS["seal-removed"])
    with pytest.raises(UserError, match="--accept"):
        repair_seal(with_officer, "chihuy", PASSWORD)
    repair_seal(with_officer, "chihuy", PASSWORD, accept=True)
    with _officer(with_officer) as officer:
        assert officer.role == "officer"


def test_an_officer_who_re_signs_fools_only_their_own_session(with_officer: Path) -> None:
    # The officer edits their role, rewraps their own slot with a chief secret they made up,
    # and re-signs the edited rows with it: their own session takes it, the chief's does not.
    with _officer(with_officer) as officer:
        key = officer.key
    assert key is not None
    _raw(with_officer, EDITS["own-role"])
    fake = seal.new_chief_secret()
    keyfile = keys.read_keys(with_officer)
    keyfile.slots["an"] = keys.wrap(key, "an", OFFICER_PASSWORD, fake)
    keys.write_keys(with_officer, keyfile)
    with open_register(with_officer, user="an", key=keys.Unlocked(key, fake),
                       verify_seal=False, log_login=False) as officer:  # fmt: skip
        from db.store import records

        with records.transaction(officer):
            seal.write(officer, fake)
    with _officer(with_officer) as officer:
        assert officer.role == "chief"  # the limit docs/security.md states
    with pytest.raises(seal.SealBroken, match="ký lại"):
        _chief(with_officer)
    with pytest.raises(UserError, match="--accept"):  # nothing trustworthy to go back to
        repair_seal(with_officer, "chihuy", PASSWORD)
    repair_seal(with_officer, "chihuy", PASSWORD, accept=True)  # after looking at the rows
    with _chief(with_officer) as chief:
        auth.disable_account(chief, "an")
    with pytest.raises(seal.SealBroken):  # the made-up secret no longer signs anything
        open_register(with_officer, user="an", key=keys.Unlocked(key, fake))


def test_officers_and_a_chief_without_the_secret_cannot_change_protected_rows(
    with_officer: Path,
) -> None:
    with _officer(with_officer) as officer, pytest.raises(NotAllowed):
        settings.save_settings(officer, {"unit_name": "X"})
    with _chief(with_officer) as chief:
        key = chief.key
        assert keys.chief_secret_of(key) is not None
    assert key is not None
    with (
        open_register(with_officer, user="chihuy", key=bytes(key)) as chief,  # no secret
        pytest.raises(NotAllowed, match="khóa niêm phong"),
    ):
        settings.save_settings(chief, {"unit_name": "X"})
    with _chief(with_officer) as chief:
        settings.save_settings(chief, {"unit_name": "CÔNG AN XÃ CHIỀNG MUNG"})
    with _officer(with_officer) as officer:
        assert settings.get_settings(officer)["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"


def test_what_a_bundle_may_never_change() -> None:
    assert set(seal.protected_tables()) == {"accounts", "settings", "inbox_tokens"}
    assert seal.protected_setting_keys() is None  # every setting is the chief's
