"""Villages, hotspots and models (db.commune.places), the calendar days and the settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from db.commune import holidays, places, settings
from db.core.errors import UserError, ValidationError
from db.persons.search import find
from db.store.register import Register
from tests.support.registers import count, log_entries

# --- villages ---------------------------------------------------------------------------------


def test_add_village(reg: Register) -> None:
    vid = places.save_village(
        reg, {"name": "  Bản   Hua Tạt ", "kind": "bản", "population": "412", "households": 90}
    )
    row = reg.db["villages"].get(vid)
    assert (row["name"], row["name_folded"], row["kind"]) == ("Bản Hua Tạt", "ban hua tat", "bản")
    assert (row["population"], row["households"], row["drug_free"]) == (412, 90, 0)
    assert row["commune_id"] == reg.commune_id
    assert places.village_by_name(reg, "ban hua tat")["id"] == vid
    assert places.village_by_name(reg, "Bản Mòng") is None


def test_rename_makes_people_findable_under_the_new_name(
    reg: Register, village: str, add: Callable[..., str]
) -> None:
    pid = add("Đặng Văn Đức", birth_date="1990")
    assert [r["id"] for r in find(reg, "mong")] == [pid]
    places.save_village(reg, {"name": "Bản Mòng Mới"}, village)
    assert [r["id"] for r in find(reg, "moi")] == [pid]
    places.save_village(reg, {"name": "Thôn Đoàn Kết"}, village)
    assert [r["id"] for r in find(reg, "doan ket")] == [pid]
    assert find(reg, "mong") == []
    assert find(reg, "duc")[0]["village"] == "Thôn Đoàn Kết"
    # The village rename and the person's new search text are both in the log.
    [*_, renamed] = log_entries(reg, village)
    assert renamed["changes"]["name"] == ["Bản Mòng Mới", "Thôn Đoàn Kết"]
    assert [e["action"] for e in log_entries(reg, pid)] == ["insert", "update", "update"]


def test_duplicate_village_name_is_refused(reg: Register, village: str) -> None:
    other = places.save_village(reg, {"name": "Bản Nà Sài"})
    before = count(reg, "villages")
    for name in ("Bản Mòng", "ban mong", "  BẢN  MÒNG "):
        with pytest.raises(ValidationError) as caught:
            places.save_village(reg, {"name": name})
        assert "đã có" in caught.value.errors["name"]
    with pytest.raises(ValidationError):
        places.save_village(reg, {"name": "Bản Mòng"}, other)  # renaming onto another
    assert count(reg, "villages") == before
    # Saving a village under its own name is not a duplicate.
    places.save_village(reg, {"name": "Bản Mòng", "population": 520}, village)
    assert reg.db["villages"].get(village)["population"] == 520


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "Bản X", "population": -1}, "population"),
        ({"name": "Bản X", "households": "nhiều"}, "households"),
        ({"name": "Bản X", "drug_free_since": "01/12/2026"}, "drug_free_since"),  # future
    ],
)
def test_bad_village_is_refused(reg: Register, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        places.save_village(reg, data)
    assert field in caught.value.errors
    assert count(reg, "villages") == 0


def test_villages_in_order_as_written_numbers_by_value(reg: Register) -> None:
    for name in ("Tiểu khu 3", "Thôn Đoàn Kết", "Thôn 10", "Bản Mòng", "Thôn 2", "Thôn Dốc"):
        places.save_village(reg, {"name": name})
    # A place is not a person: no given-name-first ("Thôn Đoàn Kết" is not filed under K).
    assert [v["name"] for v in places.villages(reg)] == [
        "Bản Mòng", "Thôn 2", "Thôn 10", "Thôn Dốc", "Thôn Đoàn Kết", "Tiểu khu 3",
    ]  # fmt: skip


def test_hotspot_model_and_incident(reg: Register, village: str) -> None:
    hid = places.save_hotspot(
        reg, {"name": "Lán nương", "kind": "use", "found_date": "01/03/2026", "village_id": village}
    )
    with pytest.raises(ValidationError) as caught:
        places.save_hotspot(reg, {"name": "Lán", "found_date": "01/03/2026",
                                  "cleared_date": "01/02/2026"})  # fmt: skip
    assert "cleared_date" in caught.value.errors
    places.save_hotspot(reg, {"name": "Lán nương", "found_date": "01/03/2026",
                              "cleared_date": "01/06/2026"}, hid)  # fmt: skip
    row = reg.db["hotspots"].get(hid)
    assert places.active_on(row["found_date"], row["cleared_date"], date(2026, 5, 1))
    assert not places.active_on(row["found_date"], row["cleared_date"], date(2026, 6, 1))
    mid = places.save_model(reg, {"name": "Câu lạc bộ", "start_date": "01/01/2026"})
    assert reg.db["prevention_models"].get(mid)["end_date"] is None
    iid = places.save_incident(
        reg, {"kind": "plants", "incident_date": "01/02/2026", "count": 3200, "area_m2": "800"}
    )
    assert reg.db["incidents"].get(iid)["area_m2"] == 800.0
    with pytest.raises(ValidationError) as caught:
        places.save_incident(reg, {"kind": "party", "incident_date": "", "area_m2": "-5"})
    assert set(caught.value.errors) == {"kind", "incident_date", "area_m2"}


# --- calendar days ----------------------------------------------------------------------------


def test_calendar_overrides_change_the_working_days(reg: Register) -> None:
    monday = date(2026, 11, 23)
    assert holidays.work_calendar(reg).is_working_day(monday)
    holidays.set_day(reg, "23/11/2026", "holiday", "Nghỉ theo quyết định")
    assert not holidays.work_calendar(reg).is_working_day(monday)
    holidays.set_day(reg, "23/11/2026", "workday")  # replaces the first
    assert [o.kind for o in holidays.overrides(reg)] == ["workday"]
    holidays.clear_day(reg, "23/11/2026")
    assert holidays.overrides(reg) == []
    with pytest.raises(UserError):
        holidays.set_day(reg, "23/11/2026", "party")


# --- settings ---------------------------------------------------------------------------------


def test_defaults(reg: Register) -> None:
    values = settings.get_settings(reg)
    assert {s.key for s in settings.SETTINGS} == set(values)
    assert values["remote_area"] is False
    assert values["due_window_days"] == 7
    assert values["ending_soon_days"] == 30
    assert values["report_cutoff_day"] == 0
    assert values["chief_title"] == "TRƯỞNG CÔNG AN XÃ"
    assert values["test_interval.user"] == 30
    assert values["test_interval.post_rehab"] == 30
    assert values["test_interval.suspect"] == 0
    assert values["test_interval.methadone"] is None
    assert settings.baseline_date(values) is None
    assert count(reg, "settings") == 0


def test_save_and_read_back(reg: Register) -> None:
    settings.save_settings(
        reg,
        {"unit_name": "  CÔNG AN XÃ CHIỀNG MUNG ", "remote_area": True,
         "test_interval.user": "14", "baseline_date": "01/01/2025", "report_cutoff_day": 28},
    )  # fmt: skip
    values = settings.get_settings(reg)
    assert values["unit_name"] == "CÔNG AN XÃ CHIỀNG MUNG"
    assert values["remote_area"] is True
    assert values["test_interval.user"] == 14
    assert values["report_cutoff_day"] == 28
    assert settings.baseline_date(values) == date(2025, 1, 1)
    # Saving again updates the row rather than adding one.
    settings.save_settings(reg, {"remote_area": False})
    assert settings.get_settings(reg)["remote_area"] is False
    assert count(reg, "settings", "key = 'remote_area'") == 1


@pytest.mark.parametrize(
    ("text", "value"), [("0", False), ("không", False), ("Có", True), ("1", True)]
)
def test_a_flag_typed_as_text(reg: Register, text: str, value: bool) -> None:
    settings.save_settings(reg, {"remote_area": text})
    assert settings.get_settings(reg)["remote_area"] is value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"test_interval.user": "ba mươi"}, "test_interval.user"),
        ({"test_interval.user": -1}, "test_interval.user"),
        ({"test_interval.user": 731}, "test_interval.user"),
        ({"report_cutoff_day": 29}, "report_cutoff_day"),
        ({"report_cutoff_day": -1}, "report_cutoff_day"),
        ({"due_window_days": "tuần"}, "due_window_days"),
        ({"baseline_date": "31/02/2025"}, "baseline_date"),
        ({"remote_area": "có lẽ"}, "remote_area"),
        ({"no_such_setting": 1}, "no_such_setting"),
    ],
)
def test_bad_settings_are_refused_and_nothing_saved(
    reg: Register, changes: dict[str, Any], field: str
) -> None:
    # A good value in the same call is not saved either.
    with pytest.raises(ValidationError) as caught:
        settings.save_settings(reg, {"unit_name": "CÔNG AN XÃ X", **changes})
    assert set(caught.value.errors) == {field}
    assert count(reg, "settings") == 0
    assert count(reg, "change_log", "table_name = 'settings'") == 0
    assert settings.get_settings(reg)["unit_name"] == ""


def test_unknown_village_or_person_is_a_form_error(reg: Register) -> None:
    # Not a FOREIGN KEY failure escaping as a bug.
    with pytest.raises(ValidationError) as caught:
        places.save_hotspot(
            reg, {"name": "Lán", "found_date": "01/03/2026", "village_id": "no-such-village"}
        )
    assert "Thôn/bản" in caught.value.errors["village_id"]
    with pytest.raises(ValidationError) as caught:
        places.save_model(reg, {"name": "CLB", "start_date": "01/03/2026", "village_id": "x"})
    assert "village_id" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        places.save_incident(
            reg, {"kind": "arrest", "incident_date": "01/03/2026", "person_id": "nobody"}
        )
    assert "person_id" in caught.value.errors
    assert count(reg, "hotspots") + count(reg, "prevention_models") + count(reg, "incidents") == 0


@pytest.mark.parametrize(
    ("check", "save", "data"),
    [
        (places.check_village, places.save_village, {"name": "Bản Mòng", "population": "-1"}),
        (places.check_hotspot, places.save_hotspot,
         {"name": "", "found_date": "01/11/2026", "cleared_date": "01/10/2026"}),
        (places.check_model, places.save_model,
         {"name": "CLB", "start_date": "21/11/2026", "village_id": "khong-co"}),
        (places.check_incident, places.save_incident,
         {"kind": "plants", "incident_date": "01/11/2026", "area_m2": "nhiều"}),
    ],
)  # fmt: skip
def test_a_forms_check_is_what_save_refuses_and_writes_nothing(
    reg: Register, village: str, check: Callable[..., dict[str, str]],
    save: Callable[..., str], data: dict[str, Any],
) -> None:  # fmt: skip
    logged = count(reg, "change_log")
    found = check(reg, data)
    assert found and count(reg, "change_log") == logged
    with pytest.raises(ValidationError) as refused:
        save(reg, data)
    assert refused.value.errors == found
    assert count(reg, "change_log") == logged


def test_a_village_keeps_its_own_name_when_checked_for_an_edit(reg: Register, village: str) -> None:
    assert places.check_village(reg, {"name": "bản mòng"}) == {
        "name": "Tên thôn/bản: “bản mòng” đã có."
    }
    assert places.check_village(reg, {"name": "bản mòng"}, village) == {}
