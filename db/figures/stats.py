"""The figures for a date: who is on the register, the period's movements and tests, per
village, and the drug-free commune criteria with the hotspot thresholds of Decision 28/2025.

Reports, the window and `main.py stats` all take their numbers from `figures()`, so a printed
report can never say something the screen does not.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from db.commune.settings import baseline_date, get_settings
from db.core.dates import add_months
from db.core.textfold import place_key
from db.duties.due import overdue_tests as overdue_people
from db.figures.open_people import LIVE_PERSONS, USERS_ADDICTS, count_per_village, open_people
from db.law.categories import LABELS, SHORT_LABELS, TREATMENT, Category
from db.law.rules import Rule, in_force, rule
from db.persons import monitoring
from db.store.register import Register

MOVEMENTS = {
    "new": "Mới phát hiện, đưa vào quản lý",
    "ended_term": "Chấm dứt (hết thời hạn)",
    "stopped": "Dừng quản lý",
    "moved_in": "Chuyển đến",
    "moved_out": "Chuyển đi",
    "absconded": "Bỏ trốn",
    "died": "Chết",
    "prison": "Đi tù",
}
_END_KIND_MOVEMENT = {
    "term": "ended_term",
    "stopped": "stopped",
    "moved_away": "moved_out",
    "absconded": "absconded",
    "died": "died",
    "prison": "prison",
}


def period_for_month(year: int, month: int, cutoff_day: int = 0) -> tuple[date, date]:
    """The reporting period of a month: the calendar month, or from the day after the
    previous month's cut-off day to this month's (units that close figures on the 14th/15th)."""
    if cutoff_day <= 0:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    end = date(year, month, cutoff_day)
    return add_months(end, -1) + timedelta(days=1), end


def _share(part: int, whole: int) -> float | None:
    """The share in percent, cut (not rounded) to one decimal: 99,96% shows as 99,9%, so a
    share short of a 100% target never prints as 100%."""
    return _cut(Fraction(100 * part, whole), 1) if whole else None


def _cut(exact: Fraction, decimals: int) -> float:
    """`exact` rounded down to `decimals` places: the printed value is at least a threshold of
    that many places exactly when the exact one is."""
    scale: int = 10**decimals
    return float(math.floor(exact * scale)) / scale


def _vn(value: float) -> str:
    """A number as Vietnamese write it: 3.000; 0,46; 812,5."""
    return f"{value:,g}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _movements(reg: Register, start: str, end: str) -> dict[str, int]:
    counts = dict.fromkeys(MOVEMENTS, 0)
    params = {"start": start, "end": end}
    # New: the person's first episode (not a move-in) began in the period.
    counts["new"] = reg.db.execute(
        "SELECT count(DISTINCT e.person_id) FROM episodes e JOIN persons p ON p.id = e.person_id "
        "WHERE e.deleted = 0 AND p.deleted = 0 AND e.moved_from = '' "
        "AND e.start_date BETWEEN :start AND :end AND NOT EXISTS (SELECT 1 FROM episodes x "
        "WHERE x.person_id = e.person_id AND x.deleted = 0 AND x.moved_from = '' "
        "AND x.start_date < :start)",
        params,
    ).fetchone()[0]
    counts["moved_in"] = reg.db.execute(
        "SELECT count(DISTINCT e.person_id) FROM episodes e JOIN persons p ON p.id = e.person_id "
        "WHERE e.deleted = 0 AND p.deleted = 0 AND e.moved_from <> '' "
        "AND e.start_date BETWEEN :start AND :end",
        params,
    ).fetchone()[0]
    for kind, persons in reg.db.execute(
        "SELECT e.end_kind, count(DISTINCT e.person_id) FROM episodes e "
        "JOIN persons p ON p.id = e.person_id WHERE e.deleted = 0 AND p.deleted = 0 "
        "AND e.end_date BETWEEN :start AND :end GROUP BY e.end_kind",
        params,
    ):
        if kind in _END_KIND_MOVEMENT:
            counts[_END_KIND_MOVEMENT[kind]] += persons
    return counts


def _tests(reg: Register, start: str, end: str) -> tuple[dict[str, Any], dict[str, Counter[str]]]:
    """A period's tests by live people, counted per village in SQL (one lives in one village)."""
    totals: Counter[str] = Counter()
    substances: Counter[str] = Counter()
    per_village: dict[str, Counter[str]] = {}
    for village_id, tests, periodic, surprise, positive, people, codes in reg.db.execute(
        "SELECT p.village_id, count(*), sum(t.kind = 'periodic'), sum(t.kind = 'surprise'), "
        "sum(t.result = 'positive'), count(DISTINCT t.person_id), "
        "group_concat(CASE WHEN t.result = 'positive' THEN t.positives END) "
        f"FROM drug_tests t JOIN {LIVE_PERSONS} ON p.id = t.person_id WHERE t.deleted = 0 "
        "AND p.deleted = 0 AND t.test_date BETWEEN ? AND ? GROUP BY p.village_id",
        [start, end],
    ):
        totals.update(total=tests, periodic=periodic, surprise=surprise, positive=positive,
                      people=people)  # fmt: skip
        village = per_village.setdefault(village_id or "", Counter())
        village["tests"] += tests
        if positive:
            village["positives"] += positive
            substances.update(code for code in codes.split(",") if code)
    counts = {k: totals[k] for k in ("total", "periodic", "surprise", "positive")}
    return {
        **counts,
        "people_tested": totals["people"],
        # Most found first; ties by code (before, ties came in the order rows were read).
        "by_substance": dict(sorted(substances.items(), key=lambda kv: (-kv[1], kv[0]))),
    }, per_village


