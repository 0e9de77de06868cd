"""The outbox keeps every report exactly; uploads go to a server this test starts on 127.0.0.1.

The server dedupes by the Idempotency-Key, as the contract in docs/reports.md asks; the client
must still never send a sent report again, and a failure must leave the report pending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from db.core.errors import UserError
from db.duties import actions
from db.store.register import Register
from reports.build import monthly_report, outbox_for
from reports.outbox import Outbox, sha256_of
from reports.upload import check_url, next_try, send_pending


class Server:
    """A report receiver: stores each report once per Idempotency-Key."""

    def __init__(self, mode: str = "ok", tls: ssl.SSLContext | None = None) -> None:
        self.mode = mode
        self.received: dict[str, dict[str, Any]] = {}
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests += 1
                if server.mode == "500":
                    self.send_error(500, "Internal Server Error")
                    return
                report = json.loads(body)
                key = self.headers["Idempotency-Key"]
                server.received.setdefault(key, report)
                if server.mode == "drop":
                    server.mode = "ok"
                    self.close_connection = True  # stored, but the answer is lost
                    return
                answer = json.dumps({"id": key, "sha256": report["sha256"]}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/bao-cao"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def outbox(reg: Register, tmp_path: Path) -> Outbox:
    return outbox_for(reg, tmp_path / "outbox")


@pytest.fixture
def made(reg: Register, add: Callable[..., str], outbox: Outbox) -> Callable[[], Any]:
    """make() builds October's report into the outbox and returns its entry."""
    person = add("Lò Văn Ươn", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")

    def make() -> Any:
        return monthly_report(reg, "2026-10", outbox=outbox).entry

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_report_is_kept_with_its_figures_and_hash(made, outbox):
    entry = made()
    pdf = outbox.pdf_path(entry).read_bytes()
    assert entry.sha256 == hashlib.sha256(pdf).hexdigest() and entry.size == len(pdf)
    saved = json.loads((outbox.folder / f"{entry.name}.json").read_text(encoding="utf-8"))
    assert saved["sha256"] == entry.sha256
    assert saved["data"]["figures"]["people_total"] == 1
    assert saved["data"]["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert saved["state"] == "pending" and saved["font"].startswith("Liberation Serif 2.")
    assert not list(outbox.folder.glob("*.tmp")) and not list(outbox.folder.glob(".*.tmp"))


def test_the_same_month_twice_is_two_versions_and_a_sent_one_is_never_touched(made, outbox):
    first = made()
    outbox.mark_sent(first.id)
    before = outbox.pdf_path(first).read_bytes()
    second = made()
    assert (first.version, second.version) == (1, 2)
    assert first.pdf != second.pdf
    assert outbox.pdf_path(first).read_bytes() == before
    states = {e.id: e.sent for e in outbox.entries()}
    assert states == {first.id: True, second.id: False}


def test_marking_sent_keeps_the_first_date(made, outbox):
    entry = made()
    once = outbox.mark_sent(entry.id)
    again = outbox.mark_sent(entry.id)
    assert once.sent_at == again.sent_at and again.sent_how == "manual"
    today = datetime.now(UTC).astimezone().strftime("%d/%m/%Y")
    assert again.state_text() == f"Đã gửi ngày {today}"


def test_a_changed_pdf_is_noticed_and_never_copied(made, outbox, tmp_path):
    entry = made()
    path = outbox.pdf_path(entry)
    path.write_bytes(path.read_bytes() + b"%")
    assert not outbox.verify(entry)
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(UserError, match="bị thay đổi"):
        outbox.copy_to(entry.id, usb)
    assert not list(usb.iterdir())


def test_copy_to_usb_copies_both_files_and_records_it(made, outbox, tmp_path):
    entry = made()
    usb = tmp_path / "usb"
    usb.mkdir()
    target = outbox.copy_to(entry.id, usb)
    assert sha256_of(target.read_bytes()) == entry.sha256
    assert (usb / f"{entry.name}.json").exists()
    assert outbox.get(entry.id).copies[0]["to"] == str(target)
    with pytest.raises(UserError, match="không tồn tại"):
        outbox.copy_to(entry.id, tmp_path / "khong-co")


def test_a_pdf_without_its_json_is_not_a_report(made, outbox):
    entry = made()
    (outbox.folder / "bao-cao-thang-2026-10-v9-dangdo.pdf").write_bytes(b"%PDF half")
    (outbox.folder / "la.json").write_text("{không phải json", encoding="utf-8")
    assert [e.id for e in outbox.entries()] == [entry.id]


def test_concurrent_updates_lose_nothing(made, outbox):
    entry = made()
    threads = [
        threading.Thread(target=outbox.record_attempt, args=(entry.id, False, f"lỗi {i}"))
        for i in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outbox.get(entry.id).attempts) == 12


def test_a_missing_output_folder_is_refused_before_anything_is_kept(reg, made, outbox, tmp_path):
    with pytest.raises(UserError, match="không tồn tại"):
        monthly_report(reg, "2026-10", out=tmp_path / "khong-co" / "bc.pdf", outbox=outbox)
    assert outbox.entries() == []


def test_upload_marks_sent_with_the_date_and_the_server_has_it_once(made, outbox, server):
    entry = made()
    result = send_pending(outbox, server.url, unit="CÔNG AN XÃ CHIỀNG MUNG")
    assert result.sent == [entry.id] and not result.failed
    got = server.received[entry.id]
    assert got["sha256"] == entry.sha256 and got["unit"] == "CÔNG AN XÃ CHIỀNG MUNG"
    assert got["figures"]["figures"]["people_total"] == 1
    now = outbox.get(entry.id)
    assert now.sent and now.sent_how == "upload" and now.receipt["sha256"] == entry.sha256
    assert now.state_text().startswith("Đã gửi ngày ")
    # A sent report is never sent again.
    assert send_pending(outbox, server.url, force=True).sent == []
    assert server.requests == 1


def test_server_down_leaves_the_report_pending(made, outbox):
    entry = made()
    result = send_pending(outbox, f"http://127.0.0.1:{free_port()}/bao-cao", timeout=3)
    assert entry.id in result.failed and "Không kết nối được" in result.failed[entry.id]
    now = outbox.get(entry.id)
    assert not now.sent and now.last_error()


def test_server_error_leaves_the_report_pending_and_it_is_tried_again_later(made, outbox):
    entry = made()
    broken = Server("500")
    try:
        first = send_pending(outbox, broken.url)
        assert "500" in first.failed[entry.id]
        # Straight away: it waits (5 minutes after one failure); a forced send tries now.
        assert send_pending(outbox, broken.url).waiting == [entry.id]
        later = datetime.now(UTC) + timedelta(minutes=6)
        assert entry.id in send_pending(outbox, broken.url, now=later).failed
        assert broken.requests == 2
        broken.mode = "ok"
        assert send_pending(outbox, broken.url, force=True).sent == [entry.id]
    finally:
        broken.stop()
    assert outbox.get(entry.id).sent


def test_retry_after_a_lost_answer_does_not_duplicate(made, outbox):
    entry = made()
    flaky = Server("drop")
    try:
        first = send_pending(outbox, flaky.url, timeout=5)
        assert entry.id in first.failed  # stored by the server, but the laptop never heard
        assert not outbox.get(entry.id).sent
        second = send_pending(outbox, flaky.url, force=True)
        assert second.sent == [entry.id]
        assert flaky.requests == 2 and list(flaky.received) == [entry.id]
    finally:
        flaky.stop()


def test_no_address_configured_sends_nothing(made, outbox, server):
    made()
    assert send_pending(outbox, "").sent == []
    assert server.requests == 0
    assert len(outbox.pending()) == 1


@pytest.mark.parametrize(
    "url",
    ["http://so-lieu.congan.gov.vn/bao-cao", "ftp://127.0.0.1/x", "bao-cao", "https://"],
)
def test_only_https_or_this_machine(url):
    with pytest.raises(UserError, match="https://"):
        check_url(url)


def test_backoff_doubles_and_stops_at_six_hours(made, outbox):
    entry = made()
    for _ in range(12):
        entry = outbox.record_attempt(entry.id, False, "lỗi")
    last = datetime.fromisoformat(entry.attempts[-1]["at"])
    assert next_try(entry) == last + timedelta(hours=6)
    entry = outbox.record_attempt(entry.id, True)
    assert next_try(entry) is None


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with `cryptography`."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_upload_over_https_checks_the_certificate(made, outbox, tmp_path):
    entry = made()
    cert, key = _self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    secure = Server("ok", tls=tls)
    try:
        # Without trusting the certificate the upload fails and the report stays pending.
        refused = send_pending(outbox, secure.url, timeout=5)
        assert entry.id in refused.failed and not outbox.get(entry.id).sent
        trusted = ssl.create_default_context(cafile=str(cert))
        assert send_pending(outbox, secure.url, force=True, context=trusted).sent == [entry.id]
        assert list(secure.received) == [entry.id]
    finally:
        secure.stop()
