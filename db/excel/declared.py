"""The substances a list says a person uses ("Chất sử dụng"): a declaration when the person must
declare them (Law 120/2025/QH15: people under management declare the substances they use), else
a note as before.

The declaration is dated by the row's "Ngày khai báo" when the list has one (the export writes
it), else by the day the management the row opens begins ("Ngày bắt đầu", else "Ngày quyết
định"): the first day the person had to declare, and a day the declare action applies on. Where
it does not apply (no category, a category that need not declare, a declaration before the
management began), the substances go at the end of the notes ("[Chất sử dụng: …]") and the
preview says why. Whether it applies is db.duties.applies' answer (action "declare"), asked of
the row's category since the person is not on the register yet; the action asks it again when
the import writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from db.core.dates import show
from db.core.textfold import clean
from db.duties.applies import BY_KEY
from db.excel.values import cell_text, past_cell_date
from db.law.categories import LABELS, Category
from db.persons.declarations import substances_text
from db.persons.drugtests import parse_substances

DECLARED_LABEL = "Ngày khai báo"
_DECLARE = BY_KEY["declare"]


@dataclass(frozen=True)
class Declaration:
    """A declaration an import records: its day and the substances as codes ("HER,MET"; a name
    that is not one of them as written), read once when planning."""

    on: date
    substances: str


@dataclass(frozen=True)
class Substances:
    """What a row's "Chất sử dụng" becomes: a declaration, or text for the notes (one of them or
    neither), and what the preview says of it ("" when the row names no substance)."""

    declaration: Declaration | None = None
    note: str = ""
    said: str = ""


def _declared_on(values: dict[str, Any], today: date, errors: list[str]) -> date | None:
    before = len(errors)
    day = past_cell_date(values.get("declared_on"), DECLARED_LABEL, errors, today)
    return None if len(errors) > before else day


def _as_note(substances: str, why: str) -> Substances:
    return Substances(
        note=substances,
        said=f"Chất sử dụng ghi vào ghi chú, không thành khai báo (khai báo chất sử dụng "
        f"{_DECLARE.rule}; {why})",
    )


def plan_substances(
    values: dict[str, Any],
    category: Category | None,
    start: date | None,
    today: date,
    errors: list[str],
) -> Substances:
    """What the row's substances become, given the category it opens from `start`; a wrong
    "Ngày khai báo" is added to `errors`."""
    substances = clean(cell_text(values.get("substances")))
    declared = _declared_on(values, today, errors)
    if not substances:
        if declared is not None:
            errors.append(f"{DECLARED_LABEL}: có ngày khai báo nhưng cột “Chất sử dụng” để trống.")
        return Substances()
    if category is None:
        return _as_note(substances, "dòng này không ghi diện quản lý")
    if category not in _DECLARE.needs:
        return _as_note(substances, f"diện “{LABELS[category]}” không phải khai báo")
    if start is None:
        return _as_note(substances, "dòng này không có ngày bắt đầu quản lý")
    on = declared or start
    if on < start:
        return _as_note(
            substances, f"ngày khai báo {show(on)} trước ngày bắt đầu quản lý {show(start)}"
        )
    codes = parse_substances(substances)
    if not codes:
        return _as_note(substances, "không nhận ra chất nào")
    text = substances_text(codes)
    return Substances(
        Declaration(on, ",".join(codes)), said=f"Khai báo chất sử dụng ngày {show(on)}: {text}"
    )
