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

Free text that is not the complainant's is replaced by a mark naming whose it is, and free
text that is shown is screened for the names of the other people on the case. The officers'
actions are never redacted: who did what, when, and every closed-vocabulary field (methods,
outcomes, grounds, bases, legal powers) always appear. A person whose key was destroyed
(erasure) appears as erased, and so do their values.

Timers are replayed from the case's own events with the timers projection's rules, so a pack
rebuilt later shows each deadline as it stood when the pack was produced.
"""

from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from application.exports.sar_json import label, plain
from domain import case_events as ev
from domain.data_subject import DataSubject
from domain.personal import ERASED_MARK, Personal
from domain.service_levels import ServiceLevels, Timer, TimerState
from domain.vocabulary import ContactOutcome, EvidencePackPurpose, SubjectRole
from projections.store import Cursor
from projections.timers import TIMER_COLUMNS, Timers, row_to_timer

EVENTS_FORMAT = "caseledger-evidence-pack-events/1"
_ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
)
_ROLE_ORDER = (
    SubjectRole.VICTIM,
    SubjectRole.PERPETRATOR,
    SubjectRole.REPRESENTATIVE,
    SubjectRole.WITNESS,
    SubjectRole.REPORTER,
    SubjectRole.HOUSEHOLD_MEMBER,
)
_ROLE_NAMES = {SubjectRole.PERPETRATOR: "alleged perpetrator"}
_TITLES = frozenset({"cllr", "councillor", "mr", "mrs", "ms", "miss", "mx", "dr", "mp", "rev"})
_FAILED_CONTACT = {
    ContactOutcome.NO_ANSWER.value: "Contact attempted: no answer",
    ContactOutcome.REFUSED.value: "Contact attempted: refused",
    ContactOutcome.LEFT_MESSAGE.value: "Contact attempted: message left",
}


@dataclass(frozen=True)
class Person:
    """Someone on the case, as the pack names them."""

    subject_id: UUID
    roles: tuple[str, ...]
    shown_as: str
    complainant: bool
    erased: bool


@dataclass(frozen=True)
class TimerChange:
    """What an event did to a service-level timer."""

    key: str
    timer: Timer
    change: str  # "started", "stopped" or "re-timed"


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


@dataclass
class Redaction:
    """The complainants' values shown (screened for other people's names); anybody else's
    replaced by a mark naming whose they are; erased values as erased."""

    people: Mapping[UUID, Person]
    screen: Sequence[tuple[re.Pattern[str], str]] = ()
    count: int = 0

    def apply(self, value: Any) -> Any:
        if isinstance(value, Personal):
            if value.erased:
                return ERASED_MARK
            person = self.people.get(value.subject_id)
            if person is None or not person.complainant:
                self.count += 1
                whose = person.shown_as if person else "another person"
                return f"[redacted: {whose}'s data]"
            return self._screened(self.apply(value.value))
        if isinstance(value, UUID):
            person = self.people.get(value)
            return person.shown_as if person else value
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.apply(v) for v in value]
        return value

    def _screened(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for pattern, shown_as in self.screen:
            value, n = pattern.subn(f"[{shown_as}]", value)
            self.count += n
        return value


@dataclass(frozen=True)
class Entry:
    """One event of the chronology."""

    stored: StoredEvent
    title: str
    data: dict[str, Any]
    timers: list[TimerChange] = field(default_factory=list)

    @property
    def event(self) -> Any:
        return self.stored.event


@dataclass(frozen=True)
class PackContent:
    """The pack's readable content: people, redacted chronology, timers at the pack's time."""

    material: PackMaterial
    produced_at: datetime
    policy_version: str
    people: list[Person]
    entries: list[Entry]
    timers: list[tuple[Timer, TimerState]]  # each timer as it stood when the pack was made
    values_redacted: int


def _name(subject: DataSubject) -> str:
    details = subject.details
    if subject.erased or details is None or details.erased:
        return ""
    return str(details.value.get("name", "")).strip()


def _name_parts(name: str) -> list[str]:
    """A full name and its first and last words, without titles or anything bracketed."""
    core = re.sub(r"\(.*?\)", " ", name).split(" of ")[0]
    words = [w for w in core.split() if w.strip(".").casefold() not in _TITLES]
    parts = [" ".join(words)] if words else []
    parts += [w for w in (words[:1] + words[-1:]) if len(w) >= 3 and w not in parts]
    return parts


def _initials(name: str) -> str:
    words = _name_parts(name)[:1]
    return "".join(f"{w[0].upper()}." for w in words[0].split()) if words else ""


def complainants(purpose: str, events: Sequence[Any]) -> set[UUID]:
    """Who made the complaints (complaint pack) or asked for the reviews (case-review pack)."""
    if purpose == EvidencePackPurpose.COMPLAINT:
        return {e.complainant_id for e in events if isinstance(e, ev.ComplaintReceived)}
    return {e.requested_by for e in events if isinstance(e, ev.CaseReviewRequested)}


def name_people(material: PackMaterial, events: Sequence[Any]) -> list[Person]:
    """Each person on the case as the purpose allows them to be named."""
    asking = complainants(material.purpose, events)
    counts: dict[str, int] = {}
    people = []
    for subject_id, (roles, subject) in material.people.items():
        ordered = tuple(r.value for r in _ROLE_ORDER if r.value in roles)
        role = _ROLE_NAMES.get(SubjectRole(ordered[0]), ordered[0].replace("_", " "))
        counts[role] = counts.get(role, 0) + 1
        name = _name(subject)
        erased = subject.erased or (subject.details is not None and subject.details.erased)
        if erased:
            shown = f"{role} {counts[role]} (erased)"
        elif subject_id in asking:
            shown = f"{name or 'anonymous'} ({', '.join(ordered)}, complainant)"
        elif material.purpose == EvidencePackPurpose.COMPLAINT and _initials(name):
            shown = f"{role} {_initials(name)}"
        else:
            shown = f"{role} {counts[role]}"
        people.append(Person(subject_id, ordered, shown, subject_id in asking, erased))
    return people


def _screen(material: PackMaterial, people: Sequence[Person]) -> list[tuple[re.Pattern[str], str]]:
    """Patterns finding the other people's names in free text, longest first."""
    found: list[tuple[str, str]] = []
    for person in people:
        if not person.complainant:
            name = _name(material.people[person.subject_id][1])
            found += [(part, person.shown_as) for part in _name_parts(name)]
    found.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(rf"\b{re.escape(part)}\b"), shown) for part, shown in found]


