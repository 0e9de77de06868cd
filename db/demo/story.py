"""Histories for the demo register: each person's episodes as the law shapes them.

A story starts from a positive test, a listing as a suspect, an addiction assessment or a
move-in, and goes on the way `db.duties.actions` would take it (decision within 3 working days, a
year
of management, rehab, post-rehab for 1 or 2 years, the 2-year watch window...). Periods come
from `db.law.rules`; nothing happens after the day the register is filled for. The routine tests
and contacts that follow from the episodes are made in `db.demo.routine`.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from db.core.dates import PartialDate, add_months, age_on, iso
from db.demo import names
from db.law.categories import STOP_REASONS, Category
from db.law.rules import rule
from db.law.workdays import WorkCalendar
from db.persons.drugtests import RESULTS

C = Category
T = TypeVar("T")
_SPLIT: dict[Any, tuple[list[Any], list[int]]] = {}  # pick tables: values, cumulative weights


def rule_int(key: str, on: date) -> int:
    """A rule's value as a whole number (months of a period, an age)."""
    return int(rule(key, on).value)


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator: str(uuid.UUID(int=…, version=4)), faster."""
    x = rng.getrandbits(128)
    x = (x & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
    h = f"{x:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class World:
    """What every story shares: the generator, the day of filling and the working calendar."""

    rng: random.Random
    on: date
    cal: WorkCalendar

    def uuid(self) -> str:
        """A new row id."""
        return new_uuid(self.rng)

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self.rng.random() < p

    def pick(self, table: tuple[tuple[T, int], ...]) -> T:
        """One choice of a (value, weight) table."""
        split = _SPLIT.get(table)
        if split is None:
            split = _SPLIT[table] = (
                [v for v, _ in table],
                list(itertools.accumulate(w for _, w in table)),
            )
        return split[0][bisect.bisect(split[1], self.rng.random() * split[1][-1])]  # type: ignore[no-any-return]

    def after(self, day: date, low: int, high: int) -> date:
        """A day `low`..`high` calendar days after `day`."""
        return day + timedelta(days=self.rng.randint(low, high))

    def workdays_after(self, day: date, low: int, high: int) -> date:
        """A working day `low`..`high` working days after `day` (0: the next working day)."""
        n = self.rng.randint(low, high)
        return self.cal.add_working_days(day, n) if n else self.cal.next_working_day(day)


@dataclass
class Who:
    """What a story needs to know of its person."""

    id: str
    sex: str
    birth: PartialDate
    officer: str
    team: str  # the management team as stored (JSON)


@dataclass(slots=True)
class Ep:
    """An episode being written."""

    id: str
    category: Category
    start: date
    planned: date | None = None
    end: date | None = None
    end_kind: str | None = None
    end_reason: str = ""
    decision_date: date | None = None
    issuer: str = ""  # who numbers the decision: "ubnd", "court", "health"
    decision_no: str = ""
    signer: str = ""
    moved_to: str = ""
    moved_from: str = ""
    notice: date | None = None
    absence: int = 0
    team: str = "[]"
    notes: str = ""

    def open_on(self, day: date) -> bool:
        """Open on `day`, as the register counts it (the end day is no longer open)."""
        return self.start <= day and (self.end is None or self.end > day)


@dataclass(slots=True)
class Event:
    """A test or a contact that belongs to the story (not the routine ones)."""

    day: date
    kind: str
    positives: str = ""
    notes: str = ""


@dataclass
class Story:
    """One person's episodes, story tests and contacts; `force` fixes choices (showcases)."""

    w: World
    who: Who
    force: dict[str, Any] = field(default_factory=dict)
    episodes: list[Ep] = field(default_factory=list)
    tests: list[Event] = field(default_factory=list)
    contacts: list[Event] = field(default_factory=list)
    gone: date | None = None  # moved away, died, in prison, absconded: no more tests
    moved_to: str = ""
    quiet_tests: int = 0  # days before `on` without routine tests (overdue work)
    quiet_checks: int = 0

    def choose(self, name: str, table: tuple[tuple[T, int], ...]) -> T:
        """A forced choice if the story has one, else a weighted pick."""
        if name in self.force:
            return self.force[name]  # type: ignore[no-any-return]
        return self.w.pick(table)

    def open(self, category: Category, start: date, planned: date | None = None,
             **fields: Any) -> Ep:  # fmt: skip
        """Open an episode (a management team comes with user, home rehab and post-rehab)."""
        ep = Ep(self.w.uuid(), category, start, planned, **fields)
        if category in (C.USER, C.REHAB_HOME, C.POST_REHAB):
            ep.team = self.who.team
        if ep.issuer == "ubnd":
            ep.decision_date = ep.decision_date or start
            ep.signer = names.VICE_CHAIRMAN if self.w.chance(0.2) else names.CHAIRMAN
        elif ep.issuer == "court":
            after = ep.start >= date(2025, 7, 1)
            ep.decision_date = self.w.after(start, -30, -7)
            ep.signer = names.COURT_AFTER if after else names.COURT_BEFORE
        elif ep.issuer == "health":
            ep.decision_date = start
            after = ep.start >= date(2025, 7, 1)
            ep.signer = names.HEALTH_AFTER if after else names.HEALTH_BEFORE
        self.episodes.append(ep)
        if category == C.USER and ep.moved_from == "":
            # A new user's residence is verified within 3 working days (NĐ 105 Điều 41).
            self.contact(self.w.workdays_after(start, 0, 3), "residence_check")
        return ep

    def close(self, ep: Ep, day: date, kind: str, reason: str = "") -> None:
        """End an episode."""
        ep.end, ep.end_kind, ep.end_reason = day, kind, reason

    def close_open(self, day: date, categories: Sequence[Category], kind: str,
                   reason: str = "") -> None:  # fmt: skip
        """End the episodes of these categories open on `day`."""
        for ep in self.episodes:
            if ep.category in categories and ep.open_on(day):
                self.close(ep, day, kind, reason)

    def is_open(self, category: Category, day: date) -> bool:
        """Whether an episode of `category` is open on `day`."""
        return any(e.category == category and e.open_on(day) for e in self.episodes)

    def leave(self, day: date, kind: str, *, notice: bool = True) -> None:
        """Moved away, absconded, died or to prison: every open episode ends (actions._end_all)."""
        moved_to = ""
        if kind == "moved_away":
            commune, province = self.w.rng.choice(names.OTHER_COMMUNES)
            moved_to = self.moved_to = f"{commune}, {province}"
        sent = self.w.workdays_after(day, 0, 4) if notice else None
        for ep in self.episodes:
            if ep.open_on(day):
                self.close(ep, day, kind)
                ep.moved_to = moved_to
                if kind == "moved_away" and sent is not None and sent <= self.w.on:
                    ep.notice = sent
        self.gone = day

    def test(self, day: date, positive: bool) -> None:
        """A surprise test of the story (the positive that starts a decision, a relapse)."""
        if day <= self.w.on:
            hit = self.w.rng.choice(names.POSITIVES) if positive else ""
            self.tests.append(Event(day, "surprise", hit))

    def contact(self, day: date, kind: str, notes: str = "") -> None:
        """A contact of the story (residence check of a new user, report after release)."""
        if day <= self.w.on:
            self.contacts.append(Event(day, kind, notes=notes))


