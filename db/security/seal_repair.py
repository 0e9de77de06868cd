"""The chief's repair of a broken seal over accounts and settings (db.store.seal).

When accounts or settings were edited directly in the file, every open is refused. The chief
(signing in with a password whose slot holds the chief secret, and who is an active chief in
the rows *as the chief last sealed them* — not as they are now) either:

- **undoes** the edit (the default): every protected row is put back as sealed, rows added
  directly are removed, rows removed directly come back; or
- **accepts** it (`accept=True`): the rows stay as they are now, the change log records each
  difference, and they are sealed again.

Either way the register opens again and the repair is in the change log (`seal` event) with what
differed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from db.core.errors import NotAllowed, UserError
from db.core.stamps import now_utc
from db.store import keys, records, seal
from db.store.audit import log_event
from db.store.register import CHIEF, Register, open_register
from db.store.unlock import unlock


def _authority(reg: Register, login: str, secret: bytes) -> bool:
    """Whether `login` is an active chief in the rows the chief last sealed (a seal that can be
    trusted), else in the rows as they are."""
    rows = seal.trusted_rows(reg.conn, secret) or seal.rows(reg.conn)
    return any(
        a.get("login") == login and a.get("role") == CHIEF and not a.get("disabled")
        and not a.get("deleted") for a in rows.get("accounts", [])
    )  # fmt: skip


def _put_back(reg: Register, sealed: dict[str, list[dict[str, Any]]]) -> None:
    """Every protected row as the chief sealed it (inside the caller's transaction)."""
    at = now_utc()
    for table, columns in seal.PROTECTED.items():
        wanted = {r["id"]: r for r in sealed.get(table, [])}
        present = {r["id"] for r in seal.rows(reg.conn)[table]}
        for row_id in present - set(wanted):
            reg.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])
        for row_id, row in wanted.items():
            values = {c: row.get(c) for c in columns}
            if row_id in present:
                sets = ", ".join(f"[{c}] = ?" for c in columns if c != "id")
                reg.conn.execute(f"UPDATE [{table}] SET {sets} WHERE id = ?",
                                 [*(values[c] for c in columns if c != "id"), row_id])  # fmt: skip
            else:
                meta = {"created_at": at, "created_by": reg.user, "updated_at": at,
                        "updated_by": reg.user, "device_id": reg.device_id}  # fmt: skip
                full = {**values, **meta}
                names = ", ".join(f"[{c}]" for c in full)
                marks = ", ".join("?" for _ in full)
                reg.conn.execute(f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
                                 list(full.values()))  # fmt: skip


def _log_accepted(reg: Register, sealed: dict[str, list[dict[str, Any]]]) -> None:
    """Record each accepted difference as a change, so the log replays to the rows as they are."""
    at = now_utc()
    now = seal.rows(reg.conn)
    for table, columns in seal.PROTECTED.items():
        before = {r["id"]: r for r in sealed.get(table, [])}
        for row in now[table]:
            old = before.get(row["id"])
            if old is None:
                changes = {c: row[c] for c in columns if c != "id"}
                records.log_change(reg, at, table, row["id"], "insert", changes)
            elif old != row:
                diff = {c: [old.get(c), row[c]] for c in columns if old.get(c) != row[c]}
                records.log_change(reg, at, table, row["id"], "update", diff)
        for row_id in set(before) - {r["id"] for r in now[table]}:
            records.log_change(reg, at, table, row_id, "delete", {"removed": True})


def repair_seal(
    path: str | os.PathLike[str],
    user: str | None,
    password: str,
    *,
    accept: bool = False,
    today: Callable[[], date] = date.today,
) -> list[str]:
    """Undo (or, `accept`, keep) direct edits of accounts and settings and seal them again;
    returns what differed (empty: the seal was sound, nothing done)."""
    path = Path(path).expanduser()
    login, key, _ = unlock(path, user, password)
    secret = keys.chief_secret_of(key)
    with open_register(path, user=login, key=key, today=today, verify_seal=False,
                       log_login=False) as reg:  # fmt: skip
        if secret is None or not _authority(reg, login, secret):
            raise NotAllowed(
                f"Chỉ chỉ huy (đăng nhập bằng mật khẩu của tài khoản chỉ huy có khóa niêm phong) "
                f"mới sửa được niêm phong; tài khoản “{login}” không phải. Sổ không bị thay đổi."
            )
        reg.role = CHIEF  # established from the sealed rows, not from the edited ones
        found = seal.problems(reg.conn, secret, must_be_sealed=True)
        if not found:
            return []
        sealed = seal.trusted_rows(reg.conn, secret)
        if sealed is None and not accept:
            raise UserError(
                "Niêm phong không còn đáng tin (bị xóa, bị sửa hoặc bị ký lại bằng khóa khác) nên "
                "không biết tài khoản và cài đặt trước khi bị sửa để đưa về. Hãy xem lại chúng "
                "(lệnh check liệt kê), rồi dùng --accept để niêm phong lại như hiện tại, hoặc "
                "khôi phục một bản sao lưu. Sổ không bị thay đổi."
            )
        with records.transaction(reg):
            if sealed is None:
                pass  # accepted as they are: the event below lists what was found
            elif accept:
                _log_accepted(reg, sealed)
            else:
                _put_back(reg, sealed)
            seal.write(reg, secret)
        log_event(reg, "seal", {"accepted" if accept else "undone": found})
    return found
