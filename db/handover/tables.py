"""Which tables a bundle carries, what they are called, and what a bundle may never change.

A bundle is made by whoever knows its passphrase — an officer as well as the chief — so it can
never change what only the chief may: account rows, and the settings only the chief may change.
Those are skipped on import with a note, never merged.
"""

from __future__ import annotations

from db.commune.settings import SETTINGS

# The tables a bundle carries, parents first (foreign keys hold row by row). Deliberately a
# list of its own: a new synced table travels only once someone has decided it may.
HANDOVER_TABLES = (
    "villages", "persons", "episodes", "drug_tests", "contacts", "hotspots",
    "prevention_models", "incidents", "settings", "calendar_days",
)  # fmt: skip
# A commune's own configuration: not merged into a register of another commune.
COMMUNE_LOCAL = ("settings", "calendar_days")
# Tables a bundle may hold (a crafted one) but that are never taken from it.
PROTECTED_TABLES = ("accounts",)
TABLE_LABELS = {
    "villages": "Thôn, bản", "persons": "Người trong sổ", "episodes": "Diện quản lý",
    "drug_tests": "Xét nghiệm", "contacts": "Tiếp xúc, kiểm tra", "hotspots": "Điểm phức tạp",
    "prevention_models": "Mô hình phòng chống", "incidents": "Vụ việc",
    "settings": "Cài đặt", "calendar_days": "Lịch nghỉ, làm bù",
}  # fmt: skip


def protected_settings() -> frozenset[str]:
    """The settings a bundle never changes: those only the chief may change.

    Today `db.commune.settings.save_settings` asks for the chief for every key, so every key is
    protected: settings reach another register only when it is taken over (an empty register
    becoming the commune's). When settings.py marks a smaller chief-only set, return that here.
    """
    return frozenset(s.key for s in SETTINGS)


def known_settings() -> frozenset[str]:
    """The settings this version knows (another version's keys are skipped, never stored)."""
    return frozenset(s.key for s in SETTINGS)
