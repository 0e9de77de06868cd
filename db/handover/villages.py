"""Villages meet by commune and folded name (issue 14): a village a sender added that this
register already has takes our id, once and for good (the alias is kept in local_meta, so a
later bundle naming the sender's id points to ours); a sender's own villages stay distinct."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from db.core.textfold import fold
from db.handover.merge import Context
from db.store.register import Register

_IN = 500  # ids per IN (...) list


def _fetch(reg: Register, sql: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), _IN):
        part = ids[start : start + _IN]
        cursor = reg.conn.execute(sql.replace("(?)", f"({','.join('?' * len(part))})"), part)
        names = [d[0] for d in cursor.description]
        out += [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return out


_ALIAS_KEY = "village_alias:"  # local_meta: a sender's village id -> ours, kept for good


def load_aliases(ctx: Context) -> None:
    """The villages met by name in earlier imports: a later bundle that names the sender's id
    (a person added there in that village) points to ours, though it carries no village row."""
    if ctx.aliases_loaded:
        return
    ctx.aliases_loaded = True
    for key, value in ctx.reg.conn.execute(
        "SELECT key, value FROM local_meta WHERE key >= ? AND key < ?",
        [_ALIAS_KEY, _ALIAS_KEY[:-1] + ";"],
    ):
        ctx.village_alias.setdefault(str(key)[len(_ALIAS_KEY) :], str(value))


def alias_villages(ctx: Context, batch: list[list[Any]], at: Mapping[str, int]) -> bool:
    """Villages meet by commune and folded name too: a live village this register lacks by id
    but has in the same commune under the same name (two laptops of one commune that each added
    it) takes our id, and merges into ours as one; the sender's id is kept in ctx.village_alias.
    The same name in another commune is another village. True when a row was changed."""
    if "name" not in at or "commune_id" not in at:
        return False
    ids = [row[at["id"]] for row in batch]
    known = {r["id"] for r in _fetch(ctx.reg, "SELECT id FROM villages WHERE id IN (?)", ids)}
    ours: dict[tuple[str, str], str] = {}
    for village_id, commune, folded in ctx.reg.conn.execute(
        "SELECT id, commune_id, name_folded FROM villages WHERE deleted = 0 ORDER BY created_at, id"
    ):
        ours.setdefault((commune, folded), village_id)
    ctx.villages_sent.update(ids)
    changed = False
    for row in batch:
        if row[at["id"]] in known:
            continue
        earlier = ctx.village_alias.get(row[at["id"]])
        if earlier is not None:  # met by name in an earlier import
            row[at["id"]] = earlier
            changed = True
            continue
        if row[at["deleted"]] if "deleted" in at else 0:
            continue
        local = ours.get((row[at["commune_id"]], fold(row[at["name"]])))
        # Only a village this register had before the bundle, and only once: a sender's two
        # villages of one name (an old register, a bulk import) stay two.
        if local is not None and local not in ctx.villages_sent and local not in ctx.villages_met:
            ctx.villages_met.add(local)
            ctx.village_alias[row[at["id"]]] = local
            if ctx.write:
                ctx.reg.conn.execute(
                    "INSERT OR REPLACE INTO local_meta (key, value) VALUES (?, ?)",
                    [_ALIAS_KEY + str(row[at["id"]]), local],
                )
            row[at["id"]] = local
            changed = True
    return changed


def remap_villages(ctx: Context, batch: list[list[Any]], at: Mapping[str, int]) -> bool:
    """Rows pointing to a village the sender knows by another id point to ours."""
    where, changed = at["village_id"], False
    for row in batch:
        ours = ctx.village_alias.get(row[where])
        if ours is not None:
            row[where] = ours
            changed = True
    return changed
