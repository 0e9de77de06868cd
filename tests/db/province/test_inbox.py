"""The province's inbox in db/: tokens (hashes only, the chief's, revocable), the checks of an
upload against itself, storing once, and what the listing shows."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from db.core.errors import NotAllowed, UserError
from db.province import inbox, tokens
from db.store.register import Register
from reports.outbox import Entry, Outbox
from reports.outbox_entry import canonical, manifest_sha256, sha256_of
from tests.db.province.upload_helpers import body_of, commune_report, outbox_for, receipts_logged

OTHER = "0a0a0a0a-0000-4000-8000-000000000000"


@pytest.fixture
def box(reg: Register, tmp_path: Path) -> Outbox:
    return outbox_for(reg, tmp_path / "outbox")


@pytest.fixture
def entry(reg: Register, add: Callable[..., str], box: Outbox) -> Entry:
    return commune_report(reg, add, box)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(reg: Register) -> None:
    made, secret = tokens.add_token(reg, OTHER)
    assert len(secret) >= 40 and made.hint == secret[-4:] and made.commune_id == OTHER
    kept = " ".join(str(v) for row in reg.conn.execute("SELECT * FROM inbox_tokens") for v in row)
    logged = " ".join(r[0] for r in reg.conn.execute("SELECT changes FROM change_log"))
    assert secret not in kept and secret not in logged
    assert tokens.token_hash(secret) in kept and f"…{secret[-4:]}" in logged
    assert tokens.find_token(reg, secret) == made
    assert tokens.find_token(reg, secret + "x") is None and tokens.find_token(reg, "") is None


def test_a_revoked_token_is_found_but_no_longer_active(reg: Register) -> None:
    made, secret = tokens.add_token(reg, OTHER)
    tokens.revoke_token(reg, made.id[:8])
    found = tokens.find_token(reg, secret)
    assert found is not None and not found.active
    assert [t.active for t in tokens.list_tokens(reg)] == [False]


def test_only_the_chief_issues_and_revokes_tokens(reg: Register) -> None:
    made, _ = tokens.add_token(reg, OTHER)
    reg.role = "officer"
    with pytest.raises(NotAllowed):
        tokens.add_token(reg, OTHER)
    with pytest.raises(NotAllowed):
        tokens.revoke_token(reg, made.id)
    assert len(tokens.list_tokens(reg)) == 1 and tokens.list_tokens(reg)[0].active


def test_a_commune_known_from_its_bundles_can_be_named(reg: Register) -> None:
    for device, commune, name in (("d1", OTHER, "Chiềng Mung"), ("d2", "1b" * 4 + OTHER[8:],
                                                                  "Chiềng Mai")):  # fmt: skip
        reg.conn.execute(
            "INSERT INTO handover_peers (device_id, commune_id, commune_name, first_seen, "
            "last_seen) VALUES (?, ?, ?, '2026-11-01', '2026-11-01')", [device, commune, name],
        )  # fmt: skip
    assert tokens.resolve_commune(reg, "chieng mung") == (OTHER, "Chiềng Mung")
    assert tokens.resolve_commune(reg, "0a0a") == (OTHER, "Chiềng Mung")
    with pytest.raises(UserError, match="nhiều xã") as caught:
        tokens.resolve_commune(reg, "Chiềng")
    assert caught.value.field == "commune"
    with pytest.raises(UserError, match="Không biết xã"):
        tokens.resolve_commune(reg, "Mường Bú")


def test_the_manifest_is_the_one_the_commune_computes() -> None:
    figures = {"figures": {"people_total": 3, "tên": "Bản Mòng"}, "due_tests": [1, 2]}
    pdf_sha = sha256_of(b"%PDF-1.4 x")
    assert inbox.manifest_of(pdf_sha, figures) == manifest_sha256(pdf_sha, figures)
    assert inbox._canonical(figures) == canonical(figures)


def test_an_upload_as_the_commune_sends_it_checks_out(
    reg: Register, box: Outbox, entry: Entry
) -> None:
    upload = inbox.check_upload(body_of(reg, box, entry), {"idempotency-key": entry.id})
    assert (upload.report_id, upload.commune_id, upload.month) == (entry.id, reg.commune_id,
                                                                   "2026-10")  # fmt: skip
    assert upload.pdf == box.checked(entry.id)[1] and json.loads(upload.figures) == entry.data


def _forged(body: dict[str, Any]) -> dict[str, Any]:
    """A body whose hashes are made again to fit its (changed) PDF and figures."""
    pdf = base64.b64decode(body["pdf_base64"])
    body["sha256"] = sha256_of(pdf)
    body["figures_sha256"] = sha256_of(canonical(body["figures"]))
    body["manifest_sha256"] = manifest_sha256(body["sha256"], body["figures"])
    return body


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"sha256": "0" * 64}, 422, "SHA-256"),
        ({"figures_sha256": "0" * 64}, 422, "Số liệu"),
        ({"manifest_sha256": "0" * 64}, 422, "kiểm tra chung"),
        ({"pdf_base64": "không phải base64"}, 400, "base64"),
        ({"pdf_base64": base64.b64encode(b"GIF89a").decode()}, 400, "không phải tệp PDF"),
        ({"kind": "person"}, 422, "loại báo cáo"),
        ({"key": "monthly:2026-13"}, 400, "monthly:YYYY-MM"),
        ({"key": "monthly:0000-01"}, 400, "năm 2000–2100"),
        ({"version": True}, 400, "version"),
        ({"id": "../../etc"}, 400, "“id”"),
        ({"register_id": None}, 400, "register_id"),
        ({"figures": []}, 400, "figures"),
    ],
)
def test_an_upload_that_does_not_check_out_is_refused_with_why(
    reg: Register, box: Outbox, entry: Entry, change: dict[str, Any], status: int, words: str
) -> None:
    with pytest.raises(inbox.Refused, match=words) as caught:
        inbox.check_upload(body_of(reg, box, entry, **change))
    assert caught.value.status == status


def test_headers_that_name_another_report_are_refused(
    reg: Register, box: Outbox, entry: Entry
) -> None:
    with pytest.raises(inbox.Refused, match="idempotency-key"):
        inbox.check_upload(body_of(reg, box, entry), {"idempotency-key": OTHER})


def test_a_report_is_stored_once_and_every_receipt_logged(
    reg: Register, box: Outbox, entry: Entry
) -> None:
    # The commune's register plays the province here: only the tables matter.
    token, _ = tokens.add_token(reg, reg.commune_id)
    upload = inbox.check_upload(body_of(reg, box, entry))
    first = inbox.receive(reg, token, upload, remote="10.0.0.7")
    again = inbox.receive(reg, token, upload)
    assert not first.again and again.again and again.receipt_id == first.receipt_id
    assert [r.receipt_id for r in inbox.received(reg)] == [first.receipt_id]
    logged = receipts_logged(reg)
    assert [(e["row_id"], e["again"]) for e in logged] == [(first.receipt_id, False),
                                                           (first.receipt_id, True)]  # fmt: skip
    assert logged[0]["from"] == "10.0.0.7" and logged[0]["sha256"] == entry.sha256


def test_a_commune_may_send_only_its_own_reports(reg: Register, box: Outbox, entry: Entry) -> None:
    token, _ = tokens.add_token(reg, OTHER)
    with pytest.raises(inbox.Refused, match="xã khác") as caught:
        inbox.receive(reg, token, inbox.check_upload(body_of(reg, box, entry)))
    assert caught.value.status == 403 and inbox.received(reg) == []


def test_the_listing_and_the_latest_version_of_each_commune(
    reg: Register, box: Outbox, entry: Entry
) -> None:
    token, _ = tokens.add_token(reg, reg.commune_id)
    inbox.receive(reg, token, inbox.check_upload(body_of(reg, box, entry)))
    second = body_of(reg, box, entry, id="5e" * 4 + entry.id[8:], version=2)
    newer = inbox.receive(reg, token, inbox.check_upload(_forged(second)))
    assert [r.version for r in inbox.received(reg, month="2026-10")] == [2, 1]
    assert inbox.received(reg, month="2026-09") == []
    assert inbox.received(reg, commune_id=OTHER) == []
    assert inbox.latest_by_commune(reg, "2026-10") == {reg.commune_id: newer}
    assert inbox.get_received(reg, newer.receipt_id[:-2]) == newer


@pytest.mark.parametrize(("typed", "month"), [("10/2026", "2026-10"), ("1/2027", "2027-01"),
                                              ("2026-10", "2026-10")])  # fmt: skip
def test_a_month_is_typed_as_the_officer_reads_it(typed: str, month: str) -> None:
    assert inbox.parse_month(typed) == month


@pytest.mark.parametrize("typed", ["13/2026", "10-2026", "tháng 10", ""])
def test_a_bad_month_names_the_field(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        inbox.parse_month(typed)
    assert caught.value.field == "month"


def test_an_empty_receipt_names_no_report(reg: Register, box: Outbox, entry: Entry) -> None:
    token, _ = tokens.add_token(reg, reg.commune_id)
    inbox.receive(reg, token, inbox.check_upload(body_of(reg, box, entry)))
    with pytest.raises(UserError, match="mã biên nhận"):
        inbox.get_received(reg, "  ")
