"""The commune's settings: names for printed headers, the chief, the baseline, test intervals.

Settings are rows of the register (they travel with it). Each key has a default, a kind and an
allowed range, written once in SETTINGS; `check_setting` is the one check (the settings screen
asks it field by field and takes its limits from SETTINGS), `get_settings` always returns every
key, `save_settings` refuses a bad value naming its field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from db.core.dates import parse_date
from db.core.errors import NotAllowed, UserError, ValidationError
from db.core.stamps import now_utc
from db.core.textfold import fold
from db.law.categories import SHORT_LABELS, Category
from db.store import records
from db.store.register import Register
from db.store.roles import require_chief

Kind = Literal["text", "flag", "number", "date", "days"]


@dataclass(frozen=True)
class Setting:
    """A setting: key, default value, the label the officer sees, its kind and allowed range.

    Kinds: "text"; "flag" (yes / no); "number" (a whole number from `low` to `high`); "date"
    (a full date, or empty); "days" (a test interval: whole days from `low` to `high`, or empty
    for "not tested periodically"). A screen builds its field, and its limits, from here.
    """

    key: str
    default: Any
    label: str
    kind: Kind = "text"
    low: int = 0
    high: int = 0


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
_PEOPLE = 100_000_000  # more than any commune (or province) holds
_DAYS = 730  # two years between tests is already no schedule

SETTINGS: tuple[Setting, ...] = (
    Setting("province_name", "", "Tên Công an tỉnh (ví dụ: CÔNG AN TỈNH SƠN LA)"),
    Setting("unit_name", "", "Tên đơn vị (ví dụ: CÔNG AN XÃ CHIỀNG MUNG)"),
    Setting("commune_name", "", "Tên xã"),
    Setting("place_name", "", "Địa danh ghi ở ngày tháng văn bản"),
    Setting("chief_name", "", "Họ tên Trưởng Công an xã"),
    Setting("chief_title", "TRƯỞNG CÔNG AN XÃ", "Chức danh ký văn bản"),
    Setting("officer_name", "", "Cán bộ phụ trách"),
    Setting("report_prefix", "BC-CAX", "Ký hiệu văn bản báo cáo"),
    # The 28th is in every month, February too.
    Setting("report_cutoff_day", 0, "Ngày chốt số liệu hằng tháng (0 = cuối tháng)", "number",
            0, 28),
    Setting("upload_url", "", "Địa chỉ nhận báo cáo (HTTPS); để trống: không gửi đi đâu"),
    Setting("remote_area", False, "Địa bàn vùng sâu, vùng xa (xác minh cư trú 10 ngày)", "flag"),
    Setting("population", 0, "Dân số thường trú của xã (nếu chưa nhập theo thôn)", "number",
            0, _PEOPLE),
    Setting("baseline_date", "", "Ngày đăng ký xây dựng xã không ma túy", "date"),
    Setting("baseline_users", 0, "Số người sử dụng tại ngày đăng ký", "number", 0, _PEOPLE),
    Setting("baseline_addicts", 0, "Số người nghiện tại ngày đăng ký", "number", 0, _PEOPLE),
    Setting("due_window_days", 7, "Báo trước khi đến hạn xét nghiệm (ngày)", "number", 0, 365),
    Setting("ending_soon_days", 30, "Báo trước khi hết thời hạn quản lý (ngày)", "number", 0, 365),
    # Security settings may not be turned off: the screen locks, and at least one backup is kept.
    Setting("idle_lock_minutes", 10, "Tự khóa màn hình khi không dùng (phút)", "number", 1, 120),
    Setting("backup_keep", 14, "Số bản sao lưu tự động giữ lại", "number", 1, 365),
    *(
        Setting(f"test_interval.{c.value}", d, f"Chu kỳ xét nghiệm — {SHORT_LABELS[c]} (ngày)",
                "days", 0, _DAYS)
        for c, d in _TEST_DEFAULTS.items()
    ),
)  # fmt: skip
_BY_KEY = {s.key: s for s in SETTINGS}
_TRUE = {"1", "true", "yes", "co", "x"}
_FALSE = {"", "0", "false", "no", "khong"}


def _unknown(key: str) -> str:
    return f"Không có mục cài đặt “{key}”."


def parse_setting(key: str, value: Any) -> tuple[Any, str | None]:
    """The value in its stored type, or the value as given and what is wrong with it."""
    s = _BY_KEY[key]
    if s.kind == "days":
        if value in (None, ""):
            return None, None
        try:
            days = int(value)
        except (TypeError, ValueError):
            return value, f"{s.label}: phải là số ngày."
        if not s.low <= days <= s.high:
            return value, (
                f"{s.label}: từ {s.low} đến {s.high} ngày, hoặc để trống (không định kỳ)."
            )
        return days, None
    if s.kind == "date":
        if not value:
            return "", None
        try:
            day = parse_date(value if isinstance(value, date) else str(value), s.label)
        except UserError as exc:
            return value, exc.message
        return day.isoformat(), None
    if s.kind == "flag":
        # From the command line or a file a flag arrives as text, and bool("0") is True.
        if isinstance(value, str):
            word = fold(value)
            if word in _TRUE or word in _FALSE:
                return word in _TRUE, None
            return value, f"{s.label}: “{value}” không hợp lệ (có / không)."
        return bool(value), None
    if s.kind == "number":
        try:
            number = int(value)
        except (TypeError, ValueError):
            return value, f"{s.label}: phải là số."
        if not s.low <= number <= s.high:
            return value, f"{s.label}: từ {s.low} đến {s.high}."
        return number, None
    return str(value or "").strip(), None


def check_setting(key: str, value: Any) -> str | None:
    """What is wrong with a value for a setting (None: nothing); a form's per-field check."""
    if key not in _BY_KEY:
        return _unknown(key)
    return parse_setting(key, value)[1]


