"""`python main.py report …`: files made, outbox kept, messages and exit codes."""

from __future__ import annotations

import argparse
import os
import socket
import stat
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from cli import commands
from cli import main as cli_main
from cli.report_commands import add_report_parser, cmd_report
from db.commune import places
from db.commune.settings import save_settings
from db.duties import actions
from db.persons import people
from db.store.register import open_register
from reports.outbox import Outbox, default_folder

Run = Callable[..., int]


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """main(argv) with the report command (wired here too until cli/main.py adds it)."""
    if "report" not in _subcommands(cli_main.build_parser()).choices:
        original = cli_main.build_parser

        def build() -> argparse.ArgumentParser:
            parser = original()
            add_report_parser(_subcommands(parser))
            return parser

        monkeypatch.setattr(cli_main, "build_parser", build)
        monkeypatch.setattr(commands, "cmd_report", cmd_report, raising=False)
    return lambda *argv: cli_main.main([str(a) for a in argv])


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, str]:
    """A small register with one managed person in "Bản Nà Sản"; its path and the person's id."""
    path = tmp_path / "so.db"
    with open_register(path, create=True) as reg:
        save_settings(reg, {"unit_name": "CÔNG AN XÃ CHIỀNG MUNG", "place_name": "Chiềng Mung"})
        village = places.save_village(reg, {"name": "Bản Nà Sản", "population": 400})
        person = people.add_person(
            reg, {"full_name": "Hoàng Thị Đào", "birth_date": "2001", "village_id": village}
        )
        actions.management_decision(reg, person, date.today(), decision_no="3/QĐ")
    return path, person


def last_month() -> str:
    """The month before this one, as YYYY-MM (the CLI's register lives on the real today)."""
    previous = date.today().replace(day=1) - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_monthly_writes_the_pdf_and_keeps_it_in_the_outbox(run, db, tmp_path, capsys):
    path, _ = db
    out = tmp_path / "bao-cao.pdf"
    assert run("report", "monthly", "--db", path, "--month", last_month(), "--out", out) == 0
    said = capsys.readouterr().out
    assert "Đã lập Báo cáo tháng" in said and "Mã báo cáo:" in said
    assert "CÔNG AN XÃ CHIỀNG MUNG" in PdfReader(out).pages[0].extract_text()
    entries = Outbox(default_folder(path)).entries()
    assert len(entries) == 1 and entries[0].state == "pending"


@pytest.mark.parametrize("month", ["2026-13", "tháng 10", "10-2026x"])
def test_a_bad_month_is_exit_2_naming_the_field(run, db, tmp_path, capsys, month):
    path, _ = db
    code = run("report", "monthly", "--db", path, "--month", month, "--out", tmp_path / "x.pdf")
    assert code == 2
    assert "Tháng báo cáo" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_output_folder_is_exit_2(run, db, tmp_path, capsys):
    path, _ = db
    out = tmp_path / "khong-co" / "bc.pdf"
    assert run("report", "monthly", "--db", path, "--month", last_month(), "--out", out) == 2
    assert "không tồn tại" in capsys.readouterr().err


def test_a_missing_register_is_exit_3(run, tmp_path, capsys):
    code = run("report", "person", "--db", tmp_path / "khong.db", "--id", "x", "--out",
               tmp_path / "p.pdf")  # fmt: skip
    assert code == 3
    assert "Không tìm thấy tệp sổ" in capsys.readouterr().err


def test_person_sheet(run, db, tmp_path, capsys):
    path, person = db
    out = tmp_path / "phieu.pdf"
    assert run("report", "person", "--db", path, "--id", person, "--out", out) == 0
    assert "Hoàng Thị Đào" in PdfReader(out).pages[0].extract_text()
    assert run("report", "person", "--db", path, "--id", "khong-co", "--out", out) == 2
    assert "Không tìm thấy người" in capsys.readouterr().err


