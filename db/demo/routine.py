"""Routine tests and contacts for the demo register, following each person's episodes.

People under management are tested about monthly and their residence checked about monthly;
people in the watch window or no longer managed are tested now and then by surprise; nobody is
tested at home while in a facility or after leaving. Rows are made lazily, one person at a
time, so a million tests never sit in memory at once. Signs of a crime (Art. 256a) older than
two weeks get their recorded hand-over to the investigating police.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from db.demo import names
from db.demo.story import Story, new_uuid
from db.duties import crime
from db.law.categories import IN_FACILITY, RESIDENCE_CHECKED, Category
from db.store.register import Register

C = Category
MANAGED = frozenset(RESIDENCE_CHECKED)  # user, addict, home rehab, methadone, post-rehab
_DAY = timedelta(days=1)
RECENT_CHECK_DAYS = 120  # residence checks entered monthly for the last ~4 months
# Rows are tuples in these column orders (db.demo.bulk writes them).
Row = tuple[Any, ...]
TEST_COLUMNS = (
    "id", "person_id", "test_date", "kind", "method", "substances", "positives", "result",
    "officer", "place", "notes",
)  # fmt: skip
CONTACT_COLUMNS = ("id", "person_id", "contact_date", "kind", "at_address", "officer", "notes")


@dataclass(frozen=True, slots=True)
class Segment:
    """Days start..stop (exclusive) during which the same open categories hold."""

    start: date
    stop: date
    regime: str  # "managed", "watch", "free", "none"
    cats: frozenset[Category]


def segments(s: Story, start: date, stop: date) -> list[Segment]:
    """The person's regimes between `start` and `stop` (exclusive)."""
    cuts = {start, stop}
    for ep in s.episodes:
        for day in (ep.start, ep.end):
            if day is not None and start < day < stop:
                cuts.add(day)
    if s.gone is not None and start < s.gone < stop:
        cuts.add(s.gone)
    ordered = sorted(cuts)
    found: list[Segment] = []
    for a, b in itertools.pairwise(ordered):
        cats = frozenset(e.category for e in s.episodes if e.open_on(a))
        if (s.gone is not None and a >= s.gone) or cats & frozenset(IN_FACILITY):
            regime = "none"
        elif cats & MANAGED:
            regime = "managed"
        elif C.WATCH in cats:
            regime = "watch"
        elif cats:
            regime = "none"  # a suspect: tested by the story
        else:
            regime = "free" if s.episodes else "none"
        if found and found[-1].regime == regime and regime != "managed":
            found[-1] = Segment(found[-1].start, b, regime, found[-1].cats | cats)
        elif found and found[-1].regime == regime and found[-1].cats == cats:
            found[-1] = Segment(found[-1].start, b, regime, cats)
        else:
            found.append(Segment(a, b, regime, cats))
    return found


def _test_days(rng: random.Random, seg: Segment) -> Iterator[tuple[date, str, str]]:
    """(day, kind, positives) of routine tests in one segment."""
    if seg.regime == "managed":
        relapse = C.ADDICT in seg.cats
        methadone = C.METHADONE in seg.cats
        day = seg.start + timedelta(days=rng.randint(2, 20))
        while day < seg.stop:
            hit = ""
            if relapse and rng.random() < 0.02:
                hit = rng.choice(("MOP", "MET")) if methadone else rng.choice(names.POSITIVES)
            yield day, "periodic", hit
            step = rng.randint(24, 30)
            if rng.random() < 0.1:
                extra = day + timedelta(days=rng.randint(3, step - 3))
                if extra < seg.stop:
                    yield extra, "surprise", ""
            day += timedelta(days=step)
    elif seg.regime in ("watch", "free"):
        low, high = (80, 160) if seg.regime == "watch" else (100, 240)
        day = seg.start + timedelta(days=rng.randint(20, low))
        while day < seg.stop:
            if seg.regime == "watch" or rng.random() < 0.6:
                yield day, "surprise", ""
            day += timedelta(days=rng.randint(low, high))


def _test_row(rng: random.Random, s: Story, day: date, kind: str, hit: str,
              panel: str | None) -> Row:  # fmt: skip
    substances = panel or rng.choice(names.PANELS)
    for code in hit.split(",") if hit else ():
        if code not in substances.split(","):
            substances += f",{code}"
    r = rng.random()
    method = "urine_strip" if r < 0.92 else "urine_lab" if r < 0.97 else "blood"
    # A same-sex officer observes the urine sample.
    officer = rng.choice(names.OFFICERS_F) if s.who.sex == "F" else s.who.officer
    return (
        new_uuid(rng), s.who.id, day.isoformat(), kind, method, substances, hit,
        "positive" if hit else "negative", officer, rng.choice(names.TEST_PLACES),
        "Đã báo cáo Chủ tịch UBND xã" if hit else "",
    )  # fmt: skip


