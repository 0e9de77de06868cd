"""`python main.py export | import | conflicts`: passphrase never an argument, exit codes, the
handover record."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pypdf import PdfReader

import cli.main
from cli.handover_commands import ENV_PASSPHRASE, add_handover_parsers
from db.handover import bundle, bundle_read, bundle_write
from db.persons import people
from db.store.register import open_register
from tests.support.handover import PASS, commune, laptop


@pytest.fixture(autouse=True)
def _fast_and_wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """A quick KDF, no passphrase from the environment, and the commands on the parser (also
    before cli/main.py adds them itself)."""
    monkeypatch.setattr(bundle, "KDF_N", 1 << 10)
    monkeypatch.delenv(ENV_PASSPHRASE, raising=False)
    real = cli.main.build_parser

    def build() -> argparse.ArgumentParser:
        parser = real()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        if "export" not in sub.choices:
            add_handover_parsers(sub)
        return parser

    monkeypatch.setattr(cli.main, "build_parser", build)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "matkhau.txt"
    path.write_text(PASS + "\n", encoding="utf-8")
    return path


@pytest.fixture
def a_db(tmp_path: Path) -> Path:
    reg = laptop(tmp_path, "a")
    commune(reg, persons=3)
    reg.close()
    return tmp_path / "a.db"


def run(*argv: object) -> int:
    return cli.main.main([str(a) for a in argv])


def test_export_then_import_with_a_record(
    tmp_path: Path, a_db: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    record = tmp_path / "bien-ban-giao.pdf"
    assert run("export", "--db", a_db, "--out", usb, "--to", "Công an tỉnh",
               "--passphrase-file", secret, "--record", record) == 0  # fmt: skip
    out = capsys.readouterr().out
    [made] = usb.glob("*.sotd")
    sha = bundle.file_sha256(made)
    assert f"Đã ghi gói đầy đủ số 1: {made}" in out
    assert " ".join(sha[i : i + 8] for i in range(0, 64, 8)) in out
    text = "".join(page.extract_text() for page in PdfReader(record).pages)
    assert "BIÊN BẢN BÀN GIAO DỮ LIỆU" in text
    assert "BÊN GIAO" in text and "BÊN NHẬN" in text
    assert sha[:8] in text and made.name in text

    province = tmp_path / "tinh.db"
    open_register(province, create=True).close()
    assert run("import", "--db", province, made, "--passphrase-file", secret,
               "--dry-run") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Xem trước: chưa ghi gì vào sổ." in out
    assert "--accept-other-commune" in out
    assert run("import", "--db", province, made, "--passphrase-file", secret) == 2
    assert "không phải của sổ này" in capsys.readouterr().err
    received = tmp_path / "bien-ban-nhan.pdf"
    assert run("import", "--db", province, made, "--passphrase-file", secret,
               "--accept-other-commune", "--record", received) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Đã nhập gói vào sổ." in out
    assert "Người trong sổ" in out
    text = " ".join("".join(p.extract_text() for p in PdfReader(received).pages).split())
    assert "Không đổi" in text and "0 bản ghi có xung đột" in text
    assert run("import", "--db", province, made, "--passphrase-file", secret,
               "--accept-other-commune") == 0  # fmt: skip
    assert "không có gì thay đổi" in capsys.readouterr().out


def test_the_passphrase_from_the_environment(
    tmp_path: Path, a_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSPHRASE, PASS)
    assert run("export", "--db", a_db, "--out", tmp_path / "goi.sotd") == 0
    assert bundle_read.open_bundle(tmp_path / "goi.sotd", PASS).manifest["counts"]["persons"] == 3


def test_no_passphrase_and_no_terminal(
    tmp_path: Path, a_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("export", "--db", a_db, "--out", tmp_path) == 2
    assert "--passphrase-file" in capsys.readouterr().err
    assert list(tmp_path.glob("*.sotd")) == []


def test_a_passphrase_is_not_an_argument(a_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run("export", "--db", a_db, "--out", ".", "--passphrase", PASS)
    assert caught.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("damage", "code", "message"),
    [
        (lambda data: data[: len(data) // 2], 3, "bị cắt cụt"),
        (lambda data: b"", 3, "rỗng"),
        (lambda data: b"hello", 3, "không phải là gói"),
    ],
)
def test_bad_files_exit_3(
    tmp_path: Path, a_db: Path, secret: Path, capsys: pytest.CaptureFixture[str],
    damage: object, code: int, message: str,
) -> None:  # fmt: skip
    run("export", "--db", a_db, "--out", tmp_path / "goi.sotd", "--passphrase-file", secret)
    path = tmp_path / "goi.sotd"
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    b = tmp_path / "b.db"
    open_register(b, create=True).close()
    capsys.readouterr()
    assert run("import", "--db", b, path, "--passphrase-file", secret, "--take-over") == code
    assert message in capsys.readouterr().err


def test_wrong_passphrase_exits_3(
    tmp_path: Path, a_db: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("export", "--db", a_db, "--out", tmp_path / "goi.sotd", "--passphrase-file", secret)
    wrong = tmp_path / "sai.txt"
    wrong.write_text("một mật khẩu khác\n", encoding="utf-8")
    b = tmp_path / "b.db"
    open_register(b, create=True).close()
    assert run("import", "--db", b, tmp_path / "goi.sotd", "--passphrase-file", wrong) == 3
    assert "Mật khẩu gói không đúng" in capsys.readouterr().err


def test_incremental_and_conflicts(
    tmp_path: Path, a_db: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b_db = tmp_path / "b.db"
    open_register(b_db, create=True).close()
    run("export", "--db", a_db, "--out", tmp_path / "1.sotd", "--to", "Máy B",
        "--passphrase-file", secret)  # fmt: skip
    assert run("import", "--db", b_db, tmp_path / "1.sotd", "--passphrase-file", secret,
               "--take-over") == 0  # fmt: skip
    with open_register(a_db) as a, open_register(b_db) as b:
        person = a.conn.execute("SELECT id FROM persons LIMIT 1").fetchone()[0]
        people.update_person(a, person, {"notes": "ghi ở máy A"})
        people.update_person(b, person, {"notes": "ghi ở máy B"})
    assert run("export", "--db", a_db, "--out", tmp_path / "2.sotd", "--since-last", "Máy B",
               "--passphrase-file", secret) == 0  # fmt: skip
    assert "Đã ghi gói bổ sung số 2" in capsys.readouterr().out
    assert run("import", "--db", b_db, tmp_path / "2.sotd", "--passphrase-file", secret) == 0
    assert "1 xung đột" in capsys.readouterr().out
    assert run("conflicts", "--db", b_db) == 0
    listing = capsys.readouterr().out
    assert "ghi ở máy A" in listing and "ghi ở máy B" in listing
    conflict_id = listing.split("[")[1].split("]")[0]
    assert run("conflicts", "--db", b_db, "--resolve", conflict_id, "--keep", "remote") == 0
    assert run("conflicts", "--db", b_db) == 0
    assert "Không có xung đột" in capsys.readouterr().out
    with open_register(b_db) as b:
        assert b.conn.execute("SELECT notes FROM persons WHERE id = ?", [person]).fetchone() == (
            "ghi ở máy A",
        )


def test_a_full_stick_exits_4(
    tmp_path: Path, a_db: Path, secret: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import errno

    def full(self: bundle_write.BundleWriter, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bundle_write.BundleWriter, "_out", full)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run("export", "--db", a_db, "--out", usb, "--passphrase-file", secret) == 4
    assert "đã đầy" in capsys.readouterr().err
    assert list(usb.iterdir()) == []


def test_an_older_bundle_exits_3_and_settings_are_left_with_a_note(
    tmp_path: Path, a_db: Path, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from db.commune.settings import save_settings

    b_db = tmp_path / "b.db"
    open_register(b_db, create=True).close()
    run("export", "--db", a_db, "--out", tmp_path / "1.sotd", "--to", "Máy B",
        "--passphrase-file", secret)  # fmt: skip
    assert run("import", "--db", b_db, tmp_path / "1.sotd", "--passphrase-file", secret,
               "--take-over") == 0  # fmt: skip
    with open_register(a_db) as a:
        save_settings(a, {"upload_url": "https://khac.example/nhan"})
    run("export", "--db", a_db, "--out", tmp_path / "2.sotd", "--since-last", "Máy B",
        "--passphrase-file", secret)  # fmt: skip
    capsys.readouterr()
    assert run("import", "--db", b_db, tmp_path / "2.sotd", "--passphrase-file", secret) == 0
    assert "Lưu ý: Không nhập 1 mục cài đặt (upload_url)" in capsys.readouterr().out
    with open_register(a_db) as a:
        person = a.conn.execute("SELECT id FROM persons LIMIT 1").fetchone()[0]
        people.update_person(a, person, {"notes": "mới hơn"})
    for name in ("3.sotd", "4.sotd"):
        run("export", "--db", a_db, "--out", tmp_path / name, "--since-last", "Máy B",
            "--passphrase-file", secret)  # fmt: skip
    assert run("import", "--db", b_db, tmp_path / "4.sotd", "--passphrase-file", secret) == 0
    capsys.readouterr()
    assert run("import", "--db", b_db, tmp_path / "3.sotd", "--passphrase-file", secret) == 3
    assert "cũ hơn gói số 4" in capsys.readouterr().err
