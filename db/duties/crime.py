"""Criminal Code Art. 256a: when a positive test is a sign of the crime of illegal drug use, and
what a positive test sets off.

Art. 256a(1) (added by Law 86/2025/QH15, in force 01/07/2025) makes illegal use a crime when it
happens (a) during rehab or substitution treatment, (b) during post-rehab management, (c) within
2 years after post-rehab management ended *and* while under management as an illegal user, or
(d) within 2 years after quitting voluntary rehab or substitution treatment. Use before
01/07/2025 is never this crime (Criminal Code Art. 7: no retroactivity).

`read` gives the one reading of a positive test from the person's episode history (categories,
start and end dates, how each ended); the due list (db.duties.due) and the person screen
(`positive_follow_up`) both ask it, so they cannot disagree. Where the law leaves a choice the
reading takes the one in the person's favour; docs/decisions.md lists them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from db.commune.holidays import work_calendar
from db.core.dates import add_months, parse_date, show
from db.core.textfold import fold
from db.law.categories import LABELS, QUITTABLE, TREATMENT, Category
from db.law.rules import deadline, rule, versions
from db.persons import contacts
from db.store.register import Register

ARTICLE = "Điều 256a Bộ luật Hình sự"
AMENDED_BY = "Luật 86/2025/QH15"
# The substitution medicines themselves: a positive for them alone during substitution
# treatment is the treatment, not illegal use.
SUBSTITUTION_MEDICINES = frozenset({"MTD", "BUP"})
# How the officer records the hand-over to the investigating police until the register has a
# contact kind of its own: a contact "Khác" whose note names the investigating police.
HANDOVER_KIND = "other"
HANDOVER_NOTE = "Đã chuyển cơ quan điều tra (dấu hiệu tội phạm, Điều 256a BLHS)"
_HANDOVER_WORDS = ("co quan dieu tra", "cqdt")


def article(point: str) -> str:
    """The citation of a point of Art. 256a(1): "điểm a khoản 1 Điều 256a Bộ luật Hình sự"."""
    return f"điểm {point} khoản 1 {ARTICLE}"


def clause(text: str) -> str:
    """A sentence inside another: its first letter in lower case."""
    return text[:1].lower() + text[1:]


def law_start() -> date:
    """The day Art. 256a took effect (01/07/2025): no use before it is this crime."""
    return versions("watch_window")[0].effective


class Span(NamedTuple):
    """One episode as the reading needs it."""

    category: str
    start: date
    end: date | None
    end_kind: str | None

    def open_on(self, day: date) -> bool:
        """Open on `day` (begun by then, not yet ended), as the register counts it."""
        return self.start <= day and (self.end is None or day < self.end)

    def open_during(self, day: date) -> bool:
        """Open on `day` and begun before it: the day an episode begins or ends is the day of
        the change, so a test on it shows use from before (an intake test is positive)."""
        return self.start < day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Reading:
    """What Art. 256a makes of a positive test: the point that applies (None: no crime), why in
    the officer's words, and the article."""

    point: str | None
    why: str = ""
    article: str = ""

    @property
    def crime(self) -> bool:
        """A sign of the crime: the case goes to the investigating police."""
        return self.point is not None

    @property
    def source(self) -> str:
        """The citation for a due item or a panel (always naming Art. 256a when it applies)."""
        return (
            f"{self.article[:1].upper()}{self.article[1:]} ({AMENDED_BY})" if self.article else ""
        )


_TREATMENT = {c.value for c in TREATMENT}
_QUITTABLE = {c.value for c in QUITTABLE}


def _label(category: str) -> str:
    return clause(LABELS[Category(category)])


