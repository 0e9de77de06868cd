"""The outbox: every monthly report made, kept with its figures and SHA-256 until sent (and after).

One report is two files in the outbox folder: `<name>.pdf` and `<name>.json` (the figures it was
made from, its hash, its state and every attempt to send it). The PDF is written first and the
JSON last, each atomically (temporary file, fsync, rename), so a crash leaves either a whole
report or a PDF with no JSON, which is ignored. Nothing is ever overwritten: making the same
month again gives a new version next to the old one, and a sent report stays as it was sent.
The exact report can be printed again years later; its hash proves it is the one that was sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from db.core.errors import UserError
from db.core.files import Wording, atomic_write, write_errors

PENDING = "pending"
SENT = "sent"
STATE_LABELS = {PENDING: "Chưa gửi", SENT: "Đã gửi"}
SENT_HOW = {"upload": "tải lên", "manual": "đánh dấu đã gửi"}
KIND_FILES = {"monthly": "bao-cao-thang"}
KIND_TITLES = {"monthly": "Báo cáo tháng"}
_LOCK_STALE_S = 60
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def now_utc() -> str:
    """The current time as stored: ISO 8601 UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256_of(data: bytes) -> str:
    """The SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


# A report that could not be written is not kept; the message names the file and the field.
REPORT_WORDING = Wording(kept="báo cáo chưa được lưu", field="out")
_COPY_WORDING = Wording(kept="báo cáo trong hộp thư đi vẫn nguyên", field="folder")


@dataclass
class Entry:
    """One report in the outbox, as its JSON file describes it."""

    id: str
    kind: str
    key: str
    title: str
    version: int
    created_at: str
    created_by: str
    register_id: str
    pdf: str
    sha256: str
    size: int
    font: str
    state: str = PENDING
    sent_at: str | None = None
    sent_how: str | None = None
    receipt: dict[str, Any] | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The file name without extension (shared by the PDF and the JSON)."""
        return self.pdf.removesuffix(".pdf")

    @property
    def sent(self) -> bool:
        return self.state == SENT

    def state_text(self) -> str:
        """ "Chưa gửi" or "Đã gửi ngày dd/mm/yyyy" — what the window shows."""
        if self.sent and self.sent_at:
            day = datetime.fromisoformat(self.sent_at).astimezone().date()
            return f"Đã gửi ngày {day.strftime('%d/%m/%Y')}"
        return STATE_LABELS.get(self.state, self.state)

    def created_day(self) -> date:
        """The local day the report was made."""
        return datetime.fromisoformat(self.created_at).astimezone().date()

    def last_error(self) -> str:
        """The error of the last failed attempt to send, if the last attempt failed."""
        if self.attempts and not self.attempts[-1].get("ok"):
            return str(self.attempts[-1].get("error") or "")
        return ""

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Entry:
        known = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        return cls(**known)


