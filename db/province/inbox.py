"""The reports communes uploaded to the province: checked, stored once, listed.

    upload = check_upload(body, headers)        # Refused(status, message) if anything is off
    receipt = receive(reg, token, upload)       # stored once; the same receipt when sent again
    received(reg, month="2026-10")              # what arrived (the overview reads this)

What is checked is the upload contract of docs/reports.md: the report's id (also its
Idempotency-Key), a monthly report's key, the PDF (base64) whose SHA-256 is the one sent, the
figures whose hash is the one sent, and the manifest hash over both — recomputed here, so a
report that changed on the way is refused. A commune may only send its own reports: the code in
the report (`register_id`) must be the one its token was issued for. A report id already stored
is not stored again: the same content gets the same receipt (200), other content under the same
id is refused (409). Every receipt given is in the audit log (event `receive`), in the same
transaction as the report.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from db.core.errors import NotFound, UserError
from db.core.stamps import now_utc
from db.province.tokens import Token
from db.store.audit import log_event
from db.store.records import transaction
from db.store.register import Register

KINDS = {"monthly": "Báo cáo tháng"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY = re.compile(r"monthly:(\d{4})-(\d{2})")
_TEXT_LIMIT = 300


class Refused(UserError):
    """An upload the inbox does not take: the HTTP status and why, in Vietnamese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    """A checked upload: what is stored (the PDF's bytes, the figures as canonical JSON)."""

    report_id: str
    commune_id: str
    unit: str
    kind: str
    month: str
    title: str
    version: int
    made_at: str
    filename: str
    sha256: str
    figures_sha256: str
    manifest_sha256: str
    pdf: bytes
    figures: str


@dataclass(frozen=True)
class Received:
    """A report in the inbox (without its PDF and figures)."""

    receipt_id: str
    report_id: str
    commune_id: str
    unit: str
    kind: str
    month: str
    title: str
    version: int
    made_at: str
    received_at: str
    filename: str
    sha256: str
    manifest_sha256: str
    size: int
    again: bool = False  # (a receipt given again for a report already stored)

    def receipt(self) -> dict[str, Any]:
        """What the commune gets back (reports.upload checks the echoed hashes)."""
        return {"id": self.receipt_id, "report_id": self.report_id,
                "manifest_sha256": self.manifest_sha256, "sha256": self.sha256,
                "received_at": self.received_at, "again": self.again}  # fmt: skip

    def month_text(self) -> str:
        """The month as shown: MM/YYYY."""
        year, month = self.month.split("-")
        return f"{month}/{year}"


# The manifest hash of the upload contract, as reports.outbox_entry computes it (a test holds
# the two together): db/ cannot import reports/.
def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(pdf_sha256: str, figures: Any) -> str:
    """One hash over a report's PDF and its figures (docs/reports.md)."""
    return _sha(_canonical({"figures_sha256": _sha(_canonical(figures)), "pdf_sha256": pdf_sha256}))


def _text(body: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None) -> str:
    value = body.get(name)
    if not isinstance(value, str) or len(value) > _TEXT_LIMIT:
        raise Refused(400, f"Báo cáo gửi lên thiếu mục “{name}” hoặc mục này không hợp lệ.")
    if pattern is not None and not pattern.fullmatch(value):
        raise Refused(400, f"Mục “{name}” của báo cáo gửi lên không đúng dạng.")
    return value


