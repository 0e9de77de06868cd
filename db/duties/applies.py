"""Which action of the law applies to which status, said once: the window's action menu, the
command line and an import all ask here, and every action function refuses what does not apply.

`ACTIONS` lists the actions with what a form asks for each (keyed as `run_action` in
db.duties.actions takes them) and whom each applies to; `applicable_actions` lists those that
apply to a person, `check_action` says what is wrong with a form's values, writing nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.core.dates import parse_date, show
from db.core.errors import NotFound, UserError, ValidationError
from db.law.categories import TREATMENT, Category, parse_category
from db.persons.episodes import (
    _not_future,  # the episodes' one "in the future" rule, until it has a public name
    open_episodes,
    status_label,
)
from db.store import records
from db.store.register import Register

REHAB = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.REHAB_COMPULSORY)
# Leaving these early is "quitting" (and starts the watch window); compulsory rehab is left only
# by absconding.
QUITTABLE = (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.METHADONE)
# Decisions of the commune that end at their term (Mẫu 10).
AT_TERM = (Category.USER, Category.POST_REHAB, Category.WATCH, Category.REHAB_HOME)
MOVE_IN = (Category.USER, Category.POST_REHAB, Category.ADDICT, Category.REHAB_HOME,
           Category.METHADONE)  # fmt: skip
ANY = tuple(Category)
_DECISION = ("decision_no", "signer")
_MANAGED = "chỉ áp dụng cho người đang có diện quản lý"


@dataclass(frozen=True)
class Action:
    """One action of the law: its title, the fields a form asks (keyed as `run_action` takes
    them) and whom it applies to.

    It applies only while one of `needs` is open (to an open episode of one of them when
    `on_episode`), and not while one of `excludes` is open; `choices` are the categories it may
    open (`choices_rule` says so when another is asked). `rule` says the condition in the
    officer's words, for the refusal.
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
           ("category", "date", "moved_from", "planned", *_DECISION), choices=MOVE_IN,
           date_label="Ngày bắt đầu", choices_rule="Chỉ chọn diện sử dụng trái phép, nghiện, "
           "cai nghiện tại gia đình, methadone hoặc quản lý sau cai nghiện."),
    Action("absconded", "Bỏ trốn", ("date",), needs=ANY, rule=_MANAGED, date_label="Ngày bỏ trốn"),
    Action("prison", "Đi tù, chấp hành án", ("date",), needs=ANY, rule=_MANAGED,
           date_label="Ngày thi hành án"),
    Action("died", "Chết", ("date",), needs=ANY, rule=_MANAGED, date_label="Ngày chết"),
    Action("sign_off", "Chỉ huy duyệt quyết định (ghi vào nhật ký)", ("episode",), needs=ANY,
           on_episode=True, rule=_MANAGED),
)  # fmt: skip
BY_KEY = {action.key: action for action in ACTIONS}
# Texts an action cannot do without (the form's key → the message when it is blank).
_REQUIRED = {
    "moved_to": "Nơi chuyển đến: không được để trống.",
    "moved_from": "Nơi chuyển đến từ: không được để trống.",
    "reason": "Lý do dừng: phải ghi lý do (Mẫu 09).",
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


def applicable_actions(reg: Register, person_id: str, on: date | None = None) -> list[Action]:
    """The actions that apply to the person on a day (default today), in the table's order."""
    open_now = open_categories(reg, person_id, on or reg.today())
    return [a for a in ACTIONS if _applies(a, open_now)]


def refusal(reg: Register, key: str, person_id: str, on: date | None = None) -> str:
    """Why action `key` does not apply to the person on a day ("" when it does)."""
    day = on or reg.today()
    if _applies(BY_KEY[key], open_categories(reg, person_id, day)):
        return ""
    return _refusal(reg, BY_KEY[key], person_id, day)


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
            _not_future(reg, on, "date", action.date_label, errors)
    if action.on_episode:
        refused = _episode_refusal(reg, action, values.get("episode"), person_id, on)
        if refused:
            errors["episode"] = refused
    elif not _applies(action, open_categories(reg, person_id, on)):
        errors["person"] = _refusal(reg, action, person_id, on)
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
    return errors


def checked(reg: Register, key: str, person_id: str, values: Mapping[str, Any]) -> date:
    """Refuse (ValidationError) what `check_action` finds wrong; the action's day."""
    errors = check_action(reg, key, person_id, values)
    if errors:
        raise ValidationError(errors)
    day = values.get("date")
    return reg.today() if day is None else parse_date(day, BY_KEY[key].date_label)