# --- the paths -------------------------------------------------------------------------------

USER_OUTCOMES = (
    ("term", 58), ("relapse", 12), ("addicted", 12), ("moved_away", 6), ("absconded", 4),
    ("prison", 4), ("education", 3), ("died", 1),
)  # fmt: skip
TREATMENTS = (
    (C.REHAB_HOME, 35), (C.METHADONE, 25), (C.REHAB_COMPULSORY, 30), (C.REHAB_FACILITY, 10),
)  # fmt: skip
TREAT_OUTCOMES = {
    C.REHAB_HOME: (("complete", 80), ("quit", 20)),
    C.REHAB_FACILITY: (("complete", 88), ("quit", 12)),
    C.REHAB_COMPULSORY: (("complete", 95), ("absconded", 5)),
    C.METHADONE: (("ongoing", 75), ("quit", 25)),
}
POST_OUTCOMES = (
    ("term", 85), ("relapse", 5), ("moved_away", 5), ("absconded", 3), ("died", 2),
)  # fmt: skip


def user_path(s: Story, tested: date, *, recorded: bool = False) -> None:
    """A positive test, the management decision within 3 working days, and the year after."""
    w = s.w
    if not recorded:
        s.test(tested, positive=True)
    decision = w.workdays_after(tested, 0, 3)
    if decision > w.on:
        return  # not decided yet: the due list asks for the decision
    planned = add_months(decision, rule_int("management_period", decision))
    manage(s, s.open(C.USER, decision, planned, issuer="ubnd"))


def manage(s: Story, ep: Ep) -> None:
    """A management year: it ends at term, restarts on a new use, or ends early."""
    w = s.w
    while True:
        assert ep.planned is not None
        outcome = s.choose("user_outcome", USER_OUTCOMES)
        span = (ep.planned - ep.start).days
        day = w.after(ep.start, 20, max(21, span - 5))
        if outcome == "term" or day > w.on:
            if ep.planned <= w.on:
                s.close(ep, ep.planned, "term")
                again = w.after(ep.planned, 60, 700)
                if w.chance(0.08) and again <= w.on:
                    user_path(s, again)
            return
        if outcome == "relapse":
            s.test(day, positive=True)
            decision = w.workdays_after(day, 0, 3)
            if decision > w.on:
                return
            s.close(ep, decision, "superseded")
            planned = add_months(decision, rule_int("management_period", decision))
            ep = s.open(C.USER, decision, planned, issuer="ubnd")
            continue
        if outcome == "addicted":
            s.close(ep, day, "stopped", STOP_REASONS["addicted"])
            addict_path(s, day)
        elif outcome == "education":
            s.close(ep, day, "stopped", STOP_REASONS["education_facility"])
            s.gone = day
        else:
            s.leave(day, outcome, notice=not w.chance(0.03))
        return