def interval_text(days: int | None) -> str:
    """A test interval as the rules list shows it."""
    if days is None:
        return "Không định kỳ"
    return "Xét nghiệm ngay" if days == 0 else f"{days} ngày"


def may_change_settings(reg: Register) -> bool:
    """Whether the signed-in account may change the settings (the station chief only)."""
    try:
        require_chief(reg)
    except NotAllowed:
        return False
    return True


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
            errors[key] = _unknown(key)
            continue
        checked, error = parse_setting(key, value)
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


def keep_commune_settings(
    reg: Register, commune_id: str, values: dict[str, str],
    changed_at: dict[str, str] | None = None, deleted: Iterable[str] = (),
) -> int:  # fmt: skip
    """Keep another commune's settings as its bundle sent them (key -> JSON text), for the
    figures of that commune in this register (db.province.scope); only keys this version
    knows, each checked. `changed_at` (key -> when the commune changed it): an older value
    never replaces a newer one kept (an old laptop's bundle after a newer one); `deleted`: keys
    the commune took back (its default applies again). Called inside the import's transaction;
    returns how many were kept."""
    kept = 0
    stamps = changed_at or {}
    for key in deleted:
        reg.conn.execute(
            "DELETE FROM commune_settings WHERE commune_id = ? AND key = ? AND received_at <= ?",
            [commune_id, key, stamps.get(key, "9999")],
        )
    for key, raw in values.items():
        if key not in _BY_KEY:
            continue
        try:
            _, error = parse_setting(key, json.loads(raw))
        except ValueError:
            continue
        if error is None:
            when = stamps.get(key) or now_utc()
            reg.conn.execute(
                "INSERT INTO commune_settings (commune_id, key, value, received_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (commune_id, key) DO UPDATE SET "
                "value = excluded.value, received_at = excluded.received_at "
                "WHERE excluded.received_at >= commune_settings.received_at",
                [commune_id, key, raw, when],
            )
            kept += 1
    return kept
