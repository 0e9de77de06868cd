"""Drug tests (xét nghiệm chất ma túy trong cơ thể): recording one, a person's list of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from db.core.dates import future_error, parse_date
from db.core.errors import UserError, ValidationError
from db.core.textfold import fold
from db.persons.episodes import close_episode, open_episodes
from db.persons.people import get_person
from db.store import records
from db.store.register import Register

KINDS = {"periodic": "Định kỳ", "surprise": "Đột xuất"}
METHODS = {
    "urine_strip": "Que thử nước tiểu",
    "urine_lab": "Nước tiểu (phòng xét nghiệm)",
    "blood": "Máu",
    "hair": "Tóc",
    "saliva": "Nước bọt",
    "other": "Khác",
}
# The substances quick strips and labs commonly report, in the order a result slip lists them.
SUBSTANCES = {
    "MET": "Methamphetamine (ma túy đá)",
    "AMP": "Amphetamine",
    "MDMA": "MDMA (thuốc lắc)",
    "KET": "Ketamine",
    "THC": "Cần sa (THC)",
    "MOP": "Morphine / heroin (MOP)",
    "HER": "Heroin",
    "COD": "Codeine",
    "MTD": "Methadone",
    "BUP": "Buprenorphine",
    "COC": "Cocaine",
    "BZO": "Benzodiazepine",
}
RESULTS = {"positive": "Dương tính", "negative": "Âm tính"}


def _names(label: str) -> list[str]:
    """The folded names a label gives: "Morphine / heroin (MOP)" → morphine, heroin, mop."""
    return [part.strip() for part in re.split(r"[()/]", fold(label)) if part.strip()]


def _substance_code(text: str) -> str:
    """The code of a substance named in words; the most exact match wins, unknown kept as typed.

    "heroin" is HER, not the "Morphine / heroin" strip; "amphetamine" is AMP, not the
    methamphetamine it is part of.
    """
    folded = fold(text)
    if not folded:
        return text
    for exact in (True, False):
        for code, label in SUBSTANCES.items():
            if (folded == fold(label)) if exact else (folded in _names(label)):
                return code
    return next((k for k, label in SUBSTANCES.items() if folded in fold(label)), text)


def parse_substances(values: Iterable[str] | str | None) -> list[str]:
    """Substance codes from codes or names ("MET, ma túy đá, THC"); unknown names kept as typed."""
    if values is None:
        return []
    items = values.split(",") if isinstance(values, str) else list(values)
    found: list[str] = []
    for item in items:
        text = item.strip()
        if not text:
            continue
        code = text.upper()
        if code not in SUBSTANCES:
            code = _substance_code(text)
        if code not in found:
            found.append(code)
    return found


def check_test(
    reg: Register,
    person_id: str,
    test_date: date | str,
    *,
    kind: str = "periodic",
    method: str = "urine_strip",
    substances: Iterable[str] | str | None = None,
    positives: Iterable[str] | str | None = None,
    result: str | None = None,
    officer: str = "",
    place: str = "",
    notes: str = "",
) -> dict[str, Any]:
    """The row a test would be stored as; ValidationError (field → message) if anything is off.

    The overall result is positive when any substance is positive.
    """
    get_person(reg, person_id)
    errors: dict[str, str] = {}
    when: date | None = None
    try:
        when = parse_date(test_date, "Ngày xét nghiệm")
        if message := future_error(when, reg.today(), "Ngày xét nghiệm"):
            errors["test_date"] = message
    except UserError as exc:
        errors["test_date"] = exc.message
    if kind not in KINDS:
        errors["kind"] = f"Hình thức xét nghiệm “{kind}” không hợp lệ (định kỳ / đột xuất)."
    if method not in METHODS:
        errors["method"] = f"Phương pháp xét nghiệm “{method}” không hợp lệ."
    tested = parse_substances(substances)
    positive = parse_substances(positives)
    for code in positive:
        if code not in tested:
            tested.append(code)
    overall = "positive" if positive else (result or "negative")
    if overall not in RESULTS:
        errors["result"] = f"Kết quả “{result}” không hợp lệ (âm tính / dương tính)."
    if errors:
        raise ValidationError(errors)
    assert when is not None
    return {
        "person_id": person_id,
        "test_date": when.isoformat(),
        "kind": kind,
        "method": method,
        "substances": ",".join(tested),
        "positives": ",".join(positive),
        "result": overall,
        "officer": officer.strip(),
        "place": place.strip(),
        "notes": notes.strip(),
    }


def _store(reg: Register, row: dict[str, Any]) -> str:
    """Insert a checked test; a test ends an open "suspected" episode (the person is tested)."""
    test_id = records.insert(reg, "drug_tests", row)
    when = date.fromisoformat(row["test_date"])
    for episode in open_episodes(reg, row["person_id"], when):
        if episode["category"] == "suspect":
            close_episode(reg, episode["id"], when, "tested", reason=RESULTS[row["result"]])
    return test_id


def record_test(reg: Register, person_id: str, test_date: date | str, **fields: Any) -> str:
    """Check and record one test (fields as for `check_test`)."""
    row = check_test(reg, person_id, test_date, **fields)
    with records.transaction(reg):
        return _store(reg, row)


def record_round(reg: Register, entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Record a test round in one transaction: all of it or nothing.

    Each entry has `person_id`, `test_date` and any field of `check_test`. Every entry is checked
    first; errors come back keyed "<n>.<field>" (n counting from 1) with the person's name.
    """
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for n, entry in enumerate(entries, start=1):
        fields = dict(entry)
        person_id = str(fields.pop("person_id"))
        test_date = fields.pop("test_date")
        try:
            rows.append(check_test(reg, person_id, test_date, **fields))
        except UserError as exc:
            name = get_person(reg, person_id)["full_name"] if _exists(reg, person_id) else person_id
            found = exc.errors if isinstance(exc, ValidationError) else {"person": exc.message}
            for field, message in found.items():
                errors[f"{n}.{field}"] = f"{name}: {message}"
    if errors:
        raise ValidationError(errors)
    with records.transaction(reg):
        return [_store(reg, row) for row in rows]


def _exists(reg: Register, person_id: str) -> bool:
    return bool(
        reg.db.execute("SELECT 1 FROM persons WHERE id = ? AND deleted = 0", [person_id]).fetchone()
    )


def tests_of(reg: Register, person_id: str) -> list[dict[str, Any]]:
    """A person's tests, newest first."""
    return list(
        reg.db.query(
            "SELECT * FROM drug_tests WHERE person_id = ? AND deleted = 0 "
            "ORDER BY test_date DESC, created_at DESC",
            [person_id],
        )
    )
