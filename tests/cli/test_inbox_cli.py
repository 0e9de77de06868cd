"""`main.py inbox …` as a province's chief types it, on an encrypted province register: issue a
token, serve the inbox (a real process on 127.0.0.1), a commune's outbox uploads to it, the
listing shows it, the report is saved; a revoked token is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cli.main import main
from db.province import inbox
from db.store.register import Register, open_register
from reports.build import outbox_for, send_reports, set_upload_config
from reports.outbox import Outbox
from reports.upload_config import UploadConfig
from tests.db.province.upload_helpers import commune_report
from tests.reports.tls import Authority
from tests.support.paths import ROOT
from tests.support.registers import PASSWORD


@pytest.fixture
def province(secure_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    return secure_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["inbox", *args])
    out, err = capsys.readouterr()
    return code, out, err


class Served:
    """`main.py inbox serve` in a process of its own; `url` once it listens."""

    def __init__(self, db: Path, authority: Authority) -> None:
        cert, key = authority.server
        self.proc = subprocess.Popen(
            [sys.executable, "main.py", "inbox", "serve", "--db", str(db), "--user", "chihuy",
             "--cert", str(cert), "--key", str(key), "--host", "127.0.0.1", "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", env={**os.environ, "SOTHEODOI_PASSWORD": PASSWORD},
        )  # fmt: skip
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        assert "Đang nhận báo cáo tại 127.0.0.1:" in first, first + self.stop()[1]
        port = first.split("127.0.0.1:")[1].split(" ")[0]
        self.url = f"https://127.0.0.1:{port}/bao-cao"

    def stop(self) -> tuple[str, str]:
        """Ctrl+C; (what it printed, its messages)."""
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=30)
        return out, err


@pytest.fixture
def served(province: Path, tmp_path: Path) -> Iterator[Callable[[], Served]]:
    authority = Authority(tmp_path)
    started: list[Served] = []

    def start() -> Served:
        server = Served(province, authority)
        server.authority = authority  # type: ignore[attr-defined]
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.stop()


@pytest.fixture
def box(reg: Register, tmp_path: Path) -> Outbox:
    return outbox_for(reg, tmp_path / "outbox-xa")


def test_a_province_issues_a_token_serves_and_lists_what_arrived(
    reg: Register, add: Callable[..., str], box: Outbox, province: Path,
    served: Callable[[], Served], capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:  # fmt: skip
    entry = commune_report(reg, add, box)
    code, token, said = run(capsys, "token", "add", "--db", str(province), "--user", "chihuy",
                            "--commune", reg.commune_id)  # fmt: skip
    assert code == 0 and "in ra một lần" in said
    token = token.strip()
    server = served()
    authority: Authority = server.authority  # type: ignore[attr-defined]
    set_upload_config(reg, UploadConfig(token=token, ca_file=str(authority.ca)), box)
    assert send_reports(reg, box, server.url, force=True).sent == [entry.id]
    log, messages = server.stop()
    assert server.proc.returncode == 0 and "Đã dừng nhận báo cáo" in messages
    receipt = box.get(entry.id).receipt
    assert receipt is not None and f"201 {receipt['id']}" in log

    code, out, _ = run(capsys, "list", "--db", str(province), "--month", "10/2026")
    assert code == 0 and "tháng 10/2026" in out and receipt["id"] in out
    code, out, _ = run(capsys, "list", "--db", str(province), "--month", "09/2026")
    assert code == 0 and "chưa nhận báo cáo nào tháng 09/2026" in out
    code, out, _ = run(capsys, "save", "--db", str(province), receipt["id"][:14], "--out",
                       str(tmp_path / "nhan.pdf"))  # fmt: skip
    assert code == 0 and (tmp_path / "nhan.pdf").read_bytes() == box.checked(entry.id)[1]
    # The encrypted province register holds the report; nothing of it reads in clear.
    assert b"%PDF" not in province.read_bytes()  # (the log is merged on the last close)
    with open_register(province, user="chihuy", password=PASSWORD) as opened:
        [got] = inbox.received(opened)
        assert got.receipt_id == receipt["id"]


def test_a_revoked_token_is_refused_by_the_running_inbox(
    reg: Register, add: Callable[..., str], box: Outbox, province: Path,
    served: Callable[[], Served], capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    entry = commune_report(reg, add, box)
    _, token, _ = run(capsys, "token", "add", "--db", str(province), "--commune", reg.commune_id)
    _, _, said = run(capsys, "token", "add", "--db", str(province), "--commune", reg.commune_id)
    assert "còn mã khác đang dùng" in said  # a second token does not revoke the first
    code, out, _ = run(capsys, "token", "list", "--db", str(province))
    assert code == 0 and out.count("đang dùng") == 2
    token_id = out.split()[0]
    server = served()
    assert run(capsys, "token", "revoke", "--db", str(province), token_id)[0] == 0
    authority: Authority = server.authority  # type: ignore[attr-defined]
    set_upload_config(reg, UploadConfig(token=token.strip(), ca_file=str(authority.ca)), box)
    result = send_reports(reg, box, server.url, force=True)
    assert "thu hồi" in result.failed[entry.id] and not box.get(entry.id).sent
    log, _ = server.stop()
    assert " 401 " in log
    assert "đã thu hồi" in run(capsys, "token", "list", "--db", str(province))[1]


def test_an_officer_cannot_issue_a_token(
    province: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.security import auth

    with open_register(province, user="chihuy", password=PASSWORD) as chief:
        auth.add_account(chief, "an", "mat-khau-cua-an")
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "mat-khau-cua-an")
    code, out, err = run(capsys, "token", "add", "--db", str(province), "--user", "an",
                         "--commune", "0a0a0a0a-0000-4000-8000-000000000000")  # fmt: skip
    assert code == 5 and out == "" and "chỉ huy" in err.lower()


def test_a_certificate_that_does_not_load_is_named(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "serve", "--db", str(province), "--cert", str(tmp_path / "x.pem"),
                       "--key", str(tmp_path / "x.key"), "--port", "0")  # fmt: skip
    assert code == 2 and "x.pem" in err
