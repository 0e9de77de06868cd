"""One report of the outbox: what it is, its hashes, its state and every attempt to send it.

The figures a report was made from are hashed together with its PDF into one *manifest hash*,
kept with the entry (sealed, beside an encrypted register): an upload or a copy recomputes it
and refuses a report whose PDF or figures changed on disk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

PENDING = "pending"
SENT = "sent"
DAMAGED = "damaged"  # a sealed entry that no longer opens: changed on disk, or cut short
STATE_LABELS = {PENDING: "Chưa gửi", SENT: "Đã gửi", DAMAGED: "Tệp bị thay đổi hoặc hỏng"}
SENT_HOW = {"upload": "tải lên", "manual": "đánh dấu đã gửi"}


def now_utc() -> str:
    """The current time as stored: ISO 8601 UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256_of(data: bytes) -> str:
    """The SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    """One byte form of a JSON value (sorted keys, no spaces): what its hash is taken over."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def manifest_sha256(pdf_sha256: str, figures: Any) -> str:
    """One hash over a report's PDF and its figures: what an upload and a receipt name."""
    figures_sha = sha256_of(canonical(figures))
    return sha256_of(canonical({"figures_sha256": figures_sha, "pdf_sha256": pdf_sha256}))


@dataclass
class Entry:
    """One report in the outbox, as its entry file describes it."""

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
    figures_sha256: str = ""
    manifest_sha256: str = ""

    @property
    def name(self) -> str:
        """The file name without extension (shared by the PDF and the entry)."""
        return self.pdf.removesuffix(".pdf")

    @property
    def sent(self) -> bool:
        return self.state == SENT

    @property
    def damaged(self) -> bool:
        return self.state == DAMAGED

    def state_text(self) -> str:
        """ "Chưa gửi" or "Đã gửi ngày dd/mm/yyyy" — what the window shows."""
        if self.sent and self.sent_at:
            day = datetime.fromisoformat(self.sent_at).astimezone().date()
            return f"Đã gửi ngày {day.strftime('%d/%m/%Y')}"
        return STATE_LABELS.get(self.state, self.state)

    def created_day(self) -> date:
        """The local day the report was made."""
        try:
            return datetime.fromisoformat(self.created_at).astimezone().date()
        except ValueError:
            return date.today()

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

    def seal_hashes(self) -> None:
        """Fill the figures' and the manifest's hashes from the figures and the PDF's hash."""
        self.figures_sha256 = sha256_of(canonical(self.data))
        self.manifest_sha256 = manifest_sha256(self.sha256, self.data)


def damaged_entry(entry_id: str, stem: str, why: str) -> Entry:
    """A stand-in for an entry whose file no longer opens: listed, never sent or copied."""
    return Entry(
        id=entry_id, kind="monthly", key="", title=f"Báo cáo (không mở được: {why})",
        version=0, created_at="", created_by="", register_id="", pdf=f"{stem}.pdf",
        sha256="", size=0, font="", state=DAMAGED,
    )  # fmt: skip


def public_figures(entry: Entry) -> dict[str, Any]:
    """What a report's figures file holds outside the outbox: the report, not its history."""
    return {
        "id": entry.id, "kind": entry.kind, "key": entry.key, "title": entry.title,
        "version": entry.version, "register_id": entry.register_id,
        "created_at": entry.created_at, "filename": entry.pdf, "sha256": entry.sha256,
        "figures_sha256": entry.figures_sha256 or sha256_of(canonical(entry.data)),
        "manifest_sha256": entry.manifest_sha256 or manifest_sha256(entry.sha256, entry.data),
        "figures": entry.data,
    }  # fmt: skip
