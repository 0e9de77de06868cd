"""Sending pending reports to the provincial police, when a unit has an upload address.

With no address configured nothing is sent anywhere. Otherwise each pending report is POSTed as
JSON (the PDF in base64, its figures, their hashes and the manifest hash over both) with the
report's id as `Idempotency-Key`, and the commune's token as `Authorization: Bearer …`: a retry
after a lost answer carries the same key, so the server stores the report once. Before sending,
the PDF and the figures are checked against the manifest hash kept with the entry: a report
changed on disk is refused. A report is marked sent only on a 2xx answer with a receipt — an id
and the echo of the manifest hash (or of the PDF's hash, from a server of the first contract)
that matches. Anything else (no connection, the deadline, a redirect that would drop the
report, a 5xx, no receipt) leaves it pending with the error noted, and it is tried again later,
less often after each failure. A sent report is never sent again.

The transport is reports/upload_http.py; the server's side of the contract is in docs/reports.md.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from db.core.errors import UserError
from reports.outbox import Entry, Outbox, now_utc
from reports.upload_http import TransferError, post

TIMEOUT_S = 30  # the whole request, redirects included
# After n failed attempts in a row, wait 5 min × 2^(n-1) before trying again, at most 6 hours.
FIRST_WAIT = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)
_LOOPBACK = {"localhost"}
Progress = Callable[[str, int, int], None]


def check_url(url: str) -> str:
    """The upload address, checked: HTTPS only (plain HTTP only to this machine, for tests)."""
    address = (url or "").strip()
    parts = urlsplit(address)
    if parts.scheme == "https" and parts.hostname:
        return address
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return address
    raise UserError(
        f"Địa chỉ nhận báo cáo “{address}” không hợp lệ: phải bắt đầu bằng https:// "
        "(báo cáo có dữ liệu cá nhân nhạy cảm, không gửi qua kết nối không mã hóa).",
        field="upload_url",
    )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _failures_in_a_row(entry: Entry) -> int:
    count = 0
    for attempt in reversed(entry.attempts):
        if attempt.get("ok"):
            break
        count += 1
    return count


def next_try(entry: Entry) -> datetime | None:
    """When a pending report may be tried again (None: now)."""
    failures = _failures_in_a_row(entry)
    if not failures:
        return None
    wait = min(FIRST_WAIT * (1 << min(failures - 1, 16)), LONGEST_WAIT)
    return datetime.fromisoformat(entry.attempts[-1]["at"]) + wait


def payload(entry: Entry, pdf: bytes, unit: str = "") -> bytes:
    """The request body: the report, its figures and their hashes (what the report prints, no
    more: the outbox keeps no list of names the report does not print)."""
    body = {
        "id": entry.id,
        "kind": entry.kind,
        "key": entry.key,
        "title": entry.title,
        "version": entry.version,
        "unit": unit,
        "register_id": entry.register_id,
        "created_at": entry.created_at,
        "filename": entry.pdf,
        "sha256": entry.sha256,
        "figures_sha256": entry.figures_sha256,
        "manifest_sha256": entry.manifest_sha256,
        "figures": entry.data,
        "pdf_base64": base64.b64encode(pdf).decode("ascii"),
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass
class SendResult:
    """What a round of sending did."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the officer."""
        parts = [f"đã gửi {len(self.sent)}"]
        if self.failed:
            parts.append(f"chưa gửi được {len(self.failed)} (sẽ thử lại)")
        if self.waiting:
            parts.append(f"chờ thử lại {len(self.waiting)}")
        return "Gửi báo cáo: " + ", ".join(parts) + "."


def receipt_problem(entry: Entry, receipt: Any) -> str | None:
    """What is wrong with a server's receipt for this report (None: it vouches for it)."""
    if not isinstance(receipt, dict) or not str(receipt.get("id") or "").strip():
        return "Máy chủ không gửi biên nhận (mã biên nhận); báo cáo chưa được đánh dấu đã gửi."
    manifest, pdf = receipt.get("manifest_sha256"), receipt.get("sha256")
    if manifest is None and pdf is None:
        return "Biên nhận của máy chủ không nhắc lại mã kiểm tra của báo cáo; chưa đánh dấu đã gửi."
    if manifest is not None and manifest != entry.manifest_sha256:
        return "Máy chủ xác nhận số liệu khác với số liệu đã gửi (mã kiểm tra không khớp)."
    if pdf is not None and pdf != entry.sha256:
        return "Máy chủ xác nhận một tệp khác với tệp đã gửi (SHA-256 không khớp)."
    return None


