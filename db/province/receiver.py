"""The inbox's side of the upload contract (docs/reports.md) as a WSGI application.

    app = InboxApp(reg)          # the province register, opened by whoever runs the inbox

Each request opens its own connection to the register (`reg.reopen()`: a worker thread's own)
and closes it when done. In order, without reading more than it must:

- `POST /bao-cao` (or `/`); a `GET` only says the inbox is running, nothing else.
- `Authorization: Bearer <token>` of a token the province issued and has not revoked (401),
  before the body is read.
- `Content-Type: application/json` (415), a `Content-Length` (411) of at most `max_body`
  bytes (413).
- The body read within the request's deadline (the server's, db.province.server: 408).
- The report checked and stored once (db.province.inbox): 201 with the receipt, 200 with the
  same receipt for a report already stored; 400/422 for a report that does not check out, 403
  for another commune's report, 409 for other content under a stored report's id.

Answers are JSON: the receipt, or `{"error": <status>, "message": <Vietnamese>}`. Refusals
store nothing.
"""

from __future__ import annotations

import http
import json
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from db.core.errors import UserError
from db.province import inbox
from db.province.tokens import find_token
from db.store.register import Register

MAX_BODY = 16 * 1024 * 1024  # a monthly report with a full annex is well under 2 MB (measured)
PATHS = ("/", "/bao-cao")
_CHUNK = 64 * 1024

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Log = Callable[[str], None]


def _quiet(line: str) -> None:
    """No log."""


class InboxApp:
    """The WSGI application of the province's inbox."""

    def __init__(self, reg: Register, *, max_body: int = MAX_BODY, log: Log = _quiet) -> None:
        self.reg = reg
        self.max_body = max_body
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        remote = str(environ.get("REMOTE_ADDR") or "")
        try:
            status, body = self._handle(environ, remote)
        except inbox.Refused as exc:
            status, body = exc.status, {"error": exc.status, "message": exc.message}
        except UserError as exc:  # the register is busy, locked, read-only…
            status, body = 503, {"error": 503, "message": exc.message}
        except Exception:  # noqa: BLE001 - a bug: the commune retries later, the log tells
            self.log(traceback.format_exc())
            status, body = 500, {"error": 500, "message": "Lỗi chương trình ở máy chủ của tỉnh."}
        line = body.get("id") or body.get("message") or ""
        self.log(f"{datetime.now():%d/%m/%Y %H:%M:%S} {remote} {status} {line}")
        return self._answer(start_response, status, body)

    def _answer(self, start_response: StartResponse, status: int, body: dict[str, Any]
                ) -> list[bytes]:  # fmt: skip
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = [("Content-Type", "application/json; charset=utf-8"),
                   ("Content-Length", str(len(data))), ("Cache-Control", "no-store")]  # fmt: skip
        if status >= 400:
            headers.append(("Connection", "close"))  # never read what a refused client sends on
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="so-theo-doi"'))
        if status == 405:
            headers.append(("Allow", "GET, POST"))
        start_response(f"{status} {http.HTTPStatus(status).phrase}", headers)
        return [data]

    def _handle(self, environ: dict[str, Any], remote: str) -> tuple[int, dict[str, Any]]:
        if environ.get("PATH_INFO", "/") not in PATHS:
            raise inbox.Refused(404, "Không có địa chỉ này; báo cáo gửi tới /bao-cao.")
        method = environ.get("REQUEST_METHOD", "")
        if method == "GET":
            return 200, {"message": "Hộp thư nhận báo cáo của tỉnh đang chạy."}
        if method != "POST":
            raise inbox.Refused(405, "Chỉ nhận báo cáo gửi bằng POST.")
        presented = _bearer(str(environ.get("HTTP_AUTHORIZATION") or ""))
        if not presented:
            raise inbox.Refused(401, "Thiếu mã xác thực của xã (Authorization: Bearer …).")
        content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise inbox.Refused(415, "Báo cáo phải gửi dạng application/json.")
        length = _length(environ, self.max_body)
        with self.reg.reopen() as reg:
            token = find_token(reg, presented)
            if token is None:
                raise inbox.Refused(401, "Mã xác thực của xã không đúng (tỉnh không cấp mã này).")
            if not token.active:
                raise inbox.Refused(401, "Mã xác thực của xã đã bị tỉnh thu hồi.")
            raw = _read(environ, length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise inbox.Refused(400, "Nội dung gửi lên không phải JSON hợp lệ.") from exc
            said = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items()
                    if k.startswith("HTTP_")}  # fmt: skip
            upload = inbox.check_upload(body, said)
            stored = inbox.receive(reg, token, upload, remote=remote)
        return (200 if stored.again else 201), stored.receipt()


def _bearer(header: str) -> str:
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _length(environ: dict[str, Any], limit: int) -> int:
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not text:
        raise inbox.Refused(411, "Thiếu độ dài nội dung (Content-Length).")
    try:
        length = int(text)
    except ValueError as exc:
        raise inbox.Refused(400, "Độ dài nội dung (Content-Length) không hợp lệ.") from exc
    if length > limit:
        raise inbox.Refused(413, f"Báo cáo quá lớn: quá {limit // (1024 * 1024)} MB.")
    if length <= 0:
        raise inbox.Refused(400, "Nội dung gửi lên trống.")
    return length


def _read(environ: dict[str, Any], length: int) -> bytes:
    """The body, all `length` bytes of it, or Refused (408 past the request's deadline)."""
    stream = environ["wsgi.input"]
    parts, got = [], 0
    try:
        while got < length:
            part = stream.read(min(_CHUNK, length - got))
            if not part:
                raise inbox.Refused(400, "Nội dung gửi lên bị cắt ngang.")
            parts.append(part)
            got += len(part)
    except TimeoutError as exc:
        raise inbox.Refused(408, "Gửi quá chậm: quá thời gian cho một lần gửi.") from exc
    except OSError as exc:
        raise inbox.Refused(400, "Kết nối bị ngắt khi đang nhận báo cáo.") from exc
    return b"".join(parts)
