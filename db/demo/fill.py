"""A realistic synthetic register: a mountain commune of Sơn La with its villages and people.

`fill_demo(reg, persons=500)` writes villages, people, their episodes (as the law shapes them),
two years of drug tests and contacts, hotspots, prevention models, incidents and the commune's
settings, all dated relative to one day and never after it. The same seed and day give the same
rows (names, dates and ids); metadata timestamps are those of the moment of writing.

Bulk rows go through `db.demo.bulk` as tuples (one transaction and one change-log entry per
table; secondary indexes built after the rows).
Names and words are in `db.demo.names`, the histories in `db.demo.story`, routine tests and
contacts in `db.demo.routine`, villages, places and settings in `db.demo.places`; this module
makes the people and puts it all together.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import gc
import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any, TypeVar

from db.commune.holidays import work_calendar
from db.core.dates import PartialDate, add_months
from db.core.textfold import fold, sort_key
from db.demo import bulk, names, paths, person_rows, story
from db.demo import places as demo_places
from db.demo.places import Village, lower_first, random_name
from db.demo.routine import (
    CONTACT_COLUMNS,
    TEST_COLUMNS,
    contact_rows,
    handover_rows,
    test_rows,
)
from db.demo.story import Story, Who, World
from db.law.categories import Category
from db.store.records import insert_bulk
from db.store.register import Register

Progress = Callable[[str, int, int], None]
R = TypeVar("R")
# Names repeat a lot: fold and sort each one once.
_fold = functools.lru_cache(maxsize=1 << 16)(fold)
_sort_key = functools.lru_cache(maxsize=1 << 16)(sort_key)
C = Category
_HISTORY_DAYS = 1825  # stories start up to five years back
_TEST_DAYS = 730  # routine tests and contacts over the last two years


def fill_demo(
    reg: Register,
    persons: int = 500,
    seed: int = 1,
    on: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill the register with a demo commune as of `on` (default today); counts per table."""
    day = on or reg.today()
    report: Progress = progress or (lambda stage, done, total: None)
    existing = reg.db.execute("SELECT count(*) FROM persons").fetchone()[0]
    # Salted by what is already there, so a second fill never repeats the first one's ids.
    rng = story.Draws(f"sotheodoi-demo:{seed}:{existing}")
    world = World(rng, day, work_calendar(reg))
    note = f"Dữ liệu mẫu (seed {seed}, ngày {day.isoformat()})"
    counts: dict[str, int] = {}
    with _roomy_cache(reg), _no_gc():
        report("Tạo thôn, bản", 0, persons)
        villages = demo_places.villages(reg, world, persons)
        counts["villages"] = insert_bulk(
            reg, "villages", (v.row(reg.commune_id) for v in villages if v.new), note
        )
        report("Tạo người và lịch sử quản lý", 0, persons)
        people, stories = _people(world, villages, persons, report)
        person_rows.drop_taken_ids(reg, people)
        # Written in id order, so each index on a person's id grows at its end.
        people.sort(key=person_rows.packed_id)
        stories = sorted(stories, key=lambda s: s.who.id)
        rows_in_order = person_rows.in_order(people, reg.commune_id)
        del people  # the rows go as they are written
        counts["persons"] = bulk.write(
            reg, "persons", person_rows.PERSON_COLUMNS,
            _counted(rows_in_order, "Ghi người vào sổ", persons, report), note, "id",
        )  # fmt: skip
        episodes = [e for s in stories for e in s.episodes]
        story.number_decisions(episodes)
        rows = (story.episode_row(e, s.who.id) for s in stories for e in s.episodes)
        counts["episodes"] = bulk.write(
            reg, "episodes", story.EPISODE_COLUMNS,
            _counted(rows, "Ghi diện quản lý", len(episodes), report), note, "person_id",
        )  # fmt: skip
        del episodes
        for s in stories:  # written: the teams are no longer needed
            s.release_team()
        since = day - timedelta(days=_TEST_DAYS)
        tests = test_rows(story.Draws(f"{seed}:tests:{existing}"), stories, since, day)
        expected = 10 * persons
        counts["drug_tests"] = bulk.write(
            reg, "drug_tests", TEST_COLUMNS,
            _counted(tests, "Ghi kết quả xét nghiệm", expected, report), note, "person_id",
        )  # fmt: skip
        contacts = contact_rows(story.Draws(f"{seed}:contacts:{existing}"), stories, since, day)
        counts["contacts"] = bulk.write(
            reg, "contacts", CONTACT_COLUMNS,
            _counted(contacts, "Ghi kiểm tra, tiếp xúc", 4 * persons, report), note, "person_id",
        )  # fmt: skip
        handed = handover_rows(reg, story.Draws(f"{seed}:handover:{existing}"), day)
        counts["contacts"] += bulk.write(reg, "contacts", CONTACT_COLUMNS, handed, note)
        report("Ghi địa bàn, mô hình, vụ việc", 0, 1)
        counts.update(demo_places.places(reg, world, villages, stories, note))
        counts["settings"] = demo_places.settings(reg, day, villages, stories)
        del stories  # freed now, before the collector walks them
    report("Xong", 1, 1)
    return counts


