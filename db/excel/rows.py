"""Checking one row of a list: a person (with the category they are under) or a drug test.

The checks are the register's own: `check_person` for a person, `db.core.dates` for dates,
`db.persons.cccd`
for ID numbers, the category, kind and result readers of `db.excel.values`. A row with any error
is rejected with every reason at once, so the officer corrects it in one go.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from db.core.dates import PartialDate, show
from db.core.errors import UserError
from db.core.textfold import clean, fold
from db.excel.common import DUPLICATE, REJECTED
from db.excel.declared import plan_substances
from db.excel.match import Known
from db.excel.plan import Planner, PlanRow
from db.excel.values import (
    PRIOR_REHAB_CHOICES,
    cell_date,
    cell_id,
    cell_partial,
    cell_phone,
    cell_text,
    is_blank,
    parse_category_text,
    parse_kind,
    parse_method,
    parse_result,
    past_cell_date,
    with_substances,
)
from db.law.categories import LABELS, Category
from db.persons.cccd import check_id
from db.persons.drugtests import RESULTS, SUBSTANCES, parse_substances
from db.persons.episodes import PRIOR_REHAB
from db.persons.people import FIELDS, check_person, parse_sex

_TICKS = {"x", "v", "1", "co", "✓", "✔", "√"}


def person_name(value: object) -> str:
    """A name as kept: NFC, single spaces, and "NGUYỄN VĂN AN" in capitals → "Nguyễn Văn An"."""
    name = clean(cell_text(value))
    if name and name == name.upper() and name != name.lower():
        name = " ".join(word[:1] + word[1:].lower() for word in name.split(" "))
    return name


def _joined(errors: list[str]) -> str:
    return " ".join(f"{e.rstrip('.')}." for e in errors)


def _partial(value: object, label: str, errors: list[str]) -> PartialDate | None:
    try:
        return cell_partial(value, label)
    except UserError as exc:
        errors.append(exc.message)
        return None


def _birth_and_sex(values: dict[str, Any], errors: list[str]) -> tuple[PartialDate | None, Any]:
    """The birth date and sex, also from the "Nam" | "Nữ" columns of official forms."""
    birth = _partial(values.get("birth_date"), "Ngày sinh", errors)
    sex = values.get("sex")
    columns = [(values.get(f), code) for f, code in (("birth_male", "M"), ("birth_female", "F"))]
    filled = [(cell, code) for cell, code in columns if not is_blank(cell)]
    if len(filled) > 1:
        errors.append("Ngày sinh: ghi ở cả cột Nam và cột Nữ; chỉ ghi ở một cột.")
        return birth, sex
    for cell, code in filled:
        if fold(cell_text(cell)) not in _TICKS:
            birth = birth or _partial(cell, "Ngày sinh", errors)
        word = "Nam" if code == "M" else "Nữ"
        if is_blank(sex):
            sex = word
        else:
            try:
                said = parse_sex(sex)
            except UserError:
                said = code  # check_person names the bad value
            if said != code:
                errors.append(f"Giới tính: ghi “{cell_text(sex)}” nhưng ngày sinh ở cột {word}.")
    return birth, sex


# The template's names of the two columns a post-rehab row needs one of.
PLANNED_END, PRIOR = "Ngày kết thúc dự kiến", "Cai nghiện trước đó"
_PRIOR_NEEDED = (
    f"{PRIOR}: cần biết để tính thời hạn quản lý sau cai nghiện (1 năm, hoặc 2 năm với người từ "
    "đủ 18 tuổi ra khỏi cơ sở cai nghiện bắt buộc), chương trình không tự cho 1 năm; {where}ghi "
    f"một trong: {{choices}} — hoặc ghi “{PLANNED_END}” theo quyết định."
)


def _decided_end(value: object, start: date | None, errors: list[str]) -> date | None:
    """The end a post-rehab decision states ("Ngày kết thúc dự kiến"), after the start."""
    try:
        end = cell_date(value, PLANNED_END)
    except UserError as exc:
        errors.append(exc.message)
        return None
    if end is not None and start is not None and end <= start:
        errors.append(f"{PLANNED_END}: {show(end)} không sau ngày bắt đầu {show(start)}.")
        return None
    return end


def _prior_rehab(values: dict[str, Any], errors: list[str]) -> Category | None:
    """The rehab a post-rehab period follows: a new person's register holds none, so the list
    must say it (`db.persons.episodes` refuses to guess the 1 or 2 years)."""
    value = values.get("prior_rehab")
    choices = ", ".join(f"“{c}”" for c in PRIOR_REHAB_CHOICES)
    if is_blank(value):
        where = "" if "prior_rehab" in values else f"thêm cột “{PRIOR}” và "
        errors.append(_PRIOR_NEEDED.format(where=where, choices=choices))
        return None
    try:
        found: Category | None = parse_category_text(value)
    except UserError:
        found = None
    if found not in PRIOR_REHAB:
        errors.append(f"{PRIOR}: “{cell_text(value)}” không nhận ra; ghi một trong: {choices}.")
        return None
    return found


def plan_person(planner: Planner, row: PlanRow, values: dict[str, Any]) -> None:
    """Check a people row: rejected, a possible duplicate, or to import (with its episode)."""
    errors: list[str] = []
    birth, sex = _birth_and_sex(values, errors)
    village_text = person_name(values.get("village"))  # "BẢN MÒNG" is "Bản Mòng"
    village_id, village = planner.villages.resolve(village_text) if village_text else (None, "")
    form: dict[str, Any] = {f: cell_text(values.get(f)) for f in FIELDS if f in values}
    form |= {
        "full_name": person_name(values.get("full_name")),
        "birth_date": birth,
        "sex": sex,
        "id_number": cell_id(values.get("id_number")),
        "village_id": village_id,
        "phone": cell_phone(values.get("phone")),
        "notes": clean(form.get("notes")),
    }
    checked, wrong = check_person(planner.reg, form)
    errors = [*errors, *(m for m in wrong.values() if m not in errors)]
    checked["name_folded"] = fold(checked["full_name"])
    row.name, row.id_number = checked["full_name"], checked["id_number"]
    row.birth = birth.display() if birth else ""

    today = planner.reg.today()
    category = None
    if not is_blank(values.get("category")):
        try:
            category = parse_category_text(values.get("category"))
            row.detail = LABELS[category]
        except UserError as exc:
            errors.append(exc.message)
    start = past_cell_date(values.get("start_date"), "Ngày bắt đầu", errors, today)
    decided = past_cell_date(values.get("decision_date"), "Ngày quyết định", errors, today)
    decision_no = clean(cell_text(values.get("decision_no")))
    dated = any(not is_blank(values.get(f)) for f in ("start_date", "decision_date", "decision_no"))
    if category is None and is_blank(values.get("category")) and dated:
        errors.append("Diện quản lý: không được để trống khi đã ghi ngày bắt đầu hoặc quyết định.")
    if category is not None and start is None and is_blank(values.get("start_date")):
        start = decided
        if start is None and is_blank(values.get("decision_date")):
            errors.append(
                f"Ngày bắt đầu: không được để trống (diện “{LABELS[category]}” cần ngày bắt "
                "đầu hoặc ngày quyết định)."
            )
    if category is not None and start is not None:
        row.detail = f"{LABELS[category]} từ {show(start)}"
    planned = prior = None
    if category == Category.POST_REHAB:
        # The decision states its end; else the rehab before it gives 1 or 2 years.
        planned = _decided_end(values.get("planned_end"), start, errors)
        if planned is None and is_blank(values.get("planned_end")):
            prior = _prior_rehab(values, errors)
    said = plan_substances(values, category, start, today, errors)
    if said.note:
        checked["notes"] = with_substances(checked.get("notes") or "", said.note)
    if said.said:
        row.detail = ". ".join(x for x in (row.detail, said.said) if x)

    # A row of someone already in is a duplicate even with a mistake in it: nothing to correct.
    usable_id = {**checked, "id_number": "" if "id_number" in wrong else checked["id_number"]}
    dup = None if "full_name" in wrong else planner.index.duplicate_of(usable_id)
    if dup is not None:
        known, why = dup
        row.fate, row.match, row.match_id = DUPLICATE, known.describe(), known.person_id
        row.reason = f"{why} {known.describe()}." + (
            f" Dòng này còn lỗi: {_joined(errors)}" if errors else ""
        )
        return
    if errors:
        row.fate, row.reason = REJECTED, _joined(errors)
    else:
        person = {k: checked[k] for k in FIELDS if k != "village_id"}
        row.data = {"person": person, "id_kind": checked["id_kind"],
                    "name_folded": checked["name_folded"], "village_id": village_id,
                    "village": village,
                    "category": category, "start": start, "decision_no": decision_no,
                    "decision_date": decided, "planned": planned,
                    "prior_rehab": prior, "declaration": said.declaration}  # fmt: skip
    planner.add_person(row, checked, village)


def _test_values(
    planner: Planner, values: dict[str, Any], errors: list[str]
) -> tuple[date | None, dict[str, Any]]:
    today = planner.reg.today()
    when = past_cell_date(values.get("test_date"), "Ngày xét nghiệm", errors, today)
    if when is None and is_blank(values.get("test_date")):
        errors.append("Ngày xét nghiệm: không được để trống.")
    found: dict[str, Any] = {}
    for key, reader in (("kind", parse_kind), ("method", parse_method), ("result", parse_result)):
        try:
            found[key] = reader(values.get(key))
        except UserError as exc:
            errors.append(exc.message)
    positives = parse_substances(cell_text(values.get("positives")))
    result = found.get("result")
    if result == "negative" and positives:
        errors.append(f"Kết quả: ghi Âm tính nhưng có chất dương tính “{', '.join(positives)}”.")
    if result is None and "result" in found:
        if positives:
            found["result"] = "positive"
        else:
            errors.append("Kết quả: không được để trống (Âm tính hoặc Dương tính).")
    found["positives"] = positives
    for key in ("officer", "place", "notes"):
        found[key] = clean(cell_text(values.get(key)))
    return when, found


def plan_test(planner: Planner, row: PlanRow, values: dict[str, Any]) -> None:
    """Check a test row: whose test it is, whether the register already has it."""
    errors: list[str] = []
    name = person_name(values.get("full_name"))
    birth, _ = _birth_and_sex(values, errors)
    number = check_id(cell_id(values.get("id_number")))
    if number.error:
        errors.append(number.error)
    row.name, row.birth, row.id_number = name, birth.display() if birth else "", number.number
    when, test = _test_values(planner, values, errors)
    who: Known | str | None = None
    if not errors:
        who = planner.index.person_for_test(number.number, name, birth)
        if isinstance(who, str):
            errors.append(who)
        elif not who.importable:
            errors.append(
                f"Người này ở dòng {who.row} sheet “{who.sheet}” không nhập được; sửa dòng đó "
                "rồi nhập lại cả hai."
            )
    if errors or not isinstance(who, Known) or when is None:
        row.fate, row.reason = REJECTED, _joined(errors)
        return
    positives = ", ".join(SUBSTANCES.get(c, c) for c in test["positives"])
    row.detail = f"Xét nghiệm {show(when)}: {RESULTS[test['result']]}" + (
        f" ({positives})" if positives else ""
    )
    row.match, row.match_id = who.describe(), who.person_id
    if (
        who.person_id is not None
        and planner.reg.db.execute(
            "SELECT 1 FROM drug_tests WHERE person_id = ? AND test_date = ? AND result = ? "
            "AND deleted = 0 LIMIT 1",
            [who.person_id, when.isoformat(), test["result"]],
        ).fetchone()
    ):
        row.fate = DUPLICATE
        row.reason = f"Sổ đã có lần xét nghiệm này ({row.detail}) của {who.describe()}."
        return
    earlier = planner.test_seen(row, who, when, test["result"])
    if earlier is not None:
        row.fate = DUPLICATE
        row.reason = f"Trùng với dòng {earlier.row} sheet “{earlier.sheet}” ({row.detail})."
        return
    target = who.person_id or (who.sheet, who.row)
    row.data = {"person": target, "test_date": when, **test}