class Outbox:
    """The outbox folder of a register (created on first use)."""

    def __init__(self, folder: Path, register_id: str | None = None) -> None:
        self.folder = Path(folder)
        self.register_id = register_id

    # -- locking: JSON updates are read-modify-write; one writer at a time, across processes.
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        key = str(self.folder.resolve())
        with _locks_guard:
            thread_lock = _locks.setdefault(key, threading.Lock())
        with thread_lock:
            lock = self.folder / ".lock"
            deadline = time.monotonic() + 10
            while True:
                try:
                    fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                    os.close(fd)
                    break
                except FileExistsError:
                    with contextlib.suppress(OSError):
                        if time.time() - lock.stat().st_mtime > _LOCK_STALE_S:
                            lock.unlink()  # left by a program that died mid-write
                            continue
                    if time.monotonic() > deadline:
                        raise UserError(
                            f"Hộp thư đi “{self.folder}” đang được chương trình khác ghi; "
                            "hãy thử lại sau ít phút."
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                lock.unlink(missing_ok=True)

    def _ensure(self) -> None:
        with write_errors(self.folder, REPORT_WORDING):
            self.folder.mkdir(parents=True, exist_ok=True)

    def _json_path(self, entry_id_or_name: str) -> Path:
        return self.folder / f"{entry_id_or_name}.json"

    def pdf_path(self, entry: Entry) -> Path:
        """Where the entry's PDF is."""
        return self.folder / entry.pdf

    def _read(self, path: Path) -> Entry | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # not one of ours, or unreadable: never fatal for the list
        if not isinstance(raw, dict) or "id" not in raw or "pdf" not in raw:
            return None
        return Entry.from_json(raw)

    def _save(self, entry: Entry) -> None:
        text = json.dumps(entry.as_json(), ensure_ascii=False, indent=1)
        atomic_write(self._json_path(entry.name), text.encode("utf-8"), REPORT_WORDING)

    def entries(self, with_data: bool = False) -> list[Entry]:
        """The reports of this register, newest first (the figures only if asked for)."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.json"):
            entry = self._read(path)
            if entry is None:
                continue
            if self.register_id and entry.register_id != self.register_id:
                continue
            if not with_data:
                entry.data = {}
            found.append(entry)
        return sorted(found, key=lambda e: (e.created_at, e.version), reverse=True)

    def get(self, entry_id: str) -> Entry:
        """One report by id; UserError if it is not in the outbox."""
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            entry = self._read(path)
            if entry is not None and entry.id == entry_id:
                return entry
        raise UserError(f"Không có báo cáo mã “{entry_id}” trong hộp thư đi “{self.folder}”.")

    def add(
        self,
        kind: str,
        key: str,
        title: str,
        pdf: bytes,
        data: dict[str, Any],
        *,
        created_by: str,
        font: str,
    ) -> Entry:
        """Keep a new report: its PDF, then its JSON. Never replaces an existing one."""
        self._ensure()
        with self._locked():
            version = 1 + sum(1 for e in self.entries() if e.key == key)
            entry_id = str(uuid.uuid4())
            stem = f"{KIND_FILES.get(kind, kind)}-{key.split(':')[-1]}-v{version}-{entry_id[:8]}"
            entry = Entry(
                id=entry_id,
                kind=kind,
                key=key,
                title=title,
                version=version,
                created_at=now_utc(),
                created_by=created_by,
                register_id=self.register_id or "",
                pdf=f"{stem}.pdf",
                sha256=sha256_of(pdf),
                size=len(pdf),
                font=font,
                data=data,
            )
            atomic_write(self.pdf_path(entry), pdf, REPORT_WORDING)
            self._save(entry)
        return entry

    def with_data(self, entry: Entry) -> Entry:
        """The entry read again with the figures it was made from."""
        full = self._read(self._json_path(entry.name))
        if full is None:
            raise UserError(f"Tệp “{entry.name}.json” trong hộp thư đi bị mất hoặc hỏng.")
        return full

    def verify(self, entry: Entry) -> bool:
        """Whether the PDF on disk is still exactly the one made (its SHA-256)."""
        try:
            return sha256_of(self.pdf_path(entry).read_bytes()) == entry.sha256
        except OSError:
            return False

    def _update(self, entry_id: str, change: Any) -> Entry:
        with self._locked():
            full = self.with_data(self.get(entry_id))
            change(full)
            self._save(full)
        full.data = {}
        return full

    def mark_sent(
        self,
        entry_id: str,
        how: str = "manual",
        receipt: dict[str, Any] | None = None,
    ) -> Entry:
        """Record that a report has gone up the line (a sent report keeps its first date)."""

        def change(entry: Entry) -> None:
            if entry.sent:
                return
            entry.state, entry.sent_at, entry.sent_how = SENT, now_utc(), how
            entry.receipt = receipt

        return self._update(entry_id, change)

    def record_attempt(self, entry_id: str, ok: bool, error: str = "", status: int = 0) -> Entry:
        """Log one attempt to upload (kept with the report, for the officer and the retries)."""

        def change(entry: Entry) -> None:
            attempt: dict[str, Any] = {"at": now_utc(), "ok": ok}
            if error:
                attempt["error"] = error
            if status:
                attempt["status"] = status
            entry.attempts.append(attempt)

        return self._update(entry_id, change)

    def copy_to(self, entry_id: str, folder: Path) -> Path:
        """Copy a report (PDF and its JSON) to a folder, e.g. a USB stick, and check the copy."""
        entry = self.get(entry_id)
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(f"Thư mục “{folder}” không tồn tại.", field="folder")
        if not self.verify(entry):
            raise UserError(
                f"Tệp “{entry.pdf}” trong hộp thư đi đã bị thay đổi hoặc mất; không chép bản "
                "sai. Hãy lập lại báo cáo."
            )
        target = folder / entry.pdf
        with write_errors(target, _COPY_WORDING):
            shutil.copyfile(self.pdf_path(entry), target)
            shutil.copyfile(self._json_path(entry.name), folder / f"{entry.name}.json")
        if sha256_of(target.read_bytes()) != entry.sha256:
            raise UserError(f"Bản chép “{target}” không giống bản gốc; hãy chép lại.")

        def change(e: Entry) -> None:
            e.copies.append({"at": now_utc(), "to": str(target)})

        self._update(entry_id, change)
        return target

    def pending(self) -> list[Entry]:
        """Reports not yet sent, oldest first (sent in the order they were made)."""
        return sorted((e for e in self.entries() if not e.sent), key=lambda e: e.created_at)


def default_folder(register_path: Path) -> Path:
    """The outbox of a register: a folder named `outbox` next to the register file."""
    return Path(register_path).resolve().parent / "outbox"
