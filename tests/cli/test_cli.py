"""`python main.py <command>`: output, exit codes and messages, and nothing changed on failure."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cli import commands
from cli.main import main
from db.commune import places
from db.persons import drugtests, people
from db.store.register import open_register
from tests.support.paths import ROOT
from tests.support.registers import PASSWORD


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "so.db"
    with open_register(path, create=True) as reg:
        village = places.save_village(reg, {"name": "Thôn Nà Sản", "population": 400})
        person = people.add_person(
            reg,
            {"full_name": "Hoàng Thị Đào", "birth_date": "2001", "sex": "Nữ",
             "id_number": "014301000123", "village_id": village},
        )  # fmt: skip
        drugtests.record_test(reg, person, date.today(), positives="MET")
    return path


def test_find_prints_the_person_and_json(small, capsys):
    assert main(["find", "--db", str(small), "hoang thi dao"]) == 0
    out = capsys.readouterr().out
    assert "Hoàng Thị Đào" in out and "Thôn Nà Sản" in out and "(1 người)" in out
    assert main(["find", "--db", str(small), "DAO", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["full_name"] for r in rows] == ["Hoàng Thị Đào"]
    assert main(["find", "--db", str(small), "zzz"]) == 0
    assert "Không tìm thấy" in capsys.readouterr().out


def test_due_lists_the_decision_after_a_positive_test(small, capsys):
    assert main(["due", "--db", str(small), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert any(i["kind"] == "positive" and i["full_name"] == "Hoàng Thị Đào" for i in items)


def test_stats_json_counts_the_test(small, capsys):
    assert main(["stats", "--db", str(small), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tests"]["positive"] == 1 and data["tests"]["by_substance"] == {"MET": 1}
    assert main(["stats", "--db", str(small)]) == 0
    assert "Tiêu chí xã không ma túy" in capsys.readouterr().out


def test_check_passes_on_a_sound_register(small, capsys):
    assert main(["check", "--db", str(small)]) == 0
    assert "toàn vẹn" in capsys.readouterr().out


def test_missing_file_is_named_and_not_created(tmp_path, capsys):
    missing = tmp_path / "khong-co.db"
    assert main(["stats", "--db", str(missing)]) == 3
    err = capsys.readouterr().err
    assert "Không tìm thấy tệp sổ" in err and "khong-co.db" in err
    assert not missing.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, not a database\n", bytes(range(256)) * 8],
    ids=["empty", "text", "binary"],
)
def test_file_that_is_not_a_register(tmp_path, capsys, content):
    path = tmp_path / "la.db"
    path.write_bytes(content)
    before = _digest(path)
    code = main(["find", "--db", str(path), "a"])
    if content == b"":
        # An empty file is an empty register: it becomes one.
        assert code == 0
        return
    assert code == 3
    assert "không phải là sổ theo dõi" in capsys.readouterr().err
    assert _digest(path) == before


def test_foreign_sqlite_database_is_refused_unchanged(tmp_path, capsys):
    path = tmp_path / "khac.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE orders (id INTEGER)")
    conn.close()
    before = _digest(path)
    assert main(["due", "--db", str(path)]) == 3
    assert "chương trình khác" in capsys.readouterr().err
    assert _digest(path) == before


def test_register_from_a_newer_version_is_refused_unchanged(small, capsys):
    with sqlite3.connect(small) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('sotheodoi', 'm999_from_the_future', '2030-01-01')"
        )
    conn.close()
    before = _digest(small)
    assert main(["stats", "--db", str(small)]) == 3
    assert "phiên bản mới hơn" in capsys.readouterr().err
    assert _digest(small) == before


def test_bad_date_is_refused_with_vietnamese_message(small, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["due", "--db", str(small), "--on", "2026-13-01"])
    assert stop.value.code == 2
    assert "không hợp lệ" in capsys.readouterr().err


def test_a_bug_is_told_apart_from_bad_input(small, capsys, monkeypatch):
    def broken(path, args):
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "cmd_find", broken)
    assert main(["find", "--db", str(small), "x"]) == 70
    err = capsys.readouterr().err
    assert "Lỗi chương trình" in err and "RuntimeError: boom" in err


def test_demo_then_stats_find_due_as_a_user_runs_them(tmp_path):
    """The issue's own check, through real processes: demo 500, then stats, find, due — on an
    encrypted register, the password from the environment, the recovery code shown once."""
    path = tmp_path / "r.db"
    env = {**os.environ, "SOTHEODOI_PASSWORD": "mat-khau-tap-huan"}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
            encoding="utf-8", timeout=120, env={**env, **extra},
        )  # fmt: skip

    made = run("demo", "--db", str(path), "--persons", "500", "--user", "chihuy")
    assert made.returncode == 0, made.stderr
    assert made.stderr.count("MÃ KHÔI PHỤC") == 1 and "chihuy" in made.stderr
    assert not path.read_bytes().startswith(b"SQLite format 3")
    stats = run("stats", "--db", str(path), "--json")
    assert stats.returncode == 0, stats.stderr
    assert "MÃ KHÔI PHỤC" not in stats.stderr
    data = json.loads(stats.stdout)
    assert data["people_total"] > 100
    assert all(data["categories"][c] > 0 for c in ("user", "addict", "post_rehab"))
    due = run("due", "--db", str(path), "--json")
    items = json.loads(due.stdout)
    assert any(i["overdue"] for i in items) and any(not i["overdue"] for i in items)
    # The whole name, typed without diacritics as an officer would.
    from db.core.textfold import fold

    name = fold(items[0]["full_name"])
    found = run("find", "--db", str(path), name, "--json")
    assert any(r["full_name"] == items[0]["full_name"] for r in json.loads(found.stdout))
    again = run("demo", "--db", str(path))
    assert again.returncode == 3 and "đã có" in again.stderr
    assert run("check", "--db", str(path)).returncode == 0
    wrong = run("find", "--db", str(path), name, SOTHEODOI_PASSWORD="sai-mat-khau")
    assert wrong.returncode == 3 and "mật khẩu không đúng" in wrong.stderr
    assert wrong.stdout == ""


# --- Passwords. ---------------------------------------------------------------------------------


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "matkhau.txt"
    path.write_text(f"{PASSWORD}\n", encoding="utf-8")
    return path


def test_password_from_a_file(secure_path, password_file, capsys):
    assert main(["find", "--db", str(secure_path), "--password-file", str(password_file), "a"]) == 0
    assert "Không tìm thấy" in capsys.readouterr().out
    # The option is also accepted before the command.
    args = ["--password-file", str(password_file), "check", "--db", str(secure_path)]
    assert main(args) == 0


def test_wrong_password_is_exit_3_and_changes_nothing(secure_path, tmp_path, capsys):
    wrong = tmp_path / "sai.txt"
    wrong.write_text("sai-mat-khau\n", encoding="utf-8")
    before = _digest(secure_path)
    assert main(["stats", "--db", str(secure_path), "--password-file", str(wrong)]) == 3
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in capsys.readouterr().err
    assert _digest(secure_path) == before


def test_no_password_and_no_terminal_says_how_to_give_one(secure_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["due", "--db", str(secure_path)]) == 3
    err = capsys.readouterr().err
    assert "--password-file" in err and "SOTHEODOI_PASSWORD" in err


def test_password_is_asked_at_a_terminal(secure_path, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    assert main(["check", "--db", str(secure_path)]) == 0
    assert asked == ["Mật khẩu: "]


def test_a_plain_register_is_encrypted_when_a_password_is_given(small, capsys, monkeypatch,
                                                                fast_keys):  # fmt: skip
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "mat-khau-moi-1")
    assert main(["find", "--db", str(small), "--user", "truong", "dao", "--json"]) == 0
    captured = capsys.readouterr()
    assert [r["full_name"] for r in json.loads(captured.out)] == ["Hoàng Thị Đào"]
    assert "chưa được mã hóa" in captured.err and captured.err.count("MÃ KHÔI PHỤC") == 1
    assert not small.read_bytes().startswith(b"SQLite format 3")
    assert main(["find", "--db", str(small), "--user", "truong", "dao"]) == 0
    assert "MÃ KHÔI PHỤC" not in capsys.readouterr().err


def test_recover_command_sets_a_new_password(tmp_path, capsys, monkeypatch, fast_keys):
    from db.security.encryption import create_register

    path = tmp_path / "so.db"
    reg, code = create_register(path, "chihuy", PASSWORD)
    reg.close()
    code_file = tmp_path / "ma.txt"
    code_file.write_text(code, encoding="utf-8")
    monkeypatch.setenv("SOTHEODOI_PASSWORD", "mat-khau-moi-1")
    assert main(["recover", "--db", str(path), "--code-file", str(code_file)]) == 0
    assert "chihuy" in capsys.readouterr().out
    assert main(["check", "--db", str(path)]) == 0
    code_file.write_text("AAAA-BBBB", encoding="utf-8")
    assert main(["recover", "--db", str(path), "--code-file", str(code_file)]) == 3
    assert "Mã khôi phục không đúng" in capsys.readouterr().err