@contextlib.contextmanager
def _roomy_cache(reg: Register) -> Iterator[None]:
    """A large page cache while bulk-writing: random UUID keys touch pages all over the indexes,
    and with the default 2 MB SQLite spills dirty pages to the WAL mid-transaction. At 100,000
    people 256 MB fills ~20% faster than 2 MB and as fast as 1 GB (which doubles the memory)."""
    old = reg.conn.execute("PRAGMA cache_size").fetchone()[0]
    reg.conn.execute("PRAGMA cache_size = -262144")  # KiB; taken only as far as needed
    try:
        yield
    finally:
        reg.conn.execute(f"PRAGMA cache_size = {int(old)}")


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while a million small objects are made (it would walk
    them all again and again and cost a third of the time); nothing made here is cyclic."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _counted(rows: Iterable[R], stage: str, total: int, report: Progress) -> Iterator[R]:
    """Pass rows through, telling the progress every 20,000 (total is an estimate)."""
    done = 0
    report(stage, 0, total)
    for row in rows:
        yield row
        done += 1
        if done % 20000 == 0:
            total = max(total, done + 1)
            report(stage, done, total)
    report(stage, done, max(total, done))


# --- people ----------------------------------------------------------------------------------

_ETHNIC_WEIGHTS = {
    mix: ([e for e, _ in table], [w for _, w in table]) for mix, table in names.MIXES.items()
}


