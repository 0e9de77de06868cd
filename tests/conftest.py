"""Shared fixtures: a fresh register per test, a village, and short ways to add people."""

from __future__ import annotations

import os

# Before anything imports Qt: the window tests run without a screen, and no test may depend on
# the machine's language settings (dates, numbers, collation are the program's own).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LANG"] = "C.UTF-8"
os.environ["LC_ALL"] = "C.UTF-8"
os.environ.pop("LANGUAGE", None)

import contextlib
import json
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db import people, places
from db.register import Register, open_register

# When a property test fails, Hypothesis's pytest plugin writes a patch with libcst, whose import
# raises a DeprecationWarning (mypy_extensions.TypedDict); under filterwarnings = error that turns
# the failure report into an INTERNALERROR. Import it once here, quietly, so failures read well.
# (Without libcst, Hypothesis skips the patch: nothing to import.)
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401


@pytest.fixture(autouse=True, scope="session")
def _private_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window geometry and the last screen are saved by QSettings: keep them out of the real
    user's settings (and out of other tests') by pointing QSettings at a temporary folder."""
    from PySide6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's SOTHEODOI_PASSWORD must not turn a test's plain register into another."""
    monkeypatch.delenv("SOTHEODOI_PASSWORD", raising=False)


@pytest.fixture
def fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key slots with a cheap scrypt (2^10 instead of 2^17): same code, milliseconds per try.
    Each slot stores its own cost, so a slot made here opens the same way in a subprocess."""
    from db import keys

    monkeypatch.setattr(keys, "SCRYPT_N", 2**10)


PASSWORD = "mật-khẩu-chỉ-huy"


@pytest.fixture
def secure_path(tmp_path: Path, fast_keys: None) -> Path:
    """An encrypted register made by the program: chief "chihuy" with PASSWORD, one village."""
    from db.secure import create_register

    path = tmp_path / "mahoa.db"
    made, _ = create_register(path, "chihuy", PASSWORD, full_name="Lò Văn Thắng",
                              today=lambda: TODAY)  # fmt: skip
    with made:
        places.save_village(made, {"name": "Bản Mòng", "population": 500})
    return path


@pytest.fixture
def no_message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes would block an offscreen test: note their texts instead."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: shown.append(a[2]))
    return shown


# The day every test register lives on: Friday 20 November 2026.
TODAY = date(2026, 11, 20)


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[Register]:
    """A fresh register file whose today is 20/11/2026, closed after the test."""
    register = open_register(tmp_path / "so.db", create=True, today=lambda: TODAY)
    try:
        yield register
    finally:
        register.close()


@pytest.fixture
def village(reg: Register) -> str:
    """The id of a village named "Bản Mòng"."""
    return places.save_village(reg, {"name": "Bản Mòng", "population": 500})


@pytest.fixture
def add(reg: Register, village: str) -> Callable[..., str]:
    """add("Đặng Văn Đức", birth_date="1990", ...) adds a person in the village, returns the id."""

    def _add(full_name: str, **fields: Any) -> str:
        return people.add_person(reg, {"full_name": full_name, "village_id": village, **fields})

    return _add


@pytest.fixture
def person(add: Callable[..., str]) -> str:
    """An adult man born in 1990 with no CCCD on record."""
    return add("Nguyễn Văn An", birth_date="1990", sex="Nam")


def count(reg: Register, table: str, where: str = "1", params: list[Any] | None = None) -> int:
    """Rows of a table (deleted ones too) matching a condition."""
    row = reg.db.execute(f"SELECT count(*) FROM [{table}] WHERE {where}", params or []).fetchone()
    return int(row[0])


def log_entries(reg: Register, row_id: str) -> list[dict[str, Any]]:
    """The change log of one row, oldest first, with `changes` decoded."""
    rows = reg.db.query("SELECT * FROM change_log WHERE row_id = ? ORDER BY seq", [row_id])
    return [{**r, "changes": json.loads(r["changes"])} for r in rows]


def episodes_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """Every episode of a person, oldest first."""
    return list(
        reg.db.query(
            "SELECT * FROM episodes WHERE person_id = ? ORDER BY start_date, created_at",
            [person_id],
        )
    )