def replay_timers(levels: ServiceLevels, events: Sequence[Any]) -> list[list[TimerChange]]:
    """For each event, what it did to the timers: the timers projection's own rules, run
    over this case's events alone in a scratch database."""
    changes: list[list[TimerChange]] = []
    view = Timers(levels)
    with closing(sqlite3.connect(":memory:")) as db:
        cursor = cast(Cursor, db.cursor())  # sqlite3's rowcount is read-only, not the point
        view.create_tables(cursor)
        before: dict[str, Timer] = {}
        for position, event in enumerate(events, start=1):
            view.process(cursor, event, position)
            cursor.execute(f"SELECT {', '.join(TIMER_COLUMNS)} FROM view_timers")
            after = {key: timer for _, key, timer in map(row_to_timer, cursor.fetchall())}
            step = []
            for key, timer in after.items():
                old = before.get(key)
                if old is None:
                    step.append(TimerChange(key, timer, "started"))
                elif old.stopped_at is None and timer.stopped_at is not None:
                    step.append(TimerChange(key, timer, "stopped"))
                elif old.due_at != timer.due_at:
                    step.append(TimerChange(key, timer, "re-timed"))
            changes.append(step)
            before = after
    return changes


def _title(event: Any) -> str:
    if isinstance(event, ev.ContactMade) and event.outcome in _FAILED_CONTACT:
        return _FAILED_CONTACT[event.outcome]
    if isinstance(event, ev.ActionPlanAgreed):
        return f"Action plan version {event.plan_version} agreed"
    return label(event)


def event_data(event: Any, redaction: Redaction) -> dict[str, Any]:
    """The event's own fields, redacted, as JSON values (who and when are kept apart)."""
    state = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    for envelope in ("occurred_at", "policy_version"):
        state.pop(envelope, None)
    data: dict[str, Any] = plain(redaction.apply(state))
    return data


def build_content(material: PackMaterial) -> PackContent:
    """The pack's content, as at the moment the pack's own event was recorded."""
    events = [stored.event for stored in material.events]
    pack_event = events[-1]
    if not isinstance(pack_event, ev.EvidencePackProduced):
        raise ValueError("a pack ends with its own EvidencePackProduced event")
    people = name_people(material, events)
    redaction = Redaction({p.subject_id: p for p in people}, _screen(material, people))
    changes = replay_timers(material.levels, events)
    entries = [
        Entry(stored, _title(stored.event), event_data(stored.event, redaction), step)
        for stored, step in zip(material.events, changes, strict=True)
    ]
    now = pack_event.occurred_at
    latest: dict[str, Timer] = {}
    for step in changes:
        latest.update((change.key, change.timer) for change in step)
    timers = [
        (latest[key], latest[key].state(now))
        for key in sorted(latest, key=lambda key: (latest[key].started_at, key))
    ]
    return PackContent(
        material=material,
        produced_at=now,
        policy_version=pack_event.policy_version,
        people=people,
        entries=entries,
        timers=timers,
        values_redacted=redaction.count,
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
                {"shown_as": p.shown_as, "roles": list(p.roles), "erased": p.erased}
                for p in content.people
            ],
            "redaction": {
                "values_redacted": content.values_redacted,
                "note": REDACTION_NOTES[material.purpose],
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
                        "title": entry.title,
                        "occurred_at": entry.event.occurred_at,
                        "actor": entry.event.actor,
                        "policy_version": entry.event.policy_version,
                        "data": entry.data,
                    },
                }
                for entry in content.entries
            ],
        }
    )


REDACTION_NOTES = {
    EvidencePackPurpose.COMPLAINT.value: (
        "The complainant is named and their information shown. Other people appear by "
        "their role and initials; their own information is removed (DPA 2018 Sch 2 para 16), "
        "and their names are screened out of the notes shown. Staff actions are not redacted."
    ),
    EvidencePackPurpose.CASE_REVIEW.value: (
        "The person who asked for the review is named and their information shown. Other "
        "people appear by their role and a number only, as the pack goes to partner "
        "agencies; their own information is removed (DPA 2018 Sch 2 para 16), and their "
        "names are screened out of the notes shown. Staff actions are not redacted."
    ),
}
