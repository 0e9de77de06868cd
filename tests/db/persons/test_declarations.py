"""Declared substances (Law 120/2025/QH15: people under management declare the substances they
use), recorded per person with the day declared."""

from __future__ import annotations

from datetime import date

import pytest

from db.core.errors import ValidationError
from db.duties import actions
from db.duties.applies import applicable_actions, check_action
from db.persons import declarations
from db.store.register import Register
from tests.support.registers import count, log_entries


def test_law_120_2025_declared_substances_are_recorded(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    assert "declare" in {a.key for a in applicable_actions(reg, person)}
    actions.declare_substances(reg, person, "12/05/2026", "ma túy đá, heroin", "Tự khai")
    actions.declare_substances(reg, person, "01/11/2026", "MET, cần sa")
    latest = declarations.latest_declaration(reg, person)
    assert latest is not None
    assert (latest["declared_on"], latest["codes"]) == ("2026-11-01", ["MET", "THC"])
    assert latest["text"] == "Methamphetamine (ma túy đá), Cần sa (THC)"
    history = declarations.declarations_of(reg, person)
    assert [(d["declared_on"], d["substances"], d["notes"]) for d in history] == [
        ("2026-11-01", "MET,THC", ""),
        ("2026-05-12", "MET,HER", "Tự khai"),
    ]
    assert [e["action"] for e in log_entries(reg, history[1]["id"])] == ["insert"]


def test_law_120_2025_a_name_not_on_the_slip_is_kept_as_typed(reg: Register, person: str) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    actions.declare_substances(reg, person, "12/05/2026", "Thuốc lào pha, ketamine")
    latest = declarations.latest_declaration(reg, person)
    assert latest is not None and latest["codes"] == ["Thuốc lào pha", "KET"]


def test_law_120_2025_only_people_under_management_declare(reg: Register, person: str) -> None:
    actions.suspected(reg, person, "01/11/2026")
    with pytest.raises(ValidationError) as caught:
        actions.declare_substances(reg, person, "02/11/2026", "MET")
    assert "Khai báo chất sử dụng" in caught.value.errors["person"]
    assert count(reg, "substance_declarations") == 0


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [({"date": date(2026, 11, 21), "substances": "MET"}, "date", "tương lai"),
     ({"date": date(2026, 11, 1), "substances": " , "}, "substances", "ít nhất một chất"),
     ({"date": None, "substances": "MET"}, "date", "không được để trống")],
)  # fmt: skip
def test_law_120_2025_a_declaration_needs_a_day_and_a_substance(
    reg: Register, person: str, values: dict[str, object], field: str, says: str
) -> None:
    actions.management_decision(reg, person, "10/05/2026")
    assert says in check_action(reg, "declare", person, values)[field]
    with pytest.raises(ValidationError):
        actions.run_action(reg, "declare", person, values)
    with pytest.raises(ValidationError):
        day, substances = values["date"], str(values["substances"])
        declarations.declare_substances(
            reg, person, day if isinstance(day, date) else "", substances
        )
    assert count(reg, "substance_declarations") == 0
