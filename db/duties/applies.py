"""Which action of the law applies to which status, said once: the window's action menu, the
command line and an import all ask here, and every action function refuses what does not apply.

`ACTIONS` lists the actions with what a form asks for each (keyed as `run_action` in
db.duties.actions takes them) and whom each applies to; `applicable_actions` lists those that
apply to a person, `check_action` says what is wrong with a form's values, writing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.core.dates import from_iso, future_error, parse_date, show
from db.core.errors import NotAllowed, NotFound, UserError, ValidationError
from db.duties import crime
from db.law.categories import LABELS, QUITTABLE, TREATMENT, Category, parse_category
from db.law.rules import in_force, rule
from db.persons import absences, declarations, monitoring
from db.persons.episodes import (
    STOP_REASON_REQUIRED,
    end_of,
    open_episodes,
    status_label,
)
from db.store import records
from db.store.register import Register
from db.store.roles import require_chief

REHAB = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.REHAB_COMPULSORY)
# Decisions of the commune that end at their term (Mẫu 10).
AT_TERM = (Category.USER, Category.POST_REHAB, Category.WATCH, Category.REHAB_HOME)
MOVE_IN = (Category.USER, Category.POST_REHAB, Category.ADDICT, Category.REHAB_HOME,
           Category.METHADONE)  # fmt: skip
ANY = tuple(Category)
# Under management: the people who must declare the substances they use (Law 120/2025).
MANAGED = (Category.USER, Category.ADDICT, *TREATMENT, Category.POST_REHAB)
_DECISION = ("decision_no", "signer")
_MANAGED = "chỉ áp dụng cho người đang có diện quản lý"


@dataclass(frozen=True)
class Action:
    """One action of the law: its title, the fields a form asks (keyed as `run_action` takes
    them) and whom it applies to.

    It applies only while one of `needs` is open (to an open episode of one of them when
    `on_episode`), and not while one of `excludes` is open; `choices` are the categories it may
    open (`choices_rule` says so when another is asked). `rule` says the condition in the
    officer's words, for the refusal. `since_rule` names the rule (db.law.rules) from whose
    effective date it exists; `chief_only`: only the station chief may do it; `condition` names
    a further condition on the person (`CONDITIONS`).
    """

    key: str
    title: str
    fields: tuple[str, ...]
    needs: tuple[Category, ...] = ()
    excludes: tuple[Category, ...] = ()
    on_episode: bool = False
    choices: tuple[Category, ...] = ()
    rule: str = ""
    date_label: str = "Ngày"
    choices_rule: str = ""
    since_rule: str = ""
    chief_only: bool = False
    condition: str = ""


ACTIONS: tuple[Action, ...] = (
    Action("suspect", "Đưa vào danh sách nghi sử dụng (cần xét nghiệm)", ("date", "notes"),
           excludes=(Category.SUSPECT,), rule="người này đã ở diện nghi sử dụng",
           date_label="Ngày bắt đầu"),
    Action("decision", "Quyết định quản lý người sử dụng trái phép (Mẫu 07)",
           ("date", *_DECISION), date_label="Ngày quyết định"),
    Action("addicted", "Xác định là người nghiện", ("date", *_DECISION),
           excludes=(Category.ADDICT,), rule="người này đã được xác định là nghiện",
           date_label="Ngày xác định nghiện"),
    Action("treatment", "Bắt đầu cai nghiện / điều trị methadone",
           ("category", "date", *_DECISION, "duration", "planned"), excludes=TREATMENT,
           choices=TREATMENT, rule="người này đang cai nghiện hoặc điều trị methadone",
           date_label="Ngày bắt đầu",
           choices_rule="Chỉ chọn một hình thức cai nghiện hoặc methadone."),
    Action("release", "Hoàn thành cai nghiện → quản lý sau cai nghiện",
           ("episode", "date", *_DECISION), needs=REHAB, on_episode=True,
           rule="chỉ áp dụng cho người đang cai nghiện", date_label="Ngày hoàn thành cai nghiện"),
    Action("quit", "Bỏ cai nghiện / bỏ điều trị", ("episode", "date", "reason_text"),
           needs=QUITTABLE, on_episode=True,
           rule="chỉ áp dụng cho người đang cai nghiện tự nguyện hoặc điều trị methadone",
           date_label="Ngày bỏ cai nghiện"),
    Action("term", "Chấm dứt khi hết thời hạn (Mẫu 10)", ("episode", "date"), needs=AT_TERM,
           on_episode=True, rule="chỉ áp dụng cho diện sử dụng trái phép, sau cai nghiện, theo "
           "dõi 2 năm hoặc cai nghiện tại gia đình", date_label="Ngày chấm dứt"),
    Action("stop", "Dừng quản lý trước thời hạn (Mẫu 09)", ("episode", "date", "reason"),
           needs=ANY, on_episode=True, rule=_MANAGED, date_label="Ngày dừng"),
    Action("move_away", "Chuyển đi nơi khác (Mẫu 08)", ("date", "moved_to"), needs=ANY,
           rule=_MANAGED, date_label="Ngày chuyển đi"),
    Action("notice", "Đã gửi thông báo / hồ sơ cho nơi chuyển đến", ("date",),
           date_label="Ngày gửi thông báo"),
    Action("move_in", "Chuyển đến từ nơi khác (tính tiếp thời hạn còn lại)",
           ("category", "date", "moved_from", "decision_date", "planned", "prior_rehab",
            *_DECISION), choices=MOVE_IN,
           date_label="Ngày bắt đầu", choices_rule="Chỉ chọn diện sử dụng trái phép, nghiện, "
           "cai nghiện tại gia đình, methadone hoặc quản lý sau cai nghiện."),
    Action("absconded", "Bỏ trốn", ("date",), needs=ANY, rule=_MANAGED, date_label="Ngày bỏ trốn"),
    Action("prison", "Đi tù, chấp hành án", ("date",), needs=ANY, rule=_MANAGED,
           date_label="Ngày thi hành án"),
    Action("died", "Chết", ("date",), needs=ANY, rule=_MANAGED, date_label="Ngày chết"),
    Action("sign_off", "Chỉ huy duyệt quyết định (ghi vào nhật ký)", ("episode",), needs=ANY,
           on_episode=True, rule=_MANAGED),
    Action("absence", "Ghi thời gian vắng mặt không báo cáo (không tính vào thời hạn)",
           ("episode", "date", "until", "notes"), needs=(Category.POST_REHAB,), on_episode=True,
           rule="chỉ áp dụng cho người đang quản lý sau cai nghiện",
           date_label="Vắng mặt từ ngày"),
    Action("monitoring", "Quyết định giám sát điện tử (Luật 120/2025)",
           ("date", "ordered_by", "from_date", "until", "device", "notes"),
           needs=monitoring.ELIGIBLE, rule="chỉ áp dụng cho người cai nghiện tự nguyện tại gia "
           "đình, cộng đồng, điều trị methadone hoặc quản lý sau cai nghiện",
           date_label="Ngày quyết định", since_rule=monitoring.RULE, chief_only=True),
    Action("monitoring_end", "Kết thúc giám sát điện tử", ("order", "date", "reason_text"),
           rule="chỉ áp dụng khi người này đang có lệnh giám sát điện tử chưa kết thúc",
           date_label="Ngày kết thúc giám sát", condition="monitored"),
    Action("declare", "Khai báo chất sử dụng", ("date", "substances", "notes"), needs=MANAGED,
           rule=_MANAGED, date_label="Ngày khai báo"),
    Action("handover", "Đã chuyển cơ quan điều tra", ("date", "notes"),
           rule="chỉ áp dụng khi người này có lần dương tính là dấu hiệu tội phạm (Điều 256a Bộ "
           "luật Hình sự) chưa chuyển cơ quan điều tra", date_label="Ngày chuyển hồ sơ",
           condition="crime_sign"),
)  # fmt: skip
BY_KEY = {action.key: action for action in ACTIONS}
# Texts an action cannot do without (the form's key → the message when it is blank).
_REQUIRED = {
    "moved_to": "Nơi chuyển đến: không được để trống.",
    "moved_from": "Nơi chuyển đến từ: không được để trống.",
    "reason": STOP_REASON_REQUIRED,
}


def open_categories(reg: Register, person_id: str, on: date) -> set[Category]:
    """The categories open for the person on a day."""
    return {Category(e["category"]) for e in open_episodes(reg, person_id, on)}


def _refusal(reg: Register, action: Action, person_id: str, on: date) -> str:
    """The refusal, naming the action and the person's status on the day."""
    label = status_label([c.value for c in open_categories(reg, person_id, on)])
    status = f"đang ở diện “{label}”" if label else "không còn diện quản lý nào đang mở"
    return f"Không ghi được “{action.title}”: {action.rule}; ngày {show(on)} người này {status}."


