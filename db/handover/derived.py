"""The columns the register derives from a written row (db.persons.people._derived for people,
the folded name for villages), computed for many rows at once without a query per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.core.textfold import fold
from db.handover.merge import Context, Row, TableSpec
from db.persons.people import _derived
from db.store.register import Register


class VillageNames:
    """Stands in for the register in people._derived while many people are inserted: its one
    query (a village's name by id) answered from a dict read once, not once per person.
    (people._derived could take the names itself; until then this keeps 100,000 queries out.)"""

    def __init__(self, reg: Register) -> None:
        self.db = self
        self._names = {r[0]: r[1] for r in reg.conn.execute("SELECT id, name FROM villages")}

    def execute(self, sql: str, params: Sequence[Any]) -> Found:
        """people._derived's query of a village's name, answered from the dict."""
        if "FROM villages WHERE id" not in sql:
            raise AssertionError(f"people._derived asks something new: {sql}")
        name = self._names.get(params[0])
        return Found(None if name is None else (name,))


@dataclass(frozen=True)
class Found:
    """What VillageNames.execute answers: the one row, or None."""

    row: tuple[str] | None

    def fetchone(self) -> tuple[str] | None:
        """The row found, if any."""
        return self.row


def with_derived(ctx: Context, spec: TableSpec, row: Row) -> Row:
    """A row with the columns the register derives from it (a person's search text, sort key;
    a village's folded name)."""
    if spec.name == "persons":
        return {**row, **_derived(ctx.reg, row)}
    if spec.name == "villages":
        return {**row, "name_folded": fold(row.get("name"))}
    return row
