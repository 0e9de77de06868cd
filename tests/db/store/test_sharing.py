"""One register, many users on one laptop: writers and every command side by side, restore in the
middle, the window's one-window rule, and read-only media."""

from __future__ import annotations

import concurrent.futures
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.core.errors import RegisterFileError, RegisterLocked
from db.persons import people
from db.security import restore as restoring
from db.security.backup import make_backup
from db.store import hold, keys
from db.store.register import open_register
from tests.support.processes import Writer, run_command
from tests.support.registers import PASSWORD, count

READERS = [["stats"], ["find", "Người"], ["due"], ["check"]]


def _open(path: Path):  # type: ignore[no-untyped-def]
    return open_register(path, user="chihuy", password=PASSWORD)


def _ids(path: Path, key: bytes | None) -> set[str]:
    with open_register(path, user="chihuy", key=key, log_login=False) as reg:
        return {r[0] for r in reg.db.execute("SELECT id FROM persons")}


@pytest.mark.slow
def test_writers_and_every_command_side_by_side_with_restore_in_the_middle(
    secure_path: Path, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    made = run_command("backup", "--db", str(secure_path), "--to", str(usb))
    assert made.returncode == 0, made.stderr
    [early] = list(usb.glob("*.db"))
    first, second = Writer(secure_path, "Người"), Writer(secure_path, "Ai Đó")
    try:
        # Every reading command, and a backup, while two programs write: none waits or fails.
        commands = [[*c, "--db", str(secure_path)] for c in READERS]
        commands.append(["backup", "--db", str(secure_path), "--to", str(usb)])
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda c: run_command(*c), commands * 2))
        for command, result in zip(commands * 2, results, strict=True):
            assert result.returncode == 0, (command, result.stderr)
            assert "khóa" not in result.stderr, (command, result.stderr)
        # Restore while they write: refused, nothing replaced.
        refused = run_command("restore", "--db", str(secure_path), str(early))
        assert refused.returncode == 3
        assert "đang mở ở nơi khác" in refused.stderr
        time.sleep(0.3)
    finally:
        saved = first.stop() + second.stop()
    assert len(saved) > 20 and "Traceback" not in first.errors + second.errors
    with _open(secure_path) as reg:
        key = reg.key
        assert count(reg, "persons", "full_name LIKE 'Người Thứ%' OR full_name LIKE 'Ai Đó%'") >= (
            len(saved)
        )
    assert set(saved) <= _ids(secure_path, key)
    # Once they are closed the chief restores; every reported save is in the kept copy, and the
    # restore says how many log entries the old register had beyond the backup.
    done = run_command("restore", "--db", str(secure_path), str(early))
    assert done.returncode == 0, done.stderr
    assert "mục nhật ký sau bản sao lưu" in done.stderr
    [kept] = list(secure_path.parent.glob("mahoa.db.hong-*.bak"))
    keys.copy_keys(secure_path, kept)
    assert set(saved) <= _ids(kept, key)
    assert not set(saved) & _ids(secure_path, key)
    with _open(secure_path) as reg:
        entry = reg.db.execute(
            "SELECT changes FROM change_log WHERE action = 'restore' ORDER BY seq DESC"
        ).fetchone()[0]
        assert '"lost_entries": ' in entry and '"lost_entries": null' not in entry


def test_restore_is_refused_while_the_register_is_open(
    secure_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hold, "WAIT_SECONDS", 0.3)  # a person waits 15 s; a test need not
    with _open(secure_path) as reg:
        made = make_backup(reg)
        people.add_person(reg, {"full_name": "Sau Bản Sao"})
        key = reg.key
        before = secure_path.read_bytes()
        with pytest.raises(RegisterLocked, match="đang mở ở nơi khác"):
            restoring.restore(secure_path, made, key, login="chihuy")
        assert secure_path.read_bytes() == before
        assert count(reg, "persons", "full_name = 'Sau Bản Sao'") == 1
    restoring.restore(secure_path, made, key, login="chihuy")  # closed: it goes through


