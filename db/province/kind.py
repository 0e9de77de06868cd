"""Whether a register is the province's: it issued upload tokens, received communes' reports,
or holds bundles from laptops of other communes. The window lists the province's overview only
then, so a commune officer never meets a screen about other communes."""

from __future__ import annotations

from db.store.register import Register


def holds_communes(reg: Register) -> bool:
    """True for a province register (a few index look-ups: cheap at any size)."""
    found = reg.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM inbox_tokens) OR EXISTS (SELECT 1 FROM inbox_reports) "
        "OR EXISTS (SELECT 1 FROM handover_peers WHERE commune_id <> ?)",
        [reg.commune_id],
    ).fetchone()
    return bool(found and found[0])