def _count(reg: Register, sql: str, params: dict[str, Any]) -> int:
    return int(reg.db.execute(sql, params).fetchone()[0] or 0)


def _village_rows(
    reg: Register, per_village: dict[str, Counter[str]], tests: dict[str, Counter[str]]
) -> list[dict[str, Any]]:
    rows = []
    for v in reg.db.query("SELECT id, name, population, drug_free FROM villages WHERE deleted = 0"):
        counts = per_village.get(v["id"], Counter())
        tv = tests.get(v["id"], Counter())
        rows.append({
            "id": v["id"], "name": v["name"], "population": v["population"] or 0,
            "drug_free": bool(v["drug_free"]),
            "categories": {c.value: counts[c.value] for c in Category},
            "people": counts["people"], "users_addicts": counts["users_addicts"],
            "tests": tv["tests"], "positives": tv["positives"],
        })  # fmt: skip
    rows.sort(key=lambda v: place_key(v["name"]))
    return rows


def villages_summary(
    reg: Register, on: date | None = None, start: date | None = None
) -> list[dict[str, Any]]:
    """The village table of `figures()` alone (no due list): for screens that show villages."""
    day = on or reg.today()
    first = start or day.replace(day=1)
    per_village = count_per_village(open_people(reg, day.isoformat()))
    _, tests = _tests(reg, first.isoformat(), day.isoformat())
    return _village_rows(reg, per_village, tests)


# --- Decision 28/2025's hotspot thresholds ---------------------------------------------------
# Each row: the figure compared ("value") and the rule's threshold ("threshold"), as the screen
# shows them, and the same as printed ("shown", "target"). A share is compared exactly and shown
# cut to 2 decimals (the thresholds have at most 2), so value, threshold and "met" agree as
# printed; the plants criterion shows the count and the area, and is met by either.


def _row(key: str, r: Rule, value: float, met: bool, shown: str, target: str) -> dict[str, Any]:
    return {"key": key, "label": r.text, "value": value, "threshold": r.shown(), "met": met,
            "source": r.source, "shown": shown, "target": target}  # fmt: skip


def _share_threshold(key: str, part: int, population: int, day: date) -> dict[str, Any]:
    r = rule(key, day)
    if not population:
        return _row(key, r, 0.0, False, "Chưa có số dân", f"≥ {r.shown()}")
    exact = Fraction(100 * part, population)
    value = _cut(exact, 2)
    shown = f"{_vn(value)}% ({_vn(part)}/{_vn(population)})"
    return _row(key, r, value, exact >= Fraction(str(r.value)), shown, f"≥ {r.shown()}")


def _count_threshold(key: str, count: int, day: date) -> dict[str, Any]:
    r = rule(key, day)
    return _row(key, r, count, count >= r.value, _vn(count), f"≥ {r.shown()}")


