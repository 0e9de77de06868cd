"""Uploads that cannot lie, against HTTPS servers this test starts on 127.0.0.1: a redirect never
drops the report or changes the scheme, a trickling server cannot hold the upload past its
deadline, figures edited on disk are refused, a report is marked sent only on a receipt that
echoes its hash, and the province can tell which commune sent it (token, client certificate,
its own CA)."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from db.core.errors import NotAllowed, UserError
from db.duties import actions
from db.store.register import Register
from reports.build import (
    monthly_report,
    outbox_for,
    send_reports,
    set_upload_config,
    upload_config,
)
from reports.outbox import Entry, Outbox
from reports.upload import send_pending
from reports.upload_config import UploadConfig
from tests.reports.tls import Authority

Reply = Callable[["Handler", dict[str, Any], bytes], None]
Serve = Callable[..., "Receiver"]


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.server.handle_post(self)

    def do_GET(self) -> None:
        self.server.gets += 1
        self.answer(200, {"id": "GET", "sha256": "?"})

    def answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def receipt_for(handler: Handler, report: dict[str, Any], _body: bytes) -> None:
    handler.answer(201, {"id": f"BN-{report['id'][:8]}", "manifest_sha256":
                         report["manifest_sha256"], "sha256": report["sha256"]})  # fmt: skip


class Receiver(ThreadingHTTPServer):
    """An HTTPS report receiver whose reply is chosen by the test; it records every POST."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None, reply: Reply = receipt_for) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.reply = reply
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.gets = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}/bao-cao"

    def handle_post(self, handler: Handler) -> None:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        self.posts.append((handler.path, dict(handler.headers), body))
        self.reply(handler, json.loads(body), body)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def serve(authority: Authority) -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(reply: Reply = receipt_for, tls: bool = True, **kw: Any) -> Receiver:
        receiver = Receiver(authority.server_context(**kw) if tls else None, reply)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def outbox(reg: Register, tmp_path: Path, authority: Authority) -> Outbox:
    box = outbox_for(reg, tmp_path / "outbox")
    set_upload_config(reg, UploadConfig(token="xa-chieng-mung.7f3a9", ca_file=str(authority.ca)),
                      box)  # fmt: skip
    return box


