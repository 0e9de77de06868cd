"""A bundle received into an encrypted register (SQLCipher) is refused as clearly as into a plain
one: sqlcipher3's errors are not sqlite3's, and carry primary result codes only."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.handover import receive
from db.persons import drugtests, people
from db.security.encryption import create_register
from tests.support.handover import PASS, commune, export, laptop, state
from tests.support.registers import PASSWORD, TODAY


def test_a_bundle_missing_a_parent_is_refused_whole_by_an_encrypted_register(
    tmp_path: Path, fast_keys: None
) -> None:
    a = laptop(tmp_path, "a", "an")
    commune(a, persons=2)
    b, _code = create_register(tmp_path / "b.db", "binh", PASSWORD, today=lambda: TODAY)
    assert b.encrypted
    with b:
        receive.import_bundle(b, export(a, tmp_path, "Máy B", full=True).path, PASS,
                              take_over=True)  # fmt: skip
        new = people.add_person(a, {"full_name": "Hà Văn Mới"})
        export(a, tmp_path, "Máy B")  # this one is lost on the way
        drugtests.record_test(a, new, "2026-11-12", result="negative")
        made = export(a, tmp_path, "Máy B")
        before = state(b)
        with pytest.raises(receive.UserError, match="thiếu bản ghi gốc"):
            receive.import_bundle(b, made.path, PASS)
        assert state(b) == before
    a.close()