def _kept_receipt(receipt: dict[str, Any], status: int) -> dict[str, Any]:
    kept: dict[str, Any] = {
        k: str(receipt[k])[:200] for k in ("id", "sha256", "manifest_sha256") if k in receipt
    }
    return {**kept, "status": status, "at": now_utc()}


def send_one(
    outbox: Outbox,
    entry: Entry,
    url: str,
    *,
    unit: str = "",
    token: str = "",
    context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> tuple[bool, str]:
    """POST one report; record the attempt; mark it sent on a vouched receipt. (ok, error)"""
    address = check_url(url)
    if entry.sent:
        return True, ""
    try:
        full, pdf = outbox.checked(entry.id)
    except UserError:
        error = "Tệp PDF hoặc số liệu trong hộp thư đi đã bị thay đổi hoặc mất; không gửi."
        if not entry.damaged:
            outbox.record_attempt(entry.id, False, error)
        return False, error
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": full.id,
        "X-Report-SHA256": full.sha256,
        "X-Manifest-SHA256": full.manifest_sha256,
        "User-Agent": "SoTheoDoi/1",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        answer = post(address, payload(full, pdf, unit), headers, context=context,
                      timeout=timeout, check=check_url)  # fmt: skip
    except TransferError as exc:
        outbox.record_attempt(full.id, False, exc.message, exc.status)
        return False, exc.message
    if not 200 <= answer.status < 300:
        error = f"Máy chủ trả lời lỗi {answer.status} {answer.reason}"
        said = _message(answer.body)
        if said:  # the province's inbox says why (db/province/receiver.py)
            error += f": {said}"
        elif answer.status in (401, 403):
            error += " (mã xác thực của xã bị từ chối: hãy kiểm tra mã do tỉnh cấp)"
        outbox.record_attempt(full.id, False, error, answer.status)
        return False, error
    receipt = _receipt(answer.body)
    problem = receipt_problem(full, receipt)
    if problem:
        outbox.record_attempt(full.id, False, problem, answer.status)
        return False, problem
    outbox.record_attempt(full.id, True, status=answer.status)
    outbox.mark_sent(full.id, "upload", _kept_receipt(receipt, answer.status))
    return True, ""


def _message(answer: bytes) -> str:
    """The reason a server gave with a refusal (`{"message": …}`), shortened; "" if none."""
    said = _receipt(answer)
    text = said.get("message") if isinstance(said, dict) else None
    return " ".join(text.split())[:300] if isinstance(text, str) else ""


def _receipt(answer: bytes) -> Any:
    try:
        return json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def send_pending(
    outbox: Outbox,
    url: str,
    *,
    unit: str = "",
    token: str = "",
    force: bool = False,
    now: datetime | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
    progress: Progress | None = None,
) -> SendResult:
    """Try every pending report whose retry time has come (all of them with `force`); a
    report whose files changed on disk is counted as failed, so it is never silently dropped."""
    if not (url or "").strip():
        return SendResult()  # no address configured: nothing leaves the laptop
    check_url(url)
    moment = now or datetime.now(UTC)
    result = SendResult()
    for broken in outbox.damaged():
        result.failed[broken.id] = f"{broken.title}: không gửi được, hãy lập lại báo cáo."
    pending = outbox.pending()
    for i, entry in enumerate(pending):
        if progress:
            progress(f"Đang gửi {entry.title} (bản {entry.version})", i, len(pending))
        wait = next_try(entry)
        if not force and wait is not None and wait > moment:
            result.waiting.append(entry.id)
            continue
        ok, error = send_one(outbox, entry, url, unit=unit, token=token, context=context,
                             timeout=timeout)  # fmt: skip
        if ok:
            result.sent.append(entry.id)
        else:
            result.failed[entry.id] = error
    if progress:
        progress("Xong", len(pending), len(pending))
    return result
