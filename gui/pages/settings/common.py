"""What the settings tabs share: their translation context and the Vietnamese day names."""

from __future__ import annotations

from datetime import date

from gui.kit.common import tr

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def settings_tr(text: str) -> str:
    """Translate in the settings screen's context."""
    return tr("settings", text)


def weekday(day: date) -> str:
    """The Vietnamese name of the day of the week."""
    return settings_tr(WEEKDAYS[day.weekday()])
