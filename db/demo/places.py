"""The demo commune's places and settings: villages, hotspots, prevention models, incidents.

Part of the demo register (`db.demo`): villages with their population, head and the officer in
charge; a couple of hotspots (one cleared), prevention models, incidents (drug psychosis,
arrests, opium poppies destroyed); and the settings that name the commune and keep its baseline.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from db.commune.settings import SETTINGS, get_settings, save_settings
from db.core.dates import add_months
from db.core.textfold import fold
from db.demo import names
from db.demo.story import Story, World
from db.law.categories import Category
from db.store.records import insert_bulk
from db.store.register import Register

C = Category


def random_name(rng: random.Random, eth: names.Ethnic, sex: str) -> tuple[str, str]:
    """(full name, given name) of a person of `eth`."""
    male = sex == "M"
    given = rng.choice(eth.given_m if male else eth.given_f)
    middle = rng.choice(eth.middle_m if male else eth.middle_f)
    return f"{rng.choice(eth.families)} {middle} {given}", given


class Village:
    """A village of the demo commune, its people's mix, head and the officer in charge."""

    def __init__(self, world: World, name: str, kind: str, mix: str, existing: str | None):
        rng = world.rng
        self.name, self.kind, self.mix = name, kind, mix
        self.id = existing or world.uuid()
        self.new = existing is None
        self.folded = fold(name)
        self.population = rng.randint(350, 2400)
        self.head = random_name(rng, names.KINH if mix == "kinh" else names.THAI, "M")[0]
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


def lower_first(name: str) -> str:
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


def villages(reg: Register, world: World, persons: int) -> list[Village]:
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


def places(reg: Register, world: World, villages: list[Village], stories: list[Story],
            note: str) -> dict[str, int]:  # fmt: skip
    """Hotspots (one cleared), prevention models, and incidents (psychosis, arrests, plants)."""
    rng, on, after = world.rng, world.on, world.after
    persons = len(stories)
    hotspots = []
    for i in range(2 + persons // 20000):
        template, kind = names.HOTSPOTS[i % len(names.HOTSPOTS)]
        village = rng.choice(villages)
        # Every second one has been cleared: found long enough ago for that.
        found = after(on, -700, -230) if i % 2 else after(on, -700, -30)
        cleared = after(found, 20, 200) if i % 2 else None
        hotspots.append({
            "id": world.uuid(), "commune_id": reg.commune_id, "village_id": village.id,
            "name": template.format(v=lower_first(village.name)),
            "address": f"{village.name}, xã {names.COMMUNE}", "kind": kind,
            "found_date": found.isoformat(),
            "cleared_date": cleared.isoformat() if cleared else None,
            "notes": "Đã phối hợp lực lượng truy quét, xóa bỏ" if i % 2 == 1 else "",
        })  # fmt: skip
    models = []
    for i in range(min(3, 1 + persons // 200) + persons // 20000):
        village = rng.choice(villages)
        models.append({
            "id": world.uuid(), "commune_id": reg.commune_id, "village_id": village.id,
            "name": names.MODELS[i % len(names.MODELS)].format(v=lower_first(village.name)),
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


def settings(reg: Register, on: date, villages: list[Village], stories: list[Story]) -> int:
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
