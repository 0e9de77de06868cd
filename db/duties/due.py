"""What is due and overdue on a day: tests, residence checks and the deadlines the law sets.

Computed when asked from the register as it is, never stored (so never stale). Every item names
the rule it comes from; the settings give the test intervals and how far ahead to warn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from db.commune.holidays import work_calendar
from db.commune.settings import get_settings, test_interval
from db.core.dates import add_months, show
from db.duties import crime
from db.duties.crime import FollowUp as FollowUp
from db.duties.crime import positive_follow_up as positive_follow_up
from db.duties.managed import open_by_person
from db.duties.post_rehab import post_rehab_deadlines
from db.law.categories import IN_FACILITY, RESIDENCE_CHECKED, TREATMENT, Category
from db.law.rules import NOT_IN_LAW, deadline, rule
from db.law.workdays import WorkCalendar
from db.store.register import Register

# How far back a positive test or a completed rehab still raises a missing follow-up. Older
# gaps are history, not today's work (a choice of the program, not of the law).
LOOKBACK_DAYS = 120

KIND_LABELS = {
    "test": "Xét nghiệm định kỳ",
    "positive": "Dương tính — ra quyết định quản lý",
    "crime": "Dấu hiệu tội phạm (Điều 256a BLHS)",
    "residence": "Kiểm tra cư trú",
    "move": "Thông báo chuyển nơi cư trú",
    "period_end": "Hết thời hạn",
    "post_rehab": "Hồ sơ, quyết định quản lý sau cai",
    "treatment": "Đăng ký cai nghiện / điều trị",
}

_PERIOD_RULES = {
    Category.USER: "management_period",
    Category.POST_REHAB: "post_rehab_period",
    Category.WATCH: "watch_window",
    Category.REHAB_HOME: "rehab_home_max",
}


@dataclass(frozen=True)
class DueItem:
    """One thing to do for one person by a date."""

    kind: str
    person_id: str
    due: date
    overdue: bool
    text: str
    source: str
    episode_id: str | None = None
    person: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            "kind": self.kind,
            "person_id": self.person_id,
            "full_name": self.person.get("full_name", ""),
            "village": self.person.get("village") or "",
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "text": self.text,
            "source": self.source,
            "episode_id": self.episode_id,
        }


_OPEN = "deleted = 0 AND start_date <= :on AND (end_date IS NULL OR end_date > :on)"


def _tests_and_checks(reg: Register, on: date, horizon: date, cal: WorkCalendar,
                      settings: dict[str, Any], with_checks: bool = True,
                      ) -> Iterable[DueItem]:  # fmt: skip
    # The loop runs once per managed person (~35,000 at 100,000 people): categories stay plain
    # codes (an Enum member hashes in Python) and dates ISO strings until one is needed, and an
    # item's text is made only when it falls within the window.
    intervals = {c.value: d for c in Category if (d := test_interval(settings, c)) is not None}
    facility = {c.value for c in IN_FACILITY}
    residence = {c.value for c in RESIDENCE_CHECKED}
    suspect, user = Category.SUSPECT.value, Category.USER.value
    monthly = rule("residence_check_monthly", on)
    months = int(monthly.value)
    remote = bool(settings["remote_area"])
    new_check = rule("residence_check_new_remote" if remote else "residence_check_new", on)
    new_days = int(new_check.value)
    iso = date.fromisoformat
    for person_id, started, tested, checked_on, released, gone in open_by_person(
        reg, on.isoformat(), with_checks
    ):
        starts: dict[str, str] = {}
        for pair in started.split(","):
            code, start = pair.split("=")
            if start > starts.get(code, ""):  # two open of one category: the later counts
                starts[code] = start
        if not facility.isdisjoint(starts):
            continue  # in a facility: tested and watched there
        if gone and gone >= max(starts.values()):
            continue  # moved away, absconded, died or in prison since: out of reach
        last_test = iso(tested) if tested else None
        # Tests: the shortest interval among the open categories.
        timed = [(days, c) for c in starts if (days := intervals.get(c)) is not None]
        if timed:
            days, cat = min(timed)
            first = iso(min(starts[c] for _, c in timed))
            step = timedelta(days=days)
            if cat == suspect and (last_test is None or last_test < iso(starts[cat])):
                due, previous = iso(starts[cat]), None
                text = "Xét nghiệm người nghi sử dụng"
            elif last_test is None or last_test + step < first:
                # No test since before the period began: the schedule starts with the period.
                due, previous = first + step, None
                text = "Xét nghiệm lần đầu trong diện quản lý"
            else:
                due, previous = last_test + step, last_test
            if due <= horizon:
                if previous is not None:
                    text = f"Xét nghiệm định kỳ (lần trước {show(previous)}, chu kỳ {days} ngày)"
                yield DueItem("test", person_id, due, due < on, text, NOT_IN_LAW)
        # Residence checks: a new user within 3 (10) working days, then at least monthly.
        if not with_checks or residence.isdisjoint(starts):
            continue
        last_check = iso(checked_on) if checked_on else None
        user_start = starts.get(user)
        if user_start and (last_check is None or last_check < iso(user_start)):
            due = cal.add_working_days(iso(user_start), new_days)
            text, source = "Xác minh nơi cư trú người sử dụng mới", new_check.source
        else:
            base = last_check or iso(min(s for c, s in starts.items() if c in residence))
            if released and iso(released) > base:
                # Back from a facility: checks there count for nothing at home; the first one
                # here falls due a month after the release.
                base = iso(released)
            due = add_months(base, months)
            text, source = "Kiểm tra, cập nhật nơi cư trú hằng tháng", monthly.source
        if due <= horizon:
            yield DueItem("residence", person_id, due, due < on, text, source)


def _positives(reg: Register, on: date, cal: WorkCalendar) -> Iterable[DueItem]:
    """A sign of a crime (Art. 256a) until the case is handed to the investigating police; a
    missing management decision after a recent positive test."""
    since = on - timedelta(days=LOOKBACK_DAYS)
    latest: dict[str, tuple[date, list[str]]] = {}
    for person_id, tested, positives in reg.db.execute(
        "SELECT person_id, test_date, positives FROM drug_tests WHERE result = 'positive' "
        "AND deleted = 0 AND test_date > ? AND test_date <= ? ORDER BY test_date",
        [since.isoformat(), on.isoformat()],
    ):
        latest[person_id] = (date.fromisoformat(tested), [c for c in positives.split(",") if c])
    possible = crime.candidates(reg, on)
    handed = crime.handovers(reg, possible)
    waiting = {
        pid: after
        for pid, tests in possible.items()
        if (after := [t for t in tests if t[0] > handed.get(pid, date.min)])
    }
    history = crime.history_of(reg, latest.keys() | waiting.keys())
    for person_id, tests in waiting.items():
        signs = [
            (t, r) for t, codes in tests if (r := crime.read(history[person_id], t, codes)).crime
        ]
        if signs:
            first, reading = signs[0]
            later = f" (và {len(signs) - 1} lần dương tính sau đó)" if len(signs) > 1 else ""
            yield DueItem("crime", person_id, first, True,
                          f"Dương tính ngày {show(first)}{later}: dấu hiệu tội phạm — "
                          f"{crime.clause(reading.why)}; báo cáo ngay, chuyển cơ quan điều tra",
                          reading.source)  # fmt: skip
    treated = {c.value for c in TREATMENT} | {"addict"}
    follow_up = treated | {"user"}
    for person_id, (tested, codes) in latest.items():
        episodes = history[person_id]
        reading = crime.read(episodes, tested, codes)
        if reading.crime:
            continue  # the crime path instead of a decision
        if {s.category for s in episodes if s.open_on(tested)} & treated:
            continue  # in treatment or already an addict: no management decision follows
        if any(s.category in follow_up and s.start >= tested for s in episodes):
            continue  # a decision (or addiction, treatment) followed the test
        due, used = deadline("positive_test_decision", tested, cal)
        why = f". {reading.why}" if reading.why else ""
        yield DueItem("positive", person_id, due, due < on,
                      f"Dương tính ngày {show(tested)}: báo cáo ngay Chủ tịch UBND xã; "
                      f"ra quyết định quản lý trước {show(due)}{why}", used.source)  # fmt: skip


def _episode_deadlines(reg: Register, on: date, horizon: date, cal: WorkCalendar,
                       settings: dict[str, Any]) -> Iterable[DueItem]:  # fmt: skip
    day = on.isoformat()
    since = (on - timedelta(days=LOOKBACK_DAYS)).isoformat()
    # Move notices not yet sent.
    for row in reg.db.query(
        "SELECT id, person_id, end_date, moved_to FROM episodes INDEXED BY episodes_unsent_moves "
        "WHERE deleted = 0 AND end_kind = 'moved_away' AND notice_date IS NULL "
        "AND end_date <= :on "
        "GROUP BY person_id, end_date",
        {"on": day},
    ):
        moved = date.fromisoformat(row["end_date"])
        due, used = deadline("move_notice", moved, cal)
        text = (
            f"Chuyển đến {row['moved_to']} ngày {show(moved)}: thông báo, chuyển hồ sơ "
            f"cho Công an xã nơi đến ({used.shown()})"
        )
        yield DueItem("move", row["person_id"], due, due < on, text, used.source, row["id"])
    # Periods ending soon or already past their planned end.
    soon = on + timedelta(days=int(settings["ending_soon_days"]))
    for row in reg.db.query(
        # Two halves so each keeps its index: still open, and ended only after `on`.
        "SELECT id, person_id, category, planned_end FROM episodes INDEXED BY episodes_planned "
        "WHERE deleted = 0 AND end_date IS NULL AND planned_end <= :soon AND start_date <= :on "
        "UNION ALL SELECT id, person_id, category, planned_end FROM episodes WHERE deleted = 0 "
        "AND end_date > :on AND planned_end <= :soon AND start_date <= :on",
        {"on": day, "soon": soon.isoformat()},
    ):
        end = date.fromisoformat(row["planned_end"])
        cat = Category(row["category"])
        text = {
            Category.USER: "Hết thời hạn quản lý: ra quyết định chấm dứt (Mẫu 10)",
            Category.POST_REHAB: "Hết thời hạn quản lý sau cai: ra quyết định chấm dứt",
            Category.WATCH: "Kết thúc thời gian theo dõi 2 năm",
        }.get(cat, "Hết thời hạn cai nghiện / điều trị")
        # Facility and compulsory rehab periods are set by the decision or court, not a rule.
        key = _PERIOD_RULES.get(cat)
        source = rule(key, end).source if key else ""
        yield DueItem("period_end", row["person_id"], end, end < on,
                      f"{text} — ngày {show(end)}", source, row["id"])  # fmt: skip
    # Rehab completed but no post-rehab file opened.
    for row in reg.db.query(
        "SELECT r.id, r.person_id, r.category, r.end_date FROM episodes r "
        "WHERE r.deleted = 0 AND r.end_kind = 'completed' AND r.category IN "
        "('rehab_home', 'rehab_facility', 'rehab_compulsory') AND r.end_date > :since "
        "AND r.end_date <= :on AND NOT EXISTS (SELECT 1 FROM episodes p WHERE "
        "p.person_id = r.person_id AND p.category = 'post_rehab' AND p.deleted = 0 "
        "AND p.start_date >= r.end_date)",
        {"on": day, "since": since},
    ):
        released = date.fromisoformat(row["end_date"])
        due, used = deadline("post_rehab_file", released, cal)
        yield DueItem("post_rehab", row["person_id"], due, due < on,
                      f"Trở về ngày {show(released)}: lập hồ sơ quản lý sau cai nghiện",
                      used.source, row["id"])  # fmt: skip
    # A post-rehab period without its decision yet: the file, the decision after it and, after
    # compulsory rehab, the person's report (Decree 116/2021 Art. 77, 78, 62), in that order;
    # the decision is never due before the file (the day the file was opened is not recorded).
    for row in reg.db.query(
        "SELECT id, person_id, start_date, (SELECT r.category FROM episodes r WHERE "
        "r.person_id = episodes.person_id AND r.deleted = 0 AND r.end_kind = 'completed' "
        "AND r.category = 'rehab_compulsory' AND r.end_date = episodes.start_date) AS compulsory, "
        "(SELECT 1 FROM contacts c WHERE c.person_id = episodes.person_id AND c.deleted = 0 "
        "AND c.kind = 'report_in' AND c.contact_date >= episodes.start_date "
        "AND c.contact_date <= :on) AS reported "
        f"FROM episodes WHERE {_OPEN} AND category = 'post_rehab' AND decision_no = ''",
        {"on": day},
    ):
        released = date.fromisoformat(row["start_date"])
        steps = post_rehab_deadlines(released, cal, compulsory=bool(row["compulsory"]))
        for step in steps.in_order():
            if step.kind == "report" and row["reported"]:
                continue
            yield DueItem("post_rehab", row["person_id"], step.due, step.due < on,
                          f"{step.text} (trở về ngày {show(released)})", step.rule.source,
                          row["id"])  # fmt: skip
    # Addicts not yet registered for any treatment.
    treat = ",".join(f"'{c.value}'" for c in TREATMENT)
    for row in reg.db.query(
        "SELECT a.id, a.person_id, max(a.start_date, COALESCE((SELECT max(t.end_date) "
        f"FROM episodes t WHERE t.person_id = a.person_id AND t.deleted = 0 AND t.category IN "
        f"({treat}) AND t.end_date <= :on), '')) AS since FROM episodes a WHERE a.deleted = 0 "
        "AND a.category = 'addict' AND a.start_date <= :on "
        "AND (a.end_date IS NULL OR a.end_date > :on) AND NOT EXISTS (SELECT 1 FROM "
        f"episodes t WHERE t.person_id = a.person_id AND t.deleted = 0 AND t.category IN "
        f"({treat}) AND t.start_date <= :on AND (t.end_date IS NULL OR t.end_date > :on))",
        {"on": day},
    ):
        # From the assessment, or from the day the last treatment ended (quit or finished).
        found = date.fromisoformat(row["since"])
        due, used = deadline("addict_register_treatment", found, cal)
        if due <= horizon:
            yield DueItem("treatment", row["person_id"], due, due < on,
                          "Người nghiện chưa cai nghiện / điều trị: đăng ký cai nghiện tự nguyện "
                          "hoặc methadone, nếu không thì lập hồ sơ cai nghiện bắt buộc",
                          used.source, row["id"])  # fmt: skip


def due_items(reg: Register, on: date | None = None) -> list[DueItem]:
    """Everything due by `on` plus the warning window, overdue first, then by date and name."""
    day = on or reg.today()
    settings = get_settings(reg)
    cal = work_calendar(reg)
    horizon = day + timedelta(days=int(settings["due_window_days"]))
    items = [
        *_tests_and_checks(reg, day, horizon, cal, settings),
        *_positives(reg, day, cal),
        *_episode_deadlines(reg, day, horizon, cal, settings),
    ]
    return _with_people(reg, items)


def scheduled_tests(
    reg: Register, on: date | None = None, until: date | None = None
) -> list[DueItem]:
    """Only the periodic tests due by `until` (default: `on` plus the warning window), as in
    `due_items` but without the other deadlines: for figures and next month's round list."""
    day = on or reg.today()
    settings = get_settings(reg)
    horizon = until or day + timedelta(days=int(settings["due_window_days"]))
    cal = work_calendar(reg)
    items = list(_tests_and_checks(reg, day, horizon, cal, settings, with_checks=False))
    return _with_people(reg, items)


