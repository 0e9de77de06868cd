"""Who is who during an import: people already on the register or earlier in the file, villages.

The register is read once into memory (a commune has hundreds of people, a province tens of
thousands: well under a second), so checking 100,000 rows costs no query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.commune.places import VILLAGE_KINDS
from db.core.dates import PartialDate, partial_from_iso, show
from db.core.textfold import clean, fold
from db.store.register import Register

# The words a village name may start with, folded: "Bản Mòng" and "Mòng" are one village.
_KINDS = sorted(
    {fold(k): k for k in (*VILLAGE_KINDS, "xóm", "tổ")}.items(), key=lambda kv: -len(kv[0])
)


@dataclass(slots=True)
class Known:
    """A person the import can match: on the register (`person_id`) or a row of the file."""

    name_folded: str
    full_name: str
    birth: str | None  # stored form: "1990", "1990-05", "1990-05-17"
    id_number: str
    village: str
    person_id: str | None = None
    sheet: str = ""
    row: int = 0
    importable: bool = True  # False: the file row was rejected

    def describe(self) -> str:
        """The person as the officer reads it: name (birth, village), or the file row."""
        parts = [p for p in (show(self.birth), self.id_number, self.village) if p]
        who = f"{self.full_name} ({', '.join(parts)})" if parts else self.full_name
        if self.person_id is not None:
            return who
        return f"{who} ở dòng {self.row} sheet “{self.sheet}”"


def same_birth(given: PartialDate, stored: str | None) -> bool:
    """Whether a birth date from a test row can be the stored one (as far as both are known)."""
    other = partial_from_iso(stored)
    if other is None or other.year != given.year:
        return False
    if given.month and other.month and given.month != other.month:
        return False
    return not (given.day and other.day and given.day != other.day)


class PeopleIndex:
    """The register's people and the file's rows by ID number and by folded name."""

    def __init__(self, reg: Register) -> None:
        self.by_id: dict[str, list[Known]] = {}
        self.by_name: dict[str, list[Known]] = {}
        rows = reg.db.execute(
            "SELECT p.id, p.full_name, p.name_folded, p.birth_date, p.id_number, v.name "
            "FROM persons p LEFT JOIN villages v ON v.id = p.village_id WHERE p.deleted = 0"
        )
        for pid, name, folded, birth, number, village in rows:
            self.add(Known(folded, name, birth, number or "", village or "", person_id=pid))

    def add(self, known: Known) -> None:
        """Remember a person (register first, then file rows in order)."""
        if known.id_number:
            self.by_id.setdefault(known.id_number, []).append(known)
        self.by_name.setdefault(known.name_folded, []).append(known)

    def duplicate_of(self, values: dict[str, Any]) -> tuple[Known, str] | None:
        """The person a new row may repeat, and why: same ID number, or same name and year."""
        number = values["id_number"]
        if number:
            for known in self.by_id.get(number, ()):
                if known.importable:
                    return known, "Trùng số CCCD/CMND với"
        year = (values["birth_date"] or "")[:4]
        folded = values.get("name_folded") or fold(values["full_name"])
        for known in self.by_name.get(folded, ()):
            if not known.importable or (number and known.id_number):
                continue  # two different ID numbers are two people
            known_year = (known.birth or "")[:4]
            if year and known_year:
                if year == known_year:
                    return known, "Trùng họ tên và năm sinh với"
            else:
                return known, "Trùng họ tên (thiếu năm sinh để phân biệt) với"
        return None

    def person_for_test(self, number: str, name: str, birth: PartialDate | None) -> Known | str:
        """The person a test row is about, or the reason none can be told."""
        folded = fold(name)
        for known in self.by_id.get(number, ()) if number else ():
            if folded and known.name_folded != folded:
                return (
                    f"Số CCCD {number} là của {known.describe()}, không phải “{name}”; "
                    "kiểm tra lại số CCCD hoặc họ tên."
                )
            return known
        if not folded:
            return "Họ và tên: không được để trống."
        if birth is None:
            if number:
                return (
                    f"Không tìm thấy người có số CCCD {number} trong sổ hay trong sheet đối "
                    "tượng; ghi thêm ngày sinh để đối chiếu theo họ tên."
                )
            return "Cần số CCCD hoặc ngày sinh để biết là ai (không đối chiếu theo họ tên suông)."
        found = [
            k
            for k in self.by_name.get(folded, ())
            if same_birth(birth, k.birth) and not (number and k.id_number)
        ]
        found = [k for k in found if k.importable] or found
        if not found:
            return (
                f"Không tìm thấy {name} ({birth.display()}) trong sổ hay trong sheet đối tượng "
                "(đối chiếu theo số CCCD, họ tên và ngày sinh)."
            )
        if len(found) > 1:
            return (
                f"Có {len(found)} người tên {name} sinh {birth.display()}: ghi thêm số CCCD "
                "để biết là ai."
            )
        return found[0]


def _split_kind(folded: str) -> tuple[str, str]:
    """("ban", "mong") from "ban mong"; ("", name) when the name has no kind word."""
    for kind, _ in _KINDS:
        if folded.startswith(kind + " ") and len(folded) > len(kind) + 1:
            return kind, folded[len(kind) + 1 :]
    return "", folded


class Villages:
    """The commune's villages, and the ones an import will create, matched by folded name."""

    def __init__(self, reg: Register) -> None:
        self._known: list[tuple[str, str, str, str]] = []  # (id or "", name, folded, bare)
        for vid, name in reg.db.execute("SELECT id, name FROM villages WHERE deleted = 0"):
            self._add(vid, name)
        self.new: dict[str, str] = {}  # folded name → name as first written
        self._resolved: dict[str, tuple[str | None, str]] = {}

    def _add(self, vid: str, name: str) -> None:
        folded = fold(name)
        self._known.append((vid, name, folded, _split_kind(folded)[1]))

    def resolve(self, text: str) -> tuple[str | None, str]:
        """(id of an existing village or None for a new one, the village's name)."""
        found = self._resolved.get(text)
        if found is None:
            # Kept until a new village is added (the answers only change then).
            found = self._resolved[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> tuple[str | None, str]:
        name = clean(text)
        folded = fold(name)
        kind, bare = _split_kind(folded)
        exact = [k for k in self._known if k[2] == folded]
        # "Mòng" is "Bản Mòng", but "Thôn 1" is not "Tổ dân phố 1".
        loose = [k for k in self._known if k[3] == bare and (not kind or k[2] == k[3])]
        for found in (exact, loose):
            if len(found) == 1:
                vid, known_name = found[0][0], found[0][1]
                return (vid or None), known_name
        self._add("", name)
        self._resolved.clear()  # a new name may make an older answer ambiguous
        self.new.setdefault(folded, name)
        return None, name

    def known(self, text: str) -> bool:
        """Whether a village of this name is on the register already."""
        folded = fold(clean(text))
        return any(k[0] and folded in (k[2], k[3]) for k in self._known)

    @staticmethod
    def kind_of(name: str) -> str:
        """The kind a new village's name says ("bản" for "Bản Mòng"), else "thôn"."""
        kind = _split_kind(fold(name))[0]
        return dict(_KINDS).get(kind, "thôn") if kind else "thôn"
