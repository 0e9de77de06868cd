"""End to end on 127.0.0.1: a commune's outbox uploads to a province inbox started by the test
(cheroot over HTTPS with a CA of the test's own); what is refused stores nothing."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db.province import inbox, tokens
from db.province.receiver import InboxApp
from db.province.server import InboxServer
from db.store.register import Register, open_register
from reports.build import send_reports, set_upload_config
from reports.outbox import Entry, Outbox
from reports.upload_config import UploadConfig
from tests.db.province.upload_helpers import (
    body_of,
    commune_report,
    outbox_for,
    post,
    receipts_logged,
    stored,
)
from tests.reports.tls import Authority
from tests.support.registers import TODAY

Start = Callable[..., InboxServer]


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Register]:
    made = open_register(tmp_path / "tinh" / "tinh.db", create=True, today=lambda: TODAY)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def start(province: Register, authority: Authority) -> Iterator[Start]:
    running: list[InboxServer] = []

    def begin(**options: object) -> InboxServer:
        app = InboxApp(province, max_body=int(options.pop("max_body", 4 * 1024 * 1024)))  # type: ignore[call-overload]
        cert, key = authority.server
        server = InboxServer(app, cert, key, host="127.0.0.1", port=0, **options)  # type: ignore[arg-type]
        running.append(server.start())
        return server

    yield begin
    for server in running:
        server.stop()


@pytest.fixture
def box(reg: Register, tmp_path: Path) -> Outbox:
    return outbox_for(reg, tmp_path / "outbox")


@pytest.fixture
def entry(reg: Register, add: Callable[..., str], box: Outbox) -> Entry:
    return commune_report(reg, add, box)


@pytest.fixture
def token(province: Register, reg: Register) -> str:
    return tokens.add_token(province, reg.commune_id)[1]


def url(server: InboxServer) -> str:
    return f"https://127.0.0.1:{server.port}/bao-cao"


def configure(reg: Register, box: Outbox, authority: Authority, token: str) -> None:
    set_upload_config(reg, UploadConfig(token=token, ca_file=str(authority.ca)), box)


def test_an_upload_reaches_the_province_and_is_marked_sent_on_its_receipt(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start()
    configure(reg, box, authority, token)
    result = send_reports(reg, box, url(server), force=True)
    assert result.sent == [entry.id] and not result.failed
    [got] = inbox.received(province, month="2026-10")
    assert (got.commune_id, got.report_id, got.version) == (reg.commune_id, entry.id, 1)
    assert got.unit == "" and got.month_text() == "10/2026"  # the commune named no unit
    sent = box.get(entry.id)
    assert sent.sent and sent.receipt is not None and sent.receipt["id"] == got.receipt_id
    # What the province holds is exactly what the commune made.
    _, pdf = box.checked(entry.id)
    assert inbox.report_pdf(province, got.receipt_id)[1] == pdf
    assert inbox.report_figures(province, got.receipt_id) == box.with_data(entry).data
    [logged] = receipts_logged(province)
    assert logged["row_id"] == got.receipt_id and logged["report"] == entry.id
    assert logged["manifest_sha256"] == entry.manifest_sha256 and logged["again"] is False
    assert tokens.list_tokens(province)[0].last_used_at is not None


def test_sending_again_gives_the_same_receipt_and_keeps_one_copy(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start()
    body = body_of(reg, box, entry)
    first = post(url(server), authority, body, token)  # the answer "lost": still pending
    assert first.status == 201 and not box.get(entry.id).sent
    configure(reg, box, authority, token)
    assert send_reports(reg, box, url(server), force=True).sent == [entry.id]
    again = post(url(server), authority, body, token)
    assert again.status == 200 and again.body["again"] is True
    receipt = box.get(entry.id).receipt
    assert receipt is not None
    assert first.body["id"] == receipt["id"] == again.body["id"]
    assert stored(province) == 1
    assert [e["row_id"] for e in receipts_logged(province)] == [first.body["id"]] * 3


def test_other_content_under_a_stored_reports_id_is_refused(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start()
    assert post(url(server), authority, body_of(reg, box, entry), token).status == 201
    other = body_of(reg, box, entry, figures={"khác": 1})
    other["figures_sha256"] = inbox._sha(inbox._canonical(other["figures"]))
    other["manifest_sha256"] = inbox.manifest_of(other["sha256"], other["figures"])
    answer = post(url(server), authority, other, token)
    assert answer.status == 409 and stored(province) == 1


@pytest.mark.parametrize("which", ["wrong", "none", "revoked", "other commune"])
def test_a_commune_without_a_valid_token_for_its_own_report_is_refused(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start, which: str,
) -> None:  # fmt: skip
    server = start()
    used, status = token, 401
    if which == "wrong":
        used = token[:-4] + "AAAA"
    elif which == "none":
        used = ""
    elif which == "revoked":
        tokens.revoke_token(province, tokens.list_tokens(province)[0].id)
    else:
        used = tokens.add_token(province, "0" * 8 + "-0000-4000-8000-" + "0" * 12)[1]
        status = 403
    configure(reg, box, authority, used)
    result = send_reports(reg, box, url(server), force=True)
    assert entry.id in result.failed and not box.get(entry.id).sent
    assert box.get(entry.id).attempts[-1]["status"] == status
    assert stored(province) == 0 and receipts_logged(province) == []
    if which == "other commune":
        assert "xã khác" in result.failed[entry.id]  # the province's own words reach the commune


def test_a_report_changed_on_the_way_is_refused(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start()
    body = body_of(reg, box, entry)
    body["figures"]["figures"]["people_total"] = 99  # the hashes still say what was made
    answer = post(url(server), authority, body, token)
    assert answer.status == 422 and "Số liệu" in answer.body["message"]
    assert stored(province) == 0


def test_an_oversized_body_is_refused_before_it_is_read(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start(max_body=2000)
    configure(reg, box, authority, token)
    result = send_reports(reg, box, url(server), force=True)
    assert box.get(entry.id).attempts[-1]["status"] == 413
    assert "quá lớn" in result.failed[entry.id] and stored(province) == 0


def _tls(server: InboxServer, authority: Authority) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(authority.ca))
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def _status(conn: ssl.SSLSocket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        part = conn.recv(4096)
        if not part:
            break
        answer += part
    return int(answer.split(b" ")[1]) if answer else 0


@pytest.mark.parametrize("slow_part", ["body", "headers"])
def test_a_slow_client_is_cut_off_at_the_deadline(
    province: Register, token: str, authority: Authority, start: Start, slow_part: str
) -> None:
    server = start(deadline=2.0)
    conn = _tls(server, authority)
    head = (f"POST /bao-cao HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{").encode()  # fmt: skip
    if slow_part == "headers":
        head, trickle = head[:20], head[20:]
    else:
        trickle = b" " * 30
    started = time.monotonic()
    conn.sendall(head)
    with contextlib.suppress(OSError):  # (cut off while still sending)
        for byte in trickle[:12]:  # a byte every 0.25 s: 3 s, more than the 2 s allowed
            conn.sendall(bytes([byte]))
            time.sleep(0.25)
    status = _status(conn)
    conn.close()
    assert status == 408
    assert time.monotonic() - started < 4.5
    assert stored(province) == 0


def test_the_server_refuses_a_certificate_that_does_not_load(
    province: Register, tmp_path: Path, authority: Authority
) -> None:
    bad = tmp_path / "khong-phai.pem"
    bad.write_text("không phải chứng chỉ")
    with pytest.raises(inbox.UserError) as caught:
        InboxServer(InboxApp(province), bad, authority.server[1], port=0)
    assert caught.value.field == "cert"


def test_the_same_report_sent_twice_at_once_is_stored_once(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    from concurrent.futures import ThreadPoolExecutor

    server = start()
    body = body_of(reg, box, entry)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: post(url(server), authority, body, token), range(4)))
    assert sorted(a.status for a in answers) == [200, 200, 200, 201]
    assert len({a.body["id"] for a in answers}) == 1 and stored(province) == 1


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/bao-cao", {}, 200),
        ("PUT", "/bao-cao", {}, 405),
        ("POST", "/khac", {}, 404),
        ("POST", "/bao-cao", {"Content-Type": "text/plain"}, 415),
        ("POST", "/bao-cao", {"Transfer-Encoding": "chunked"}, 411),
    ],
)
def test_what_is_not_an_upload_is_answered_and_nothing_stored(
    province: Register, token: str, authority: Authority, start: Start,
    method: str, path: str, headers: dict[str, str], status: int,
) -> None:  # fmt: skip
    import http.client

    server = start()
    context = ssl.create_default_context(cafile=str(authority.ca))
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=20, context=context)
    sent = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", **headers}
    body: object = iter([b"{}"]) if "Transfer-Encoding" in headers else b"{}"
    conn.request(method, path, body=body, headers=sent)  # type: ignore[arg-type]
    answer = conn.getresponse()
    said = answer.read().decode("utf-8")
    conn.close()
    assert answer.status == status and "message" in said
    assert stored(province) == 0


def test_a_client_stalled_in_the_handshake_holds_up_no_one_and_is_cut_off(
    reg: Register, box: Outbox, entry: Entry, province: Register, token: str,
    authority: Authority, start: Start,
) -> None:  # fmt: skip
    server = start(deadline=2.0)
    stalled = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(2)]
    stalled[1].sendall(b"\x16\x03\x01")  # the start of a ClientHello, and nothing more
    started = time.monotonic()
    configure(reg, box, authority, token)
    assert send_reports(reg, box, url(server), force=True).sent == [entry.id]
    assert time.monotonic() - started < 1.5  # not behind the stalled handshakes
    for sock in stalled:
        sock.settimeout(5)
        assert sock.recv(100) == b""  # closed by the server at the deadline
        assert time.monotonic() - started < 4
        sock.close()