def _with_people(reg: Register, items: list[DueItem]) -> list[DueItem]:
    """The items of people still on the register, each with its person, overdue first, then by
    date and name."""
    people = _people(reg, {i.person_id for i in items})
    names = {person: row["sort_key"] for person, row in people.items()}
    ordered = sorted(
        (i for i in items if i.person_id in names),
        key=lambda i: (not i.overdue, i.due, names[i.person_id]),
    )
    for i in ordered:
        # The items were made here, a moment ago, without their person (which compares as
        # nothing): set it in place rather than make ~13,000 frozen items a second time.
        object.__setattr__(i, "person", people[i.person_id])
    return ordered


def _people(reg: Register, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = reg.db.execute(
        "SELECT p.id, p.full_name, p.birth_date, p.sort_key, v.name, p.village_id "
        "FROM persons p INDEXED BY persons_listed LEFT JOIN villages v ON v.id = p.village_id "
        "WHERE p.id IN (SELECT value FROM json_each(?)) AND p.deleted = 0",
        [json.dumps(sorted(ids))],
    )
    return {
        row[0]: {"id": row[0], "full_name": row[1], "birth_date": row[2], "sort_key": row[3],
                 "village": row[4], "village_id": row[5]}
        for row in rows
    }  # fmt: skip


def overdue_tests(reg: Register, on: date) -> set[str]:
    """The people on the register whose periodic test is overdue on `on` (for the figures: the
    same schedule as `scheduled_tests`, without looking up each person's name)."""
    settings = get_settings(reg)
    cal = work_calendar(reg)
    late = {
        i.person_id
        for i in _tests_and_checks(reg, on, on, cal, settings, with_checks=False)
        if i.overdue
    }
    if not late:
        return late
    on_register = reg.db.execute(
        "SELECT id FROM persons WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0",
        [json.dumps(sorted(late))],
    )
    return {person for (person,) in on_register}