def _applies(action: Action, open_now: set[Category]) -> bool:
    needed = not action.needs or bool(open_now & set(action.needs))
    return needed and not open_now & set(action.excludes)


def _monitored(reg: Register, person_id: str, on: date) -> bool:
    return bool(monitoring.open_orders(reg, person_id))


def crime_sign(reg: Register, person_id: str, on: date) -> bool:
    """A positive test up to `on` that is a sign of the crime of Art. 256a, not yet handed to
    the investigating police: the due list's "crime" item, read the same way (db.duties.crime).
    The condition of the hand-over action (db.duties.applies)."""
    handed = crime.handovers(reg, [person_id]).get(person_id, date.min)
    tests = reg.db.execute(
        "SELECT test_date, positives FROM drug_tests WHERE person_id = ? AND deleted = 0 "
        "AND result = 'positive' AND test_date > ? AND test_date >= ? AND test_date <= ?",
        [person_id, handed.isoformat(), crime.law_start().isoformat(), on.isoformat()],
    ).fetchall()
    history = crime.history_of(reg, [person_id])[person_id] if tests else []
    return any(
        crime.read(history, date.fromisoformat(day), [c for c in codes.split(",") if c]).crime
        for day, codes in tests
    )


# Further conditions on the person (Action.condition): whether it holds on a day.
CONDITIONS: dict[str, Callable[[Register, str, date], bool]] = {
    "monitored": _monitored,
    "crime_sign": crime_sign,
}


