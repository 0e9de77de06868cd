"""The one table of legal rules: every duration, deadline and threshold with its source.

Laws change (two did in 2025–2026), so a rule is looked up for a date: the version in force on
that date wins. Nothing elsewhere in the program types a legal duration as a literal; it asks
`rule(key, on)` or `deadline(...)` here. Test intervals are not set by law: their defaults live
here too (marked as such) and the officer changes them in the settings.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from db.core.dates import add_months
from db.law.workdays import WorkCalendar

Unit = Literal["months", "days", "working_days", "hours", "percent", "count", "m2"]


@dataclass(frozen=True)
class Rule:
    """One legal figure: what it is, its value and unit, where it comes from, since when."""

    key: str
    value: float
    unit: Unit
    source: str
    effective: date
    text: str
    note: str = ""  # e.g. where a value carried over to a new law came from

    @property
    def article_known(self) -> bool:
        """Whether the source names the article ("Điều"); see WITHOUT_ARTICLE."""
        return "Điều" in self.source

    def shown(self) -> str:
        """The value with its unit, in Vietnamese."""
        names = {
            "months": "tháng",
            "days": "ngày",
            "working_days": "ngày làm việc",
            "hours": "giờ",
            "percent": "%",
            "count": "",
            "m2": "m²",
        }
        if self.value == 0 and self.unit in ("days", "working_days", "hours"):
            return "Ngay"
        # Vietnamese numbers: "." between thousands, "," before decimals (3.000; 0,5).
        number = f"{self.value:,g}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"{number} {names[self.unit]}".strip() if self.unit != "percent" else f"{number}%"


_LAW73 = date(2022, 1, 1)  # Law 73/2021/QH14 on drug prevention, and its decrees 105 and 116.
# Law 120/2025/QH15 on drug prevention replaces Law 73/2021 from 01/07/2026. Its article numbers
# were not available to check: it is cited without one, and the durations not known to have
# changed keep the values of Law 73/2021 and its decrees (docs/decisions.md).
_LAW120 = date(2026, 7, 1)
LAW120 = "Luật 120/2025/QH15"
# Decision 28/2025/QĐ-TTg (the hotspot criteria): cited without an article, as none was checked;
# the effective date recorded is the program's (docs/decisions.md).
_QD28 = date(2025, 1, 1)
QD28 = "QĐ 28/2025/QĐ-TTg"
# Sources cited without an article number because none could be checked offline; every other
# rule names its article ("Điều").
WITHOUT_ARTICLE = (LAW120, QD28, "Luật PCMT 2021 (Luật 73/2021/QH14)")

_LAW73_RULES: tuple[Rule, ...] = (
    # Periods.
    Rule("management_period", 12, "months", "Luật PCMT 2021 Điều 23; NĐ 105/2021 Điều 37–50",
         _LAW73, "Thời hạn quản lý người sử dụng trái phép chất ma túy (tính lại từ đầu khi có "
         "quyết định mới do tái sử dụng; chuyển nơi cư trú thì tính tiếp thời gian còn lại)"),
    Rule("rehab_home_min", 6, "months", "Luật PCMT 2021 Điều 30; NĐ 116/2021 Điều 28–33",
         _LAW73, "Thời hạn cai nghiện tự nguyện tại gia đình, cộng đồng — tối thiểu"),
    Rule("rehab_home_max", 12, "months", "Luật PCMT 2021 Điều 30; NĐ 116/2021 Điều 28–33",
         _LAW73, "Thời hạn cai nghiện tự nguyện tại gia đình, cộng đồng — tối đa"),
    Rule("post_rehab_period", 12, "months", "Luật PCMT 2021 Điều 40; NĐ 116/2021 Điều 77–81",
         _LAW73, "Thời hạn quản lý sau cai nghiện"),
    Rule("post_rehab_period_compulsory_adult", 24, "months",
         "Luật PCMT 2021 Điều 40; NĐ 116/2021 Điều 77–81", _LAW73,
         "Thời hạn quản lý sau cai nghiện đối với người từ đủ 18 tuổi ra khỏi cơ sở cai nghiện "
         "bắt buộc"),
    Rule("adult_age", 18, "count", "Luật PCMT 2021 Điều 32, 40", _LAW73,
         "Tuổi thành niên (cai nghiện bắt buộc, thời hạn quản lý sau cai)"),
    # Deadlines.
    Rule("positive_report_chairman", 0, "days", "Luật PCMT 2021 Điều 23", _LAW73,
         "Báo cáo ngay Chủ tịch UBND xã khi xét nghiệm dương tính"),
    Rule("positive_test_decision", 3, "working_days", "Luật PCMT 2021 Điều 23", _LAW73,
         "Ra quyết định quản lý người sử dụng trái phép sau khi có kết quả dương tính"),
    Rule("residence_check_new", 3, "working_days", "NĐ 105/2021 Điều 41", _LAW73,
         "Xác minh nơi cư trú của người sử dụng trái phép mới phát hiện"),
    Rule("residence_check_new_remote", 10, "working_days", "NĐ 105/2021 Điều 41", _LAW73,
         "Xác minh nơi cư trú — địa bàn vùng sâu, vùng xa, đi lại khó khăn"),
    Rule("stable_residence_days", 30, "days", "NĐ 105/2021 Điều 41", _LAW73,
         "Nơi cư trú ổn định: sống tại nơi ở hiện tại từ 30 ngày trở lên"),
    Rule("residence_check_monthly", 1, "months", "NĐ 105/2021 Điều 47", _LAW73,
         "Kiểm tra, cập nhật nơi cư trú của người đang bị quản lý ít nhất mỗi tháng một lần"),
    Rule("move_notice", 5, "working_days", "Luật PCMT 2021 (Luật 73/2021/QH14)", _LAW73,
         "Chuyển hồ sơ quản lý đến Công an xã nơi cư trú mới khi người bị quản lý chuyển đi"),
    Rule("addict_register_treatment", 5, "working_days", "NĐ 116/2021 Điều 28", _LAW73,
         "Người nghiện đăng ký cai nghiện tự nguyện hoặc điều trị methadone"),
    Rule("rehab_registration_check", 3, "working_days", "NĐ 116/2021 Điều 30", _LAW73,
         "Công an xã kiểm tra hồ sơ đăng ký cai nghiện tự nguyện"),
    Rule("post_rehab_file", 3, "working_days", "NĐ 116/2021 Điều 77", _LAW73,
         "Lập hồ sơ quản lý sau cai nghiện sau khi người cai nghiện trở về"),
    Rule("post_rehab_decision", 2, "working_days", "NĐ 116/2021 Điều 78", _LAW73,
         "Ra quyết định quản lý sau cai nghiện sau khi lập hồ sơ"),
    Rule("compulsory_release_report", 5, "working_days", "NĐ 116/2021 Điều 62", _LAW73,
         "Người ra khỏi cơ sở cai nghiện bắt buộc trình diện Công an xã"),
)  # fmt: skip


def _carried(old: Rule) -> Rule:
    """The Law 120/2025 version of a rule whose value is not known to have changed."""
    note = (f"Giữ mức của {old.source} (Luật 73/2021/QH14 và văn bản hướng dẫn); điều khoản "
            "tương ứng của Luật 120/2025/QH15 chưa được đối chiếu")  # fmt: skip
    return Rule(old.key, old.value, old.unit, LAW120, _LAW120, old.text, note)


# From 01/07/2026 every rule of Law 73/2021 and its decrees cites Law 120/2025 (same value); the
# move notice changed (24 hours: the person reports within 24 hours, the old station tells the
# new one within 24 hours).
_CHANGED_BY_LAW120 = {
    "move_notice": Rule("move_notice", 24, "hours", LAW120, _LAW120,
                        "Thông báo cho Công an xã nơi cư trú mới khi người bị quản lý chuyển đi "
                        "(24 giờ)"),
}  # fmt: skip

RULES: tuple[Rule, ...] = (
    *_LAW73_RULES,
    *(
        _CHANGED_BY_LAW120.get(r.key) or _carried(r)
        for r in _LAW73_RULES
    ),
    Rule("electronic_monitoring", 1, "count", LAW120, _LAW120,
         "Trưởng Công an xã được quyết định giám sát điện tử người cai nghiện tự nguyện tại gia "
         "đình, cộng đồng, người điều trị thay thế và người bị quản lý sau cai nghiện"),
    Rule("watch_window", 24, "months", "Luật 86/2025/QH15 (BLHS Điều 256a)", date(2025, 7, 1),
         "Theo dõi 2 năm sau khi hết quản lý sau cai, hoặc sau khi bỏ cai nghiện tự nguyện / "
         "điều trị methadone: sử dụng trái phép trong thời gian này là tội phạm"),
    # Drug-free commune / hotspot thresholds.
    Rule("hotspot_users_share", 0.5, "percent", QD28, _QD28,
         "Người sử dụng và người nghiện có hồ sơ quản lý so với dân số thường trú"),
    Rule("hotspot_places", 2, "count", QD28, _QD28,
         "Số điểm, tụ điểm tổ chức, chứa chấp sử dụng trái phép chất ma túy"),
    Rule("hotspot_offenders_share", 0.1, "percent", QD28, _QD28,
         "Số đối tượng phạm tội về ma túy bị bắt so với dân số"),
    Rule("hotspot_plants", 3000, "count", QD28, _QD28,
         "Số cây có chứa chất ma túy bị phát hiện, triệt phá"),
    Rule("hotspot_plants_area", 750, "m2", QD28, _QD28,
         "Diện tích cây có chứa chất ma túy bị phát hiện, triệt phá"),
    Rule("hotspot_min_criteria", 3, "count", QD28, _QD28,
         "Số tiêu chí tối thiểu để xã là xã trọng điểm loại I"),
)  # fmt: skip

NOT_IN_LAW = "Pháp luật không quy định — mặc định của chương trình, sửa trong Cài đặt"

# The documents a report names as its basis ("Thực hiện …"), as the rules cite them: the drug
# law and its decrees (not the Criminal Code or Decision 28, which a monthly report does not
# carry out).
_DOCUMENTS = {
    "Luật PCMT 2021": "Luật Phòng, chống ma túy năm 2021",
    "NĐ 105/2021": "Nghị định số 105/2021/NĐ-CP",
    "NĐ 116/2021": "Nghị định số 116/2021/NĐ-CP",
    LAW120: "Luật Phòng, chống ma túy số 120/2025/QH15",
}
DECREES = ("Nghị định số 105/2021/NĐ-CP", "Nghị định số 116/2021/NĐ-CP")
_BASE = {r.key for r in _LAW73_RULES}


@functools.cache
def versions(key: str) -> tuple[Rule, ...]:
    """Every version of a rule, oldest first."""
    found = sorted((r for r in RULES if r.key == key), key=lambda r: r.effective)
    if not found:
        raise KeyError(key)
    return tuple(found)


def rule(key: str, on: date) -> Rule:
    """The version in force on `on`; before the first version, the first one."""
    found = versions(key)
    current = found[0]
    for candidate in found:
        if candidate.effective <= on:
            current = candidate
    return current


def in_force(key: str, on: date) -> bool:
    """Whether any version of the rule has taken effect by `on`."""
    return versions(key)[0].effective <= on


RuleState = Literal["pending", "in_force", "replaced"]
STATE_LABELS: dict[RuleState, str] = {
    "pending": "Chưa có hiệu lực",
    "in_force": "Đang áp dụng",
    "replaced": "Đã được thay thế",
}


def state(r: Rule, on: date) -> RuleState:
    """Whether the version `r` is not yet in force on `on`, in force, or replaced by a newer one."""
    if r.effective > on:
        return "pending"
    return "in_force" if rule(r.key, on) is r else "replaced"


def apply(r: Rule, start: date, calendar: WorkCalendar) -> date:
    """The date a period or deadline of rule `r` that starts on `start` falls on."""
    n = int(r.value)
    if r.unit == "months":
        return add_months(start, n)
    if r.unit == "days":
        return start + timedelta(days=n)
    if r.unit == "working_days":
        return calendar.add_working_days(start, n)
    if r.unit == "hours":
        return start + timedelta(days=math.ceil(r.value / 24))
    raise ValueError(f"rule {r.key} is a {r.unit}, not a duration")


def deadline(key: str, start: date, calendar: WorkCalendar) -> tuple[date, Rule]:
    """The date a deadline falls on for an event on `start`, with the rule used."""
    r = rule(key, start)
    return apply(r, start, calendar), r


def legal_basis(on: date) -> list[str]:
    """The documents the rules in force on `on` cite, as a report names its basis: the law
    first, then the decrees (before 01/07/2026 Law 73/2021 with Decrees 105 and 116; from then
    Law 120/2025)."""
    # Before Law 73/2021 took effect its rules stand in (the lookup's own fallback).
    keys = [k for k in dict.fromkeys(r.key for r in RULES) if in_force(k, on) or k in _BASE]
    sources = {rule(key, on).source for key in keys}
    return [name for short, name in _DOCUMENTS.items() if any(short in s for s in sources)]
