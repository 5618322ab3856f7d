"""What the case page shows, gathered from the same services the API answers from.

The case as `GET /api/v1/cases/{id}` has it (`interface.api.representations.case_view`), its
timers, the people on it (as the reader may see them: staff who may see the case see
everyone on it), its history read in plain words (`application.exports.reading`, the same
readings as the subject access export and the evidence pack) and the sharing answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.caseload import TimerView
from application.exports.reading import Narrator, Reading
from domain.plain_words import PARTS
from domain.redaction import Person, Redaction
from domain.service_levels import TimerState
from interface.api.representations import case_view
from interface.config import Services


@dataclass(frozen=True)
class PersonOnCase:
    subject_id: UUID
    parts: str
    name: str
    details: dict[str, Any]
    anonymous: bool
    erased: bool


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    occurred_at: datetime
    actor: str
    reading: Reading
    kind: str
    """The event's type, for the history's filter."""


@dataclass(frozen=True)
class CasePage:
    case: dict[str, Any]
    running: list[TimerView]
    stopped: list[TimerView]
    people: list[PersonOnCase]
    history: list[HistoryEntry]
    sharing: dict[str, Any]

    def person(self, subject_id: object) -> str:
        """How the page names someone on the case (by id, as the case's fields hold them)."""
        for p in self.people:
            if str(p.subject_id) == str(subject_id):
                return p.name
        return "another person"


def _parts(roles: set[str]) -> str:
    return ", ".join(PARTS.get(r, r.replace("_", " ")) for r in sorted(roles))


def people_on(services: Services, subjects: dict[UUID, set[str]]) -> list[PersonOnCase]:
    people = []
    for subject_id, roles in subjects.items():
        subject = services.ledger.subject(subject_id)
        details: dict[str, Any] = {}
        if subject.details is not None and not subject.details.erased:
            details = dict(subject.details.value)
        name = str(details.get("name") or ("anonymous" if subject.anonymous else "not named"))
        people.append(
            PersonOnCase(
                subject_id, _parts(roles), name, details, subject.anonymous, subject.erased
            )
        )
    people.sort(key=lambda p: ("victim" not in p.parts, p.name))
    return people


def history_of(
    services: Services,
    actor: Actor,
    case_id: UUID,
    people: list[PersonOnCase],
    after_version: int = 0,
) -> list[HistoryEntry]:
    """The case's events in words, newest first (those after `after_version` only)."""
    named = {
        p.subject_id: Person(
            p.subject_id, f"{p.name} ({p.parts})", p.parts, p.details.get("name", "")
        )
        for p in people
    }
    narrator = Narrator(Redaction(frozenset(named), named))
    entries = [
        HistoryEntry(
            event.originator_version,
            getattr(event, "occurred_at", event.timestamp),
            getattr(event, "actor", ""),
            narrator.read(event),
            type(event).__name__,
        )
        for event in services.ledger.case_events(actor, case_id)
    ]
    entries.reverse()
    return [e for e in entries if e.version > after_version]


def read_case(services: Services, actor: Actor, case_id: UUID) -> CasePage:
    case = services.cases.case_for(actor, case_id)
    timers = services.caseload.timers(actor, case_id=str(case_id))
    people = people_on(services, case.subjects)
    history = history_of(services, actor, case_id, people)
    running = [t for t in timers if t.state in (TimerState.RUNNING, TimerState.OVERDUE)]
    stopped = [t for t in timers if t.state not in (TimerState.RUNNING, TimerState.OVERDUE)]
    running.sort(key=lambda t: t.timer.due_at)
    return CasePage(
        case_view(case),
        running,
        stopped,
        people,
        history,
        services.sharing.for_case(actor, case_id),
    )
