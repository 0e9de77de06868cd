"""The outbox: every monthly report made, kept with its figures and hashes until sent (and after).

One report is two files in the outbox folder: its PDF and its entry (the figures it was made
from, its hashes, its state and every attempt to send it). Beside an encrypted register both are
*sealed* (`<name>.pdf.sealed`, `<name>.json.sealed`: AES-256-GCM under a key derived from the
register's key, reports/sealing.py) and read only in memory; the state lives inside the sealed
entry, so it cannot be flipped by editing a file. A plain register keeps plain files as before
(`<name>.pdf`, `<name>.json`). The PDF is written first and the entry last, each atomically and
readable by this user only, so a crash leaves either a whole report or a PDF with no entry,
which is ignored. Nothing is ever overwritten: the same month made again is a new version.

A report leaves the outbox in clear only where the officer saves, prints, copies or uploads it
(reports/build.py logs each one).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db.core.errors import UserError
from db.core.files import Wording, atomic_write, write_errors
from reports.folder_lock import folder_lock
from reports.outbox_entry import (
    DAMAGED,
    PENDING,
    SENT,
    SENT_HOW,
    STATE_LABELS,
    Entry,
    canonical,
    damaged_entry,
    manifest_sha256,
    now_utc,
    public_figures,
    sha256_of,
)
from reports.sealing import SealBroken, key_id, outbox_key, read_header, seal, unseal
from reports.tempfiles import private_folder

__all__ = [
    "DAMAGED", "PENDING", "REPORT_WORDING", "SENT", "SENT_HOW", "STATE_LABELS", "Entry",
    "Outbox", "default_folder", "now_utc", "sha256_of",
]  # fmt: skip

KIND_FILES = {"monthly": "bao-cao-thang"}
KIND_TITLES = {"monthly": "Báo cáo tháng"}
SEALED = ".sealed"

# A report that could not be written is not kept; the message names the file and the field.
REPORT_WORDING = Wording(kept="báo cáo chưa được lưu", field="out")
COPY_WORDING = Wording(kept="báo cáo trong hộp thư đi vẫn nguyên", field="folder")


class Outbox:
    """The outbox folder of a register (created on first use, 0700).

    `register_key` is the register's key (`reg.key`): given, reports are sealed; None (a plain
    register) keeps plain files. Use `reports.build.outbox_for(reg)`, which passes it.
    """

    def __init__(
        self, folder: Path, register_id: str | None = None, register_key: bytes | None = None
    ) -> None:
        self.folder = Path(folder)
        self.register_id = register_id
        self._key = outbox_key(register_key) if register_key is not None else None

    @property
    def sealed(self) -> bool:
        """Whether this outbox seals its reports (the register is encrypted)."""
        return self._key is not None

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        # Entry updates are read-modify-write: one writer at a time, across processes.
        return folder_lock(self.folder)

    def _ensure(self) -> None:
        with write_errors(self.folder, REPORT_WORDING):
            private_folder(self.folder)

    # -- files ---------------------------------------------------------------------------------
    def _suffix(self) -> str:
        return SEALED if self.sealed else ""

    def _entry_path(self, name: str) -> Path:
        return self.folder / f"{name}.json{self._suffix()}"

    def pdf_path(self, entry: Entry) -> Path:
        """Where the entry's PDF is kept (sealed beside an encrypted register: not a PDF)."""
        return self.folder / f"{entry.pdf}{self._suffix()}"

    def _entry_files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"*.json{self._suffix()}"))

    def _write(self, path: Path, entry_id: str, part: str, data: bytes) -> None:
        if self._key is not None:
            data = seal(self._key, entry_id, part, data)
        atomic_write(path, data, REPORT_WORDING, private=True)

    def _read(self, path: Path) -> Entry | None:
        """The entry a file holds; None for what is not ours (another register's, not JSON)."""
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        stem = path.name.removesuffix(f".json{self._suffix()}")
        if self._key is not None:
            try:
                header, _ = read_header(blob)
            except SealBroken as exc:
                return damaged_entry(stem, stem, exc.why)
            if header.kid != key_id(self._key):
                return None  # sealed by another register sharing the folder
            try:
                blob = unseal(self._key, blob, None, "entry")
            except SealBroken as exc:
                return damaged_entry(header.entry_id, stem, exc.why)
        try:
            raw = json.loads(blob.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None  # not one of ours, or unreadable: never fatal for the list
        if not isinstance(raw, dict) or "id" not in raw or "pdf" not in raw:
            return None
        try:
            return Entry.from_json(raw)
        except TypeError:
            return None

    def _save(self, entry: Entry) -> None:
        text = json.dumps(entry.as_json(), ensure_ascii=False, indent=None if self.sealed else 1)
        self._write(self._entry_path(entry.name), entry.id, "entry", text.encode("utf-8"))

    def read_private(self, name: str) -> bytes | None:
        """A small file of the outbox's own (its upload settings), unsealed; None if missing."""
        path = self.folder / f"{name}{self._suffix()}"
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UserError(f"Không đọc được “{path}”: {exc.strerror or exc}.") from exc
        if self._key is None:
            return blob
        try:
            return unseal(self._key, blob, name, "config")
        except SealBroken as exc:
            raise UserError(f"Tệp “{path.name}” trong hộp thư đi: {exc.why}.") from exc

    def write_private(self, name: str, data: bytes) -> None:
        """Keep a small file of the outbox's own, sealed like the reports (0600)."""
        self._ensure()
        self._write(self.folder / f"{name}{self._suffix()}", name, "config", data)

    # -- reading -------------------------------------------------------------------------------
    def entries(self, with_data: bool = False) -> list[Entry]:
        """The reports of this register, newest first (the figures only if asked for)."""
        found = []
        for path in self._entry_files():
            entry = self._read(path)
            if entry is None:
                continue
            if self.register_id and entry.register_id not in (self.register_id, ""):
                continue
            if not with_data:
                entry.data = {}
            found.append(entry)
        return sorted(found, key=lambda e: (e.created_at, e.version), reverse=True)

    def get(self, entry_id: str) -> Entry:
        """One report by id; UserError if it is not in the outbox."""
        for path in self._entry_files():
            entry = self._read(path)
            if entry is not None and entry.id == entry_id:
                return entry
        raise UserError(f"Không có báo cáo mã “{entry_id}” trong hộp thư đi “{self.folder}”.")

    def with_data(self, entry: Entry) -> Entry:
        """The entry read again with the figures it was made from."""
        full = self._read(self._entry_path(entry.name))
        if full is None or full.damaged:
            raise UserError(
                f"Báo cáo “{entry.name}” trong hộp thư đi bị mất hoặc đã bị thay đổi; hãy lập "
                "lại báo cáo."
            )
        return full

    def pdf_bytes(self, entry: Entry) -> bytes:
        """The report's PDF, in memory (unsealed); UserError if it is missing or changed."""
        try:
            blob = self.pdf_path(entry).read_bytes()
            if self._key is not None:
                blob = unseal(self._key, blob, entry.id, "pdf")
        except (OSError, SealBroken) as exc:
            raise UserError(
                f"Tệp “{entry.pdf}” trong hộp thư đi bị mất hoặc đã bị thay đổi; hãy lập lại "
                "báo cáo."
            ) from exc
        return blob

    def verify(self, entry: Entry) -> bool:
        """Whether the PDF and the figures are still exactly those made (the manifest hash)."""
        if entry.damaged:
            return False
        try:
            pdf = self.pdf_bytes(entry)
            full = self.with_data(entry)
        except UserError:
            return False
        if sha256_of(pdf) != full.sha256:
            return False
        return not full.manifest_sha256 or full.manifest_sha256 == manifest_sha256(
            full.sha256, full.data
        )

    def pending(self) -> list[Entry]:
        """Reports not yet sent, oldest first (sent in the order they were made)."""
        waiting = (e for e in self.entries() if e.state == PENDING)
        return sorted(waiting, key=lambda e: e.created_at)

    def damaged(self) -> list[Entry]:
        """Reports whose entry no longer opens (changed on disk): listed, never sent."""
        return [e for e in self.entries() if e.damaged]

    # -- writing -------------------------------------------------------------------------------
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
        """Keep a new report: its PDF, then its entry. Never replaces an existing one."""
        self._ensure()
        with self._locked():
            version = 1 + sum(1 for e in self.entries() if e.key == key)
            entry_id = str(uuid.uuid4())
            stem = f"{KIND_FILES.get(kind, kind)}-{key.split(':')[-1]}-v{version}-{entry_id[:8]}"
            entry = Entry(
                id=entry_id, kind=kind, key=key, title=title, version=version,
                created_at=now_utc(), created_by=created_by, register_id=self.register_id or "",
                pdf=f"{stem}.pdf", sha256=sha256_of(pdf), size=len(pdf), font=font, data=data,
            )  # fmt: skip
            entry.seal_hashes()
            self._write(self.pdf_path(entry), entry.id, "pdf", pdf)
            self._save(entry)
        return entry

    def _update(self, entry_id: str, change: Callable[[Entry], None]) -> Entry:
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

    def record_copy(self, entry_id: str, target: Path) -> Entry:
        """Note that a report was copied out (a USB stick, a file the officer chose)."""

        def change(entry: Entry) -> None:
            entry.copies.append({"at": now_utc(), "to": str(target)})

        return self._update(entry_id, change)

    def checked(self, entry_id: str) -> tuple[Entry, bytes]:
        """A report with its figures and its PDF, both checked against the manifest hash."""
        entry = self.get(entry_id)
        if not self.verify(entry):
            raise UserError(
                f"Tệp “{entry.pdf}” trong hộp thư đi đã bị thay đổi hoặc mất; không dùng bản sai. "
                "Hãy lập lại báo cáo."
            )
        return self.with_data(entry), self.pdf_bytes(entry)

    def copy_to(self, entry_id: str, folder: Path) -> Path:
        """Write a report (its PDF, and its figures as JSON) into a folder, e.g. a USB stick."""
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(f"Thư mục “{folder}” không tồn tại.", field="folder")
        entry, pdf = self.checked(entry_id)
        target = folder / entry.pdf
        with write_errors(target, COPY_WORDING):
            atomic_write(target, pdf, COPY_WORDING, private=True)
            atomic_write(folder / f"{entry.name}.json", canonical(public_figures(entry)),
                         COPY_WORDING, private=True)  # fmt: skip
        if sha256_of(target.read_bytes()) != entry.sha256:
            raise UserError(f"Bản chép “{target}” không giống bản gốc; hãy chép lại.")
        self.record_copy(entry_id, target)
        return target

    def migrate(self) -> list[str]:
        """Seal the plain reports of this register left from before it was encrypted (each
        sealed, read back, then its plain files removed); the ids sealed."""
        if self._key is None or not self.folder.is_dir():
            return []
        plain = Outbox(self.folder, self.register_id)
        done = []
        with self._locked():
            for path in plain._entry_files():
                entry = plain._read(path)
                if entry is None or entry.register_id not in (self.register_id or "", ""):
                    continue
                pdf_file = plain.pdf_path(entry)
                try:
                    pdf = pdf_file.read_bytes()
                except OSError:
                    continue  # a report whose PDF is gone: left as it is, listed by nobody
                if not entry.manifest_sha256:
                    entry.seal_hashes()
                self._write(self.pdf_path(entry), entry.id, "pdf", pdf)
                self._save(entry)
                if self.pdf_bytes(entry) != pdf or self.with_data(entry).id != entry.id:
                    raise UserError(f"Không niêm phong được báo cáo “{entry.name}”; hãy thử lại.")
                path.unlink()
                pdf_file.unlink()
                done.append(entry.id)
        return done

    def reseal(self, new_register_key: bytes) -> int:
        """Seal every report again under the register's new key (after the key changed);
        how many files. A file already under the new key is left as it is."""
        if self._key is None or not self.folder.is_dir():
            return 0  # an outbox never used has nothing to follow
        new = Outbox(self.folder, self.register_id, new_register_key)
        assert new._key is not None
        count = 0
        with self._locked():
            for path in sorted(self.folder.glob(f"*{SEALED}")):
                blob = path.read_bytes()
                try:
                    header, _ = read_header(blob)
                    if header.kid != key_id(self._key):
                        continue
                    data = unseal(self._key, blob, header.entry_id, header.part)
                except SealBroken:
                    continue
                sealed = seal(new._key, header.entry_id, header.part, data)
                atomic_write(path, sealed, REPORT_WORDING, private=True)
                count += 1
        return count


def default_folder(register_path: Path) -> Path:
    """The outbox of a register: a folder named `outbox` next to the register file."""
    return Path(register_path).resolve().parent / "outbox"