@pytest.fixture
def entry(reg: Register, add: Callable[..., str], outbox: Outbox) -> Entry:
    person = add("Lò Văn Ươn", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
    made = monthly_report(reg, "2026-10", outbox=outbox).entry
    assert made is not None
    return made


def send(reg: Register, box: Outbox, url: str, **kw: Any) -> Any:
    return send_reports(reg, box, url, force=True, **kw)


def test_the_province_is_told_which_commune_sent_it(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    server = serve()
    assert send(reg, outbox, server.url).sent == [entry.id]
    [(_, headers, body)] = server.posts
    assert headers["Authorization"] == "Bearer xa-chieng-mung.7f3a9"
    report = json.loads(body)
    assert report["register_id"] == reg.commune_id
    assert report["manifest_sha256"] == outbox.get(entry.id).manifest_sha256
    receipt = outbox.get(entry.id).receipt
    assert receipt is not None and receipt["id"] == f"BN-{entry.id[:8]}"
    # What is sent is what the report prints: no register ids of people.
    assert "person_id" not in body.decode()


def test_the_token_is_kept_and_never_logged_whole(
    reg: Register, entry: Entry, outbox: Outbox
) -> None:
    assert upload_config(reg, outbox).token == "xa-chieng-mung.7f3a9"
    logged = " ".join(r[0] for r in reg.conn.execute("SELECT changes FROM change_log"))
    assert "upload_credential" in logged and "…f3a9" in logged
    assert "chieng-mung.7f3a9" not in logged


def test_only_the_chief_sets_the_credential(reg: Register, outbox: Outbox) -> None:
    reg.role = "officer"
    with pytest.raises(NotAllowed):
        set_upload_config(reg, UploadConfig(token="khac"), outbox)
    assert upload_config(reg, outbox).token == "xa-chieng-mung.7f3a9"


def test_a_ca_file_that_is_not_pem_is_refused_naming_the_field(
    reg: Register, outbox: Outbox, tmp_path: Path
) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("không phải chứng chỉ")
    with pytest.raises(UserError, match="CA") as caught:
        set_upload_config(reg, UploadConfig(ca_file=str(bad)), outbox)
    assert caught.value.field == "ca_file"


def test_without_the_provinces_ca_the_server_is_not_trusted(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    server = serve()
    set_upload_config(reg, UploadConfig(token="t"), outbox)  # the system's store only
    result = send(reg, outbox, server.url, timeout=5)
    assert "Chứng chỉ" in result.failed[entry.id]
    assert server.posts == [] and not outbox.get(entry.id).sent


def test_a_client_certificate_is_presented_when_the_province_asks(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve, authority: Authority
) -> None:
    server = serve(client_ca=True)
    assert entry.id in send(reg, outbox, server.url, timeout=5).failed  # none given: refused
    cert, key = authority.client_pair()
    config = UploadConfig("t", str(authority.ca), client_cert=str(cert), client_key=str(key))
    set_upload_config(reg, config, outbox)
    assert send(reg, outbox, server.url).sent == [entry.id]


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirect_that_would_drop_the_body_is_a_failure(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve, status: int
) -> None:
    target = serve()
    first = serve(lambda h, r, b: h.answer(status, None, {"Location": target.url}))
    result = send(reg, outbox, first.url)
    assert str(status) in result.failed[entry.id] and "chuyển hướng" in result.failed[entry.id]
    assert not outbox.get(entry.id).sent
    assert target.posts == [] and target.gets == 0


def test_a_redirect_to_plain_http_is_refused(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    plain = serve(tls=False)
    first = serve(lambda h, r, b: h.answer(307, None, {"Location": plain.url}))
    result = send(reg, outbox, first.url)
    assert "chuyển hướng" in result.failed[entry.id]
    assert plain.posts == [] and not outbox.get(entry.id).sent


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_send_the_same_body_again(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve, status: int
) -> None:
    target = serve()
    first = serve(lambda h, r, b: h.answer(status, None, {"Location": target.url + "?lan=2"}))
    assert send(reg, outbox, first.url).sent == [entry.id]
    [(_, _, sent_first)] = first.posts
    [(path, headers, sent_again)] = target.posts
    assert sent_again == sent_first and path == "/bao-cao?lan=2"
    assert headers["Authorization"] == "Bearer xa-chieng-mung.7f3a9"


def test_a_trickling_server_cannot_hold_the_upload_past_its_deadline(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    stop = threading.Event()

    def trickle(handler: Handler, report: dict[str, Any], body: bytes) -> None:
        handler.wfile.write(b"HTTP/1.1 201 Created\r\n")
        handler.wfile.flush()
        for _ in range(40):  # one byte every 1.5 s: 60 s in all
            if stop.wait(1.5):
                return
            handler.wfile.write(b"X")
            handler.wfile.flush()

    server = serve(trickle)
    started = time.monotonic()
    try:
        result = send(reg, outbox, server.url, timeout=5)
    finally:
        stop.set()
    assert time.monotonic() - started < 8
    assert "5 giây" in result.failed[entry.id] and not outbox.get(entry.id).sent


def test_figures_edited_on_disk_are_refused(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    path = outbox.folder / f"{entry.name}.json"  # a plain register: a plain entry to edit
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["data"]["figures"]["people_total"] = 0
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    server = serve()
    result = send(reg, outbox, server.url)
    assert "bị thay đổi" in result.failed[entry.id]
    assert server.posts == [] and not outbox.get(entry.id).sent


@pytest.mark.parametrize(
    "receipt",
    [None, {}, {"id": ""}, {"id": "BN-1"}, {"id": "BN-1", "manifest_sha256": "0" * 64},
     {"id": "BN-1", "sha256": "0" * 64}, ["BN-1"]],
)  # fmt: skip
def test_a_report_is_marked_sent_only_on_a_receipt_that_echoes_its_hash(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve, receipt: Any
) -> None:
    server = serve(lambda h, r, b: h.answer(200, receipt))
    result = send(reg, outbox, server.url)
    assert entry.id in result.failed and not outbox.get(entry.id).sent
    assert outbox.get(entry.id).last_error()


def test_a_receipt_of_the_first_contract_still_counts(
    reg: Register, entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    server = serve(lambda h, r, b: h.answer(201, {"id": r["id"], "sha256": r["sha256"]}))
    assert send(reg, outbox, server.url).sent == [entry.id]


def test_a_refused_token_says_so(reg: Register, entry: Entry, outbox: Outbox, serve: Serve) -> None:
    server = serve(lambda h, r, b: h.answer(401, {"error": "token"}))
    result = send(reg, outbox, server.url)
    assert "mã xác thực" in result.failed[entry.id]


def test_send_pending_alone_uses_no_credential_unless_given(
    entry: Entry, outbox: Outbox, serve: Serve
) -> None:
    server = serve(tls=False)
    assert send_pending(outbox, server.url, force=True).sent == [entry.id]
    [(_, headers, _)] = server.posts
    assert "Authorization" not in headers
