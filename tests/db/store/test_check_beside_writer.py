"""`check` beside a writer: a save committed (and its anchor kept beside the file) while the
check reads its snapshot is not a log "cut short" (issue 16: `check` failed now and then with
an anchor mismatch while another program wrote)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.persons import people
from db.store import check
from db.store.register import Register, open_register
from tests.support.registers import PASSWORD


def test_a_save_during_the_checks_snapshot_is_not_a_tampered_log(
    secure_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = check.snapshot

    @contextlib.contextmanager
    def snapshot_then_a_save(reg: Register) -> Iterator[None]:
        with real(reg):
            reg.db.execute("SELECT count(*) FROM change_log").fetchone()  # the snapshot begins
            with open_register(secure_path, user="chihuy", password=PASSWORD) as writer:
                people.add_person(writer, {"full_name": "Lưu Trong Lúc Kiểm Tra"})
            # (closing the writer kept its newer anchor beside the file)
            yield

    monkeypatch.setattr(check, "snapshot", snapshot_then_a_save)
    with open_register(secure_path, user="chihuy", password=PASSWORD) as reg:
        assert check.check_register(reg) == []
        monkeypatch.setattr(check, "snapshot", real)
        assert check.check_register(reg) == []  # and the save is there, anchored
        saved = reg.db.execute("SELECT count(*) FROM persons WHERE full_name LIKE 'Lưu Trong%'")
        assert saved.fetchone()[0] == 1
