"""Every bundle carries its sender's chain anchor (issue 16, "tampering visible"): the head of
the sender's change log when the bundle was made, so the newest entries deleted or rewritten
there later are caught against a copy the sender cannot reach. The receiver shows it in the
preview, keeps it with the import, and says so when a later bundle's anchor moved back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from db.handover import bundle_read, receive
from db.handover.bundle import InvalidBundle
from db.persons import people
from db.store.anchor import chain_anchor, parse_anchor, verify_anchor
from tests.db.handover.crafting import rewrite, take_apart
from tests.support.handover import PASS, commune, export, laptop, state


def test_the_manifest_carries_the_senders_anchor_at_send_time(tmp_path: Path) -> None:
    a = laptop(tmp_path, "a", "an")
    commune(a, persons=2)
    at_send = chain_anchor(a)
    made = export(a, tmp_path, full=True)
    manifest = bundle_read.open_bundle(made.path, PASS).manifest
    assert manifest["anchor"] == at_send == made.anchor
    assert chain_anchor(a) != at_send  # the export itself is logged after the snapshot
    assert verify_anchor(a, manifest["anchor"]) is None  # A's log still holds that entry
    event = json.loads(a.conn.execute(
        "SELECT changes FROM change_log WHERE action = 'export' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0])  # fmt: skip
    assert event["anchor"] == at_send


def test_the_receiver_sees_the_anchor_and_keeps_it_with_the_import(tmp_path: Path) -> None:
    a, b = laptop(tmp_path, "a", "an"), laptop(tmp_path, "b", "binh")
    ids = commune(a, persons=2)
    made = export(a, tmp_path, full=True)
    assert receive.preview_bundle(b, made.path, PASS).anchor == made.anchor
    done = receive.import_bundle(b, made.path, PASS, take_over=True)
    assert done.anchor == made.anchor
    assert not [n for n in done.notes if "Mốc nhật ký" in n]
    summary = json.loads(b.conn.execute("SELECT summary FROM handover_imports").fetchone()[0])
    assert summary["anchor"] == made.anchor
    assert summary["persons"]["new"] == 2  # the counts stay beside it
    # A's next bundle: its head is further on, as a log that only grows; nothing to say.
    people.update_person(a, ids[0], {"notes": "Đã chuyển chỗ ở"})
    later = receive.import_bundle(b, export(a, tmp_path, "Máy B").path, PASS)
    assert later.anchor != made.anchor
    assert not [n for n in later.notes if "Mốc nhật ký" in n]


def test_a_bundle_without_an_anchor_still_imports(tmp_path: Path) -> None:
    a, b = laptop(tmp_path, "a", "an"), laptop(tmp_path, "b", "binh")
    commune(a, persons=2)
    tables, manifest = take_apart(export(a, tmp_path, full=True).path)
    del manifest["anchor"]  # as a bundle of an older version
    older = rewrite(tmp_path / "older.sotd", tables, manifest)
    done = receive.import_bundle(b, older, PASS, take_over=True)
    assert done.anchor is None and done.tables["persons"].new == 2
    summary = json.loads(b.conn.execute("SELECT summary FROM handover_imports").fetchone()[0])
    assert "anchor" not in summary


@pytest.mark.parametrize("value", ["zzz", ["12-ABCDEF012345"], 12, "12-ABCDEF0123" + "4" * 40])
def test_a_bad_anchor_is_refused_naming_the_field(tmp_path: Path, value: Any) -> None:
    a, b = laptop(tmp_path, "a", "an"), laptop(tmp_path, "b", "binh")
    commune(a, persons=2)
    tables, manifest = take_apart(export(a, tmp_path, full=True).path)
    manifest["anchor"] = value
    crafted = rewrite(tmp_path / "crafted.sotd", tables, manifest)
    before = state(b)
    with pytest.raises(InvalidBundle, match="bản kê khai không hợp lệ \\(trường “anchor”\\)"):
        receive.import_bundle(b, crafted, PASS, take_over=True)
    assert state(b) == before


def test_an_anchor_that_moved_back_is_reported_and_the_bundle_still_imports(
    tmp_path: Path,
) -> None:
    """Deleting A's newest log entries (or restoring an old backup there) moves its head back:
    B, holding A's earlier anchor, says so."""
    a, b = laptop(tmp_path, "a", "an"), laptop(tmp_path, "b", "binh")
    ids = commune(a, persons=2)
    first = export(a, tmp_path, full=True)
    receive.import_bundle(b, first.path, PASS, take_over=True)
    people.update_person(a, ids[0], {"notes": "Đã chuyển chỗ ở"})
    tables, manifest = take_apart(export(a, tmp_path, "Máy B").path)
    parsed = parse_anchor(first.anchor)
    assert parsed is not None
    manifest["anchor"] = f"{parsed[0] - 1}-{'0' * 12}"  # a head before the first bundle's
    crafted = rewrite(tmp_path / "second.sotd", tables, manifest)
    preview = receive.preview_bundle(b, crafted, PASS)
    (note,) = [n for n in preview.notes if "Mốc nhật ký" in n]
    assert "lùi lại" in note and first.anchor in note
    done = receive.import_bundle(b, crafted, PASS)
    assert done.tables["persons"].changed == 1