def test_rows(rng: random.Random, stories: Iterable[Story], since: date,
              on: date) -> Iterator[Row]:  # fmt: skip
    """Every test: the stories' own, then the routine ones from `since` to `on`."""
    stop = on + _DAY
    for s in stories:
        for event in s.tests:
            yield _test_row(rng, s, event.day, event.kind, event.positives, None)
        quiet = on - timedelta(days=s.quiet_tests) if s.quiet_tests else stop
        for seg in segments(s, since, stop):
            panel = names.METHADONE_PANEL if C.METHADONE in seg.cats else None
            for day, kind, hit in _test_days(rng, seg):
                if day < quiet:
                    yield _test_row(rng, s, day, kind, hit, panel)


def _contact_days(rng: random.Random, seg: Segment, recent: date) -> Iterator[tuple[date, str]]:
    """Monthly residence checks since `recent`; before it, only the checks entered from the
    paper books, about one a quarter. Visits, counselling and job support now and then."""
    if seg.regime == "managed":
        day = seg.start + timedelta(days=rng.randint(1, 12))
        while day < seg.stop:
            yield day, "residence_check"
            r = rng.random()
            if r < 0.12:
                yield day, "home_visit"
            elif r < 0.22:
                yield day, "counselling"
            elif r < 0.34 and C.POST_REHAB in seg.cats:
                yield day, "job_support"
            day += timedelta(days=rng.randint(22, 30) if day >= recent else rng.randint(90, 150))
    elif seg.regime == "watch":
        day = seg.start + timedelta(days=rng.randint(30, 120))
        while day < seg.stop:
            if rng.random() < 0.6:
                yield day, "home_visit"
            day += timedelta(days=rng.randint(90, 180))


_NOTES = {
    "home_visit": "Thăm gia đình, động viên không tái sử dụng",
    "counselling": "Tư vấn, giáo dục về tác hại của ma túy",
    "job_support": "Giới thiệu việc làm, vay vốn sản xuất",
    "report_in": "Trình diện Công an xã",
}


def _contact_row(rng: random.Random, s: Story, day: date, kind: str,
                 notes: str = "") -> Row:  # fmt: skip
    at_address: int | None = None
    if kind == "residence_check":
        at_address = 0 if rng.random() < 0.05 else 1
        notes = rng.choice(names.CHECK_ABSENT) if at_address == 0 else "Có mặt tại nơi cư trú"
    return (
        new_uuid(rng), s.who.id, day.isoformat(), kind, at_address, s.who.officer,
        notes or _NOTES.get(kind, ""),
    )  # fmt: skip


def contact_rows(rng: random.Random, stories: Iterable[Story], since: date,
                 on: date) -> Iterator[Row]:  # fmt: skip
    """Every contact: the stories' own, then monthly checks and visits from `since` to `on`."""
    stop = on + _DAY
    recent = on - timedelta(days=RECENT_CHECK_DAYS)
    for s in stories:
        for event in s.contacts:
            yield _contact_row(rng, s, event.day, event.kind, event.notes)
        quiet = on - timedelta(days=s.quiet_checks) if s.quiet_checks else stop
        for seg in segments(s, since, stop):
            for day, kind in _contact_days(rng, seg, recent):
                if day < quiet:
                    yield _contact_row(rng, s, day, kind)


# Signs of a crime found this many days before the fill day are not yet handed over.
_HANDOVER_PENDING_DAYS = 14


def handover_rows(reg: Register, rng: random.Random, on: date) -> list[Row]:
    """The hand-over to the investigating police of each sign of a crime (Art. 256a) found
    before the last two weeks, a few days after the test, as the commune would have recorded
    it; the recent ones stay on the due list."""
    found: dict[str, list[tuple[date, list[str]]]] = {}
    for person_id, tested, positives in reg.db.execute(
        "SELECT person_id, test_date, positives FROM drug_tests WHERE deleted = 0 "
        "AND result = 'positive' AND test_date >= ? AND test_date < ? ORDER BY test_date",
        [crime.law_start().isoformat(), (on - timedelta(days=_HANDOVER_PENDING_DAYS)).isoformat()],
    ):
        found.setdefault(person_id, []).append((date.fromisoformat(tested), positives.split(",")))
    history = crime.history_of(reg, found)
    rows = []
    for person_id, tests in sorted(found.items()):
        for tested, codes in tests:
            if crime.read(history[person_id], tested, codes).crime:
                rows.append((
                    new_uuid(rng), person_id,
                    (tested + timedelta(days=rng.randint(1, 5))).isoformat(),
                    crime.HANDOVER_KIND, None, rng.choice(names.OFFICERS_M), crime.HANDOVER_NOTE,
                ))  # fmt: skip
    return rows
