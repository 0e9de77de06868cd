"""Sending pending reports to the provincial police, when a unit has an upload address.

With no address configured nothing is sent anywhere. Otherwise each pending report is POSTed as
JSON (the PDF in base64, its SHA-256, its figures) with the report's id as `Idempotency-Key`:
a retry after a lost answer carries the same key, so the server stores the report once. A 2xx
answer marks the report sent; anything else (no connection, a timeout, a 5xx) leaves it pending
with the error noted, and it is tried again later, less often after each failure. A sent report
is never sent again. Only the standard library is used (urllib, ssl).

The server's side of the contract is in docs/reports.md.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from db.core.errors import UserError
from reports.outbox import Entry, Outbox, now_utc

TIMEOUT_S = 30
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


def payload(outbox: Outbox, entry: Entry, unit: str = "") -> bytes:
    """The request body: the report, its hash and the figures it was made from."""
    full = outbox.with_data(entry)
    pdf = outbox.pdf_path(entry).read_bytes()
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
        "figures": full.data,
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


def send_one(
    outbox: Outbox,
    entry: Entry,
    url: str,
    *,
    unit: str = "",
    context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
) -> tuple[bool, str]:
    """POST one report; record the attempt; mark it sent on a 2xx answer. (ok, error)"""
    address = check_url(url)
    if entry.sent:
        return True, ""
    if not outbox.verify(entry):
        error = "Tệp PDF trong hộp thư đi đã bị thay đổi hoặc mất; không gửi."
        outbox.record_attempt(entry.id, False, error)
        return False, error
    request = urllib.request.Request(
        address,
        data=payload(outbox, entry, unit),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": entry.id,
            "X-Report-SHA256": entry.sha256,
            "User-Agent": "SoTheoDoi/1",
        },
    )
    handlers: list[Any] = [urllib.request.HTTPSHandler(context=context)] if context else []
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        error = f"Máy chủ trả lời lỗi {exc.code} {exc.reason}"
        outbox.record_attempt(entry.id, False, error, exc.code)
        return False, error
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        error = f"Không kết nối được máy chủ nhận báo cáo: {reason}"
        outbox.record_attempt(entry.id, False, error)
        return False, error
    receipt = _receipt(answer)
    echoed = receipt.get("sha256")
    if echoed and echoed != entry.sha256:
        error = "Máy chủ xác nhận một tệp khác với tệp đã gửi (SHA-256 không khớp)."
        outbox.record_attempt(entry.id, False, error, status)
        return False, error
    outbox.record_attempt(entry.id, True, status=status)
    outbox.mark_sent(entry.id, "upload", receipt or {"status": status, "at": now_utc()})
    return True, ""


def _receipt(answer: bytes) -> dict[str, Any]:
    try:
        value = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def send_pending(
    outbox: Outbox,
    url: str,
    *,
    unit: str = "",
    force: bool = False,
    now: datetime | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = TIMEOUT_S,
    progress: Progress | None = None,
) -> SendResult:
    """Try every pending report whose retry time has come (all of them with `force`)."""
    if not (url or "").strip():
        return SendResult()  # no address configured: nothing leaves the laptop
    check_url(url)
    moment = now or datetime.now(UTC)
    result = SendResult()
    pending = outbox.pending()
    for i, entry in enumerate(pending):
        if progress:
            progress(f"Đang gửi {entry.title} (bản {entry.version})", i, len(pending))
        wait = next_try(entry)
        if not force and wait is not None and wait > moment:
            result.waiting.append(entry.id)
            continue
        ok, error = send_one(outbox, entry, url, unit=unit, context=context, timeout=timeout)
        if ok:
            result.sent.append(entry.id)
        else:
            result.failed[entry.id] = error
    if progress:
        progress("Xong", len(pending), len(pending))
    return result
