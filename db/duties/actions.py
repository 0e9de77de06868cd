"""What the law has an officer do, each as one call: the window's action buttons call these.

Each action closes and opens the episodes the law implies, in one transaction, and returns the
deadline it creates (if any) so the screen can show it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from db.commune.holidays import work_calendar
from db.commune.settings import get_settings
from db.core.dates import parse_date
from db.core.errors import ValidationError
from db.law.categories import TREATMENT, Category, parse_category
from db.law.rules import Rule, apply, deadline, rule
from db.persons.episodes import close_episode, open_episode, open_episodes
from db.store import records
from db.store.register import Register


@dataclass(frozen=True)
class Outcome:
    """What an action made: the episode it opened and the deadline that follows, if any."""

    episode_id: str | None
    deadline: date | None = None
    deadline_text: str = ""
    rule: Rule | None = None


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
    when = parse_date(decision_date, "Ngày quyết định")
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
    when = parse_date(on, "Ngày xác định nghiện")
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
    cat = parse_category(str(category))
    if cat not in TREATMENT:
        raise ValidationError({"category": "Chỉ chọn một hình thức cai nghiện hoặc methadone."})
    when = parse_date(start, "Ngày bắt đầu")
    with records.transaction(reg):
        current = {e["category"] for e in open_episodes(reg, person_id, when)}
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
    episode = records.get(reg, "episodes", episode_id)
    cat = Category(episode["category"])
    if cat not in (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.REHAB_COMPULSORY):
        raise ValidationError({"category": "Chỉ áp dụng cho người đang cai nghiện."})
    when = parse_date(released, "Ngày hoàn thành cai nghiện")
    person = episode["person_id"]
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "completed")
        _close(reg, person, when, (Category.ADDICT,), "completed")
        post = open_episode(reg, person, Category.POST_REHAB, when, **decision)
    calendar = work_calendar(reg)
    if decision.get("decision_no"):
        return Outcome(post)
    due, used = deadline("post_rehab_file", when, calendar)
    if cat == Category.REHAB_COMPULSORY:
        due, used = deadline("compulsory_release_report", when, calendar)
    return Outcome(post, due, used.text, used)


def end_at_term(reg: Register, episode_id: str, on: date | str) -> Outcome:
    """Chấm dứt at term (Mẫu 10); post-rehab is followed by the 2-year watch window."""
    episode = records.get(reg, "episodes", episode_id)
    when = parse_date(on, "Ngày chấm dứt")
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "term")
        ended = Category(episode["category"])
        # Only the end of post-rehab management starts the watch window (Law 86/2025).
        watch = (
            _open_watch(reg, episode["person_id"], when) if ended == Category.POST_REHAB else None
        )
    return Outcome(watch)


def quit_treatment(reg: Register, episode_id: str, on: date | str, reason: str = "") -> Outcome:
    """The person left voluntary rehab or methadone early: the 2-year watch window starts."""
    episode = records.get(reg, "episodes", episode_id)
    cat = Category(episode["category"])
    when = parse_date(on, "Ngày bỏ cai nghiện")
    with records.transaction(reg):
        close_episode(reg, episode_id, when, "quit", reason=reason)
        quits_watched = cat in (Category.REHAB_HOME, Category.REHAB_FACILITY, Category.METHADONE)
        watch = _open_watch(reg, episode["person_id"], when) if quits_watched else None
    return Outcome(watch)


def _open_watch(reg: Register, person_id: str, on: date) -> str | None:
    """The 2-year watch window from `on` (after post-rehab, or after quitting treatment)."""
    window = rule("watch_window", on)
    # The crime exists from the law's effective date: a window that ends before it is moot.
    if apply(window, on, work_calendar(reg)) <= window.effective:
        return None
    if any(e["category"] == Category.WATCH for e in open_episodes(reg, person_id, on)):
        return None
    return open_episode(reg, person_id, Category.WATCH, on)


def stop(reg: Register, episode_id: str, on: date | str, reason: str) -> Outcome:
    """Dừng quản lý before term (Mẫu 09) with its reason."""
    when = parse_date(on, "Ngày dừng")
    close_episode(reg, episode_id, when, "stopped", reason=reason)
    return Outcome(None)


def _end_all(reg: Register, person_id: str, on: date, kind: str, **extra: str) -> list[str]:
    everything = tuple(Category)
    with records.transaction(reg):
        return _close(reg, person_id, on, everything, kind, **extra)


def move_away(reg: Register, person_id: str, on: date | str, moved_to: str) -> Outcome:
    """The person moved to another commune: episodes end, the file must follow (Mẫu 08/53)."""
    if not moved_to.strip():
        raise ValidationError({"moved_to": "Nơi chuyển đến: không được để trống."})
    when = parse_date(on, "Ngày chuyển đi")
    closed = _end_all(reg, person_id, when, "moved_away", moved_to=moved_to)
    if not closed:
        raise ValidationError({"person": "Người này không còn diện quản lý nào đang mở."})
    due, used = deadline("move_notice", when, work_calendar(reg))
    return Outcome(None, due, used.text, used)


def mark_notice_sent(reg: Register, person_id: str, on: date | str) -> None:
    """The move notice or file transfer has been sent to the new commune."""
    when = parse_date(on, "Ngày gửi thông báo")
    with records.transaction(reg):
        for (episode_id,) in reg.db.execute(
            "SELECT id FROM episodes WHERE person_id = ? AND end_kind = 'moved_away' "
            "AND notice_date IS NULL AND deleted = 0",
            [person_id],
        ).fetchall():
            records.update(reg, "episodes", episode_id, {"notice_date": when.isoformat()})


def move_in(
    reg: Register,
    person_id: str,
    category: Category | str,
    on: date | str,
    moved_from: str,
    planned: date | str | None = None,
    **decision: Any,
) -> Outcome:
    """A managed person moved in: the time left on the old decision carries over."""
    if not moved_from.strip():
        raise ValidationError({"moved_from": "Nơi chuyển đến từ: không được để trống."})
    episode = open_episode(
        reg, person_id, category, on, moved_from=moved_from, planned=planned, **decision
    )
    return Outcome(episode)


def absconded(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person absconded: open episodes end as such."""
    _end_all(reg, person_id, parse_date(on, "Ngày bỏ trốn"), "absconded")
    return Outcome(None)


def died(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person died: every open episode ends."""
    _end_all(reg, person_id, parse_date(on, "Ngày chết"), "died")
    return Outcome(None)


def imprisoned(reg: Register, person_id: str, on: date | str) -> Outcome:
    """The person went to prison: every open episode ends."""
    _end_all(reg, person_id, parse_date(on, "Ngày thi hành án"), "prison")
    return Outcome(None)


def suspected(reg: Register, person_id: str, on: date | str, notes: str = "") -> Outcome:
    """List a person with grounds to suspect use, to be tested."""
    episode = open_episode(reg, person_id, Category.SUSPECT, on, notes=notes)
    return Outcome(episode)
