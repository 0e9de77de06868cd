"""Accounts: who may do what is decided in db/ (`db.store.roles`), not by what the window hides.

Roles: **cán bộ** (officer) keeps the records; **chỉ huy** (station chief) also manages accounts
and settings, signs off decisions and resolves handover conflicts. A plain register (tests, files
from before encryption) has no accounts and acts as the chief's.

An account is a row of `accounts` (in the encrypted file: name, role, disabled) and a key slot in
`<register>.keys` (its password wraps the database key). Login checks both: the password must
unwrap the key, and the account must be active.
"""

from __future__ import annotations

import time
from typing import Any

from db.core.errors import NotAllowed, NotFound, UserError, ValidationError, WrongPassword
from db.core.textfold import clean
from db.security.chief import acts_as_chief
from db.security.rekey import Follow, rotate_key
from db.store import keys, lockout, records
from db.store.audit import log_event
from db.store.register import CHIEF, OFFICER, Register
from db.store.roles import ROLE_LABELS as ROLE_LABELS  # re-exported: the accounts page shows them
from db.store.roles import require_chief as require_chief


def _require_encrypted(reg: Register) -> bytes:
    if reg.key is None:
        raise UserError(
            "Sổ này chưa được mã hóa nên chưa có tài khoản. Hãy mở sổ bằng chương trình "
            "(cửa sổ hoặc dòng lệnh có mật khẩu) để mã hóa và tạo tài khoản chỉ huy."
        )
    return reg.key


def _require_chief_secret(reg: Register, what: str) -> None:
    """The chief's, and on a sealed register with the chief secret: an officer's key opened
    under the chief's name does not sign off or reset passwords (db.security.chief)."""
    require_chief(reg, what)
    if not acts_as_chief(reg):
        raise NotAllowed(
            f"Không thể {what}: việc này cần khóa niêm phong của chỉ huy. Hãy đăng nhập bằng "
            "mật khẩu của chỉ huy."
        )


def list_accounts(reg: Register) -> list[dict[str, Any]]:
    """Every account, active ones first, with the role's label."""
    rows = reg.db.query(
        "SELECT id, login, full_name, role, disabled, created_at FROM accounts "
        "WHERE deleted = 0 ORDER BY disabled, login"
    )
    return [{**r, "role_label": ROLE_LABELS.get(r["role"], r["role"])} for r in rows]


def _account(reg: Register, login: str) -> dict[str, Any]:
    found = list(reg.db.query("SELECT * FROM accounts WHERE login = ? AND deleted = 0", [login]))
    if not found:
        raise NotFound(f"Không có tài khoản “{login}”.")
    return found[0]


def _set_slot(reg: Register, login: str, password: str, role: str) -> None:
    """A new slot for an account; a chief's holds the chief secret (db.store.seal), which only
    a session that has it can give."""
    key = _require_encrypted(reg)
    secret = keys.chief_secret_of(key) if role == CHIEF else None
    with lockout.editing_keys(reg.path):
        keyfile = keys.read_keys(reg.path) if keys.keys_path(reg.path).exists() else keys.KeyFile()
        keyfile.slots[login] = keys.wrap(key, login, password, secret)
        keys.write_keys(reg.path, keyfile)


def _drop_slot(reg: Register, login: str) -> None:
    with lockout.editing_keys(reg.path):
        keyfile = keys.read_keys(reg.path)
        if keyfile.slots.pop(login, None) is not None:
            keys.write_keys(reg.path, keyfile)


def add_account(
    reg: Register, login: str, password: str, *, full_name: str = "", role: str = OFFICER
) -> str:
    """A new account (chief only); returns its id."""
    require_chief(reg, "thêm tài khoản")
    _require_encrypted(reg)
    name = keys.check_login(login)
    if role not in ROLE_LABELS:
        raise ValidationError({"role": "Vai trò phải là cán bộ hoặc chỉ huy."})
    keys.check_new_password(password, name)
    if reg.db.execute("SELECT 1 FROM accounts WHERE login = ?", [name]).fetchone():
        raise ValidationError({"login": f"Đã có tài khoản “{name}”."})
    # The slot first: a slot without an account lets no one in; the reverse would be a
    # stranded account.
    _set_slot(reg, name, password, role)
    try:
        return records.insert(
            reg, "accounts", {"login": name, "full_name": clean(full_name), "role": role}
        )
    except BaseException:
        _drop_slot(reg, name)
        raise


def reset_password(reg: Register, login: str, new_password: str, *, rotate: bool = False,
                   after: Follow | None = None) -> list[str]:  # fmt: skip
    """Give an account a new password (chief only), e.g. when an officer forgot theirs.

    `rotate`: also change the register's key (db.security.rekey), when the old password may be
    known to someone else; `after` makes what is sealed outside the register follow
    (reports.build.reseal_outbox). Returns the accounts that then need a new password.
    """
    _require_chief_secret(reg, "đặt lại mật khẩu")
    account = _account(reg, keys.normalize_login(login))
    if account["disabled"]:
        raise UserError(f"Tài khoản “{account['login']}” đang bị khóa; hãy mở khóa trước.")
    keys.check_new_password(new_password, account["login"])
    _set_slot(reg, account["login"], new_password, account["role"])
    lockout.record_success(reg.path, account["login"])
    log_event(reg, "password", {"login": account["login"], "kind": "reset"}, table="accounts",
              row_id=account["id"])  # fmt: skip
    if not rotate:
        return []
    return rotate_key(reg, reason=f"đặt lại mật khẩu {account['login']}", after=after)


