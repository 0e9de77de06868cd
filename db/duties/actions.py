"""What the law has an officer do, each as one call: the window, the command line and an import
all come here, and each action refuses (db.duties.applies) what does not apply to the person.

Each action closes and opens the episodes the law implies, in one transaction, and returns the
deadline it creates (if any) so the screen can show it at once. `run_action` does one from a
form's values (keyed as `Action.fields`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.commune.holidays import work_calendar
from db.commune.settings import get_settings
from db.core.errors import ValidationError
from db.duties import crime
from db.duties.applies import ACTIONS as ACTIONS
from db.duties.applies import ANY, FORM_KEYS, check_action, checked, open_categories
from db.duties.applies import Action as Action
from db.duties.applies import applicable_actions as applicable_actions
from db.duties.post_rehab import post_rehab_deadlines
from db.law.categories import Category, parse_category
from db.law.rules import Rule, apply, deadline, rule
from db.persons import absences, declarations, monitoring
from db.persons.episodes import close_episode, open_episode, open_episodes
from db.security import auth
from db.store import records
from db.store.register import Register

# What the episode functions call a form's field.
_FORM_KEYS = {
    "start_date": "date", "end_date": "date", "decision_date": "date",
    "end_reason": "reason", "planned_end": "planned", "duration_months": "duration",
}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """What an action made: the episode it opened and the deadline that follows, if any."""

    episode_id: str | None
    deadline: date | None = None
    deadline_text: str = ""
    rule: Rule | None = None


def _person_of(reg: Register, episode_id: str) -> str:
    return str(records.get(reg, "episodes", episode_id)["person_id"])


# --- The actions. --------------------------------------------------------------------------------


def _close(reg: Register, person_id: str, on: date, categories: tuple[Category, ...],
           kind: str, reason: str = "", moved_to: str = "") -> list[str]:  # fmt: skip
    closed = []
    for episode in open_episodes(reg, person_id, on):
        if Category(episode["category"]) in categories:
            close_episode(reg, episode["id"], on, kind, reason=reason, moved_to=moved_to)
            closed.append(episode["category"])
    return closed


def management_decision(
    reg: Register, person_id: str, decision_date: date | str, **decision: Any
) -> Outcome:
    """A management decision for illegal use (Mẫu 07); a new use restarts the year."""
    when = checked(reg, "decision", person_id, {"date": decision_date})
    with records.transaction(reg):
        _close(reg, person_id, when, (Category.USER,), "superseded")
        _close(reg, person_id, when, (Category.SUSPECT,), "tested")
        episode = open_episode(reg, person_id, Category.USER, when, decision_date=when, **decision)
    remote = get_settings(reg)["remote_area"]
    key = "residence_check_new_remote" if remote else "residence_check_new"
    due, used = deadline(key, when, work_calendar(reg))
    return Outcome(episode, due, used.text, used)


def found_addicted(reg: Register, person_id: str, on: date | str, **decision: Any) -> Outcome:
    """A health facility found the person addicted: stop management, open the addict episode."""
    when = checked(reg, "addicted", person_id, {"date": on})
    with records.transaction(reg):
        # A relapse during post-rehab management ends it too: the person is an addict again.
        _close(reg, person_id, when, (Category.USER, Category.POST_REHAB), "stopped",
               reason="addicted")  # fmt: skip
        _close(reg, person_id, when, (Category.SUSPECT,), "tested")
        episode = open_episode(reg, person_id, Category.ADDICT, when, **decision)
    due, used = deadline("addict_register_treatment", when, work_calendar(reg))
    return Outcome(episode, due, used.text, used)


def start_treatment(
    reg: Register, person_id: str, category: Category | str, start: date | str, **decision: Any
) -> Outcome:
    """Voluntary or compulsory rehab, or methadone; the person is an addict from then on."""
    when = checked(reg, "treatment", person_id, {"date": start, "category": category})
    cat = parse_category(str(category))
    with records.transaction(reg):
        current = open_categories(reg, person_id, when)
        reason = "compulsory_rehab" if cat == Category.REHAB_COMPULSORY else "addicted"
        _close(reg, person_id, when, (Category.USER, Category.POST_REHAB), "stopped",
               reason=reason)  # fmt: skip
        _close(reg, person_id, when, (Category.SUSPECT, Category.WATCH), "stopped",
               reason="Bắt đầu cai nghiện / điều trị")  # fmt: skip
        if Category.ADDICT not in current:
            open_episode(reg, person_id, Category.ADDICT, when)
        episode = open_episode(reg, person_id, cat, when, **decision)
    return Outcome(episode)


def release_from_rehab(
    reg: Register, episode_id: str, released: date | str, **decision: Any
) -> Outcome:
    """Rehab completed: the person comes home under post-rehab management (1 or 2 years)."""
    person = _person_of(reg, episode_id)
    when = checked(reg, "release", person, {"date": released, "episode": episode_id})
    cat = Category(records.get(reg, "episodes", episode_id)["category"])
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "completed")
        _close(reg, person, when, (Category.ADDICT,), "completed")
        post = open_episode(reg, person, Category.POST_REHAB, when, **decision)
    if decision.get("decision_no"):
        return Outcome(post)
    steps = post_rehab_deadlines(
        when, work_calendar(reg), compulsory=cat == Category.REHAB_COMPULSORY
    )
    # The first thing due: the person's report after compulsory rehab, else the file.
    first = steps.report or steps.file
    return Outcome(post, first.due, first.rule.text, first.rule)


def end_at_term(reg: Register, episode_id: str, on: date | str) -> Outcome:
    """Chấm dứt at term (Mẫu 10), on or after the planned end only (earlier is a stop, Mẫu 09);
    post-rehab is followed by the 2-year watch window."""
    person = _person_of(reg, episode_id)
    when = checked(reg, "term", person, {"date": on, "episode": episode_id})
    ended = Category(records.get(reg, "episodes", episode_id)["category"])
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "term")
        # Only the end of post-rehab management starts the watch window (Law 86/2025).
        watch = _open_watch(reg, person, when) if ended == Category.POST_REHAB else None
    return Outcome(watch)


def quit_treatment(reg: Register, episode_id: str, on: date | str, reason: str = "") -> Outcome:
    """The person left voluntary rehab or methadone early: the 2-year watch window starts."""
    person = _person_of(reg, episode_id)
    when = checked(reg, "quit", person, {"date": on, "episode": episode_id})
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "quit", reason=reason)
        watch = _open_watch(reg, person, when)
    return Outcome(watch)


def _open_watch(reg: Register, person_id: str, on: date) -> str | None:
    """The 2-year watch window from `on` (after post-rehab, or after quitting treatment)."""
    window = rule("watch_window", on)
    # The crime exists from the law's effective date: a window that ends before it is moot.
    if apply(window, on, work_calendar(reg)) < window.effective:  # its last day counts
        return None
    if Category.WATCH in open_categories(reg, person_id, on):
        return None
    return open_episode(reg, person_id, Category.WATCH, on)


def stop(reg: Register, episode_id: str, on: date | str, reason: str) -> Outcome:
    """Dừng quản lý before term (Mẫu 09) with its reason."""
    person = _person_of(reg, episode_id)
    values = {"date": on, "episode": episode_id, "reason": reason}
    when = checked(reg, "stop", person, values)
    close_episode(reg, episode_id, when, "stopped", reason=reason)
    return Outcome(None)


def _end_all(reg: Register, person_id: str, on: date, kind: str, **extra: str) -> list[str]:
    with records.transaction(reg):
        return _close(reg, person_id, on, ANY, kind, **extra)


def move_away(reg: Register, person_id: str, on: date | str, moved_to: str) -> Outcome:
    """The person moved to another commune: episodes end, the file must follow (Mẫu 08/53)."""
    when = checked(reg, "move_away", person_id, {"date": on, "moved_to": moved_to})
    _end_all(reg, person_id, when, "moved_away", moved_to=moved_to)
    due, used = deadline("move_notice", when, work_calendar(reg))
    return Outcome(None, due, used.text, used)


def mark_notice_sent(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The move notice or file transfer has been sent to the new commune."""
    when = checked(reg, "notice", person_id, {"date": on})
    with records.transaction(reg):
        for (episode_id,) in reg.db.execute(
            "SELECT id FROM episodes WHERE person_id = ? AND end_kind = 'moved_away' "
            "AND notice_date IS NULL AND deleted = 0",
            [person_id],
        ).fetchall():
            records.update(reg, "episodes", episode_id, {"notice_date": when.isoformat()})
    return Outcome(None)


