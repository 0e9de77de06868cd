"""A realistic synthetic register: a mountain commune of Sơn La with its villages and people.

`fill_demo(reg, persons=500)` writes villages, people, their episodes (as the law shapes them),
two years of drug tests and contacts, hotspots, prevention models, incidents and the commune's
settings, all dated relative to one day and never after it. The same seed and day give the same
rows (names, dates and ids); metadata timestamps are those of the moment of writing.

Bulk rows go through `records.insert_bulk` (one transaction and one change-log entry per table):
100,000 people with a million tests take well under a minute. Names and words are in
`db.demo_names`, the histories in `db.demo_story`, routine tests and contacts in
`db.demo_routine`.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import gc
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from db import demo_names as names
from db import demo_story as story
from db.categories import Category
from db.dates import PartialDate, add_months
from db.demo_routine import contact_rows, test_rows
from db.demo_story import Story, Who, World
from db.holidays import work_calendar
from db.records import insert_bulk
from db.register import Register
from db.settings import SETTINGS, get_settings, save_settings
from db.textfold import fold, sort_key

Progress = Callable[[str, int, int], None]
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
    rng = random.Random(f"sotheodoi-demo:{seed}:{existing}")
    world = World(rng, day, work_calendar(reg))
    note = f"Dữ liệu mẫu (seed {seed}, ngày {day.isoformat()})"
    counts: dict[str, int] = {}
    with _roomy_cache(reg), _no_gc():
        report("Tạo thôn, bản", 0, persons)
        villages = _villages(reg, world, persons)
        counts["villages"] = insert_bulk(
            reg, "villages", (v.row(reg.commune_id) for v in villages if v.new), note
        )
        report("Tạo người và lịch sử quản lý", 0, persons)
        people, stories = _people(world, villages, persons, report)
        _check_unique_ids(reg, people)
        # Written in id order, so each index on a person's id grows at its end.
        people.sort(key=lambda p: str(p["id"]))
        stories = sorted(stories, key=lambda s: s.who.id)
        counts["persons"] = insert_bulk(
            reg, "persons", _stamped(people, reg.commune_id, "Ghi người vào sổ", report), note
        )
        episodes = [e for s in stories for e in s.episodes]
        story.number_decisions(episodes)
        rows = (story.episode_row(e, s.who.id) for s in stories for e in s.episodes)
        counts["episodes"] = insert_bulk(
            reg, "episodes", _counted(rows, "Ghi diện quản lý", len(episodes), report), note
        )
        since = day - timedelta(days=_TEST_DAYS)
        tests = test_rows(random.Random(f"{seed}:tests:{existing}"), stories, since, day)
        expected = 10 * persons
        counts["drug_tests"] = insert_bulk(
            reg, "drug_tests", _counted(tests, "Ghi kết quả xét nghiệm", expected, report), note
        )
        contacts = contact_rows(random.Random(f"{seed}:contacts:{existing}"), stories, since, day)
        counts["contacts"] = insert_bulk(
            reg, "contacts", _counted(contacts, "Ghi kiểm tra, tiếp xúc", 4 * persons, report),
            note,
        )  # fmt: skip
    report("Ghi địa bàn, mô hình, vụ việc", 0, 1)
    counts.update(_places(reg, world, villages, stories, note))
    counts["settings"] = _settings(reg, day, villages, stories)
    report("Xong", 1, 1)
    return counts


@contextlib.contextmanager
def _roomy_cache(reg: Register) -> Iterator[None]:
    """A large page cache while bulk-writing (random UUID keys touch pages all over the
    indexes; the default 2 MB cache makes SQLite spill dirty pages to the WAL mid-transaction)."""
    old = reg.conn.execute("PRAGMA cache_size").fetchone()[0]
    reg.conn.execute("PRAGMA cache_size = -1000000")  # up to ~1 GB, only as far as needed
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


def _counted(rows: Iterable[dict[str, Any]], stage: str, total: int,
             report: Progress) -> Iterator[dict[str, Any]]:  # fmt: skip
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


# --- villages --------------------------------------------------------------------------------


class Village:
    """A village of the demo commune, its people's mix, head and the officer in charge."""

    def __init__(self, world: World, name: str, kind: str, mix: str, existing: str | None):
        rng = world.rng
        self.name, self.kind, self.mix = name, kind, mix
        self.id = existing or world.uuid()
        self.new = existing is None
        self.folded = fold(name)
        self.population = rng.randint(350, 2400)
        self.head = _random_name(rng, names.KINH if mix == "kinh" else names.THAI, "M")[0]
        self.officer = rng.choice(names.OFFICERS_M)
        self.drug_free = mix != "mong" and rng.random() < 0.3
        self.since = world.after(world.on, -900, -120)

    @property
    def title(self) -> str:
        """What its head is called."""
        return "Tổ trưởng" if self.kind == "tổ dân phố" else "Trưởng"

    def row(self, commune_id: str) -> dict[str, Any]:
        """The village as stored."""
        return {
            "id": self.id, "commune_id": commune_id, "name": self.name,
            "name_folded": self.folded, "kind": self.kind, "population": self.population,
            "households": self.population * 10 // 45, "drug_free": int(self.drug_free),
            "drug_free_since": self.since.isoformat() if self.drug_free else None,
            "notes": f"{self.title} {self.kind}: {self.head}",
        }  # fmt: skip


