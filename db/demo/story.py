"""Histories for the demo register: the world a story happens in, one person's story (episodes,
story tests and contacts) and how its episodes are numbered and stored.

A story starts from a positive test, a listing as a suspect, an addiction assessment or a
move-in and follows the paths in `db.demo.paths` (a decision within 3 working days, a year of
management, rehab, post-rehab for 1 or 2 years, the 2-year watch window...). Nothing happens
after the day the register is filled for; the routine tests and contacts that follow from the
episodes are made in `db.demo.routine`.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from db.core.dates import PartialDate, iso
from db.demo import names
from db.law.categories import Category
from db.law.rules import rule
from db.law.workdays import WorkCalendar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

C = Category
T = TypeVar("T")
_SPLIT: dict[Any, tuple[list[Any], list[int]]] = {}  # pick tables: values, cumulative weights


def rule_int(key: str, on: date) -> int:
    """A rule's value as a whole number (months of a period, an age)."""
    return int(rule(key, on).value)


class Draws(random.Random):
    """`random.Random` with `choice` and `randint` drawing the very same numbers in one call
    instead of three (choice → _randbelow, randint → randrange → _randbelow): the demo makes
    millions of draws. Same seed, same sequence as `random.Random`."""

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        n = len(seq)
        if not n:
            raise IndexError("Cannot choose from an empty sequence")
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return seq[r]

    def randint(self, a: int, b: int) -> int:
        n = b - a + 1
        if n <= 0:
            raise ValueError(f"empty range in randint({a}, {b})")
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return a + r


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


@dataclass(slots=True)
class Who:
    """What a story needs to know of its person."""

    id: str
    sex: str
    birth: PartialDate
    officer: str
    team: bytes  # the management team as stored (JSON), in UTF-8: half the memory of a str


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
    team: bytes = b"[]"
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


@dataclass(slots=True)
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

    def release_team(self) -> None:
        """Let the team's text go once the person and episodes are written."""
        self.who.team = b""
        for ep in self.episodes:
            ep.team = b""

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


EPISODE_COLUMNS = (
    "id", "person_id", "category", "decision_no", "decision_date", "signer", "start_date",
    "planned_end", "absence_days", "end_date", "end_kind", "end_reason", "moved_to",
    "moved_from", "notice_date", "team", "notes",
)  # fmt: skip


def episode_row(ep: Ep, person_id: str) -> tuple[Any, ...]:
    """An episode as stored, in the order of EPISODE_COLUMNS."""
    return (
        ep.id, person_id, ep.category.value, ep.decision_no, iso(ep.decision_date), ep.signer,
        ep.start.isoformat(), iso(ep.planned), ep.absence, iso(ep.end), ep.end_kind,
        ep.end_reason, ep.moved_to, ep.moved_from, iso(ep.notice), ep.team.decode(), ep.notes,
    )  # fmt: skip


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps makes one per call with options


def team_bytes(members: list[tuple[str, str, str, str]]) -> bytes:
    """A management team as stored (role, name, unit, phone), encoded in UTF-8."""
    members_json = [{"role": r, "name": n, "unit": u, "phone": p} for r, n, u, p in members]
    return _JSON.encode(members_json).encode()
