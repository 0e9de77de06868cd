"""One HTTPS POST that cannot lie: a whole-request deadline, and redirects that keep the body.

    answer = post(url, body, headers, context=ssl_context, timeout=30)

- **Deadline**: the request runs on a worker thread and the caller waits at most `timeout`
  seconds for all of it — connecting, sending, every redirect and the answer. A server that
  trickles a byte every second never holds the upload longer; its socket is shut down.
- **Redirects**: 307 and 308 send the same body with the same method again, to an address on the
  same host and scheme that passes the same check as the upload address (never plain http);
  301, 302 and 303 (which would turn the POST into a GET without the report) are failures with
  a message. At most three.

Standard library only (http.client, ssl). Errors are `TransferError` with a Vietnamese message.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from db.core.errors import UserError

MAX_ANSWER = 64 * 1024  # a receipt is small; more is not read
MAX_REDIRECTS = 3
Check = Callable[[str], str]  # an address → the address, or UserError (reports.upload.check_url)


class TransferError(Exception):
    """The report did not get through (the message says why); `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Answer:
    """The server's answer: status, headers (lower-case names), at most MAX_ANSWER bytes."""

    status: int
    reason: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _connection(url: str, context: ssl.SSLContext | None, timeout: float) -> Any:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https":
        return http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=context)
    return http.client.HTTPConnection(host, parts.port, timeout=timeout)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _abort(conn: Any) -> None:
    """Wake a worker blocked on the socket: shut it down from this thread, then close."""
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        conn.close()


def _failure(exc: BaseException) -> TransferError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TransferError(
            "Chứng chỉ của máy chủ nhận báo cáo không được tin cậy "
            f"({exc.verify_message or exc}); hãy kiểm tra địa chỉ và tệp chứng chỉ gốc (CA)."
        )
    if isinstance(exc, TimeoutError | socket.timeout):
        return TransferError("Máy chủ nhận báo cáo không trả lời kịp (quá thời gian chờ).")
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
    return TransferError(f"Không kết nối được máy chủ nhận báo cáo: {reason}")


def _post_once(
    url: str,
    body: bytes,
    headers: dict[str, str],
    context: ssl.SSLContext | None,
    deadline: float,
    timeout: float,
) -> Answer:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _late(timeout)
    conn = _connection(url, context, remaining)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            conn.request("POST", _target(url), body=body, headers=headers)
            response = conn.getresponse()
            data = response.read(MAX_ANSWER)
            outcome["answer"] = Answer(
                int(response.status), str(response.reason), data,
                {k.lower(): v for k, v in response.getheaders()},
            )  # fmt: skip
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="upload", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        _abort(conn)
        worker.join(2)
        raise _late(timeout)
    with contextlib.suppress(Exception):
        conn.close()
    if "error" in outcome:
        raise _failure(outcome["error"])
    answer: Answer = outcome["answer"]
    return answer


def _late(timeout: float) -> TransferError:
    return TransferError(
        f"Máy chủ nhận báo cáo không trả lời xong trong {timeout:g} giây; sẽ thử lại sau."
    )


def redirect_target(current: str, location: str, original: str, check: Check) -> str:
    """Where a 307/308 may lead: the same scheme and host as the upload address, and an address
    that passes `check` (HTTPS; plain HTTP only to this machine). TransferError otherwise."""
    target = urljoin(current, location)
    first, then = urlsplit(original), urlsplit(target)
    if then.scheme != first.scheme or (then.hostname or "") != (first.hostname or ""):
        raise TransferError(
            f"Máy chủ chuyển hướng sang địa chỉ khác ({then.scheme}://{then.hostname}); "
            "không gửi lại báo cáo và mã xác thực đến đó. Hãy kiểm tra địa chỉ nhận báo cáo."
        )
    try:
        check(target)
    except UserError as exc:
        raise TransferError(exc.message) from exc
    return target


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    context: ssl.SSLContext | None,
    timeout: float,
    check: Check,
) -> Answer:
    """POST `body` to `url` within `timeout` seconds in all, following 307/308 only."""
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        answer = _post_once(current, body, headers, context, deadline, timeout)
        status = answer.status
        if status in (307, 308):
            location = answer.headers.get("location", "")
            if not location:
                raise TransferError(f"Máy chủ chuyển hướng ({status}) không kèm địa chỉ.", status)
            current = redirect_target(current, location, url, check)
            continue
        if 300 <= status < 400:
            raise TransferError(
                f"Máy chủ trả lời chuyển hướng {status} (sẽ làm mất nội dung báo cáo); báo cáo "
                "chưa được gửi. Hãy kiểm tra địa chỉ nhận báo cáo.",
                status,
            )
        return answer
    raise TransferError("Máy chủ chuyển hướng quá nhiều lần; báo cáo chưa được gửi.")
