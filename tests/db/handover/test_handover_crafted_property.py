"""For any crafted bundle made with the right passphrase — any values in any cells, rows doubled
or dropped, manifest fields replaced — importing it either refuses it with a message and leaves
the register as it was, or merges it into a register that `check` finds sound and on which the
figures, the due list and the Excel export still run; a merged bundle imported again changes
nothing."""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from db.core.errors import UserError
from db.handover import receive
from db.persons import contacts, drugtests, episodes, people
from db.store.register import open_register
from tests.db.handover.crafting import Table, rewrite, take_apart
from tests.db.handover.test_handover_crafted import later_commands_work
from tests.support.handover import PASS, commune, export, laptop, state
from tests.support.registers import TODAY

A_UUID = "0b3f2c1e-9a5d-4c7e-8f10-2a3b4c5d6e7f"
leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(1 << 70), 1 << 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "2026-02-29", "2026-13-01", "2024-02-29", "1899-12-31", "2026-06-01",
                     "1990", "1990-05", "31/12/2026", A_UUID, "user", "methadone", "positive",
                     "negative", "periodic", "M", "F", "cccd", '{"a": 1}', "[]", "0", "true"]),
)  # fmt: skip
value = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
# A new value for a cell: anything, or (more often sound) the same column's value in another
# row, or a real date.
new_value = st.one_of(
    st.tuples(st.just("value"), value),
    st.tuples(st.just("copy"), st.integers(0, 1000)),
    st.tuples(st.just("value"), st.dates().map(lambda d: d.isoformat())),
)
cell = st.tuples(st.integers(0, 1000), st.integers(0, 1000), st.integers(0, 1000), new_value)
change = st.fixed_dictionaries(
    {
        "cells": st.lists(cell, max_size=3),
        "double": st.booleans(),
        "drop": st.booleans(),
        "manifest": st.one_of(st.none(), st.tuples(
            st.sampled_from(["seq", "kind", "bundle_id", "counts", "acks", "since_seq",
                             "created_at", "source", "format"]), value)),
        "merge": st.booleans(),
    }
)  # fmt: skip
SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A full bundle and an empty register to take it over; a later incremental bundle and a
    register that already holds the first one (to merge into)."""
    folder = tmp_path_factory.mktemp("crafted")
    a = laptop(folder, "a", "an")
    ids = commune(a, persons=3)
    episodes.open_episode(a, ids[0], "user", "2026-05-04")
    drugtests.record_test(a, ids[0], "2026-06-01", result="negative", kind="periodic")
    contacts.add_contact(a, ids[1], "2026-06-02", "home_visit")
    full = export(a, folder, "Máy B", full=True).path
    empty = laptop(folder, "empty")
    empty.close()
    holder = laptop(folder, "holder")
    receive.import_bundle(holder, full, PASS, take_over=True)
    holder.close()
    people.update_person(a, ids[1], {"phone": "0912345678"})
    episodes.open_episode(a, ids[1], "suspect", "2026-07-01")
    drugtests.record_test(a, ids[1], "2026-07-02", result="positive", positives="MET")
    later = export(a, folder, "Máy B").path
    a.close()
    yield {"full": take_apart(full), "later": take_apart(later), "empty": folder / "empty.db",
           "holder": folder / "holder.db"}  # fmt: skip


def _craft(parts: tuple[list[Table], dict[str, Any]], plan: dict[str, Any]) -> tuple[
        list[Table], dict[str, Any]]:  # fmt: skip
    tables, manifest = copy.deepcopy(parts)
    filled = [t for t in tables if t[2]]
    for which, row, column, (how, new) in plan["cells"]:
        _, columns, rows = filled[which % len(filled)]
        at = column % len(columns)
        rows[row % len(rows)][at] = rows[new % len(rows)][at] if how == "copy" else new
    if plan["double"]:
        filled[0][2].append(list(filled[0][2][0]))
    if plan["drop"] and len(filled) > 1:
        filled[-1][2].pop(0)
    if plan["manifest"] is not None:
        field, new = plan["manifest"]
        manifest[field] = new
    return tables, manifest


@SLOW
@given(plan=change)
def test_a_crafted_bundle_is_refused_with_a_message_or_merged_soundly(
    made: dict[str, Any], plan: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = made["later"] if plan["merge"] else made["full"]
        tables, manifest = _craft(source, plan)
        try:
            crafted = rewrite(folder / "crafted.sotd", tables, manifest)
        except (ValueError, TypeError, RecursionError):
            event("not encodable")
            return  # the writer itself cannot encode it (NaN is fine, a set is not…)
        target = folder / "sổ.db"
        shutil.copyfile(made["holder" if plan["merge"] else "empty"], target)
        reg = open_register(target, user="binh", today=lambda: TODAY)
        try:
            before = state(reg)
            try:
                receive.import_bundle(reg, crafted, PASS, take_over=not plan["merge"])
            except UserError as exc:
                event(f"refused: {type(exc).__name__}")
                assert exc.message.startswith(("Gói", "Chỉ nhận")), exc.message
                assert state(reg) == before
                later_commands_work(reg, folder)
                return
            event("merged")
            later_commands_work(reg, folder)
            merged = state(reg)
            receive.import_bundle(reg, crafted, PASS, again=True)
            assert state(reg)[0] == merged[0]
        finally:
            reg.close()