def addict_path(s: Story, found: date) -> None:
    """Found addicted by a health facility; treatment should follow within 5 working days."""
    w = s.w
    s.close_open(found, (C.SUSPECT,), "tested", RESULTS["positive"])
    s.open(C.ADDICT, found, issuer="health")
    cat = s.choose("treatment", TREATMENTS)
    compulsory = cat == C.REHAB_COMPULSORY
    # A compulsory rehab file goes to court; voluntary treatment starts within 5 working days.
    start = w.after(found, 30, 100) if compulsory else w.workdays_after(found, 1, 5)
    waiting = s.force.get("waiting", (w.on - found).days < 40 and w.chance(0.3))
    if start > w.on or waiting:
        return  # not yet in treatment: on the due list
    treat(s, cat, start)


def _adult(s: Story, day: date) -> bool:
    return age_on(s.who.birth, day)[0] >= rule_int("adult_age", day)


def treat(s: Story, cat: Category, start: date) -> None:
    """Rehab or methadone (actions.start_treatment), then its end."""
    w = s.w
    if cat == C.REHAB_COMPULSORY and not _adult(s, start):
        cat = C.REHAB_HOME  # compulsory rehab is for adults only
    reason = "compulsory_rehab" if cat == C.REHAB_COMPULSORY else "addicted"
    s.close_open(start, (C.USER, C.POST_REHAB), "stopped", STOP_REASONS[reason])
    s.close_open(start, (C.SUSPECT, C.WATCH), "stopped", "Bắt đầu cai nghiện / điều trị")
    if not s.is_open(C.ADDICT, start):
        s.open(C.ADDICT, start)
    planned: date | None = None
    fields: dict[str, Any] = {}
    if cat == C.REHAB_HOME:
        low, high = rule_int("rehab_home_min", start), rule_int("rehab_home_max", start)
        planned = add_months(start, s.force.get("home_months", w.rng.randint(low, high)))
        fields = {"issuer": "ubnd"}
    elif cat == C.REHAB_FACILITY:
        planned = add_months(start, w.rng.choice((6, 6, 9, 12)))
        fields = {"notes": f"Hợp đồng cai nghiện tự nguyện tại {names.REHAB_FACILITY}"}
    elif cat == C.REHAB_COMPULSORY:
        planned = add_months(start, s.force.get("court_months", w.rng.choice((12, 18, 24))))
        fields = {"issuer": "court", "notes": f"Chấp hành tại {names.REHAB_FACILITY}"}
    else:
        fields = {"notes": f"Điều trị tại {names.METHADONE_CLINIC}"}
    ep = s.open(cat, start, planned, **fields)
    outcome = s.choose("treat_outcome", TREAT_OUTCOMES[cat])
    span = ((planned or w.on) - start).days
    day = w.after(start, 30, max(31, span - 10))
    if outcome == "quit" and day <= w.on:
        s.close(ep, day, "quit", "Tự ý bỏ cai nghiện / điều trị")
        watch(s, day)
        # Back to treatment: compulsory rehab, or methadone again (closes the watch window).
        again = C.REHAB_COMPULSORY if w.chance(0.6) else C.METHADONE
        later = w.after(day, 20, 90)
        if later <= w.on:
            treat(s, again, later)
    elif outcome == "absconded" and day <= w.on:
        s.leave(day, "absconded")
    elif outcome == "complete" and planned is not None and planned <= w.on:
        if s.force.get("post_file") == "missing":
            s.close(ep, planned, "completed")
            s.close_open(planned, (C.ADDICT,), "completed")
            return
        release(s, ep, planned)