def _plants_threshold(count: int, area: float, day: date) -> dict[str, Any]:
    by_count, by_area = rule("hotspot_plants", day), rule("hotspot_plants_area", day)
    shown = f"{_vn(count)} cây; {_vn(area)} m²"
    target = f"≥ {by_count.shown()} cây hoặc ≥ {by_area.shown()}"
    if count < by_count.value and area >= by_area.value:
        # Met by the area alone: the screen's value and threshold are the area's.
        row = _row("hotspot_plants", by_area, area, True, shown, target)
    else:
        row = _row("hotspot_plants", by_count, count, count >= by_count.value, shown, target)
    return {**row, "label": _PLANTS_LABEL, "source": by_count.source}


_PLANTS_LABEL = "Số cây hoặc diện tích cây có chứa chất ma túy bị phát hiện, triệt phá"


def _monitoring(reg: Register, day: date, first: date) -> dict[str, Any]:
    """Electronic monitoring on `day` (people in all and by status) and orders made in the
    period `first`..`day`; `in_force` says whether the law allowing it applied on `day`."""
    counts = monitoring.monitoring_counts(reg, day, since=first - timedelta(days=1))
    return {**counts, "in_force": in_force(monitoring.RULE, day)}


def figures(reg: Register, on: date | None = None, start: date | None = None) -> dict[str, Any]:
    """Every figure for the day `on` and the period `start`..`on` (default: `on`'s month)."""
    day = on or reg.today()
    first = start or day.replace(day=1)
    settings = get_settings(reg)
    on_s, start_s = day.isoformat(), first.isoformat()
    year_ago = add_months(day, -12).isoformat()

    people = open_people(reg, on_s)
    categories: Counter[str] = Counter()
    addicts: Counter[str] = Counter()
    per_village = count_per_village(people)
    users_addicts_with_file = 0
    treatments = [c.value for c in TREATMENT]
    for _, _, cats, has_file in people:
        for cat in cats:
            categories[cat] += 1
        if not USERS_ADDICTS.isdisjoint(cats):
            users_addicts_with_file += has_file
        if "addict" in cats:
            treatment = [c for c in treatments if c in cats]
            addicts["total"] += 1
            addicts[treatment[0] if treatment else "untreated"] += 1
            if has_file:
                addicts["with_file"] += 1

    tests, tests_by_village = _tests(reg, start_s, on_s)
    overdue_tests = overdue_people(reg, day)
    tests["overdue"] = len(overdue_tests)

    villages = _village_rows(reg, per_village, tests_by_village)
    population = sum(v["population"] for v in villages) or int(settings["population"])

    # Drug-free commune criteria (the plans in seeds/: 100% found, filed, treated, tested...).
    suspects = reg.db.execute(
        "SELECT count(*), sum(CASE WHEN e.end_kind = 'tested' OR EXISTS (SELECT 1 FROM "
        "drug_tests t WHERE t.person_id = e.person_id AND t.deleted = 0 "
        "AND t.test_date >= e.start_date AND t.test_date <= :on) THEN 1 ELSE 0 END) "
        "FROM episodes e JOIN persons p ON p.id = e.person_id WHERE e.deleted = 0 "
        "AND p.deleted = 0 AND e.category = 'suspect' AND e.start_date > :year_ago "
        "AND e.start_date <= :on",
        {"on": on_s, "year_ago": year_ago},
    ).fetchone()
    post_rehab = {person for person, _, cats, _ in people if "post_rehab" in cats}
    post_late = len(post_rehab & overdue_tests)
    hotspots_active = _count(
        reg,
        "SELECT count(*) FROM hotspots WHERE deleted = 0 AND found_date <= :on "
        "AND (cleared_date IS NULL OR cleared_date > :on)",
        {"on": on_s},
    )
    harbouring = _count(
        reg,
        "SELECT count(*) FROM hotspots WHERE deleted = 0 AND kind IN ('harbour', 'use') "
        "AND found_date <= :on AND (cleared_date IS NULL OR cleared_date > :year_ago)",
        {"on": on_s, "year_ago": year_ago},
    )
    models = _count(
        reg,
        "SELECT count(*) FROM prevention_models WHERE deleted = 0 AND start_date <= :on "
        "AND (end_date IS NULL OR end_date > :on)",
        {"on": on_s},
    )
    incidents = {
        kind: (int(n or 0), float(area or 0), int(serious or 0))
        for kind, n, area, serious in reg.db.execute(
            "SELECT kind, sum(count), sum(area_m2), sum(serious) FROM incidents "
            "WHERE deleted = 0 AND incident_date > ? AND incident_date <= ? GROUP BY kind",
            [year_ago, on_s],
        )
    }
    users_addicts = sum(1 for _, _, cats, _ in people if not USERS_ADDICTS.isdisjoint(cats))
    base_day = baseline_date(settings)
    base_total = int(settings["baseline_users"]) + int(settings["baseline_addicts"])
    fell = (users_addicts < base_total) if base_day else None
    baseline = {
        "date": base_day.isoformat() if base_day else None,
        "users": int(settings["baseline_users"]),
        "addicts": int(settings["baseline_addicts"]),
        "total": base_total,
        "now_users": categories["user"],
        "now_addicts": categories["addict"],
        "now_total": users_addicts,
        "change": users_addicts - base_total,
        "fell": fell,
    }

    def criterion(
        key: str, label: str, value: Any, target: str, met: bool | None
    ) -> dict[str, Any]:
        return {"key": key, "label": label, "value": value, "target": target, "met": met}

    share_file = _share(addicts["with_file"], addicts["total"])
    share_treated = _share(addicts["total"] - addicts["untreated"], addicts["total"])
    share_suspects = _share(int(suspects[1] or 0), int(suspects[0] or 0))
    share_post = _share(len(post_rehab) - post_late, len(post_rehab))
    psychosis = incidents.get("psychosis", (0, 0.0, 0))
    criteria = [
        criterion("addicts_with_file", "Người nghiện có hồ sơ quản lý (%)", share_file,
                  "100%", addicts["with_file"] == addicts["total"]),
        criterion("addicts_in_treatment", "Người nghiện được cai nghiện, điều trị (%)",
                  share_treated, "100%", addicts["untreated"] == 0),
        criterion("suspects_tested", "Người nghi sử dụng đã được xét nghiệm trong 12 tháng (%)",
                  share_suspects, "100%", int(suspects[1] or 0) == int(suspects[0] or 0)),
        criterion("post_rehab_tested", "Người sau cai được xét nghiệm đúng hạn (%)", share_post,
                  "100%", post_late == 0),
        criterion("baseline", "Tổng số người sử dụng và người nghiện so với khi đăng ký",
                  f"{users_addicts} / {base_total}" if base_day else "chưa nhập",
                  "Giảm", fell),
        criterion("hotspots", "Điểm, tụ điểm phức tạp về ma túy đang tồn tại", hotspots_active,
                  "0", hotspots_active == 0),
        criterion("models", "Mô hình phòng, chống ma túy đang hoạt động", models, "≥ 1",
                  models >= 1),
        criterion("psychosis", "Vụ “ngáo đá” gây án nghiêm trọng trong 12 tháng", psychosis[2],
                  "0", psychosis[2] == 0),
        criterion("villages_drug_free", "Thôn, bản đạt không ma túy",
                  f"{sum(v['drug_free'] for v in villages)} / {len(villages)}", "", None),
    ]  # fmt: skip

    arrests = incidents.get("arrest", (0, 0.0, 0))[0]
    plants = incidents.get("plants", (0, 0.0, 0))
    hotspot = [
        _share_threshold("hotspot_users_share", users_addicts_with_file, population, day),
        _count_threshold("hotspot_places", harbouring, day),
        _share_threshold("hotspot_offenders_share", arrests, population, day),
        _plants_threshold(plants[0], plants[1], day),
    ]
    met_count = sum(1 for h in hotspot if h["met"])
    return {
        "on": on_s,
        "period": {"start": start_s, "end": on_s},
        "people_total": len(people),
        "categories": {c.value: categories[c.value] for c in Category},
        "category_labels": {c.value: LABELS[c] for c in Category},
        "short_labels": {c.value: SHORT_LABELS[c] for c in Category},
        "addicts": {k: addicts[k] for k in ("total", "untreated", "with_file",
                                            *[c.value for c in TREATMENT])},
        "movements": _movements(reg, start_s, on_s),
        "monitoring": _monitoring(reg, day, first),
        "tests": tests,
        "villages": villages,
        "unassigned": dict(per_village.get("", Counter()) + tests_by_village.get("", Counter())),
        "population": population,
        "criteria": criteria,
        "baseline": baseline,
        "hotspot": {
            "thresholds": hotspot,
            "met": met_count,
            "needed": int(rule("hotspot_min_criteria", day).value),
            "type_one": met_count >= int(rule("hotspot_min_criteria", day).value),
        },
    }  # fmt: skip