def check_password(reg: Register, password: str, clock: lockout.Clock = time.time) -> None:
    """The signed-in account's password, again (unlocking the idle lock); delays apply."""
    _require_encrypted(reg)
    with lockout.editing_keys(reg.path):  # tries in parallel are counted one after another
        lockout.check(reg.path, reg.user, clock)
        slot = keys.read_keys(reg.path).slots.get(reg.user)
        try:
            if slot is None:
                raise WrongPassword("Tài khoản này không còn khóa mở sổ; hãy nhờ chỉ huy kiểm tra.")
            keys.unwrap(slot, password)
        except WrongPassword:
            count = lockout.record_failure(reg.path, reg.user, clock)
            wait = lockout.delay_after(count)
            if wait:
                raise WrongPassword(
                    f"Mật khẩu không đúng (sai {count} lần liền; lần thử sau phải đợi {wait} giây)."
                ) from None
            raise WrongPassword("Mật khẩu không đúng.") from None
        lockout.record_success(reg.path, reg.user)


def change_password(reg: Register, old_password: str, new_password: str) -> None:
    """The signed-in account changes its own password (the register is not rewritten)."""
    check_password(reg, old_password)
    keys.check_new_password(new_password, reg.user, "new_password")
    _set_slot(reg, reg.user, new_password, reg.role)
    log_event(reg, "password", {"login": reg.user, "kind": "change"}, table="accounts")


def disable_account(reg: Register, login: str, *, rotate: bool = False,
                    after: Follow | None = None) -> list[str]:  # fmt: skip
    """Stop an account (chief only): its row is marked and its key slot removed.

    `rotate`: also change the register's key (db.security.rekey), so the account's old slot —
    in any backup's key file — opens only backups made before. Every other instance must be
    closed for that; `after` makes what is sealed outside the register follow
    (reports.build.reseal_outbox). Returns the accounts that then need a new password
    (old-style slots).
    """
    require_chief(reg, "khóa tài khoản")
    account = _account(reg, keys.normalize_login(login))
    if account["login"] == reg.user:
        raise UserError("Không thể tự khóa tài khoản đang đăng nhập.")
    if account["role"] == CHIEF:
        chiefs = reg.db.execute(
            "SELECT count(*) FROM accounts WHERE role = 'chief' AND disabled = 0 AND deleted = 0"
        ).fetchone()[0]
        if chiefs <= 1:
            raise UserError("Đây là tài khoản chỉ huy cuối cùng; không thể khóa.")
    # The row first: a disabled row with its slot still present lets no one in.
    records.update(reg, "accounts", account["id"], {"disabled": 1})
    _drop_slot(reg, account["login"])
    if not rotate:
        return []
    try:
        return rotate_key(reg, reason=f"khóa tài khoản {account['login']}", after=after)
    except UserError as exc:  # the same error (and exit code), saying what did happen
        exc.message = (
            f"Đã khóa tài khoản “{account['login']}” nhưng chưa đổi được khóa của sổ: "
            f"{exc.message} Hãy đổi khóa sau."
        )
        exc.args = (exc.message,)
        raise


def enable_account(reg: Register, login: str, new_password: str) -> None:
    """Let a stopped account in again, with a new password (chief only)."""
    require_chief(reg, "mở khóa tài khoản")
    account = _account(reg, keys.normalize_login(login))
    keys.check_new_password(new_password, account["login"])
    _set_slot(reg, account["login"], new_password, account["role"])
    records.update(reg, "accounts", account["id"], {"disabled": 0})


def sign_off(reg: Register, episode_id: str) -> None:
    """The chief signs off a decision as recorded (chief only), logged with what was signed."""
    _require_chief_secret(reg, "duyệt quyết định")
    episode = records.get(reg, "episodes", episode_id)
    signed = {k: episode[k] for k in ("person_id", "category", "decision_no", "decision_date",
                                      "start_date", "planned_end", "end_date")}  # fmt: skip
    log_event(reg, "sign_off", signed, table="episodes", row_id=episode_id)


def signed_off(reg: Register, episode_id: str) -> dict[str, Any] | None:
    """Who signed off an episode and when, and whether it changed since (None: not signed)."""
    row = reg.db.execute(
        "SELECT seq, at, user FROM change_log WHERE row_id = ? AND action = 'sign_off' "
        "ORDER BY seq DESC LIMIT 1",
        [episode_id],
    ).fetchone()
    if row is None:
        return None
    changed = reg.db.execute(
        "SELECT 1 FROM change_log WHERE row_id = ? AND seq > ? AND action IN "
        "('update', 'delete') LIMIT 1",
        [episode_id, row[0]],
    ).fetchone()
    return {"at": row[1], "by": row[2], "changed_since": changed is not None}
