"""What an evidence pack says about a case: its people as the purpose allows, every event
decrypted and redacted, and each event against the service-level deadlines it started or
stopped.

A pack goes to a complaint panel (policy 11) or an ASB Case Review panel (12.2). The
complainant (whoever made the complaint, or asked for the review) is named and their data is
shown; everybody else's personal data is redacted, as the purpose requires:

- complaint: other people appear by role and initials ("witness P.S."), since the panel is
  ours and must tell the people apart;
- case-review: other people appear by role and number only ("witness 1"), since the
  review panel is made of partner agencies outside the landlord.

What the panel sees of each personal value is `domain.redaction`'s one rule, the same as a
subject access export's, with the complainants as the readers: other people's information
removed, their names screened out of the notes shown, and the words the data protection
officer removed from a passage before the pack was produced taken out too; each removal is
counted with what it was, whose and why. Every event is read in plain words by
`application.exports.reading`. The officers' actions are never redacted: who did what, when,
and every closed-vocabulary field (methods, outcomes, grounds, bases, legal powers) always
appear. A person whose key was destroyed (erasure) appears as erased, and so do their values.

Timers are folded from the case's own events by the domain's rules (`domain.case_timers`, the
ones the timers view stores), so a pack rebuilt later shows each deadline as it stood when the
pack was produced, and no database is built for it. Beside them, who was reminded of them and
when ("the officer was reminded on Monday, the manager on Wednesday"): the reminders recorded
about the case up to the pack (`domain.reminder`), each outcome as it stood then.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from application.exports.reading import Narrator, Reading, alleged
from application.json_values import to_json as plain
from domain import case_events as ev
from domain.case_state import EvidenceFile
from domain.case_timers import CaseTimers, TimerChange
from domain.data_subject import DataSubject
from domain.plain_words import PARTS
from domain.redaction import Person, Redaction, Removal, ReviewedWords, initials, summarise
from domain.risk import RiskMatrix
from domain.service_levels import ServiceLevels, Timer, TimerState
from domain.vocabulary import EvidencePackPurpose, SubjectRole
from projections.reminders_view import ReminderRecord

EVENTS_FORMAT = "caseledger-evidence-pack-events/2"
_ROLE_ORDER = (
    SubjectRole.VICTIM,
    SubjectRole.PERPETRATOR,
    SubjectRole.REPRESENTATIVE,
    SubjectRole.WITNESS,
    SubjectRole.REPORTER,
    SubjectRole.HOUSEHOLD_MEMBER,
)


_ASKING = {
    EvidencePackPurpose.COMPLAINT.value: PARTS["complainant"],
    EvidencePackPurpose.CASE_REVIEW.value: PARTS["review_requester"],
}


@dataclass(frozen=True)
class StoredEvent:
    """An event as stored (its bytes) and as decrypted (the domain event)."""

    position: int
    topic: str
    state: bytes
    leaf_index: int
    event: Any


@dataclass(frozen=True)
class PackMaterial:
    """Everything a pack is made from, gathered by the use case."""

    case_id: UUID
    reference: str
    number: int
    purpose: str
    produced_by: str
    produced_by_role: str | None
    events: Sequence[StoredEvent]
    people: Mapping[UUID, tuple[Sequence[str], DataSubject]]  # roles, record
    levels: ServiceLevels
    reviewed: Sequence[ReviewedWords] = ()  # the DPO's decisions when the pack was produced
    matrix: RiskMatrix | None = None
    files: Mapping[str, EvidenceFile] = field(default_factory=dict)  # the case's, at the pack
    # who was reminded of the case's deadlines, and when, as it stood at the pack
    reminders: Sequence[ReminderRecord] = ()


@dataclass(frozen=True)
class Entry:
    """One event of the chronology, as the panel reads it."""

    stored: StoredEvent
    reading: Reading
    timers: list[TimerChange] = field(default_factory=list)

    @property
    def event(self) -> Any:
        return self.stored.event


@dataclass(frozen=True)
class TimerStory:
    """A timer as it stood when the pack was produced, with the entries that started and
    stopped it, so two timers of one kind are told apart by what set and stopped them."""

    key: str
    timer: Timer
    state: TimerState
    started_by: Entry
    stopped_by: Entry | None


@dataclass(frozen=True)
class PackContent:
    """The pack's readable content: people, redacted chronology, timers at the pack's time."""

    material: PackMaterial
    produced_at: datetime
    policy_version: str
    people: list[Person]
    complainants: list[Person]
    entries: list[Entry]
    timers: list[TimerStory]
    removals: list[Removal]


def complainants(purpose: str, events: Sequence[Any]) -> set[UUID]:
    """Who made the complaints (complaint pack) or asked for the reviews (case-review pack)."""
    if purpose == EvidencePackPurpose.COMPLAINT:
        return {e.complainant_id for e in events if isinstance(e, ev.ComplaintReceived)}
    return {e.requested_by for e in events if isinstance(e, ev.CaseReviewRequested)}


def _name(subject: DataSubject) -> str:
    details = subject.details
    if subject.erased or details is None or details.erased:
        return ""
    return str(details.value.get("name", "")).strip()


def name_people(material: PackMaterial, asking: set[UUID]) -> list[Person]:
    """Each person on the case as the purpose allows them to be named: the complainant by
    name with their parts; others by part and initials (complaint) or number (review)."""
    counts: dict[str, int] = {}
    people = []
    for subject_id, (roles, subject) in material.people.items():
        ordered = [r.value for r in _ROLE_ORDER if r.value in roles]
        role = PARTS[ordered[0]]
        counts[role] = counts.get(role, 0) + 1
        name = _name(subject)
        erased = subject.erased or (subject.details is not None and subject.details.erased)
        if erased:
            shown = f"{role} {counts[role]} (erased)"
        elif subject_id in asking:
            parts = ", ".join([PARTS[r] for r in ordered] + [_ASKING[material.purpose]])
            shown = f"{name or 'anonymous'} ({parts})"
        elif material.purpose == EvidencePackPurpose.COMPLAINT and initials(name):
            shown = f"{role} {initials(name)}"
        else:
            shown = f"{role} {counts[role]}"
        people.append(Person(subject_id, shown, role, name, erased))
    return people


def replay_timers(levels: ServiceLevels, events: Sequence[Any]) -> list[list[TimerChange]]:
    """For each event, what it did to the timers (`domain.case_timers`, the rules the timers
    view follows too)."""
    timers = CaseTimers(levels)
    return [timers.apply(event) for event in events]


def _stories(entries: Sequence[Entry], now: datetime) -> list[TimerStory]:
    started: dict[str, Entry] = {}
    stopped: dict[str, Entry] = {}
    latest: dict[str, Timer] = {}
    for entry in entries:
        for change in entry.timers:
            latest[change.key] = change.timer
            started.setdefault(change.key, entry)
            if change.change == "stopped":
                stopped[change.key] = entry
    order = sorted(latest, key=lambda key: (latest[key].started_at, key))
    return [
        TimerStory(key, latest[key], latest[key].state(now), started[key], stopped.get(key))
        for key in order
    ]


def build_content(material: PackMaterial) -> PackContent:
    """The pack's content, as at the moment the pack's own event was recorded."""
    events = [stored.event for stored in material.events]
    pack_event = events[-1]
    if not isinstance(pack_event, ev.EvidencePackProduced):
        raise ValueError("a pack ends with its own EvidencePackProduced event")
    asking = complainants(material.purpose, events)
    people = name_people(material, asking)
    redaction = Redaction(frozenset(asking), {p.subject_id: p for p in people}, material.reviewed)
    narrator = Narrator(redaction, material.matrix, alleged(material.people))
    changes = replay_timers(material.levels, events)
    entries = [
        Entry(stored, narrator.read(stored.event), step)
        for stored, step in zip(material.events, changes, strict=True)
    ]
    now = pack_event.occurred_at
    return PackContent(
        material=material,
        produced_at=now,
        policy_version=pack_event.policy_version,
        people=people,
        complainants=[p for p in people if p.subject_id in asking],
        entries=entries,
        timers=_stories(entries, now),
        removals=redaction.removals,
    )


def events_document(content: PackContent) -> dict[str, Any]:
    """`events.json`: each event as stored (its bytes in base64) and as read, redacted."""
    material = content.material
    return plain(
        {
            "format": EVENTS_FORMAT,
            "case_id": material.case_id,
            "reference": material.reference,
            "pack_number": material.number,
            "purpose": material.purpose,
            "produced_at": content.produced_at,
            "produced_by": material.produced_by,
            "people": [
                {"shown_as": p.shown_as, "part": p.role, "erased": p.erased} for p in content.people
            ],
            "redaction": {
                "note": REDACTION_NOTES[material.purpose],
                "items removed": len(content.removals),
                "what was removed": summarise(content.removals),
            },
            "events": [
                {
                    "position": entry.stored.position,
                    "originator_id": material.case_id,
                    "originator_version": entry.event.originator_version,
                    "topic": entry.stored.topic,
                    "leaf_index": entry.stored.leaf_index,
                    "stored_bytes": base64.b64encode(entry.stored.state).decode("ascii"),
                    "content": {
                        "type": type(entry.event).__name__,
                        "title": entry.reading.title,
                        "occurred_at": entry.event.occurred_at,
                        "actor": entry.event.actor,
                        "policy_version": entry.event.policy_version,
                        "details": entry.reading.as_json(),
                    },
                }
                for entry in content.entries
            ],
        }
    )


REDACTION_NOTES = {
    EvidencePackPurpose.COMPLAINT.value: (
        "The complainant is named and their information shown. Other people appear by "
        "their part in the case and initials; their own information is removed (DPA 2018 "
        "Sch 2 para 16), their names are taken out of the notes shown, and so are any words "
        "the data protection officer decided to remove. Staff actions are not redacted."
    ),
    EvidencePackPurpose.CASE_REVIEW.value: (
        "The person who asked for the review is named and their information shown. Other "
        "people appear by their part in the case and a number only, as the pack goes to "
        "partner agencies; their own information is removed (DPA 2018 Sch 2 para 16), their "
        "names are taken out of the notes shown, and so are any words the data protection "
        "officer decided to remove. Staff actions are not redacted."
    ),
}