def _windows(history: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """(ended post-rehab, quit treatment) spans; a watch window on the register that follows
    neither (typed in, imported, moved in) counts as the window after post-rehab management,
    as its name says — quitting must be on the register to read point d."""
    ended = [s for s in history if s.category == "post_rehab" and s.end_kind == "term" and s.end]
    quits = [s for s in history if s.category in _QUITTABLE and s.end_kind == "quit" and s.end]
    known = {s.end for s in ended} | {s.end for s in quits}
    for s in history:
        if s.category == "watch" and s.start not in known:
            ended.append(Span("post_rehab", s.start, s.start, "term"))
    return ended, quits


def _within(span: Span, day: date, months: int) -> date | None:
    """The last day of the 2 years after `span` ended, if `day` falls in them.

    Civil Code 2015 Art. 147–148: the day of the event is not counted and a period in years
    ends at the end of the corresponding day, so the 2 years after an end on 01/10/2025 run
    from 02/10/2025 to 01/10/2027 inclusive.
    """
    assert span.end is not None
    last = add_months(span.end, months)
    return last if span.end < day <= last else None


def _crime_point(history: Sequence[Span], tested: date,
                 positives: Collection[str] | None) -> Reading | None:  # fmt: skip
    """The point a positive on `tested` would fall under, whatever the date; or a reading that
    says why none does (the treatment's own medicine, a first use after post-rehab)."""
    months = int(rule("watch_window", tested).value)
    treating = [s for s in history if s.category in _TREATMENT and s.open_during(tested)]
    if treating:
        s = max(treating, key=lambda x: x.start)
        medicine_only = (
            s.category == Category.METHADONE
            and positives is not None
            and bool(positives)
            and set(positives) <= SUBSTITUTION_MEDICINES
        )
        if medicine_only:
            why = (
                f"Đang {_label(s.category)} từ {show(s.start)}; dương tính với chính thuốc "
                "điều trị thay thế: không phải sử dụng trái phép"
            )
            return Reading(None, why)
        return Reading("a", f"đang {_label(s.category)} từ {show(s.start)}", article("a"))
    post = [s for s in history if s.category == "post_rehab" and s.open_during(tested)]
    if post:
        s = max(post, key=lambda x: x.start)
        return Reading("b", f"đang quản lý sau cai nghiện từ {show(s.start)}", article("b"))
    ended, quits = _windows(history)
    after_post = [(s, last) for s in ended if (last := _within(s, tested, months))]
    after_quit = [(s, last) for s in quits if (last := _within(s, tested, months))]
    managed = [s for s in history if s.category == "user" and s.open_during(tested)]
    if after_post and managed:
        s, last = max(after_post, key=lambda x: x[0].end or x[0].start)
        m = max(managed, key=lambda x: x.start)
        return Reading(
            "c",
            f"hết thời hạn quản lý sau cai nghiện ngày {show(s.end)} (02 năm đến hết ngày "
            f"{show(last)}) và đang bị quản lý người sử dụng trái phép từ {show(m.start)}",
            article("c"),
        )
    if after_quit:
        s, last = max(after_quit, key=lambda x: x[0].end or x[0].start)
        return Reading(
            "d",
            f"tự ý chấm dứt {_label(s.category)} ngày {show(s.end)} (02 năm đến hết ngày "
            f"{show(last)})",
            article("d"),
        )
    if after_post:
        s, last = max(after_post, key=lambda x: x[0].end or x[0].start)
        if last < law_start():
            return None  # the 2 years end before Art. 256a exists: nothing to warn of
        return Reading(
            None,
            f"Trong 02 năm sau khi hết thời hạn quản lý sau cai nghiện ngày {show(s.end)}, chưa "
            "bị quản lý người sử dụng trái phép: lần phát hiện này ra quyết định quản lý; nếu "
            f"sử dụng lại trong thời gian bị quản lý, đến hết ngày {show(last)}, là dấu hiệu "
            f"tội phạm ({article('c')})",
        )
    return None


def read(history: Sequence[Span], tested: date,
         positives: Collection[str] | None = None) -> Reading:  # fmt: skip
    """The one reading of a positive test on `tested` of a person with episodes `history`.

    `positives` (substance codes) lets a positive for the substitution medicine alone during
    substitution treatment be read as the treatment; unknown (None), any positive counts.
    """
    found = _crime_point(history, tested, positives)
    if found is None:
        return Reading(None)
    if found.point is not None and tested < law_start():
        return Reading(
            None,
            f"Xét nghiệm ngày {show(tested)}, trước ngày {show(law_start())}: {found.why} — "
            f"{ARTICLE} chưa có hiệu lực, không áp dụng hồi tố (Điều 7 Bộ luật Hình sự), xử "
            "lý theo thủ tục hành chính",
        )
    if found.point is not None:
        return Reading(found.point, f"{found.why[0].upper()}{found.why[1:]}", found.article)
    return found


def history_of(reg: Register, person_ids: Collection[str]) -> dict[str, list[Span]]:
    """The episodes of these people, as spans, by person."""
    found: dict[str, list[Span]] = {pid: [] for pid in person_ids}
    for person_id, category, start, end, end_kind in reg.db.execute(
        "SELECT person_id, category, start_date, end_date, end_kind FROM episodes "
        "WHERE deleted = 0 AND person_id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(person_ids))],
    ):
        ended = date.fromisoformat(end) if end else None
        found[person_id].append(Span(category, date.fromisoformat(start), ended, end_kind))
    return found


Tests = dict[str, list[tuple[date, list[str]]]]


def candidates(reg: Register, on: date) -> Tests:
    """The positive tests from the law's first day to `on` that may be a sign of the crime (an
    episode of one of the points around the test day; `read` decides), by person, oldest
    first, with the substances found."""
    treated = ", ".join(f"'{c}'" for c in sorted(_TREATMENT | {"post_rehab"}))
    ending = ", ".join(f"'{c}'" for c in sorted(_QUITTABLE | {"post_rehab"}))
    # A month more than the longest window: SQLite's month arithmetic overflows where
    # add_months clamps (29/02 + 24 months); `read` makes the exact cut.
    span = f"-{max(int(r.value) for r in versions('watch_window')) + 1} months"
    found: Tests = {}
    for person_id, tested, positives in reg.db.execute(
        "SELECT t.person_id, t.test_date, t.positives FROM drug_tests t WHERE t.deleted = 0 "
        "AND t.result = 'positive' AND t.test_date >= :law AND t.test_date <= :on "
        "AND EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = t.person_id AND e.deleted = 0 "
        f"AND ((e.category IN ({treated}) AND e.start_date < t.test_date "
        "AND (e.end_date IS NULL OR e.end_date > t.test_date)) "
        f"OR (e.category IN ({ending}) AND e.end_kind IN ('term', 'quit') "
        "AND e.end_date < t.test_date AND e.end_date >= date(t.test_date, :span)) "
        "OR (e.category = 'watch' AND e.start_date < t.test_date "
        "AND e.start_date >= date(t.test_date, :span)))) ORDER BY t.test_date",
        {"law": law_start().isoformat(), "on": on.isoformat(), "span": span},
    ):
        codes = [code for code in positives.split(",") if code]
        found.setdefault(person_id, []).append((date.fromisoformat(tested), codes))
    return found


def reading(reg: Register, person_id: str, tested: date,
            positives: Collection[str] | None = None) -> Reading:  # fmt: skip
    """The reading of a positive test of this person on `tested` (see `read`)."""
    return read(history_of(reg, [person_id])[person_id], tested, positives)


# --- the hand-over to the investigating police --------------------------------------------------


def is_handover(kind: str, notes: str | None) -> bool:
    """Whether a contact records the hand-over of the case to the investigating police."""
    if kind != HANDOVER_KIND or not notes:
        return False
    if notes.startswith(HANDOVER_NOTE):
        return True  # as record_handover writes it: no need to fold
    folded = fold(notes)
    return any(word in folded for word in _HANDOVER_WORDS)


def record_handover(reg: Register, person_id: str, on: date | str, notes: str = "") -> str:
    """Record that the case was handed to the investigating police on `on`: the "crime" item
    leaves the due list for every positive test up to that day."""
    text = f"{HANDOVER_NOTE}. {notes.strip()}" if notes.strip() else HANDOVER_NOTE
    return contacts.add_contact(reg, person_id, on, HANDOVER_KIND, notes=text)


def handovers(reg: Register, person_ids: Collection[str]) -> dict[str, date]:
    """The last day each person's case was handed to the investigating police (or the person's
    episodes ended by death or prison: the case went on or cannot), by person."""
    found: dict[str, date] = {}
    ids = json.dumps(sorted(person_ids))
    for person_id, day, kind, notes in reg.db.execute(
        "SELECT person_id, contact_date, kind, notes FROM contacts WHERE deleted = 0 "
        "AND kind = ? AND person_id IN (SELECT value FROM json_each(?))",
        [HANDOVER_KIND, ids],
    ):
        if is_handover(kind, notes):
            found[person_id] = max(found.get(person_id, date.min), date.fromisoformat(day))
    for person_id, day in reg.db.execute(
        # (The first IN is the partial index episodes_gone's own condition: m016.)
        "SELECT person_id, max(end_date) FROM episodes INDEXED BY episodes_gone WHERE deleted = 0 "
        "AND end_kind IN ('moved_away', 'absconded', 'died', 'prison') AND end_kind IN "
        "('died', 'prison') AND person_id IN (SELECT value FROM json_each(?)) GROUP BY person_id",
        [ids],
    ):
        found[person_id] = max(found.get(person_id, date.min), date.fromisoformat(day))
    return found


# --- what a positive test sets off, as the window shows it ---------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """What a positive test sets off, as the window shows it: a short text for a list row, the
    whole of it (with the deadline and its article) for a panel or a message; for a sign of a
    crime, the point of Art. 256a(1) and why."""

    kind: str  # "decision", "crime" or "treatment"
    short: str
    full: str
    deadline: date | None = None
    source: str = ""
    point: str | None = None
    why: str = ""

    @property
    def crime(self) -> bool:
        """A sign of the crime of Art. 256a: report at once, hand to the investigating police."""
        return self.kind == "crime"


def follow_up(reg: Register, tested: date, history: Sequence[Span],
              positives: Collection[str] | None = None) -> FollowUp:  # fmt: skip
    """`positive_follow_up` from a history already read."""
    found = read(history, tested, positives)
    if found.crime:
        return FollowUp(
            "crime",
            f"Dấu hiệu tội phạm — điểm {found.point} khoản 1 Điều 256a BLHS",
            f"Dấu hiệu tội phạm sử dụng trái phép chất ma túy theo {article(found.point or '')} "
            f"({AMENDED_BY}): {clause(found.why)}. Báo cáo ngay, chuyển cơ quan điều tra.",
            tested,
            found.source,
            found.point,
            found.why,
        )
    note = f". {found.why}" if found.why else ""
    cats = {s.category for s in history if s.open_on(tested)}
    if cats & (_TREATMENT | {"addict"}):
        text = "Người nghiện / đang cai nghiện, điều trị: không ra quyết định quản lý"
        return FollowUp("treatment", text, text + note, why=found.why)
    due, used = deadline("positive_test_decision", tested, work_calendar(reg))
    return FollowUp(
        "decision",
        f"Báo cáo ngay; ra quyết định trước {show(due)}",
        f"Báo cáo ngay Chủ tịch UBND xã; ra quyết định quản lý trước {show(due)} "
        f"({used.source}){note}",
        due,
        used.source,
        why=found.why,
    )


def positive_follow_up(reg: Register, person_id: str, tested: date | str,
                       positives: Collection[str] | None = None) -> FollowUp:  # fmt: skip
    """What the law asks after a positive test of this person on `tested` — the same reading
    as the due list: a sign of a crime under Art. 256a(1) (which point, and why); an addict or
    a person in treatment gets no management decision; otherwise the commune chairman is told
    at once and the decision is due within 3 working days."""
    day = parse_date(tested, "Ngày xét nghiệm") if isinstance(tested, str) else tested
    return follow_up(reg, day, history_of(reg, [person_id])[person_id], positives)