def test_round_sheet_by_village_name_without_diacritics(run, db, tmp_path, capsys):
    path, _ = db
    out = tmp_path / "ds.pdf"
    assert run("report", "round", "--db", path, "--village", "ban na san", "--out", out) == 0
    assert "Hoàng Thị Đào" in PdfReader(out).pages[0].extract_text()
    assert run("report", "round", "--db", path, "--village", "Bản Khác", "--out", out) == 2
    assert "Bản Nà Sản" in capsys.readouterr().err  # the known villages are named
    assert run("report", "round", "--db", path, "--out", out) == 2
    assert "--village" in capsys.readouterr().err


def test_outbox_list_mark_sent_and_copy(run, db, tmp_path, capsys):
    path, _ = db
    assert run("report", "monthly", "--db", path, "--month", last_month()) == 0
    capsys.readouterr()
    assert run("report", "outbox", "list", "--db", path) == 0
    listed = capsys.readouterr().out
    assert "Chưa gửi" in listed
    short = listed.split()[0]
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run("report", "outbox", "copy", "--db", path, short, "--to", usb) == 0
    assert len(list(usb.glob("*.pdf"))) == 1
    assert run("report", "outbox", "mark-sent", "--db", path, short) == 0
    assert "Đã gửi ngày" in capsys.readouterr().out
    assert run("report", "outbox", "mark-sent", "--db", path, "zzzz") == 2


def test_outbox_send_without_an_address_sends_nothing(run, db, capsys):
    path, _ = db
    run("report", "monthly", "--db", path, "--month", last_month())
    assert run("report", "outbox", "send", "--db", path) == 2
    assert "Chưa cài đặt địa chỉ nhận báo cáo" in capsys.readouterr().err
    assert len(Outbox(default_folder(path)).pending()) == 1


def test_outbox_send_to_a_server_that_is_down_is_exit_1_and_stays_pending(run, db, capsys):
    path, _ = db
    with open_register(path) as reg:
        save_settings(reg, {"upload_url": f"http://127.0.0.1:{free_port()}/bao-cao"})
    run("report", "monthly", "--db", path, "--month", last_month())
    assert run("report", "outbox", "send", "--db", path, "--force") == 1
    assert "chưa gửi được 1" in capsys.readouterr().out
    assert len(Outbox(default_folder(path)).pending()) == 1


def test_every_report_subcommand_takes_db(run, tmp_path):
    parser = cli_main.build_parser()
    for argv in (
        ["report", "monthly", "--db", "a.db", "--month", "2026-10"],
        ["report", "person", "--db", "a.db", "--id", "x", "--out", "p.pdf"],
        ["report", "round", "--db", "a.db", "--due", "--out", "p.pdf"],
        ["report", "outbox", "list", "--db", "a.db"],
        ["report", "outbox", "send", "--db", "a.db"],
        ["report", "outbox", "mark-sent", "--db", "a.db", "abc"],
        ["report", "outbox", "copy", "--db", "a.db", "abc", "--to", "."],
    ):
        assert parser.parse_args(argv).db == Path("a.db")


def test_outbox_save_writes_a_checked_copy_and_config_keeps_the_token(
    run, db, tmp_path, capsys, monkeypatch
):
    path, _ = db
    assert run("report", "monthly", "--db", path, "--month", last_month()) == 0
    capsys.readouterr()
    run("report", "outbox", "list", "--db", path)
    short = capsys.readouterr().out.split()[0]
    assert run("report", "outbox", "save", "--db", path, short, "--out", tmp_path / "ban") == 0
    assert "Đã lưu" in capsys.readouterr().out
    assert "CÔNG AN XÃ CHIỀNG MUNG" in PdfReader(tmp_path / "ban.pdf").pages[0].extract_text()
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "ban.pdf").stat().st_mode) == 0o600
    token = tmp_path / "ma.txt"
    token.write_text("ma-cua-xa-abcd\n", encoding="utf-8")
    assert run("report", "outbox", "config", "--db", path, "--token-file", token) == 0
    said = capsys.readouterr().out
    assert "…abcd" in said and "ma-cua-xa" not in said
    monkeypatch.setenv("SOTHEODOI_UPLOAD_TOKEN", "tu-bien-moi-truong")
    assert run("report", "outbox", "config", "--db", path) == 0
    assert "…uong" in capsys.readouterr().out
    assert run("report", "outbox", "config", "--db", path, "--ca", tmp_path / "ma.txt") == 2
    assert "CA" in capsys.readouterr().err
