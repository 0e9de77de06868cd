"""The deadlines after a release from rehab, in the order the law sets them.

Decree 116/2021: the commune police open the post-rehab file within 3 working days of the
release (Art. 77), and the commune chairman decides within 2 working days of the file (Art. 78);
a person leaving compulsory rehab reports to the commune police within 5 working days (Art. 62).
The decision counts from the day the file was opened when that is known, otherwise from the
file's own deadline — so it is never due before the file is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from db.law.rules import Rule, deadline
from db.law.workdays import WorkCalendar

StepKind = Literal["file", "decision", "report"]
TEXTS: dict[StepKind, str] = {
    "file": "Lập hồ sơ quản lý sau cai nghiện",
    "decision": "Ra quyết định quản lý sau cai nghiện",
    "report": "Người ra khỏi cơ sở cai nghiện bắt buộc trình diện Công an xã",
}


@dataclass(frozen=True)
class Step:
    """One deadline after a release: what is due, by when, under which rule."""

    kind: StepKind
    due: date
    rule: Rule

    @property
    def text(self) -> str:
        """What is due, in the officer's words."""
        return TEXTS[self.kind]


@dataclass(frozen=True)
class PostRehabDeadlines:
    """The file, the decision and (after compulsory rehab) the person's report."""

    file: Step
    decision: Step
    report: Step | None = None

    def in_order(self) -> list[Step]:
        """The steps as the due list shows them: by date; on the same day the report, then the
        file, then the decision (the decision is never before the file)."""
        rank = {"report": 0, "file": 1, "decision": 2}
        steps = [s for s in (self.report, self.file, self.decision) if s is not None]
        return sorted(steps, key=lambda s: (s.due, rank[s.kind]))


def post_rehab_deadlines(
    released: date,
    calendar: WorkCalendar,
    *,
    compulsory: bool = False,
    file_opened: date | None = None,
) -> PostRehabDeadlines:
    """The deadlines that follow a release from rehab on `released` (Decree 116/2021 Art. 62,
    77, 78). `file_opened`: the day the file was opened, if known (the decision counts from it);
    `compulsory`: the person left compulsory rehab (the 5-working-day report applies)."""
    file_due, file_rule = deadline("post_rehab_file", released, calendar)
    decision_due, decision_rule = deadline("post_rehab_decision", file_opened or file_due, calendar)
    report = None
    if compulsory:
        report_due, report_rule = deadline("compulsory_release_report", released, calendar)
        report = Step("report", report_due, report_rule)
    return PostRehabDeadlines(
        Step("file", file_due, file_rule), Step("decision", decision_due, decision_rule), report
    )
