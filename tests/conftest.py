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
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from db.commune import places
from db.persons import people
from db.store.register import Register, open_register
from tests.support.registers import PASSWORD, TODAY

# When a property test fails, Hypothesis's pytest plugin writes a patch with libcst, whose import
# raises a DeprecationWarning (mypy_extensions.TypedDict); under filterwarnings = error that turns
# the failure report into an INTERNALERROR. Import it once here, quietly, so failures read well.
# (Without libcst, Hypothesis skips the patch: nothing to import.)
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401


@pytest.fixture(autouse=True, scope="session")
def _private_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The program's temporary folder (reports/tempfiles.py) goes under pytest's, never the
    user's cache folder."""
    before = os.environ.get("SOTHEODOI_TEMP")
    os.environ["SOTHEODOI_TEMP"] = str(tmp_path_factory.mktemp("tam"))
    yield
    if before is None:
        os.environ.pop("SOTHEODOI_TEMP", None)
    else:
        os.environ["SOTHEODOI_TEMP"] = before


@pytest.fixture(autouse=True)
def _no_password_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's SOTHEODOI_PASSWORD must not turn a test's plain register into another."""
    monkeypatch.delenv("SOTHEODOI_PASSWORD", raising=False)


@pytest.fixture
def fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key slots with a cheap scrypt (2^10 instead of 2^17): same code, milliseconds per try.
    Each slot stores its own cost, so a slot made here opens the same way in a subprocess."""
    from db.store import keys

    monkeypatch.setattr(keys, "SCRYPT_N", 2**10)


@pytest.fixture
def secure_path(tmp_path: Path, fast_keys: None) -> Path:
    """An encrypted register made by the program: chief "chihuy" with PASSWORD, one village."""
    from db.security.encryption import create_register

    path = tmp_path / "mahoa.db"
    made, _ = create_register(path, "chihuy", PASSWORD, full_name="Lò Văn Thắng",
                              today=lambda: TODAY)  # fmt: skip
    with made:
        places.save_village(made, {"name": "Bản Mòng", "population": 500})
    return path


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