def _lower_first(name: str) -> str:
    """ "Bản Pá Khôm" → "bản Pá Khôm", as it reads inside a sentence."""
    return name[:1].lower() + name[1:]


def _village_names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Village (name, kind, mix): the hand-picked ones first, then made-up ones."""
    chosen = rng.sample(names.VILLAGES, min(count, len(names.VILLAGES)))
    seen = {name for name, _, _ in chosen}
    repeats: dict[str, int] = {}
    quarter = {"tiểu khu": 3, "tổ dân phố": 4}
    while len(chosen) < count:
        if rng.random() < 0.8:
            first = rng.choice(names.VILLAGE_FIRST)
            base = f"Bản {first} {rng.choice(names.VILLAGE_SECOND)}"
            mix = "mong" if first in names.MONG_FIRST and rng.random() < 0.5 else "thai"
            kind = "bản"
        else:
            kind = rng.choice(("tiểu khu", "tổ dân phố"))
            quarter[kind] += 1
            base, mix = f"{kind.capitalize()} {quarter[kind]}", "kinh"
        n = repeats[base] = repeats.get(base, 0) + 1
        name = base if n == 1 else f"{base} {n}"
        if name not in seen:
            seen.add(name)
            chosen.append((name, kind, mix))
    return chosen


def _villages(reg: Register, world: World, persons: int) -> list[Village]:
    """8–15 villages for a commune; one per 40 people for a province-sized demo.

    A village the register already has (by folded name) is used, not added again.
    """
    existing = {
        str(r[0]): str(r[1])
        for r in reg.db.execute("SELECT name_folded, id FROM villages WHERE deleted = 0")
    }
    count = max(8, min(15, 8 + persons // 100)) if persons < 600 else max(15, persons // 40)
    return [
        Village(world, name, kind, mix, existing.get(fold(name)))
        for name, kind, mix in _village_names(world.rng, count)
    ]


# --- people ----------------------------------------------------------------------------------

_ETHNIC_WEIGHTS = {
    mix: ([e for e, _ in table], [w for _, w in table]) for mix, table in names.MIXES.items()
}


def _random_name(rng: random.Random, eth: names.Ethnic, sex: str) -> tuple[str, str]:
    """(full name, given name) of a person of `eth`."""
    male = sex == "M"
    given = rng.choice(eth.given_m if male else eth.given_f)
    middle = rng.choice(eth.middle_m if male else eth.middle_f)
    return f"{rng.choice(eth.families)} {middle} {given}", given


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
        name = _random_name(rng, eth, other_sex)[0]
    return relation, name


STORY_KINDS = (("user", 50), ("addict", 22), ("suspect", 22), ("moved_in", 3))


def _person(world: World, village: Village, kind: str, start: date,
            taken: set[str]) -> tuple[dict[str, Any], Who]:  # fmt: skip
    """A person's row (without metadata) and what the story needs of them."""
    rng = world.rng
    sex = "M" if rng.random() < 0.88 else "F"
    ethnics, weights = _ETHNIC_WEIGHTS[village.mix]
    eth = rng.choices(ethnics, weights)[0]
    full_name, given = _random_name(rng, eth, sex)
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
    address = f"{village.name}, xã {names.COMMUNE}, tỉnh {names.PROVINCE}"
    young = world.on.year - year < 20
    helper = _random_name(rng, names.THAI if rng.random() < 0.6 else names.KINH, "M")[0]
    team = story.team_json([
        ("Tổ trưởng", village.officer, f"Công an xã {names.COMMUNE}", ""),
        ("Tổ phó", village.head, f"{village.title} {_lower_first(village.name)}", ""),
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


def _story_start(rng: random.Random, on: date) -> date:
    """Half spread evenly over five years, half weighted to the past (the trend falls)."""
    u = rng.random()
    back = u * _HISTORY_DAYS if rng.random() < 0.5 else (u**0.5) * _HISTORY_DAYS
    return on - timedelta(days=int(back) + 3)


def _people(world: World, villages: list[Village], persons: int,
            report: Progress) -> tuple[list[dict[str, Any]], list[Story]]:  # fmt: skip
    """Every person and their story: the showcases and due work first, then random ones."""
    rng, on = world.rng, world.on
    weights = [v.population * (2 if v.mix == "mong" else 1) for v in villages]
    cum = [sum(weights[: i + 1]) for i in range(len(weights))]
    plans = _plans(world, persons)
    taken: set[str] = set()
    people: list[dict[str, Any]] = []
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
        people.append(row)
        stories.append(s)
        if i % 5000 == 0:
            report("Tạo người và lịch sử quản lý", i, persons)
    return people, stories


def _tell(s: Story, kind: str, start: date) -> None:
    """Run the story of `kind` from `start`."""
    if kind == "user":
        story.user_path(s, start)
    elif kind == "addict":
        story.addict_path(s, start)
    elif kind == "suspect":
        story.suspect_path(s, start)
    elif kind == "moved_in":
        story.moved_in_path(s, start)
    elif kind == "undecided":
        s.test(start, positive=True)
    elif kind == "crime":
        story.addict_path(s, start)
        recent = s.w.after(s.w.on, -20, -1)
        if s.is_open(C.WATCH, recent):
            s.test(recent, positive=True)
    elif kind == "unsent_move":
        story.user_path(s, start)
        left = s.w.after(s.w.on, -12, -2)
        if any(e.open_on(left) for e in s.episodes):
            s.leave(left, "moved_away", notice=False)


Plan = tuple[str, date, Mapping[str, Any]]


def _plans(world: World, persons: int) -> list[Plan]:
    """Stories that must be there: one of each path, and some work due on `on`."""
    on, after = world.on, world.after
    k = max(2, round(persons * 0.004))
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
        due.append(("user", after(add_months(on, -12), 3, 22), {"user_outcome": "term"}))
    for _ in range(few):
        due.append(("crime", after(add_months(on, -18), -400, -60), home))
        due.append(("unsent_move", after(on, -300, -60), {"user_outcome": "term"}))
        due.append(("addict", after(on, -30, -3), {"waiting": True}))
        due.append(("addict", add_months(after(on, -4, -1), -6),
                    {**home, "post_decision": "pending"}))  # fmt: skip
        due.append(("addict", add_months(after(on, -10, -1), -6),
                    {**home, "post_file": "missing"}))  # fmt: skip
    return (showcase + due)[:persons]


def _stamped(rows: list[dict[str, Any]], commune_id: str, stage: str,
             report: Progress) -> Iterator[dict[str, Any]]:  # fmt: skip
    for row in _counted(rows, stage, len(rows), report):
        row["commune_id"] = commune_id
        yield row


def _check_unique_ids(reg: Register, people: list[dict[str, Any]]) -> None:
    """Drop an ID number a person already on the register has (a fill into a real register)."""
    mine = {p["id_number"] for p in people if p["id_number"]}
    if not mine:
        return
    clash = {
        r[0]
        for r in reg.db.execute("SELECT DISTINCT id_number FROM persons WHERE id_number <> ''")
        if r[0] in mine
    }
    for p in people:
        if p["id_number"] in clash:
            p["search_text"] = p["search_text"].replace(f" {p['id_number']}", "")
            p["id_number"], p["id_kind"] = "", ""


# --- places and settings ---------------------------------------------------------------------


def _places(reg: Register, world: World, villages: list[Village], stories: list[Story],
            note: str) -> dict[str, int]:  # fmt: skip
    """Hotspots (one cleared), prevention models, and incidents (psychosis, arrests, plants)."""
    rng, on, after = world.rng, world.on, world.after
    persons = len(stories)
    hotspots = []
    for i in range(2 + persons // 20000):
        template, kind = names.HOTSPOTS[i % len(names.HOTSPOTS)]
        village = rng.choice(villages)
        found = after(on, -700, -30)
        cleared = after(found, 20, 200) if i % 2 == 1 else None
        hotspots.append({
            "id": world.uuid(), "commune_id": reg.commune_id, "village_id": village.id,
            "name": template.format(v=_lower_first(village.name)),
            "address": f"{village.name}, xã {names.COMMUNE}", "kind": kind,
            "found_date": found.isoformat(),
            "cleared_date": cleared.isoformat() if cleared and cleared <= on else None,
            "notes": "Đã phối hợp lực lượng truy quét, xóa bỏ" if i % 2 == 1 else "",
        })  # fmt: skip
    models = []
    for i in range(min(3, 1 + persons // 200) + persons // 20000):
        village = rng.choice(villages)
        models.append({
            "id": world.uuid(), "commune_id": reg.commune_id, "village_id": village.id,
            "name": names.MODELS[i % len(names.MODELS)].format(v=_lower_first(village.name)),
            "start_date": after(on, -1500, -200).isoformat(), "end_date": None,
            "notes": "Do Công an xã phối hợp với Mặt trận Tổ quốc xã xây dựng",
        })  # fmt: skip
    users = [s for s in stories if any(e.category == C.USER for e in s.episodes)]
    incidents = []
    for i in range(1 + persons // 5000):
        s = rng.choice(users) if users else None
        incidents.append(
            _incident(
                world, reg.commune_id, "psychosis", rng.choice(villages), s, serious=i % 4 == 3
            )
        )
    for _ in range(3 + persons // 500):
        s = rng.choice(users) if users and rng.random() < 0.5 else None
        incidents.append(_incident(world, reg.commune_id, "arrest", rng.choice(villages), s))
    for _ in range(1 + persons // 2000):
        incidents.append(_incident(world, reg.commune_id, "plants", rng.choice(villages), None))
    return {
        "hotspots": insert_bulk(reg, "hotspots", hotspots, note),
        "prevention_models": insert_bulk(reg, "prevention_models", models, note),
        "incidents": insert_bulk(reg, "incidents", incidents, note),
    }


def _incident(world: World, commune_id: str, kind: str, village: Village, s: Story | None,
              serious: bool = False) -> dict[str, Any]:  # fmt: skip
    rng = world.rng
    count, area = 1, 0.0
    if kind == "psychosis":
        notes = (
            "Lên cơn “ngáo đá”, cầm dao đe dọa người thân; đã khống chế, đưa đi Bệnh viện "
            "Đa khoa tỉnh" + ("; gây thương tích cho người khác" if serious else
                              ", không gây hậu quả nghiêm trọng")
        )  # fmt: skip
    elif kind == "arrest":
        count = rng.randint(1, 3)
        notes = f"Bắt quả tang {count} đối tượng tàng trữ trái phép chất ma túy (ma túy đá)"
    else:
        count = rng.randint(150, 4000)
        area = float(rng.randint(20, 900))
        shown = f"{count:,}".replace(",", ".")
        notes = f"Phát hiện, triệt phá {shown} cây thuốc phiện trồng xen trên nương"
    return {
        "id": world.uuid(), "commune_id": commune_id, "village_id": village.id,
        "person_id": s.who.id if s else None,
        "incident_date": world.after(world.on, -700, -5).isoformat(), "kind": kind,
        "serious": int(serious), "count": count, "area_m2": area, "notes": notes,
    }  # fmt: skip


def _settings(reg: Register, on: date, villages: list[Village], stories: list[Story]) -> int:
    """The commune's names, the chief, the baseline (~2 years back) and the population.

    A setting the register already has (anything but its default) is left as it is.
    """
    baseline = add_months(on, -24)
    open_then = [
        {e.category for e in s.episodes if e.open_on(baseline)} for s in stories
    ]  # fmt: skip
    wanted: dict[str, Any] = {
        "province_name": f"CÔNG AN TỈNH {names.PROVINCE.upper()}",
        "unit_name": f"CÔNG AN XÃ {names.COMMUNE.upper()}",
        "commune_name": names.COMMUNE,
        "place_name": names.COMMUNE,
        "chief_name": names.CHIEF,
        "officer_name": names.OFFICERS_M[0],
        "population": sum(v.population for v in villages),
        "baseline_date": baseline.isoformat(),
        "baseline_users": sum(C.USER in cats for cats in open_then),
        "baseline_addicts": sum(C.ADDICT in cats for cats in open_then),
    }
    current = get_settings(reg)
    defaults = {s.key: s.default for s in SETTINGS}
    changes = {k: v for k, v in wanted.items() if current[k] == defaults[k]}
    if changes:
        save_settings(reg, changes)
    return len(changes)
