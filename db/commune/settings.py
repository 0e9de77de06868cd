"""The commune's settings: names for printed headers, the chief, the baseline, test intervals.

Settings are rows of the register (they travel with it). Each key has a default and a check;
`get_settings` always returns every key, `save_settings` refuses a bad value naming its field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.core.dates import parse_date
from db.core.errors import ValidationError
from db.core.textfold import fold
from db.law.categories import SHORT_LABELS, Category
from db.store import records
from db.store.register import Register
from db.store.roles import require_chief


@dataclass(frozen=True)
class Setting:
    """A setting's key, default value and the label the officer sees."""

    key: str
    default: Any
    label: str


_TEST_DEFAULTS: dict[Category, int | None] = {
    # The law fixes no test frequency: monthly for people under management and after rehab.
    Category.USER: 30,
    Category.POST_REHAB: 30,
    Category.ADDICT: 30,
    Category.REHAB_HOME: 30,
    Category.SUSPECT: 0,  # to be tested as soon as listed
    Category.METHADONE: None,  # tested at the treatment facility
    Category.REHAB_FACILITY: None,
    Category.REHAB_COMPULSORY: None,
    Category.WATCH: None,
}

SETTINGS: tuple[Setting, ...] = (
    Setting("province_name", "", "Tên Công an tỉnh (ví dụ: CÔNG AN TỈNH SƠN LA)"),
    Setting("unit_name", "", "Tên đơn vị (ví dụ: CÔNG AN XÃ CHIỀNG MUNG)"),
    Setting("commune_name", "", "Tên xã"),
    Setting("place_name", "", "Địa danh ghi ở ngày tháng văn bản"),
    Setting("chief_name", "", "Họ tên Trưởng Công an xã"),
    Setting("chief_title", "TRƯỞNG CÔNG AN XÃ", "Chức danh ký văn bản"),
    Setting("officer_name", "", "Cán bộ phụ trách"),
    Setting("report_prefix", "BC-CAX", "Ký hiệu văn bản báo cáo"),
    Setting("report_cutoff_day", 0, "Ngày chốt số liệu hằng tháng (0 = cuối tháng)"),
    Setting("upload_url", "", "Địa chỉ nhận báo cáo (HTTPS); để trống: không gửi đi đâu"),
    Setting("remote_area", False, "Địa bàn vùng sâu, vùng xa (xác minh cư trú 10 ngày)"),
    Setting("population", 0, "Dân số thường trú của xã (nếu chưa nhập theo thôn)"),
    Setting("baseline_date", "", "Ngày đăng ký xây dựng xã không ma túy"),
    Setting("baseline_users", 0, "Số người sử dụng tại ngày đăng ký"),
    Setting("baseline_addicts", 0, "Số người nghiện tại ngày đăng ký"),
    Setting("due_window_days", 7, "Báo trước khi đến hạn xét nghiệm (ngày)"),
    Setting("ending_soon_days", 30, "Báo trước khi hết thời hạn quản lý (ngày)"),
    Setting("idle_lock_minutes", 10, "Tự khóa màn hình khi không dùng (phút)"),
    Setting("backup_keep", 14, "Số bản sao lưu tự động giữ lại"),
    *(
        Setting(f"test_interval.{c.value}", d, f"Chu kỳ xét nghiệm — {SHORT_LABELS[c]} (ngày)")
        for c, d in _TEST_DEFAULTS.items()
    ),
)
_BY_KEY = {s.key: s for s in SETTINGS}
# Security settings may not be turned off: the screen locks, and at least one backup is kept.
_RANGES = {"idle_lock_minutes": (1, 120), "backup_keep": (1, 365)}
_TRUE = {"1", "true", "yes", "co", "x"}
_FALSE = {"", "0", "false", "no", "khong"}


def _check(key: str, value: Any) -> tuple[Any, str | None]:
    """The value in its stored type, or an error message."""
    setting = _BY_KEY[key]
    default = setting.default
    if key.startswith("test_interval."):
        if value in (None, ""):
            return None, None
        try:
            days = int(value)
        except (TypeError, ValueError):
            return value, f"{setting.label}: phải là số ngày."
        if not 0 <= days <= 730:
            return value, f"{setting.label}: từ 0 đến 730 ngày, hoặc để trống (không định kỳ)."
        return days, None
    if key == "baseline_date":
        if not value:
            return "", None
        try:
            return parse_date(value, setting.label).isoformat(), None
        except Exception as exc:  # noqa: BLE001 - UserError carries the message
            return value, str(exc)
    if isinstance(default, bool):
        # From the command line or a file a flag arrives as text, and bool("0") is True.
        if isinstance(value, str):
            word = fold(value)
            if word in _TRUE or word in _FALSE:
                return word in _TRUE, None
            return value, f"{setting.label}: “{value}” không hợp lệ (có / không)."
        return bool(value), None
    if isinstance(default, int):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return value, f"{setting.label}: phải là số."
        if number < 0 or (key == "report_cutoff_day" and number > 28):
            return value, f"{setting.label}: giá trị {number} không hợp lệ."
        if key in _RANGES and not _RANGES[key][0] <= number <= _RANGES[key][1]:
            low, high = _RANGES[key]
            return value, f"{setting.label}: từ {low} đến {high}."
        return number, None
    return str(value or "").strip(), None


def get_settings(reg: Register) -> dict[str, Any]:
    """Every setting, stored value or default."""
    values = {s.key: s.default for s in SETTINGS}
    for row in reg.db.execute("SELECT key, value FROM settings WHERE deleted = 0"):
        if row[0] in values:
            values[row[0]] = json.loads(row[1])
    return values


def test_interval(values: dict[str, Any], category: Category) -> int | None:
    """Days between periodic tests for a category (None: not tested periodically)."""
    days = values.get(f"test_interval.{category.value}")
    return None if days is None else int(days)


def baseline_date(values: dict[str, Any]) -> date | None:
    """The day the commune registered to become drug-free, if set."""
    raw = values.get("baseline_date")
    return date.fromisoformat(raw) if raw else None


def save_settings(reg: Register, changes: dict[str, Any]) -> None:
    """Check and save some settings in one transaction (the station chief only)."""
    require_chief(reg, "thay đổi cài đặt")
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in _BY_KEY:
            errors[key] = f"Không có mục cài đặt “{key}”."
            continue
        checked, error = _check(key, value)
        if error:
            errors[key] = error
        clean[key] = checked
    if errors:
        raise ValidationError(errors)
    with records.transaction(reg):
        for key, value in clean.items():
            encoded = json.dumps(value, ensure_ascii=False)
            row = reg.db.execute("SELECT id FROM settings WHERE key = ?", [key]).fetchone()
            if row:
                records.update(reg, "settings", row[0], {"value": encoded, "deleted": 0})
            else:
                records.insert(reg, "settings", {"key": key, "value": encoded})
