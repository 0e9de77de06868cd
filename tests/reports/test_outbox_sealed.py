"""Beside an encrypted register the outbox is sealed: no name, no figure, no PDF in clear on disk;
a changed byte, a swapped file or another register's key shows; reports leave in clear only where
the officer saves, prints, copies or uploads them, and each time it is in the audit log."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from db.core.errors import UserError
from db.duties import actions
from db.persons import people
from db.security.encryption import create_register
from db.store.register import Register
from reports import build
from reports.build import monthly_report, open_report, outbox_for, save_report
from reports.outbox import Outbox, default_folder
from reports.sealing import outbox_key
from reports.upload import send_pending
from tests.support.registers import PASSWORD, TODAY

NAME = "Lò Văn Ươn"


def events(reg: Register, kind: str) -> list[dict[str, object]]:
    rows = reg.conn.execute(
        "SELECT changes FROM change_log WHERE action = ? ORDER BY seq", [kind]
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


@pytest.fixture
def secure(tmp_path: Path, fast_keys: None) -> Iterator[Register]:
    """An encrypted register with one person under management (due for a test next month)."""
    reg, _code = create_register(tmp_path / "so.db", "chihuy", PASSWORD, today=lambda: TODAY)
    person = people.add_person(reg, {"full_name": NAME, "birth_date": "1990"})
    actions.management_decision(reg, person, "05/10/2026", decision_no="12/QĐ")
    yield reg
    reg.close()


def _everything_on_disk(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_nothing_in_the_outbox_is_readable_without_the_key(secure: Register) -> None:
    built = monthly_report(secure, "2026-10")
    entry = built.entry
    assert entry is not None
    box = outbox_for(secure)
    assert box.sealed and built.path == box.pdf_path(entry)
    disk = _everything_on_disk(box.folder)
    for secret in (NAME.encode(), b"%PDF", b"people_total", b"1990", b"due_tests"):
        assert secret not in disk
    assert sorted(p.name for p in box.folder.iterdir() if not p.name.startswith(".")) == [
        f"{entry.name}.json.sealed", f"{entry.name}.pdf.sealed"]  # fmt: skip
    # In memory, all of it: the PDF, the figures and the names the annex prints.
    pdf = box.pdf_bytes(entry)
    assert pdf.startswith(b"%PDF") and box.verify(entry)
    full = box.with_data(entry)
    assert full.data["figures"]["people_total"] == 1
    assert [d["full_name"] for d in full.data["due_tests"]] == [NAME]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_and_the_folder_are_readable_by_this_user_only(secure: Register) -> None:
    monthly_report(secure, "2026-10")
    folder = default_folder(secure.path)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_changed_byte_shows_and_the_report_is_never_sent_or_marked(secure: Register) -> None:
    entry = monthly_report(secure, "2026-10").entry
    assert entry is not None
    box = outbox_for(secure)
    path = box.folder / f"{entry.name}.json.sealed"
    data = bytearray(path.read_bytes())
    data[-5] ^= 1  # e.g. an attempt to flip "pending" to "sent"
    path.write_bytes(bytes(data))
    [listed] = box.entries()
    assert listed.damaged and listed.id == entry.id  # still listed: never silently gone
    assert "Tệp bị thay đổi" in listed.state_text()
    assert box.pending() == []
    result = send_pending(box, "http://127.0.0.1:9/khong-gui")
    assert entry.id in result.failed  # counted: `outbox send` exits 1
    with pytest.raises(UserError, match="bị thay đổi"):
        box.mark_sent(entry.id)


def test_a_pdf_put_under_another_reports_name_is_refused(secure: Register, tmp_path: Path) -> None:
    first = monthly_report(secure, "2026-10").entry
    second = monthly_report(secure, "2026-11").entry
    assert first is not None and second is not None
    box = outbox_for(secure)
    box.pdf_path(first).write_bytes(box.pdf_path(second).read_bytes())
    assert not box.verify(first) and box.verify(second)
    with pytest.raises(UserError, match="bị thay đổi"):
        save_report(secure, box, first.id, tmp_path / "ra.pdf")
    assert not (tmp_path / "ra.pdf").exists()


def test_another_registers_key_opens_nothing(secure: Register) -> None:
    monthly_report(secure, "2026-10")
    folder = default_folder(secure.path)
    other = Outbox(folder, secure.commune_id, os.urandom(32))
    assert other.entries() == []
    plain = Outbox(folder, secure.commune_id)
    assert plain.entries() == []  # nothing of it pretends to be a plain report


def test_saving_and_opening_write_in_clear_where_asked_and_are_logged(
    secure: Register, tmp_path: Path
) -> None:
    entry = monthly_report(secure, "2026-10").entry
    assert entry is not None
    box = outbox_for(secure)
    saved = save_report(secure, box, entry.id, tmp_path / "bao-cao")
    assert saved == tmp_path / "bao-cao.pdf"
    assert NAME in "".join(page.extract_text() for page in PdfReader(saved).pages)
    opened = open_report(secure, box, entry.id, folder=tmp_path)
    assert opened.read_bytes() == saved.read_bytes()
    assert [e["to"] for e in events(secure, "export")] == [str(saved)]
    printed = [e for e in events(secure, "print") if e.get("id") == entry.id]
    assert [e["file"] for e in printed][-1] == str(opened)
    assert box.get(entry.id).copies[0]["to"] == str(saved)


def test_a_plain_outbox_is_sealed_on_first_use_then_removed(secure: Register) -> None:
    folder = default_folder(secure.path)
    plain = Outbox(folder, secure.commune_id)  # as made before the register was encrypted
    pdf, figures = b"%PDF-1.4 " + NAME.encode(), {"due_tests": [{"full_name": NAME}]}
    made = plain.add("monthly", "monthly:2026-09", "Báo cáo tháng 09/2026", pdf, figures,
                     created_by="chihuy", font="x")  # fmt: skip
    box = outbox_for(secure)
    assert [e.id for e in box.entries()] == [made.id]
    assert box.pdf_bytes(box.get(made.id)).endswith(NAME.encode())
    assert list(folder.glob("*.pdf")) == [] and list(folder.glob("*.json")) == []
    assert NAME.encode() not in _everything_on_disk(folder)
    assert events(secure, "encrypt")[-1]["reports"] == [made.id]
    assert outbox_for(secure).entries()[0].id == made.id  # once: nothing left to seal


def test_a_keyless_outbox_handed_to_monthly_report_still_seals(secure: Register) -> None:
    keyless = Outbox(default_folder(secure.path), secure.commune_id)
    entry = monthly_report(secure, "2026-10", outbox=keyless).entry
    assert entry is not None
    assert NAME.encode() not in _everything_on_disk(keyless.folder)
    assert outbox_for(secure).verify(entry)


def test_after_the_registers_key_changes_the_outbox_is_sealed_again(secure: Register) -> None:
    entry = monthly_report(secure, "2026-10").entry
    assert entry is not None and secure.key is not None
    new_key = os.urandom(32)
    assert outbox_for(secure).reseal(new_key) == 2
    moved = Outbox(default_folder(secure.path), secure.commune_id, new_key)
    assert moved.verify(moved.get(entry.id))
    assert outbox_for(secure).entries() == []  # the old key opens nothing any more
    assert outbox_key(new_key) != outbox_key(secure.key)


def test_the_outbox_keeps_no_ids_and_only_the_names_the_report_prints(
    secure: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = monthly_report(secure, "2026-10").entry
    assert entry is not None
    box = outbox_for(secure)
    [due] = box.with_data(entry).data["due_tests"]
    assert set(due) == {"full_name", "birth_date", "village", "due", "overdue", "categories"}
    # Past the annex's limit the report prints counts per village, and so do the figures.
    monkeypatch.setattr(build, "ANNEX_LIMIT", 0)
    big = monthly_report(secure, "2026-10").entry
    assert big is not None
    figures = box.with_data(big).data
    assert figures["due_tests"] == []
    assert figures["due_by_village"] == [{"village": "", "due": 1, "overdue": 0}]
    assert NAME not in json.dumps(figures, ensure_ascii=False)


def test_the_upload_credential_is_sealed_with_the_outbox(secure: Register) -> None:
    from reports.build import set_upload_config, upload_config
    from reports.upload_config import UploadConfig

    set_upload_config(secure, UploadConfig(token="ma-tinh-cap-0123456789"))
    folder = default_folder(secure.path)
    assert b"ma-tinh-cap" not in _everything_on_disk(folder)
    assert upload_config(secure).token == "ma-tinh-cap-0123456789"
    assert Outbox(folder, secure.commune_id, os.urandom(32)).entries() == []


def test_reseal_outbox_after_a_key_change_and_during_one(secure: Register) -> None:
    from db.store.keyslots import Unlocked
    from reports.build import reseal_outbox

    entry = monthly_report(secure, "2026-10").entry
    assert entry is not None and secure.key is not None
    old = bytes(secure.key)
    secure.key = Unlocked(os.urandom(32))  # what db.security.rekey leaves on the session
    assert outbox_for(secure).entries() == []
    assert reseal_outbox(secure, old) == 2
    assert outbox_for(secure).verify(outbox_for(secure).get(entry.id))
    # Mid-change the session's key carries the one before: the outbox follows by itself.
    newer = Unlocked(os.urandom(32), previous=bytes(secure.key))
    secure.key = newer
    assert outbox_for(secure).verify(outbox_for(secure).get(entry.id))
