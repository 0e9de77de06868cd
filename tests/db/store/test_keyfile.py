"""Key files are read within bounds; wrong-password counting survives deleting files, made-up
names and parallel tries."""

from __future__ import annotations

import base64
import concurrent.futures
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from db.core.errors import KeysFileError, TooManyAttempts, WrongPassword
from db.store import keys, lockout
from db.store.register import unlock
from tests.support.processes import run_command
from tests.support.registers import PASSWORD


def _edit_slot(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(keys.keys_path(path).read_bytes())
    change(data["slots"][0])
    keys.keys_path(path).write_text(json.dumps(data), encoding="utf-8")


BAD_SLOTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "n-not-power-of-two": lambda s: s.update(n=3 * 2**14),
    "n-2^30": lambda s: s.update(n=2**30),
    "n-too-small": lambda s: s.update(n=2**4),
    "r-0": lambda s: s.update(r=0),
    "r-huge": lambda s: s.update(r=10**6),
    "p-9": lambda s: s.update(p=9),
    "n-text": lambda s: s.update(n="16384"),
    "n-bool": lambda s: s.update(n=True),
    "salt-huge": lambda s: s.update(salt=base64.b64encode(b"x" * 10**6).decode()),
    "salt-not-base64": lambda s: s.update(salt="%%%"),
    "wrapped-short": lambda s: s.update(wrapped=base64.b64encode(b"x").decode()),
    "login-list": lambda s: s.update(login=["chihuy"]),
    "envelope-missing": lambda s: s.pop("envelope"),
    "kdf-other": lambda s: s.update(kdf="argon2"),
}


@pytest.mark.parametrize("damage", list(BAD_SLOTS), ids=list(BAD_SLOTS))
def test_a_malformed_slot_is_refused_with_a_message(secure_path: Path, damage: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:  # fmt: skip
    _edit_slot(secure_path, BAD_SLOTS[damage])
    with pytest.raises(KeysFileError, match="bị hỏng hoặc bị sửa") as caught:
        unlock(secure_path, "chihuy", PASSWORD)
    assert caught.value.exit_code == 3
    monkeypatch.setenv("SOTHEODOI_PASSWORD", PASSWORD)
    assert main(["stats", "--db", str(secure_path)]) == 3
    err = capsys.readouterr().err
    assert "tệp khóa" in err.lower() and "Traceback" not in err


@pytest.mark.parametrize("content", [b"[]", b'{"format": "so-theo-doi/keys", "slots": {}}',
                                     b"[" * 100_000, b"x" * (2 << 20), b"\xff\xfe"])  # fmt: skip
def test_a_malformed_key_file_is_refused_with_a_message(secure_path: Path, content: bytes
                                                        ) -> None:  # fmt: skip
    keys.keys_path(secure_path).write_bytes(content)
    with pytest.raises(KeysFileError):
        unlock(secure_path, "chihuy", PASSWORD)


def test_a_malformed_key_file_in_a_command_is_exit_3(secure_path: Path) -> None:
    _edit_slot(secure_path, BAD_SLOTS["n-2^30"])
    result = run_command("find", "--db", str(secure_path), "ai")
    assert result.returncode == 3 and "Traceback" not in result.stderr


def _wrong(path: Path, login: str = "chihuy", clock: Callable[[], float] = lambda: 1000.0
           ) -> BaseException:  # fmt: skip
    try:
        unlock(path, login, "sai-mat-khau", clock)
    except (WrongPassword, TooManyAttempts) as exc:
        return exc
    raise AssertionError("a wrong password was taken")


def test_counts_survive_deleting_the_attempts_file(secure_path: Path) -> None:
    for _ in range(3):
        _wrong(secure_path)
    for left in secure_path.parent.glob("mahoa.db.attempts*"):
        left.unlink()
    lockout.attempts_path(secure_path).write_text("{}", encoding="utf-8")  # or replacing it
    with pytest.raises(TooManyAttempts):
        unlock(secure_path, "chihuy", PASSWORD, lambda: 1000.5)
    assert lockout.failures(secure_path, "chihuy") == 3


def test_made_up_names_do_not_push_a_real_count_out(secure_path: Path) -> None:
    for _ in range(3):
        _wrong(secure_path)
    for n in range(200):
        _wrong(secure_path, f"ten-bia-{n}")
    with pytest.raises(TooManyAttempts):
        unlock(secure_path, "chihuy", PASSWORD, lambda: 1000.5)
    size = keys.keys_path(secure_path).stat().st_size
    assert size < 10_000  # made-up names are not kept one by one


def test_made_up_names_are_throttled_together(secure_path: Path) -> None:
    for n in range(lockout.GLOBAL_FREE):
        _wrong(secure_path, f"ten-bia-{n}")
    with pytest.raises(TooManyAttempts):  # the next name, made up or real, must wait
        unlock(secure_path, "ten-bia-moi", "sai", lambda: 1000.5)


def test_parallel_tries_are_all_counted(secure_path: Path) -> None:
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: _wrong(secure_path), range(8)))
    # One after another: three wrong passwords are tried, then everyone must wait.
    assert sum(isinstance(r, WrongPassword) for r in results) == 3
    assert sum(isinstance(r, TooManyAttempts) for r in results) == 5
    assert lockout.failures(secure_path, "chihuy") == 3


def test_parallel_tries_from_other_programs_are_all_counted(secure_path: Path) -> None:
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        done = list(pool.map(lambda _: run_command("due", "--db", str(secure_path),
                                                   password="sai-mat-khau"), range(6)))  # fmt: skip
    assert all(r.returncode == 3 and "Traceback" not in r.stderr for r in done)
    tried = sum("không đúng" in r.stderr for r in done)
    waited = sum("Hãy đợi" in r.stderr for r in done)
    assert tried + waited == 6 and waited >= 1
    assert lockout.failures(secure_path, "chihuy") == tried  # no try lost in a race
