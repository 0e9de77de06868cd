"""The write half of an Excel import, batched: the rows, episodes, declarations and tests that
`add_person`, `open_episode` / `start_treatment`, `declare_substances` and `record_test` would
write one by one, written a few hundred at a time.

Typing 100,000 rows in one by one costs a dozen queries a row (each write looks up the person,
their open episodes, the last change-log hash, the ID number on the register …): minutes on an
encrypted register. Here the register is read once (ID numbers, villages), the rows of a chunk
go in with one `executemany` per table, and the change log gets the same entries, in the same
order and hash chain, as `db.store.records.insert` would have written for each row. What the
register functions decide is still asked of them: `end_of` gives each episode's planned end,
`check_action` whether the treatment or the declaration applies (asked once per distinct case: a
person new to the register has no other history that could change the answer), `check_test`
each test's row. A test of someone with a "suspected" episode (which a test closes) goes through
`record_test` itself. `tests/db/excel/test_import_batched.py` keeps the result equal to writing
the rows one by one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from db.core.chain import GENESIS, entry_hash
from db.core.errors import ValidationError
from db.core.stamps import new_id, now_utc
from db.core.textfold import fold, sort_key
from db.duties.applies import checked
from db.excel.plan import PROGRESS_EVERY, PlanRow
from db.law.categories import TREATMENT, Category
from db.persons.drugtests import check_test, parse_substances, record_test
from db.persons.episodes import end_of
from db.store import permissions, seal
from db.store.register import Register

TABLES = ("persons", "episodes", "substance_declarations", "drug_tests")
WRITING = "Đang ghi vào sổ…"
# A person's fields in the order `check_person` gives them, then what `add_person` derives:
# the change log keeps them in this order, as typing the person in would.
PERSON_COLUMNS = (
    "full_name", "other_names", "ethnicity", "permanent_address", "current_address",
    "occupation", "family_contact", "notes", "birth_date", "sex", "id_number", "id_kind",
    "phone", "village_id",
)  # fmt: skip
# Change-log entries (at, table, row id, the values logged) written one after the other.
Group = list[tuple[str, str, str, dict[str, Any]]]
_VILLAGE_GONE = "Thôn/bản: không có trong danh sách thôn, bản của xã."


class BatchWriter:
    """Rows waiting to be written and their change-log entries, chained in order."""

    def __init__(self, reg: Register) -> None:
        self.reg = reg
        for table in TABLES:
            permissions.require(reg, table, "insert")
        self.rows: dict[str, list[dict[str, Any]]] = {}
        # The change-log entries to write, in groups (a person's row, episodes, declaration):
        # written group after group, as typing each person in would have logged them.
        self.log: list[Group] = []
        self.current: PlanRow | None = None  # the row being written, for an error's message
        self.at = now_utc()

    def group(self) -> Group:
        """A new group of change-log entries, after the groups begun before it."""
        self.log.append([])
        return self.log[-1]

    def add(self, table: str, values: dict[str, Any],
            group: Group | None = None) -> str:  # fmt: skip
        """A row as `records.insert` makes it (a new UUID, its metadata) and its log entry, at
        the end of `group` (default: a group of its own)."""
        reg = self.reg
        row = dict(values)
        row["id"] = row_id = new_id()
        at = self.at
        row.update(
            created_at=at, created_by=reg.user, updated_at=at, updated_by=reg.user,
            device_id=reg.device_id, deleted=0,
        )  # fmt: skip
        self.rows.setdefault(table, []).append(row)
        (self.group() if group is None else group).append((at, table, row_id, values))
        return row_id

    def write_rows(self) -> None:
        """The waiting rows into their tables (people first: the others point at them)."""
        for table, rows in self.rows.items():
            columns = list(rows[0])
            same = [r for r in rows if r.keys() == rows[0].keys()]
            if len(same) != len(rows):  # never for the import's rows; kept correct anyway
                for row in rows:
                    self._insert(table, list(row), [row])
                continue
            self._insert(table, columns, rows)
        self.rows = {}

    def _insert(self, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
        names = ", ".join(f"[{c}]" for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.reg.conn.executemany(
            f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
            [tuple(row[c] for c in columns) for row in rows],
        )

    def flush(self) -> None:
        """Everything waiting, rows and change log, into the register (inside the caller's
        transaction); a fresh time stamp for what comes next."""
        self.write_rows()
        if self.log:
            reg = self.reg
            last = reg.conn.execute(
                "SELECT hash FROM change_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            prev = (last[0] if last else None) or GENESIS
            entries = []
            for at, table, row_id, values in (e for group in self.log for e in group):
                permissions.require(reg, table, "insert", values)
                text = json.dumps(values, ensure_ascii=False, default=str)
                entry = (at, reg.user, reg.device_id, table, row_id, "insert", text)
                prev_hash, prev = prev, entry_hash(prev, *entry)
                entries.append((*entry, prev_hash, prev))
            reg.conn.executemany(
                "INSERT INTO change_log (at, user, device_id, table_name, row_id, action, "
                "changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                entries,
            )
            self.log = []
        for table in TABLES:
            if table in seal.PROTECTED:  # none is today; as records.insert would
                seal.reseal(self.reg)
        self.at = now_utc()


class _Checks:
    """`checked` (db.duties.applies) asked once per distinct case of a person new to the
    register: the answer depends only on the values and on the categories open on the day."""

    def __init__(self, reg: Register) -> None:
        self.reg = reg
        self.done: dict[tuple[Any, ...], date] = {}

    def ask(self, key: str, person_id: str, values: dict[str, Any], open_now: frozenset[str]
            ) -> date:  # fmt: skip
        case = (key, tuple(sorted(values.items())), open_now)
        found = self.done.get(case)
        if found is None:
            found = self.done[case] = checked(self.reg, key, person_id, values)
        return found


def _episode(w: BatchWriter, group: Group, person_id: str, cat: Category, start: date,
             decision_no: str = "", decision_date: date | None = None,
             planned: date | None = None, prior: Category | None = None) -> None:  # fmt: skip
    """An episode as `open_episode` writes it for a person with no other episode."""
    end = end_of(
        w.reg, person_id, cat, start, planned=planned, decided=decision_date, moved_from="",
        prior=prior, duration_months=None,
    )  # fmt: skip
    w.add(
        "episodes",
        {
            "person_id": person_id, "category": cat.value, "decision_no": decision_no.strip(),
            "decision_date": decision_date.isoformat() if decision_date else None,
            "signer": "", "start_date": start.isoformat(),
            "planned_end": end.isoformat() if end else None, "moved_from": "", "team": "[]",
            "notes": "",
        },
        group,
    )  # fmt: skip


class _People:
    """What writing people needs from the register, read once."""

    def __init__(self, reg: Register, villages: dict[str, str]) -> None:
        self.reg = reg
        self.villages = villages
        self.ids = {
            n for (n,) in reg.conn.execute(
                "SELECT id_number FROM persons WHERE deleted = 0 AND id_number <> ''"
            )
        }  # fmt: skip
        self.word_keys: dict[str, str] = {}
        self.live = set()
        self.folded: dict[str, str] = {}  # village id → folded name, as search_text has it
        for vid, name, deleted in reg.conn.execute("SELECT id, name, deleted FROM villages"):
            self.folded[vid] = fold(name)
            if not deleted:
                self.live.add(vid)

    def sort_key(self, full_name: str) -> str:
        """`textfold.sort_key` of a (clean) name, word by word: the key of a name is its words'
        keys, given name first, and a list repeats the same family and middle names."""
        words = full_name.split(" ")
        keys = self.word_keys
        for word in words:
            if word not in keys:
                keys[word] = sort_key(word)
        return " ".join(keys[w] for w in (words[-1], *words[:-1]))

    def values(self, w: BatchWriter, data: dict[str, Any]) -> dict[str, Any]:
        """The persons row `add_person` writes for a planned row, refused as it would be."""
        given = data["person"]
        village_id = data["village_id"] or self.villages.get(data["village"]) or None
        if village_id and village_id not in self.live:
            raise ValidationError({"village_id": _VILLAGE_GONE})
        number = given["id_number"]
        if number and number in self.ids:
            w.flush()
            other = self.reg.conn.execute(
                "SELECT p.full_name, v.name FROM persons p LEFT JOIN villages v "
                "ON v.id = p.village_id WHERE p.id_number = ? AND p.deleted = 0",
                [number],
            ).fetchone()
            raise ValidationError(
                {"id_number": f"Số CCCD: {number} đã có trong sổ ({other[0]}, "
                 f"{other[1] or 'chưa rõ thôn'})."}
            )  # fmt: skip
        if number:
            self.ids.add(number)
        values = {k: given.get(k) for k in PERSON_COLUMNS}
        values["id_kind"] = data["id_kind"]
        values["village_id"] = village_id
        name_folded = data["name_folded"]
        search = (name_folded, fold(values["other_names"]), number,
                  self.folded.get(village_id, "") if village_id else "")  # fmt: skip
        values |= {
            "name_folded": name_folded,
            "search_text": " ".join(p for p in search if p),
            "sort_key": self.sort_key(values["full_name"]),
            "commune_id": self.reg.commune_id,
        }
        return values


def write_people(
    w: BatchWriter, rows: list[PlanRow], villages: dict[str, str], step: Callable[[], None]
) -> dict[tuple[str, int], str]:
    """Every planned person, with their episodes and declaration; each person's new id by the
    (sheet, row) it came from. `step` is called once per row written (for the progress)."""
    people = _People(w.reg, villages)
    checks = _Checks(w.reg)
    created: dict[tuple[str, int], str] = {}
    for first in range(0, len(rows), PROGRESS_EVERY):
        chunk = []
        for w.current in rows[first : first + PROGRESS_EVERY]:
            data = w.current.data or {}
            group = w.group()
            person_id = w.add("persons", people.values(w, data), group)
            created[(w.current.sheet, w.current.row)] = person_id
            chunk.append((w.current, data, person_id, group))
        # The people are in the register before their episodes: end_of may read a birth date.
        w.write_rows()
        declare = []
        for w.current, data, person_id, group in chunk:
            category: Category | None = data["category"]
            if category is None:
                opened: tuple[str, ...] = ()
            elif category in TREATMENT:
                values = {"date": data["start"], "category": category}
                start = checks.ask("treatment", person_id, values, frozenset())
                _episode(w, group, person_id, Category.ADDICT, start)
                _episode(w, group, person_id, category, start, data["decision_no"],
                         data["decision_date"])  # fmt: skip
                opened = (Category.ADDICT.value, category.value)
            else:
                decision = (data["decision_no"], data["decision_date"])
                _episode(w, group, person_id, category, data["start"], *decision,
                         data.get("planned"), data.get("prior_rehab"))  # fmt: skip
                opened = (category.value,)
            if data.get("declaration") is not None:
                declare.append((w.current, data, person_id, group, opened))
        if declare:
            w.write_rows()  # a declaration's check reads the person's open episodes
        for w.current, data, person_id, group, opened in declare:
            said = data["declaration"]
            on: date = said.on
            values = {"date": on, "substances": said.substances, "notes": ""}
            open_now = frozenset(opened) if data["start"] <= on else frozenset()
            checks.ask("declare", person_id, values, open_now)
            w.add(
                "substance_declarations",
                {"person_id": person_id, "declared_on": on.isoformat(),
                 "substances": ",".join(parse_substances(said.substances)), "notes": ""},
                group,
            )  # fmt: skip
        w.flush()
        for _ in chunk:
            step()
    w.current = None
    return created


def write_tests(
    w: BatchWriter, rows: list[PlanRow], created: dict[tuple[str, int], str],
    step: Callable[[], None],
) -> None:  # fmt: skip
    """Every planned test, in the order given (by date: a test ends a "suspected" episode)."""
    reg = w.reg
    # A test closes its person's open "suspected" episode: those people go the slow way.
    suspected = {
        p for (p,) in reg.conn.execute(
            "SELECT DISTINCT person_id FROM episodes WHERE category = 'suspect' AND deleted = 0"
        )
    }  # fmt: skip
    for n, w.current in enumerate(rows, start=1):
        data = dict(w.current.data or {})
        target = data.pop("person")
        person_id = target if isinstance(target, str) else created[target]
        when = data.pop("test_date")
        if person_id in suspected:
            w.flush()
            record_test(reg, person_id, when, **data)
        else:
            w.add("drug_tests", check_test(reg, person_id, when, **data))
        if n % PROGRESS_EVERY == 0:
            w.flush()
        step()
    w.flush()
    w.current = None