def _birth(rng: random.Random, year: int) -> PartialDate:
    """~40% only a year, ~10% month and year, the rest a full date."""
    r = rng.random()
    if r < 0.4:
        return PartialDate(year)
    month = rng.randint(1, 12)
    if r < 0.5:
        return PartialDate(year, month)
    return PartialDate(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _id_number(rng: random.Random, year: int, sex: str, taken: set[str]) -> tuple[str, str]:
    """(number, kind): a CCCD agreeing with birth year and sex, an old CMND, or nothing."""
    r = rng.random()
    if r < 0.1:
        return "", ""
    while True:
        if r < 0.2 and year < 1995:  # no CMND was issued after 2021
            number, kind = f"{names.CMND_PREFIX}{rng.randrange(10**6):06d}", "cmnd"
        else:
            code = "014" if rng.random() < 0.85 else rng.choice(names.OTHER_PROVINCE_CODES)
            century_sex = (year // 100 - 19) * 2 + (sex == "F")
            number = f"{code}{century_sex}{year % 100:02d}{rng.randrange(10**6):06d}"
            kind = "cccd"
        if number not in taken:
            taken.add(number)
            return number, kind


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(names.PHONE_PREFIXES)}{rng.randrange(10**7):07d}"


def _relative(rng: random.Random, eth: names.Ethnic, family: str, sex: str) -> tuple[str, str]:
    """(relation, name) of a family member to contact."""
    relation = rng.choice(names.RELATIVES_M if sex == "M" else names.RELATIVES_F)
    if relation in ("Bố", "Anh trai", "Em trai"):
        name = f"{family} {eth.middle_m[0]} {rng.choice(eth.given_m)}"
    elif relation == "Chị gái":
        name = f"{family} {eth.middle_f[0]} {rng.choice(eth.given_f)}"
    else:
        other_sex = "M" if relation == "Chồng" else "F"
        name = random_name(rng, eth, other_sex)[0]
    return relation, name


STORY_KINDS = (("user", 50), ("addict", 22), ("suspect", 22), ("moved_in", 3))


def _person(world: World, village: Village, kind: str, start: date,
            taken: set[str]) -> tuple[dict[str, Any], Who]:  # fmt: skip
    """A person's row (without metadata) and what the story needs of them."""
    rng = world.rng
    sex = "M" if rng.random() < 0.88 else "F"
    ethnics, weights = _ETHNIC_WEIGHTS[village.mix]
    eth = rng.choices(ethnics, weights)[0]
    full_name, given = random_name(rng, eth, sex)
    low_age = 17 if kind in ("user", "suspect") else 19
    year = start.year - int(rng.triangular(low_age, 55, 24))
    birth = _birth(rng, year)
    number, id_kind = _id_number(rng, year, sex, taken)
    other = ""
    if rng.random() < 0.05:
        other = (
            f"{given} {rng.choice(names.NICKNAME_WORDS)}"
            if rng.random() < 0.6
            else rng.choice(names.NICKNAMES)
        )
    relation, relative = _relative(rng, eth, full_name.split(" ")[0], sex)
    family = f"{relation}: {relative}"
    if rng.random() < 0.5:
        family += f", {_phone(rng)}"
    address = _address(village.name)
    young = world.on.year - year < 20
    helper = random_name(rng, names.THAI if rng.random() < 0.6 else names.KINH, "M")[0]
    team = story.team_bytes([
        ("Tổ trưởng", village.officer, f"Công an xã {names.COMMUNE}", ""),
        ("Tổ phó", village.head, f"{village.title} {lower_first(village.name)}", ""),
        ("Thành viên", relative, f"Gia đình ({relation.lower()})", ""),
        ("Người được giao giúp đỡ", helper, rng.choice(names.HELPER_UNITS), _phone(rng)),
    ])  # fmt: skip
    row = {
        "id": world.uuid(), "full_name": full_name, "other_names": other,
        "birth_date": birth.iso(), "sex": sex, "ethnicity": eth.label, "id_number": number,
        "id_kind": id_kind, "village_id": village.id, "permanent_address": address,
        "current_address": address,
        "occupation": rng.choice(names.YOUNG_OCCUPATIONS if young else names.OCCUPATIONS),
        "phone": _phone(rng) if rng.random() < 0.6 else "", "family_contact": family,
        "notes": "",
        "name_folded": _fold(full_name),
        "search_text": " ".join(
            p for p in (_fold(full_name), _fold(other), number, village.folded) if p
        ),
        "sort_key": _sort_key(full_name),
    }  # fmt: skip
    return row, Who(row["id"], sex, birth, village.officer, team)


@functools.lru_cache(maxsize=4096)
def _address(village: str) -> str:
    """A village's address (one string for all its people)."""
    return f"{village}, xã {names.COMMUNE}, tỉnh {names.PROVINCE}"


def _story_start(rng: random.Random, on: date) -> date:
    """Half spread evenly over five years, half weighted to the past (the trend falls)."""
    u = rng.random()
    back = u * _HISTORY_DAYS if rng.random() < 0.5 else (u**0.5) * _HISTORY_DAYS
    return on - timedelta(days=int(back) + 3)


def _people(world: World, villages: list[Village], persons: int,
            report: Progress) -> tuple[list[person_rows.PersonRow], list[Story]]:  # fmt: skip
    """Every person and their story: the showcases and due work first, then random ones."""
    rng, on = world.rng, world.on
    # More people on the register in the Mông villages (opium, then heroin, in the past).
    cum = list(itertools.accumulate(v.population * (2 if v.mix == "mong" else 1) for v in villages))
    plans = _plans(world, persons)
    taken: set[str] = set()
    people: list[person_rows.PersonRow] = []
    stories: list[Story] = []
    for i in range(persons):
        if i < len(plans):
            kind, start, force = plans[i]
        else:
            kind, force = world.pick(STORY_KINDS), {}
            start = _story_start(rng, on)
        village = rng.choices(villages, cum_weights=cum)[0]
        row, who = _person(world, village, kind, start, taken)
        s = Story(world, who, dict(force))
        if i >= len(plans):
            s.quiet_tests = rng.randint(35, 80) if rng.random() < 0.05 else 0
            s.quiet_checks = rng.randint(35, 80) if rng.random() < 0.05 else 0
        _tell(s, kind, start)
        if s.moved_to:
            row["current_address"] = s.moved_to
        people.append(person_rows.pack(row))
        stories.append(s)
        if i % 5000 == 0:
            report("Tạo người và lịch sử quản lý", i, persons)
    return people, stories


def _tell(s: Story, kind: str, start: date) -> None:
    """Run the story of `kind` from `start`."""
    if kind == "user":
        paths.user_path(s, start)
    elif kind == "addict":
        paths.addict_path(s, start)
    elif kind == "suspect":
        paths.suspect_path(s, start)
    elif kind == "moved_in":
        paths.moved_in_path(s, start)
    elif kind == "undecided":
        s.test(start, positive=True)
    elif kind == "crime":
        paths.addict_path(s, start)
        paths.crime_after_post_rehab(s, s.w.after(s.w.on, -12, -1))
    elif kind == "unsent_move":
        paths.user_path(s, start)
        left = s.w.after(s.w.on, -12, -2)
        if any(e.open_on(left) for e in s.episodes):
            s.leave(left, "moved_away", notice=False)


Plan = tuple[str, date, Mapping[str, Any]]


def _plans(world: World, persons: int) -> list[Plan]:
    """Stories that must be there: one of each path, and some work due on `on`."""
    on, after = world.on, world.after
    k = max(2, round(persons * 0.004))
    left = max(1, calendar.monthrange(on.year, on.month)[1] - on.day - 5)
    few = max(1, k // 2)
    home = {"treatment": C.REHAB_HOME, "treat_outcome": "complete", "post_outcome": "term",
            "waiting": False, "home_months": 6}  # fmt: skip
    showcase: list[Plan] = [
        ("addict", add_months(on, -44), {"treatment": C.REHAB_COMPULSORY, "court_months": 12,
         "treat_outcome": "complete", "post_outcome": "term", "waiting": False}),
        ("addict", add_months(on, -22), home),
        ("addict", add_months(on, -3), {"treatment": C.REHAB_FACILITY, "waiting": False,
         "treat_outcome": "complete"}),
        ("addict", add_months(on, -10), {"treatment": C.METHADONE, "waiting": False,
         "treat_outcome": "ongoing"}),
        ("addict", add_months(on, -8), {"treatment": C.REHAB_COMPULSORY, "court_months": 24,
         "waiting": False, "treat_outcome": "complete"}),
        ("user", add_months(on, -4), {"user_outcome": "term"}),
        ("suspect", after(on, -20, -1), {"untested": True}),
        ("moved_in", add_months(on, -2), {"user_outcome": "term"}),
        ("suspect", add_months(on, -6), {"positive": False}),
    ]  # fmt: skip
    due: list[Plan] = []
    for _ in range(k):
        due.append(("undecided", after(on, -8, 0), {}))
        due.append(("suspect", after(on, -20, -1), {"untested": True}))
        # A management year ending this month (the decision follows within 3 working days).
        due.append(("user", after(add_months(on, -12), 1, left), {"user_outcome": "term"}))
    for _ in range(few):
        due.append(("crime", after(add_months(on, -18), -400, -60), home))
        due.append(("unsent_move", after(on, -300, -60), {"user_outcome": "term"}))
        due.append(("addict", after(on, -30, -3), {"waiting": True}))
        due.append(("addict", add_months(after(on, -4, -1), -6),
                    {**home, "post_decision": "pending"}))  # fmt: skip
        due.append(("addict", add_months(after(on, -10, -1), -6),
                    {**home, "post_file": "missing"}))  # fmt: skip
    return (showcase + due)[:persons]