def _barred(reg: Register, action: Action, person_id: str, on: date) -> str:
    """A refusal that is not about the status: the law not yet in force on the day, an action
    of the chief's, a condition that does not hold ("" when none)."""
    title = f"Không ghi được “{action.title}”"
    if action.since_rule and not in_force(action.since_rule, on):
        r = rule(action.since_rule, on)
        return (
            f"{title}: áp dụng từ ngày {show(r.effective)} ({r.source}); ngày {show(on)} luật "
            "chưa có hiệu lực."
        )
    if action.chief_only:
        try:
            require_chief(reg, f"ghi “{action.title}”")
        except NotAllowed as exc:
            return exc.message
    if action.condition and not CONDITIONS[action.condition](reg, person_id, on):
        return f"{title}: {action.rule}."
    return ""


def _why_not(reg: Register, action: Action, person_id: str, on: date,
             open_now: set[Category]) -> str:  # fmt: skip
    if not _applies(action, open_now):
        return _refusal(reg, action, person_id, on)
    return _barred(reg, action, person_id, on)


def applicable_actions(reg: Register, person_id: str, on: date | None = None) -> list[Action]:
    """The actions that apply to the person on a day (default today), in the table's order."""
    day = on or reg.today()
    open_now = open_categories(reg, person_id, day)
    return [a for a in ACTIONS if not _why_not(reg, a, person_id, day, open_now)]


def refusal(reg: Register, key: str, person_id: str, on: date | None = None) -> str:
    """Why action `key` does not apply to the person on a day ("" when it does)."""
    day = on or reg.today()
    return _why_not(reg, BY_KEY[key], person_id, day, open_categories(reg, person_id, day))


def episodes_for(
    reg: Register, key: str, person_id: str, on: date | None = None
) -> list[dict[str, Any]]:
    """The person's open episodes that action `key` may act on."""
    needs = BY_KEY[key].needs
    return [e for e in open_episodes(reg, person_id, on) if Category(e["category"]) in needs]


def _episode_refusal(reg: Register, action: Action, episode_id: Any, person_id: str,
                     on: date) -> str | None:  # fmt: skip
    try:
        episode = records.get(reg, "episodes", str(episode_id)) if episode_id else None
    except NotFound:
        episode = None
    if episode and episode["end_date"] is None and Category(episode["category"]) in action.needs:
        return None
    return _refusal(reg, action, episode["person_id"] if episode else person_id, on)


def check_action(
    reg: Register, key: str, person_id: str, values: Mapping[str, Any]
) -> dict[str, str]:
    """What is wrong with doing action `key` with a form's values (field → message); writes
    nothing. Every action makes this check before it writes."""
    action = BY_KEY[key]
    errors: dict[str, str] = {}
    on = reg.today()
    if "date" in action.fields:
        day = values.get("date")
        if day in (None, ""):
            errors["date"] = f"{action.date_label}: không được để trống."
        else:
            try:
                on = parse_date(day, action.date_label)
            except UserError as exc:
                errors["date"] = exc.message
            if message := future_error(on, reg.today(), action.date_label):
                errors.setdefault("date", message)
    if action.on_episode:
        refused = _episode_refusal(reg, action, values.get("episode"), person_id, on)
        if refused:
            errors["episode"] = refused
        elif barred := _barred(reg, action, person_id, on):
            errors["person"] = barred
    elif why := _why_not(reg, action, person_id, on, open_categories(reg, person_id, on)):
        errors["person"] = why
    if action.choices:
        try:
            category = parse_category(str(values.get("category") or ""))
            if category not in action.choices:
                errors["category"] = action.choices_rule
        except UserError as exc:
            errors["category"] = exc.message
    for field, message in _REQUIRED.items():
        if field in action.fields and not str(values.get(field) or "").strip():
            errors[field] = message
    # What the action asks of its values (not of an episode it cannot act on).
    if (extra := _EXTRA_CHECKS.get(key)) and "episode" not in errors:
        names = FORM_KEYS.get(key, {})
        for field, message in extra(reg, person_id, values, on).items():
            errors.setdefault(names.get(field, field), message)
    return errors


