"""A province register with its inbox served over HTTPS on 127.0.0.1, a commune's report in its
outbox, and a raw POST like the one reports/upload.py sends (to send what the outbox would not)."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db.store.register import Register
from reports.build import monthly_report, outbox_for
from reports.outbox import Entry, Outbox
from reports.upload import payload
from tests.reports.tls import Authority


@dataclass
class Posted:
    """A raw answer: status and the JSON body."""

    status: int
    body: dict[str, Any]


def commune_report(reg: Register, add: Callable[..., str], box: Outbox) -> Entry:
    """A monthly report (10/2026) of a commune with one person under management."""
    from db.duties import actions

    person = add("Lò Văn Ươn", birth_date="1990", sex="Nam")
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
    entry = monthly_report(reg, "2026-10", outbox=box).entry
    assert entry is not None
    return entry


def body_of(reg: Register, box: Outbox, entry: Entry, **changes: Any) -> dict[str, Any]:
    """What reports.upload sends for this report (as a dict), with `changes` made."""
    full, pdf = box.checked(entry.id)
    return {**json.loads(payload(full, pdf, "CÔNG AN XÃ CHIỀNG MUNG")), **changes}


def post(url: str, authority: Authority, body: bytes | dict[str, Any], token: str | None,
         headers: dict[str, str] | None = None) -> Posted:  # fmt: skip
    """POST like reports.upload (Bearer token, JSON) and read the answer."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    context = ssl.create_default_context(cafile=str(authority.ca))
    host, port = url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPSConnection(host, int(port), timeout=20, context=context)
    sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", "/bao-cao", body=data, headers=sent)
        answer = conn.getresponse()
        raw = answer.read()
    finally:
        conn.close()
    return Posted(answer.status, json.loads(raw) if raw.startswith(b"{") else {"raw": raw})


def stored(province: Register) -> int:
    """How many reports the province register holds."""
    return int(province.conn.execute("SELECT count(*) FROM inbox_reports").fetchone()[0])


def receipts_logged(province: Register) -> list[dict[str, Any]]:
    """The `receive` events of the province's audit log, oldest first."""
    rows = province.conn.execute(
        "SELECT row_id, changes FROM change_log WHERE action = 'receive' ORDER BY seq"
    ).fetchall()
    return [{"row_id": r[0], **json.loads(r[1])} for r in rows]


__all__ = ["Posted", "body_of", "commune_report", "outbox_for", "post", "receipts_logged", "stored"]
