"""The settings table (db.commune.settings.SETTINGS) holds each setting's kind and range once:
the save, the per-field check and the settings screen all read them from there."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from db.commune import holidays, settings
from db.commune.settings import SETTINGS, Setting
from db.core.errors import ValidationError
from db.law.categories import Category
from db.store.register import OFFICER, Register

NUMBERS = [s for s in SETTINGS if s.kind == "number"]


def test_every_setting_has_a_kind_that_fits_its_default() -> None:
    for s in SETTINGS:
        assert s.kind in ("text", "flag", "number", "date", "days"), s.key
        value, error = settings.parse_setting(s.key, s.default)
        assert error is None and value == s.default, s.key
        if s.kind in ("number", "days"):
            assert s.low <= s.high, s.key
    intervals = {s.key for s in SETTINGS if s.key.startswith("test_interval.")}
    assert {s.key for s in SETTINGS if s.kind == "days"} == intervals
    assert len(intervals) == len(Category)


@pytest.mark.parametrize("s", NUMBERS, ids=lambda s: s.key)
def test_a_number_is_taken_at_its_limits_and_refused_past_them(s: Setting) -> None:
    assert settings.check_setting(s.key, s.low) is None
    assert settings.check_setting(s.key, s.high) is None
    for wrong in (s.low - 1, s.high + 1):
        assert settings.check_setting(s.key, wrong) == f"{s.label}: từ {s.low} đến {s.high}."


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("report_cutoff_day", 29, "Ngày chốt số liệu hằng tháng (0 = cuối tháng): từ 0 đến 28."),
        ("idle_lock_minutes", 0, "Tự khóa màn hình khi không dùng (phút): từ 1 đến 120."),
        ("due_window_days", 366, "Báo trước khi đến hạn xét nghiệm (ngày): từ 0 đến 365."),
        ("due_window_days", "tuần", "Báo trước khi đến hạn xét nghiệm (ngày): phải là số."),
        ("test_interval.user", 731,
         "Chu kỳ xét nghiệm — Sử dụng (ngày): từ 0 đến 730 ngày, hoặc để trống "
         "(không định kỳ)."),
        ("baseline_date", "31/02/2025", None),
        ("remote_area", "có lẽ", "Địa bàn vùng sâu, vùng xa (xác minh cư trú 10 ngày): “có lẽ” "
         "không hợp lệ (có / không)."),
        ("no_such_setting", 1, "Không có mục cài đặt “no_such_setting”."),
    ],
)  # fmt: skip
def test_the_field_check_says_what_the_save_says(
    reg: Register, key: str, value: Any, message: str | None
) -> None:
    said = settings.check_setting(key, value)
    assert said is not None
    if message is not None:
        assert said == message
    with pytest.raises(ValidationError) as refused:
        settings.save_settings(reg, {key: value})
    assert refused.value.errors == {key: said}


@pytest.mark.parametrize("value", ["", None, 0, 14, "730"])
def test_a_test_interval_may_be_empty(value: Any) -> None:
    assert settings.check_setting("test_interval.user", value) is None


@pytest.mark.parametrize(
    ("days", "text"), [(None, "Không định kỳ"), (0, "Xét nghiệm ngay"), (30, "30 ngày")]
)
def test_interval_text(days: int | None, text: str) -> None:
    assert settings.interval_text(days) == text


def test_only_the_chief_may_change_settings(reg: Register) -> None:
    assert settings.may_change_settings(reg)
    reg.role = OFFICER
    assert not settings.may_change_settings(reg)


def test_days_off_say_which_the_unit_entered(reg: Register) -> None:
    holidays.set_day(reg, "04/01/2027", "holiday", "Nghỉ bù Tết Dương lịch")
    holidays.set_day(reg, "02/01/2027", "workday", "Làm bù")  # a Saturday
    days = holidays.year_days(reg, 2027)
    assert [x.day for x in days] == sorted(x.day for x in days)
    by_day = {x.day: (x.kind, x.name, x.origin) for x in days}
    assert by_day[date(2027, 1, 4)] == ("holiday", "Nghỉ bù Tết Dương lịch", "entered")
    # 2027 has no decision shipped: Art. 112 of the Labour Code.
    assert by_day[date(2027, 9, 2)] == ("holiday", "Quốc khánh", "labour_code")
    assert by_day[date(2027, 1, 2)] == ("workday", "Làm bù", "entered")
