"""The Today screen: what each member of staff should look at first, in sections.

A section is a function of the services and the reader that answers a `Section` (or None
when it is not for the reader's role). `SECTIONS` lists them in the order they are shown; a
new kind of line on Today (reminders, say) is one more function added there. Each line says
what is due, by when, under which clause, and links to its case by id (never by name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.actors import Actor
from application.caseload import TimerView
from application.commands.base import Command
from application.commands.closing import CloseCase
from application.commands.reporting import Allocate, Triage
from domain.plain_words import basis, words
from domain.service_levels import TimerKind, TimerState
from domain.vocabulary import CaseStatus, StaffRole
from interface.config import Services

SHOWN = 50
"""The most lines a section shows; the caseload has the rest."""


@dataclass(frozen=True)
class Line:
    case_id: str
    reference: str
    what: str
    due_at: datetime | None = None
    clause: str = ""
    tag: str = ""
    """A word for the line's state (`overdue`, `due today`, ...): shown as a tag, in words."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: Sequence[Line]
    empty: str
    """What the section says when it has no lines."""
    more: int = 0
    """Lines not shown (beyond `SHOWN`)."""
    caseload_filter: dict[str, str] = field(default_factory=dict)
    """The caseload filters that list the same cases, for a "see all" link (no personal data)."""


SectionSource = Callable[[Services, Actor], Section | None]


def _timer_line(view: TimerView) -> Line:
    timer = view.timer
    what = words(TimerKind, timer.kind)
    tag = "overdue" if view.state == TimerState.OVERDUE else "due today"
    return Line(view.case_id, view.reference, what, timer.due_at, basis(timer.clause), tag)


def _section(key: str, title: str, lines: list[Line], empty: str) -> Section:
    return Section(key, title, lines[:SHOWN], empty, max(0, len(lines) - SHOWN))


def timers_due(services: Services, actor: Actor) -> Section | None:
    """Officers, managers and the complaints liaison: timers overdue or due today."""
    if actor.role not in (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.COMPLAINTS):
        return None
    found = services.caseload.due_now(actor)
    found.sort(key=lambda v: (v.state != TimerState.OVERDUE, v.timer.due_at))
    title = (
        "Your team's timers overdue and due today"
        if actor.role == StaffRole.MANAGER
        else ("Timers overdue and due today")
    )
    return _section(
        "timers", title, [_timer_line(v) for v in found], "Nothing is overdue or due today."
    )


def _cases(
    services: Services,
    actor: Actor,
    key: str,
    title: str,
    empty: str,
    status: CaseStatus,
    next_step: type[Command] | None,
) -> Section:
    """The reader's cases in one status, each with the command that takes it on, if any."""
    page = services.caseload.cases(actor, limit=SHOWN, status=status.value)
    what = next_step.title if next_step else "Open the case"
    clause = basis(", ".join(next_step.clauses)) if next_step and next_step.clauses else ""
    lines = [
        Line(
            str(item["case_id"]),
            str(item["reference"]),
            what,
            clause=clause,
            tag=f"risk {item['risk_level']}" if item.get("risk_level") else "",
        )
        for item in page.items
    ]
    return Section(
        key, title, lines, empty, max(0, page.total - len(lines)), {"status": status.value}
    )


def waiting_for_triage(services: Services, actor: Actor) -> Section | None:
    if actor.role not in (StaffRole.HUB, StaffRole.MANAGER):
        return None
    return _cases(
        services,
        actor,
        "triage",
        "Reports waiting for triage",
        "No report is waiting for triage.",
        CaseStatus.REPORTED,
        Triage,
    )


def waiting_for_allocation(services: Services, actor: Actor) -> Section | None:
    if actor.role not in (StaffRole.HUB, StaffRole.MANAGER):
        return None
    return _cases(
        services,
        actor,
        "allocation",
        "Triaged, waiting for an officer",
        "No case is waiting for an officer.",
        CaseStatus.TRIAGED,
        Allocate,
    )


def closure_proposed(services: Services, actor: Actor) -> Section | None:
    if actor.role not in (StaffRole.OFFICER, StaffRole.MANAGER):
        return None
    return _cases(
        services,
        actor,
        "closure",
        "Closure proposed",
        "No case has a closure proposed.",
        CaseStatus.CLOSURE_PROPOSED,
        CloseCase,
    )


def my_open_cases(services: Services, actor: Actor) -> Section | None:
    if actor.role != StaffRole.OFFICER:
        return None
    return _cases(
        services,
        actor,
        "mine",
        "Your open cases",
        "No case is allocated to you.",
        CaseStatus.ALLOCATED,
        None,
    )


SECTIONS: list[SectionSource] = [
    timers_due,
    waiting_for_triage,
    waiting_for_allocation,
    closure_proposed,
    my_open_cases,
]


def sections_for(services: Services, actor: Actor) -> list[Section]:
    return [s for source in SECTIONS if (s := source(services, actor)) is not None]