def release(s: Story, ep: Ep, day: date) -> None:
    """Rehab completed (actions.release_from_rehab): post-rehab management for 1 or 2 years."""
    w = s.w
    s.close(ep, day, "completed")
    s.close_open(day, (C.ADDICT,), "completed")
    if ep.category == C.REHAB_COMPULSORY:
        s.contact(w.workdays_after(day, 1, 5), "report_in", "Trình diện sau khi chấp hành xong")
    months = rule_int("post_rehab_period", day)
    if ep.category == C.REHAB_COMPULSORY and age_on(s.who.birth, day)[1] >= rule_int(
        "adult_age", day
    ):
        months = rule_int("post_rehab_period_compulsory_adult", day)
    absence = w.rng.randint(3, 45) if w.chance(0.05) else 0
    planned = add_months(day, months) + timedelta(days=absence)
    decided = w.workdays_after(day, 1, 5)
    if s.force.get("post_decision") == "pending" or decided > w.on:
        post = s.open(C.POST_REHAB, day, planned, absence=absence)
    else:
        post = s.open(C.POST_REHAB, day, planned, absence=absence, issuer="ubnd",
                      decision_date=decided)  # fmt: skip
    outcome = s.choose("post_outcome", POST_OUTCOMES)
    when = w.after(day, 30, max(31, (planned - day).days - 10))
    if outcome != "term" and when <= w.on:
        if outcome == "relapse":
            s.test(when, positive=True)
            found = w.workdays_after(when, 1, 5)
            if found <= w.on:
                s.close(post, found, "stopped", STOP_REASONS["addicted"])
                s.force["treatment"] = C.REHAB_COMPULSORY
                addict_path(s, found)
        else:
            s.leave(when, outcome)
        return
    if planned <= w.on:
        s.close(post, planned, "term")
        watch(s, planned)


def watch(s: Story, start: date) -> None:
    """The 2-year watch window, if the law creating it is in force before it would end."""
    window = rule("watch_window", start)
    planned = add_months(start, int(window.value))
    if planned <= window.effective or s.is_open(C.WATCH, start):
        return
    ep = s.open(C.WATCH, start, planned)
    if planned <= s.w.on:
        s.close(ep, planned, "term")


def suspect_path(s: Story, listed: date) -> None:
    """Listed as a suspect and tested: negative ends it, positive leads to a decision."""
    w = s.w
    ep = s.open(C.SUSPECT, listed, notes=w.rng.choice(names.SUSPECT_NOTES))
    tested = w.after(listed, 0, 12)
    if s.force.get("untested") or tested > w.on:
        return
    positive = s.force.get("positive", w.chance(0.3))
    s.test(tested, positive)
    s.close(ep, tested, "tested", RESULTS["positive" if positive else "negative"])
    if positive and w.chance(0.25):
        addict_path(s, w.workdays_after(tested, 2, 10))
    elif positive:
        user_path(s, tested, recorded=True)


def moved_in_path(s: Story, arrived: date) -> None:
    """A managed user moved in: the old commune's decision and its remaining time carry over."""
    w = s.w
    commune, province = w.rng.choice(names.OTHER_COMMUNES)
    decided = w.after(arrived, -300, -30)
    planned = add_months(decided, rule_int("management_period", decided))
    ep = s.open(
        C.USER, arrived, planned, moved_from=f"{commune}, {province}", decision_date=decided,
        decision_no=f"{w.rng.randint(3, 160)}/QĐ-UBND", signer=f"Chủ tịch UBND {commune}",
    )  # fmt: skip
    s.contact(w.workdays_after(arrived, 0, 2), "report_in", f"Chuyển đến từ {commune}")
    manage(s, ep)


# --- decisions and rows ----------------------------------------------------------------------

_FORMS = {"ubnd": "QĐ-UBND", "court": "QĐ-TA", "health": "PKQ-TTYT"}


def number_decisions(episodes: list[Ep]) -> None:
    """Number the decisions per issuer and year in the order they were made."""
    made = sorted((e for e in episodes if e.issuer and e.decision_date), key=_decision_order)
    counters: dict[tuple[str, int], int] = {}
    for ep in made:
        assert ep.decision_date is not None
        key = (ep.issuer, ep.decision_date.year)
        counters[key] = counters.get(key, 0) + 1
        ep.decision_no = f"{counters[key]}/{_FORMS[ep.issuer]}"


def _decision_order(ep: Ep) -> tuple[date, str]:
    assert ep.decision_date is not None
    return ep.decision_date, ep.id


def episode_row(ep: Ep, person_id: str) -> dict[str, Any]:
    """An episode as stored."""
    return {
        "id": ep.id, "person_id": person_id, "category": ep.category.value,
        "decision_no": ep.decision_no, "decision_date": iso(ep.decision_date),
        "signer": ep.signer, "start_date": ep.start.isoformat(), "planned_end": iso(ep.planned),
        "absence_days": ep.absence, "end_date": iso(ep.end), "end_kind": ep.end_kind,
        "end_reason": ep.end_reason, "moved_to": ep.moved_to, "moved_from": ep.moved_from,
        "notice_date": iso(ep.notice), "team": ep.team, "notes": ep.notes,
    }  # fmt: skip


def team_json(members: list[tuple[str, str, str, str]]) -> str:
    """A management team as stored: role, name, unit, phone."""
    return json.dumps(
        [{"role": r, "name": n, "unit": u, "phone": p} for r, n, u, p in members],
        ensure_ascii=False,
    )