def check_upload(body: Any, headers: dict[str, str] | None = None) -> Upload:
    """The upload, checked against itself and its headers (lower-case names); Refused if not."""
    if not isinstance(body, dict):
        raise Refused(400, "Nội dung gửi lên không phải một báo cáo (cần một đối tượng JSON).")
    kind = _text(body, "kind")
    if kind not in KINDS:
        raise Refused(422, f"Tỉnh chưa nhận loại báo cáo “{kind[:40]}”.")
    key = _KEY.fullmatch(_text(body, "key"))
    if key is None or not 1 <= int(key.group(2)) <= 12 or not 2000 <= int(key.group(1)) <= 2100:
        raise Refused(400, "Mục “key” của báo cáo phải có dạng monthly:YYYY-MM (năm 2000–2100).")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 10_000:
        raise Refused(400, "Mục “version” của báo cáo gửi lên không hợp lệ.")
    figures = body.get("figures")
    if not isinstance(figures, dict):
        raise Refused(400, "Báo cáo gửi lên thiếu số liệu (mục “figures”).")
    try:
        pdf = base64.b64decode(_text_any(body, "pdf_base64"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refused(400, "Tệp PDF gửi lên không giải mã được (base64).") from exc
    if not pdf.startswith(b"%PDF-"):
        raise Refused(400, "Tệp gửi lên không phải tệp PDF.")
    upload = Upload(
        report_id=_text(body, "id", _UUID), commune_id=_text(body, "register_id", _UUID),
        unit=_text(body, "unit"), kind=kind, month=f"{key.group(1)}-{key.group(2)}",
        title=_text(body, "title"), version=version, made_at=_text(body, "created_at"),
        filename=_text(body, "filename"), sha256=_text(body, "sha256", _HEX64),
        figures_sha256=_text(body, "figures_sha256", _HEX64),
        manifest_sha256=_text(body, "manifest_sha256", _HEX64), pdf=pdf,
        figures=_canonical(figures).decode("utf-8"),
    )  # fmt: skip
    if _sha(pdf) != upload.sha256:
        raise Refused(422, "Tệp PDF nhận được khác với mã SHA-256 gửi kèm (hỏng trên đường đi).")
    if _sha(_canonical(figures)) != upload.figures_sha256:
        raise Refused(422, "Số liệu nhận được khác với mã kiểm tra gửi kèm.")
    if manifest_of(upload.sha256, figures) != upload.manifest_sha256:
        raise Refused(422, "Mã kiểm tra chung của báo cáo (PDF và số liệu) không khớp.")
    said = headers or {}
    echoed = {"idempotency-key": upload.report_id, "x-report-sha256": upload.sha256,
              "x-manifest-sha256": upload.manifest_sha256}  # fmt: skip
    for header, value in echoed.items():
        if header in said and said[header].strip().lower() != value:
            raise Refused(400, f"Tiêu đề {header} không khớp với báo cáo gửi kèm.")
    return upload


def _text_any(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise Refused(400, f"Báo cáo gửi lên thiếu mục “{name}”.")
    return value


_LISTED = (
    "receipt_id, report_id, commune_id, unit, kind, month, title, version, made_at, received_at, "
    "filename, sha256, manifest_sha256, size"
)


def _received(row: tuple[Any, ...], again: bool = False) -> Received:
    names = [n.strip() for n in _LISTED.split(",")]
    return Received(**dict(zip(names, row, strict=True)), again=again)


def receive(reg: Register, token: Token, upload: Upload, *, remote: str = "") -> Received:
    """Store an upload once and give its receipt (logged); Refused if the token may not send
    it, or if its id is already stored with other content."""
    if not token.active:
        raise Refused(401, "Mã xác thực của xã đã bị tỉnh thu hồi.")
    if upload.commune_id != token.commune_id:
        raise Refused(403, "Báo cáo này là của xã khác: mỗi xã chỉ được gửi báo cáo của mình.")
    with transaction(reg):
        row = reg.conn.execute(
            f"SELECT {_LISTED} FROM inbox_reports WHERE report_id = ?", [upload.report_id]
        ).fetchone()
        if row is not None:
            stored = _received(row, again=True)
            if stored.commune_id != token.commune_id:
                raise Refused(403, "Mã báo cáo này đã được xã khác gửi lên.")
            if stored.manifest_sha256 != upload.manifest_sha256:
                raise Refused(409, "Tỉnh đã nhận báo cáo khác cùng mã này; hãy lập lại báo cáo.")
        else:
            stored = _store(reg, token, upload)
        at = now_utc()
        reg.conn.execute("UPDATE inbox_tokens SET last_used_at = ? WHERE id = ?", [at, token.id])
        log_event(reg, "receive", {
            "receipt": stored.receipt_id, "report": stored.report_id, "commune_id":
            stored.commune_id, "unit": stored.unit, "month": stored.month, "version":
            stored.version, "sha256": stored.sha256, "manifest_sha256": stored.manifest_sha256,
            "size": stored.size, "token_id": token.id, "from": remote, "again": stored.again,
        }, table="inbox_reports", row_id=stored.receipt_id)  # fmt: skip
    return stored


def _store(reg: Register, token: Token, upload: Upload) -> Received:
    at = datetime.now(UTC)
    # Readable (the day, the report) and unique (the report id is stored once).
    receipt_id = f"BN-{at:%Y%m%d}-{upload.report_id[:8]}-{upload.manifest_sha256[:6]}"
    u = upload
    reg.conn.execute(
        "INSERT INTO inbox_reports (receipt_id, report_id, commune_id, token_id, unit, kind, "
        "month, title, version, made_at, received_at, filename, sha256, figures_sha256, "
        "manifest_sha256, size, pdf, figures) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [receipt_id, u.report_id, u.commune_id, token.id, u.unit or token.commune_name, u.kind,
         u.month, u.title, u.version, u.made_at, at.isoformat(timespec="milliseconds"),
         u.filename, u.sha256, u.figures_sha256, u.manifest_sha256, len(u.pdf), u.pdf,
         u.figures],
    )  # fmt: skip
    return get_received(reg, receipt_id)


def get_received(reg: Register, receipt_id: str) -> Received:
    """One received report by its receipt (or the first characters of it)."""
    wanted = receipt_id.strip()
    if not wanted:
        raise UserError("Hãy ghi mã biên nhận (xem bằng `inbox list`).", field="receipt")
    rows = reg.conn.execute(
        f"SELECT {_LISTED} FROM inbox_reports WHERE substr(receipt_id, 1, ?) = ? "
        "ORDER BY receipt_id = ? DESC LIMIT 2", [len(wanted), wanted, wanted],
    ).fetchall()  # fmt: skip
    exact = [r for r in rows if r[0] == wanted]
    if exact or len(rows) == 1:
        return _received((exact or rows)[0])
    if rows:
        raise UserError(f"Biên nhận “{receipt_id}” khớp nhiều báo cáo; hãy gõ thêm ký tự.")
    raise NotFound(f"Không có báo cáo nào có biên nhận “{receipt_id}” trong hộp thư của tỉnh.")


def received(reg: Register, *, month: str | None = None, commune_id: str | None = None
             ) -> list[Received]:  # fmt: skip
    """Reports received, newest first; of one month ("YYYY-MM") and/or one commune."""
    where, params = ["1"], []
    if month:
        where.append("month = ?")
        params.append(month)
    if commune_id:
        where.append("commune_id = ?")
        params.append(commune_id)
    rows = reg.conn.execute(
        f"SELECT {_LISTED} FROM inbox_reports WHERE {' AND '.join(where)} "
        "ORDER BY received_at DESC, receipt_id", params,
    ).fetchall()  # fmt: skip
    return [_received(r) for r in rows]


def latest_by_commune(reg: Register, month: str) -> dict[str, Received]:
    """The newest version each commune sent for a month: commune code → report."""
    latest: dict[str, Received] = {}
    for report in received(reg, month=month):
        kept = latest.get(report.commune_id)
        if kept is None or (report.version, report.received_at) > (kept.version, kept.received_at):
            latest[report.commune_id] = report
    return latest


def report_pdf(reg: Register, receipt_id: str) -> tuple[Received, bytes]:
    """A received report and its PDF (checked against its SHA-256)."""
    report = get_received(reg, receipt_id)
    row = reg.conn.execute(
        "SELECT pdf FROM inbox_reports WHERE receipt_id = ?", [report.receipt_id]
    ).fetchone()
    pdf = bytes(row[0])
    if _sha(pdf) != report.sha256:
        raise UserError(f"Báo cáo biên nhận “{report.receipt_id}” trong sổ tỉnh đã bị thay đổi.")
    return report, pdf


def report_figures(reg: Register, receipt_id: str) -> dict[str, Any]:
    """The figures a received report was made from (as the commune sent them)."""
    report = get_received(reg, receipt_id)
    row = reg.conn.execute(
        "SELECT figures FROM inbox_reports WHERE receipt_id = ?", [report.receipt_id]
    ).fetchone()
    figures: dict[str, Any] = json.loads(row[0])
    return figures


def parse_month(text: str) -> str:
    """A month typed as MM/YYYY (or YYYY-MM) → "YYYY-MM"; UserError naming the field."""
    value = (text or "").strip()
    found = re.fullmatch(r"(\d{1,2})/(\d{4})", value) or re.fullmatch(r"(\d{4})-(\d{2})", value)
    if found:
        first, second = found.groups()
        year, month = (int(second), int(first)) if "/" in value else (int(first), int(second))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return f"{year:04d}-{month:02d}"
    raise UserError(f"Tháng “{text}” không hợp lệ: cần dạng MM/YYYY (ví dụ 10/2026).",
                    field="month")  # fmt: skip