def checked(reg: Register, key: str, person_id: str, values: Mapping[str, Any]) -> date:
    """Refuse (ValidationError) what `check_action` finds wrong; the action's day."""
    errors = check_action(reg, key, person_id, values)
    if errors:
        raise ValidationError(errors)
    day = values.get("date")
    return reg.today() if day is None else parse_date(day, BY_KEY[key].date_label)


# --- What an action asks beyond the status: the same checks its db function makes. --------------

# The db functions' names of a form's fields, by action (db name → the form's key).
FORM_KEYS: dict[str, dict[str, str]] = {
    "move_in": {"planned_end": "planned", "start_date": "date"},
    "absence": {"start": "date", "end": "until"},
    "monitoring": {"ordered_on": "date", "start": "from_date", "end": "until"},
    "monitoring_end": {"ended_on": "date", "reason": "reason_text"},
    "declare": {"declared_on": "date"},
}
_Check = Callable[[Register, str, Mapping[str, Any], date], dict[str, str]]


def _optional_day(value: Any, key: str, label: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value, label)
    except UserError as exc:
        errors[key] = exc.message
        return None


def _move_in(reg: Register, person_id: str, values: Mapping[str, Any], on: date) -> dict[str, str]:
    """The old decision's remaining time carries over (db.persons.episodes.end_of)."""
    errors: dict[str, str] = {}
    decided = _optional_day(values.get("decision_date"), "decision_date", "Ngày quyết định cũ",
                            errors)  # fmt: skip
    planned = _optional_day(values.get("planned"), "planned", "Ngày kết thúc", errors)
    try:
        category = parse_category(str(values.get("category") or ""))
    except UserError:
        return errors  # said under "category" already
    if errors or category not in MOVE_IN:
        return errors
    moved_from = str(values.get("moved_from") or "").strip() or "?"  # blank: said already
    try:
        end_of(
            reg, person_id, category, on, planned=planned, decided=decided,
            moved_from=moved_from, prior=values.get("prior_rehab"), duration_months=None,
        )  # fmt: skip
    except ValidationError as exc:
        return exc.errors
    return {}


def _at_term(reg: Register, person_id: str, values: Mapping[str, Any], on: date) -> dict[str, str]:
    """Chấm dứt (Mẫu 10) only at or after the term; an earlier end is a stop (Mẫu 09)."""
    try:
        episode = records.get(reg, "episodes", str(values.get("episode") or ""))
    except NotFound:
        return {}
    label = BY_KEY["term"].date_label
    if on.isoformat() < episode["start_date"]:
        return {"date": f"{label}: {show(on)} trước ngày bắt đầu {show(episode['start_date'])}."}
    term = from_iso(episode["planned_end"])
    if term is not None and on < term:
        return {
            "date": f"{label}: thời hạn của diện “{LABELS[Category(episode['category'])]}” đến "
            f"ngày {show(term)}; ngày {show(on)} chưa hết thời hạn. Kết thúc trước thời hạn là "
            f"“{BY_KEY['stop'].title}”, ghi rõ lý do."
        }
    return {}


def _absence(reg: Register, person_id: str, values: Mapping[str, Any], on: date) -> dict[str, str]:
    episode = str(values.get("episode") or "")
    return absences.check_absence(reg, episode, values.get("date"), values.get("until"))


def _monitoring(reg: Register, person_id: str, values: Mapping[str, Any],
                on: date) -> dict[str, str]:  # fmt: skip
    return monitoring.check_order(
        reg, person_id, values.get("date"), ordered_by=str(values.get("ordered_by") or ""),
        start=values.get("from_date"), end=values.get("until"),
    )  # fmt: skip


def _monitoring_end(reg: Register, person_id: str, values: Mapping[str, Any],
                    on: date) -> dict[str, str]:  # fmt: skip
    order = str(values.get("order") or "")
    return monitoring.check_end(
        reg, order, values.get("date"), str(values.get("reason_text") or "")
    )


def _declare(reg: Register, person_id: str, values: Mapping[str, Any], on: date) -> dict[str, str]:
    return declarations.check_declaration(reg, values.get("date"), values.get("substances"))


_EXTRA_CHECKS: dict[str, _Check] = {
    "move_in": _move_in, "term": _at_term, "absence": _absence, "monitoring": _monitoring,
    "monitoring_end": _monitoring_end, "declare": _declare,
}  # fmt: skip