def test_an_open_waits_for_a_restore_in_progress(
    secure_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = hold.alone(secure_path, "thử")
    threading.Timer(0.5, held.release).start()
    started = time.monotonic()
    with _open(secure_path) as reg:
        assert reg.user == "chihuy"
    assert time.monotonic() - started >= 0.4
    monkeypatch.setattr(hold, "WAIT_SECONDS", 0.2)
    with hold.alone(secure_path, "thử"), pytest.raises(RegisterLocked, match="đang được khôi"):
        hold.share(secure_path, wait=0.2)


def test_a_second_window_is_refused(secure_path: Path) -> None:
    with hold.hold_window(secure_path):
        with pytest.raises(RegisterLocked, match="cửa sổ Sổ theo dõi khác"):
            hold.hold_window(secure_path)
        with _open(secure_path):  # commands still open the register beside the window
            pass
    hold.hold_window(secure_path).release()  # once closed, a window may open it again


def test_a_second_window_in_another_process_is_refused(secure_path: Path) -> None:
    import subprocess
    import sys

    from tests.support.paths import ROOT

    script = (
        "import sys\n"
        "from db.core.errors import RegisterLocked\n"
        "from db.store.hold import hold_window\n"
        "try:\n    hold_window(sys.argv[1])\nexcept RegisterLocked as exc:\n"
        "    print(exc.message); sys.exit(3)\n"
    )
    with hold.hold_window(secure_path):
        result = subprocess.run(
            [sys.executable, "-c", script, str(secure_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        assert result.returncode == 3 and "cửa sổ Sổ theo dõi khác" in result.stdout
    result = subprocess.run(
        [sys.executable, "-c", script, str(secure_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_crash_s_leftovers_go_at_the_next_start_but_not_under_another_instance(
    secure_path: Path,
) -> None:
    folder = secure_path.parent
    backups = folder / "sao-luu"
    backups.mkdir()
    plain = folder / "mahoa.db.truoc-m009_x.bak"
    with open_register(folder / "tam.db", create=True) as scratch:  # a plain copy, as a crash
        people.add_person(scratch, {"full_name": "Tên Trong Bản Rõ"})
    left = [
        folder / "mahoa.db.khoi-phuc.tmp", folder / "mahoa.db.ma-hoa.tmp-wal",
        folder / ".mahoa.db.keys.0a1b2c3d.tmp", backups / "mahoa-20261120-080000.db.tmp",
        plain,
    ]  # fmt: skip
    kept = [folder / "mahoa.db.keys", folder / "tam.db", backups / "khac-20261120-080000.db.tmp"]
    with _open(secure_path):  # an instance is working: its temporary files are its own
        for path in left[:-1]:
            path.write_bytes(b"x" * 1000)
        shutil.copyfile(folder / "tam.db", plain)
        kept[-1].write_bytes(b"y")
        with _open(secure_path):  # another one starts meanwhile: nothing is removed
            assert all(p.exists() for p in left)
    with _open(secure_path):  # the next start alone
        assert not any(p.exists() for p in left)
        assert all(p.exists() for p in kept)


def test_reading_commands_log_their_login_after_reading(secure_path: Path) -> None:
    with _open(secure_path) as reg:
        before = count(reg, "change_log", "action = 'login'")
    result = run_command("check", "--db", str(secure_path))
    assert result.returncode == 0, result.stderr
    with _open(secure_path) as reg:
        assert count(reg, "change_log", "action = 'login'") == before + 2


@pytest.fixture
def read_only_copy(secure_path: Path, tmp_path: Path) -> Iterator[Path]:
    """The register (closed cleanly: no -wal) on media that cannot be written."""
    import os
    import subprocess
    import sys

    if sys.platform == "win32":
        pytest.skip("read-only media are simulated with POSIX mounts and modes")
    source = tmp_path / "nguon"
    source.mkdir()
    for name in ("mahoa.db", "mahoa.db.keys"):
        shutil.copyfile(secure_path.with_name(name), source / name)
    if os.geteuid() == 0:  # root writes through modes: a read-only bind mount instead
        mounted = tmp_path / "usb-chi-doc"
        mounted.mkdir()
        done = subprocess.run(["mount", "--bind", str(source), str(mounted)], check=False,
                              capture_output=True)  # fmt: skip
        if done.returncode != 0:
            pytest.skip("no permission to mount a read-only folder")
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(mounted)], check=True,
                           capture_output=True)  # fmt: skip
            yield mounted / "mahoa.db"
        finally:
            subprocess.run(["umount", str(mounted)], check=False, capture_output=True)
    else:
        for each in source.iterdir():
            each.chmod(0o444)
        source.chmod(0o555)
        try:
            yield source / "mahoa.db"
        finally:
            source.chmod(0o755)


def test_reading_commands_work_on_read_only_media(read_only_copy: Path) -> None:
    before = sorted(p.name for p in read_only_copy.parent.iterdir())
    for command in READERS:
        result = run_command(*command, "--db", str(read_only_copy))
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert sorted(p.name for p in read_only_copy.parent.iterdir()) == before
    with _open(read_only_copy) as reg:
        assert reg.read_only and count(reg, "persons") == 0
        with pytest.raises(RegisterFileError, match="chỉ đọc"):
            people.add_person(reg, {"full_name": "Không Lưu Được"})


def test_a_migration_runs_only_alone(secure_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from db.store import opening

    monkeypatch.setattr(hold, "WAIT_SECONDS", 0.3)
    ran: list[object] = []
    with _open(secure_path):  # another instance has it open with the old schema
        monkeypatch.setattr(opening, "needs_migrating", lambda db: True)
        monkeypatch.setattr(opening, "migrate", lambda *args: ran.append(args))
        with pytest.raises(RegisterLocked, match="nâng cấp sổ"):
            _open(secure_path)
        assert ran == []
    with _open(secure_path):  # alone: it migrates
        assert len(ran) == 1
