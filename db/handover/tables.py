"""Which tables a bundle carries, what they are called, and what a bundle may never change.

A bundle is made by whoever knows its passphrase — an officer as well as the chief — so it can
never change what only the chief may: account rows, and the settings only the chief may change.
Those are skipped on import with a note, never merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

from db.commune.settings import SETTINGS
from db.store import seal

# The tables a bundle carries, parents first (foreign keys hold row by row). Deliberately a
# list of its own: a new synced table travels only once someone has decided it may.
HANDOVER_TABLES = (
    "villages", "persons", "episodes", "drug_tests", "contacts", "absences",
    "monitoring_orders", "substance_declarations", "management_team", "hotspots",
    "prevention_models", "incidents", "settings", "calendar_days",
)  # fmt: skip
# A commune's own configuration: not merged into a register of another commune.
COMMUNE_LOCAL = ("settings", "calendar_days")
# Tables a bundle may hold (a crafted one) but that are never taken from it: the sealed ones.
PROTECTED_TABLES = tuple(t for t in seal.protected_tables() if t != "settings")
TABLE_LABELS = {
    "villages": "Thôn, bản", "persons": "Người trong sổ", "episodes": "Diện quản lý",
    "drug_tests": "Xét nghiệm", "contacts": "Tiếp xúc, kiểm tra",
    "absences": "Vắng mặt không báo", "monitoring_orders": "Giám sát điện tử",
    "substance_declarations": "Khai báo chất sử dụng", "management_team": "Tổ quản lý",
    "hotspots": "Điểm phức tạp",
    "prevention_models": "Mô hình phòng chống", "incidents": "Vụ việc",
    "settings": "Cài đặt", "calendar_days": "Lịch nghỉ, làm bù",
}  # fmt: skip


def protected_settings() -> frozenset[str]:
    """The settings a bundle never changes: those the chief's seal covers
    (`db.store.seal.protected_setting_keys()`; None there means every key, as today, since
    `save_settings` asks for the chief for every key). Settings then reach another register only
    when it is taken over (an empty register becoming the commune's)."""
    asked = cast(Callable[[], Iterable[str] | None], seal.protected_setting_keys)
    keys = asked()
    return known_settings() if keys is None else frozenset(keys)


def known_settings() -> frozenset[str]:
    """The settings this version knows (another version's keys are skipped, never stored)."""
    return frozenset(s.key for s in SETTINGS)
