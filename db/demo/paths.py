"""The paths a demo story takes, as `db.duties.actions` would take them: a positive test and a
year of management, an addiction and its treatment, release and post-rehab, the 2-year watch
window, a suspect's test, a move-in. Periods come from `db.law.rules`; nothing happens after the
day the register is filled for.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from db.core.dates import add_months, age_on
from db.demo import names
from db.demo.story import C, Ep, Story, rule_int
from db.law.categories import STOP_REASONS, Category
from db.law.rules import rule
from db.persons.drugtests import RESULTS

USER_OUTCOMES = (
    ("term", 58), ("relapse", 12), ("addicted", 12), ("moved_away", 6), ("absconded", 4),
    ("prison", 4), ("education", 3), ("died", 1),
)  # fmt: skip
TREATMENTS = (
    (C.REHAB_HOME, 35), (C.METHADONE, 25), (C.REHAB_COMPULSORY, 30), (C.REHAB_FACILITY, 10),
)  # fmt: skip
TREAT_OUTCOMES = {
    C.REHAB_HOME: (("complete", 80), ("quit", 20)),
    C.REHAB_FACILITY: (("complete", 88), ("quit", 12)),
    C.REHAB_COMPULSORY: (("complete", 95), ("absconded", 5)),
    C.METHADONE: (("ongoing", 75), ("quit", 25)),
}
POST_OUTCOMES = (
    ("term", 85), ("relapse", 5), ("moved_away", 5), ("absconded", 3), ("died", 2),
)  # fmt: skip


def user_path(s: Story, tested: date, *, recorded: bool = False) -> None:
    """A positive test, the management decision within 3 working days, and the year after."""
    w = s.w
    if not recorded:
        s.test(tested, positive=True)
    decision = w.workdays_after(tested, 0, 3)
    if decision > w.on:
        return  # not decided yet: the due list asks for the decision
    planned = add_months(decision, rule_int("management_period", decision))
    manage(s, s.open(C.USER, decision, planned, issuer="ubnd"))


def manage(s: Story, ep: Ep) -> None:
    """A management year: it ends at term, restarts on a new use, or ends early."""
    w = s.w
    while True:
        assert ep.planned is not None
        outcome = s.choose("user_outcome", USER_OUTCOMES)
        span = (ep.planned - ep.start).days
        day = w.after(ep.start, 20, max(21, span - 5))
        if outcome == "term" or day > w.on:
            if ep.planned <= w.on:
                s.close(ep, ep.planned, "term")
                again = w.after(ep.planned, 60, 700)
                if w.chance(0.08) and again <= w.on:
                    user_path(s, again)
            return
        if outcome == "relapse":
            s.test(day, positive=True)
            decision = w.workdays_after(day, 0, 3)
            if decision > w.on:
                return
            s.close(ep, decision, "superseded")
            planned = add_months(decision, rule_int("management_period", decision))
            ep = s.open(C.USER, decision, planned, issuer="ubnd")
            continue
        if outcome == "addicted":
            s.close(ep, day, "stopped", STOP_REASONS["addicted"])
            addict_path(s, day)
        elif outcome == "education":
            s.close(ep, day, "stopped", STOP_REASONS["education_facility"])
            s.gone = day
        else:
            s.leave(day, outcome, notice=not w.chance(0.03))
        return


def addict_path(s: Story, found: date) -> None:
    """Found addicted by a health facility; treatment should follow within 5 working days."""
    w = s.w
    s.close_open(found, (C.SUSPECT,), "tested", RESULTS["positive"])
    s.open(C.ADDICT, found, issuer="health")
    cat = s.choose("treatment", TREATMENTS)
    compulsory = cat == C.REHAB_COMPULSORY
    # A compulsory rehab file goes to court; voluntary treatment starts within 5 working days.
    start = w.after(found, 30, 100) if compulsory else w.workdays_after(found, 1, 5)
    waiting = s.force.get("waiting", (w.on - found).days < 40 and w.chance(0.3))
    if start > w.on or waiting:
        return  # not yet in treatment: on the due list
    treat(s, cat, start)


def _adult(s: Story, day: date) -> bool:
    return age_on(s.who.birth, day)[0] >= rule_int("adult_age", day)


def treat(s: Story, cat: Category, start: date) -> None:
    """Rehab or methadone (actions.start_treatment), then its end."""
    w = s.w
    if cat == C.REHAB_COMPULSORY and not _adult(s, start):
        cat = C.REHAB_HOME  # compulsory rehab is for adults only
    reason = "compulsory_rehab" if cat == C.REHAB_COMPULSORY else "addicted"
    s.close_open(start, (C.USER, C.POST_REHAB), "stopped", STOP_REASONS[reason])
    s.close_open(start, (C.SUSPECT, C.WATCH), "stopped", "Bắt đầu cai nghiện / điều trị")
    if not s.is_open(C.ADDICT, start):
        s.open(C.ADDICT, start)
    planned: date | None = None
    fields: dict[str, Any] = {}
    if cat == C.REHAB_HOME:
        low, high = rule_int("rehab_home_min", start), rule_int("rehab_home_max", start)
        planned = add_months(start, s.force.get("home_months", w.rng.randint(low, high)))
        fields = {"issuer": "ubnd"}
    elif cat == C.REHAB_FACILITY:
        planned = add_months(start, w.rng.choice((6, 6, 9, 12)))
        fields = {"notes": f"Hợp đồng cai nghiện tự nguyện tại {names.REHAB_FACILITY}"}
    elif cat == C.REHAB_COMPULSORY:
        planned = add_months(start, s.force.get("court_months", w.rng.choice((12, 18, 24))))
        fields = {"issuer": "court", "notes": f"Chấp hành tại {names.REHAB_FACILITY}"}
    else:
        fields = {"notes": f"Điều trị tại {names.METHADONE_CLINIC}"}
    ep = s.open(cat, start, planned, **fields)
    outcome = s.choose("treat_outcome", TREAT_OUTCOMES[cat])
    span = ((planned or w.on) - start).days
    day = w.after(start, 30, max(31, span - 10))
    if outcome == "quit" and day <= w.on:
        s.close(ep, day, "quit", "Tự ý bỏ cai nghiện / điều trị")
        watch(s, day)
        # Back to treatment: compulsory rehab, or methadone again (closes the watch window).
        again = C.REHAB_COMPULSORY if w.chance(0.6) else C.METHADONE
        later = w.after(day, 20, 90)
        if later <= w.on:
            treat(s, again, later)
    elif outcome == "absconded" and day <= w.on:
        s.leave(day, "absconded")
    elif outcome == "complete" and planned is not None and planned <= w.on:
        if s.force.get("post_file") == "missing":
            s.close(ep, planned, "completed")
            s.close_open(planned, (C.ADDICT,), "completed")
            return
        release(s, ep, planned)


def release(s: Story, ep: Ep, day: date) -> None:
    """Rehab completed (actions.release_from_rehab): post-rehab management for 1 or 2 years."""
    w = s.w
    s.close(ep, day, "completed")
    s.close_open(day, (C.ADDICT,), "completed")
    if ep.category == C.REHAB_COMPULSORY:
        s.contact(w.workdays_after(day, 1, 5), "report_in", "Trình diện sau khi chấp hành xong")
    months = rule_int("post_rehab_period", day)
    if ep.category == C.REHAB_COMPULSORY and age_on(s.who.birth, day)[1] >= rule_int(
        "adult_age", day
    ):
        months = rule_int("post_rehab_period_compulsory_adult", day)
    absence = w.rng.randint(3, 45) if w.chance(0.05) else 0
    planned = add_months(day, months) + timedelta(days=absence)
    decided = w.workdays_after(day, 1, 5)
    if s.force.get("post_decision") == "pending" or decided > w.on:
        post = s.open(C.POST_REHAB, day, planned, absence=absence)
    else:
        post = s.open(C.POST_REHAB, day, planned, absence=absence, issuer="ubnd",
                      decision_date=decided)  # fmt: skip
    outcome = s.choose("post_outcome", POST_OUTCOMES)
    when = w.after(day, 30, max(31, (planned - day).days - 10))
    if outcome != "term" and when <= w.on:
        if outcome == "relapse":
            s.test(when, positive=True)
            found = w.workdays_after(when, 1, 5)
            if found <= w.on:
                s.close(post, found, "stopped", STOP_REASONS["addicted"])
                s.force["treatment"] = C.REHAB_COMPULSORY
                addict_path(s, found)
        else:
            s.leave(when, outcome)
        return
    if planned <= w.on:
        s.close(post, planned, "term")
        watch(s, planned)


def watch(s: Story, start: date) -> None:
    """The 2-year watch window, if the law creating it is in force before it would end."""
    window = rule("watch_window", start)
    planned = add_months(start, int(window.value))
    if planned <= window.effective or s.is_open(C.WATCH, start):
        return
    ep = s.open(C.WATCH, start, planned)
    if planned <= s.w.on:
        s.close(ep, planned, "term")


def crime_after_post_rehab(s: Story, recent: date) -> None:
    """Art. 256a(1)(c): the first use found in the 2 years after post-rehab brings a management
    decision; the use found again during that management, on `recent`, is the crime sign."""
    w = s.w
    window = next((e for e in s.episodes if e.category == C.WATCH and e.open_on(recent)), None)
    if window is None:
        return
    first = w.after(window.start, 5, 20)
    decision = w.workdays_after(first, 0, 3)
    if decision >= recent - timedelta(days=3):
        return
    s.test(first, positive=True)
    s.open(C.USER, decision, add_months(decision, rule_int("management_period", decision)),
           issuer="ubnd")  # fmt: skip
    s.test(recent, positive=True)


def suspect_path(s: Story, listed: date) -> None:
    """Listed as a suspect and tested: negative ends it, positive leads to a decision."""
    w = s.w
    ep = s.open(C.SUSPECT, listed, notes=w.rng.choice(names.SUSPECT_NOTES))
    tested = w.after(listed, 0, 12)
    if s.force.get("untested") or tested > w.on:
        return
    positive = s.force.get("positive", w.chance(0.3))
    s.test(tested, positive)
    s.close(ep, tested, "tested", RESULTS["positive" if positive else "negative"])
    if positive and w.chance(0.25):
        addict_path(s, w.workdays_after(tested, 2, 10))
    elif positive:
        user_path(s, tested, recorded=True)


def moved_in_path(s: Story, arrived: date) -> None:
    """A managed user moved in: the old commune's decision and its remaining time carry over."""
    w = s.w
    commune, province = w.rng.choice(names.OTHER_COMMUNES)
    decided = w.after(arrived, -300, -30)
    planned = add_months(decided, rule_int("management_period", decided))
    ep = s.open(
        C.USER, arrived, planned, moved_from=f"{commune}, {province}", decision_date=decided,
        decision_no=f"{w.rng.randint(3, 160)}/QĐ-UBND", signer=f"Chủ tịch UBND {commune}",
    )  # fmt: skip
    s.contact(w.workdays_after(arrived, 0, 2), "report_in", f"Chuyển đến từ {commune}")
    manage(s, ep)