def move_in(
    reg: Register,
    person_id: str,
    category: Category | str,
    on: date | str,
    moved_from: str,
    planned: date | str | None = None,
    **decision: Any,
) -> Outcome:
    """A managed person moved in: the time left on the old decision carries over, so a user or
    post-rehab person needs the old decision's end (`planned`) or its `decision_date`."""
    values = {"date": on, "category": category, "moved_from": moved_from, "planned": planned,
              "decision_date": decision.get("decision_date"),
              "prior_rehab": decision.get("prior_rehab")}  # fmt: skip
    when = checked(reg, "move_in", person_id, values)
    episode = open_episode(
        reg, person_id, category, when, moved_from=moved_from, planned=planned, **decision
    )
    return Outcome(episode)


def absconded(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person absconded: open episodes end as such."""
    _end_all(reg, person_id, checked(reg, "absconded", person_id, {"date": on}), "absconded")
    return Outcome(None)


def died(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person died: every open episode ends."""
    _end_all(reg, person_id, checked(reg, "died", person_id, {"date": on}), "died")
    return Outcome(None)


def imprisoned(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person went to prison: every open episode ends."""
    _end_all(reg, person_id, checked(reg, "prison", person_id, {"date": on}), "prison")
    return Outcome(None)


def suspected(reg: Register, person_id: str, on: date | str, notes: str = "") -> Outcome:
    """List a person with grounds to suspect use, to be tested."""
    when = checked(reg, "suspect", person_id, {"date": on})
    return Outcome(open_episode(reg, person_id, Category.SUSPECT, when, notes=notes))


def sign_off(reg: Register, episode_id: str) -> Outcome:
    """The chief signs off an open decision as recorded (db.security.auth; chief only)."""
    checked(reg, "sign_off", _person_of(reg, episode_id), {"episode": episode_id})
    auth.sign_off(reg, episode_id)
    return Outcome(None)


def record_absence(
    reg: Register, episode_id: str, start: date | str, end: date | str, note: str = ""
) -> Outcome:
    """An unreported absence during post-rehab management: the period ends as many days later
    (db.persons.absences); the new end is the outcome's deadline."""
    person = _person_of(reg, episode_id)
    values = {"episode": episode_id, "date": start, "until": end, "notes": note}
    checked(reg, "absence", person, values)
    absences.record_absence(reg, episode_id, start, end, note)
    episode = records.get(reg, "episodes", episode_id)
    period = rule("post_rehab_period", date.fromisoformat(episode["start_date"]))
    text = "Hết thời hạn quản lý sau cai nghiện (đã cộng thời gian vắng mặt)"
    return Outcome(episode_id, date.fromisoformat(episode["planned_end"]), text, period)


def order_monitoring(
    reg: Register, person_id: str, ordered_on: date | str, *, ordered_by: str,
    start: date | str, end: date | str, device: str = "", notes: str = "",
) -> Outcome:  # fmt: skip
    """The head of the commune police orders electronic monitoring (Law 120/2025)."""
    values = {"date": ordered_on, "ordered_by": ordered_by, "from_date": start, "until": end}
    checked(reg, "monitoring", person_id, values)
    monitoring.order_monitoring(reg, person_id, ordered_on, ordered_by=ordered_by, start=start,
                                end=end, device=device, notes=notes)  # fmt: skip
    return Outcome(None)


def end_monitoring(reg: Register, order_id: str, on: date | str, reason: str) -> Outcome:
    """A monitoring order ended (at its term or earlier), with why."""
    person = str(records.get(reg, "monitoring_orders", order_id)["person_id"])
    checked(reg, "monitoring_end", person, {"order": order_id, "date": on, "reason_text": reason})
    monitoring.end_monitoring(reg, order_id, on, reason)
    return Outcome(None)


def declare_substances(
    reg: Register, person_id: str, on: date | str, substances: str, notes: str = ""
) -> Outcome:
    """A person under management declared the substances they use (Law 120/2025)."""
    checked(reg, "declare", person_id, {"date": on, "substances": substances, "notes": notes})
    declarations.declare_substances(reg, person_id, on, substances, notes)
    return Outcome(None)


def handed_to_investigators(reg: Register, person_id: str, on: date | str,
                            notes: str = "") -> Outcome:  # fmt: skip
    """The case (a sign of the crime of Art. 256a) went to the investigating police: the due
    list's "crime" item for the person's positive tests up to that day is done."""
    when = checked(reg, "handover", person_id, {"date": on, "notes": notes})
    crime.record_handover(reg, person_id, when, notes)
    return Outcome(None)


# --- An action from a form. ----------------------------------------------------------------------

_Run = Callable[[Register, str, Mapping[str, Any]], Outcome]


def _decision(v: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v[k] for k in ("decision_no", "signer") if k in v}


_RUNS: dict[str, _Run] = {
    "suspect": lambda r, p, v: suspected(r, p, v["date"], v.get("notes", "")),
    "decision": lambda r, p, v: management_decision(r, p, v["date"], **_decision(v)),
    "addicted": lambda r, p, v: found_addicted(r, p, v["date"], **_decision(v)),
    "treatment": lambda r, p, v: start_treatment(
        r, p, v["category"], v["date"], duration_months=v.get("duration"),
        planned=v.get("planned"), **_decision(v)),
    "release": lambda r, p, v: release_from_rehab(r, v["episode"], v["date"], **_decision(v)),
    "quit": lambda r, p, v: quit_treatment(r, v["episode"], v["date"], v.get("reason_text", "")),
    "term": lambda r, p, v: end_at_term(r, v["episode"], v["date"]),
    "stop": lambda r, p, v: stop(r, v["episode"], v["date"], v["reason"]),
    "move_away": lambda r, p, v: move_away(r, p, v["date"], v["moved_to"]),
    "notice": lambda r, p, v: mark_notice_sent(r, p, v["date"]),
    "move_in": lambda r, p, v: move_in(
        r, p, v["category"], v["date"], v["moved_from"], v.get("planned"), **_decision(v),
        decision_date=v.get("decision_date"), prior_rehab=v.get("prior_rehab") or None),
    "absconded": lambda r, p, v: absconded(r, p, v["date"]),
    "prison": lambda r, p, v: imprisoned(r, p, v["date"]),
    "died": lambda r, p, v: died(r, p, v["date"]),
    "sign_off": lambda r, p, v: sign_off(r, v["episode"]),
    "absence": lambda r, p, v: record_absence(
        r, v["episode"], v["date"], v["until"], v.get("notes", "")),
    "monitoring": lambda r, p, v: order_monitoring(
        r, p, v["date"], ordered_by=v["ordered_by"], start=v["from_date"], end=v["until"],
        device=v.get("device", ""), notes=v.get("notes", "")),
    "monitoring_end": lambda r, p, v: end_monitoring(r, v["order"], v["date"], v["reason_text"]),
    "declare": lambda r, p, v: declare_substances(
        r, p, v["date"], v["substances"], v.get("notes", "")),
    "handover": lambda r, p, v: handed_to_investigators(r, p, v["date"], v.get("notes", "")),
}  # fmt: skip


def run_action(reg: Register, key: str, person_id: str, values: Mapping[str, Any]) -> Outcome:
    """Do action `key` for a person with a form's values (keyed as `Action.fields`); a refusal
    names the form's fields, so each message lands next to its field."""
    errors = check_action(reg, key, person_id, values)
    if errors:
        raise ValidationError(errors)
    try:
        return _RUNS[key](reg, person_id, values)
    except ValidationError as exc:
        names = _FORM_KEYS | FORM_KEYS.get(key, {})
        raise ValidationError({names.get(k, k): m for k, m in exc.errors.items()}) from exc
