"""Data-subject index: which stored events mention whom, so a subject access request reads
only those events and never scans the whole log.

One row per (subject, event, role): the subject's id, the event's aggregate (`originator_id`,
a case, the subject themselves or one of their requests) and version, its notification
position and the part the subject plays in it. Parts come from the events' references to
people (`victim_id`, `subject_id`, `subjects`, ...) and from every `Personal` value's owner:
free text keyed to the victim makes the event part of the victim's data ("personal_data").
Only ids and role words are stored, never a personal value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import case_events as ev
from domain.data_subject import SubjectEvent, SubjectRecorded
from domain.personal import Personal
from domain.subject_requests import RequestReceived
from projections.store import Cursor

# Fields that refer to people by subject id, and the part the person plays. `subject_id`
# takes its part from the event (below) because it means a different thing in each.
_REFERENCES = {
    "victim_id": "victim",
    "reporter_id": "reporter",
    "complainant_id": "complainant",
    "requested_by": "review_requester",
    "representative_id": "representative",
    "subjects": "disclosed_about",
}
_SUBJECT_ID_PART = {
    ev.PerpetratorIdentified: "perpetrator",
    ev.ConsentGranted: "consent_giver",
    RequestReceived: "requester",
}
_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
PERSONAL_DATA = "personal_data"
DATA_SUBJECT = "data_subject"

COLUMNS = ("subject_id", "originator_id", "version", "position", "role", "kind")


@dataclass(frozen=True)
class IndexRow:
    subject_id: UUID
    originator_id: UUID
    version: int
    position: int
    role: str
    kind: str  # "case", "subject" or "request": which aggregate the event belongs to


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _subject_id_part(event: Any) -> str:
    for event_class, part in _SUBJECT_ID_PART.items():
        if isinstance(event, event_class):
            return part
    if isinstance(event, ev.SubjectLinked):
        return str(event.role)
    return _snake(type(event).__name__)


def _owners(value: Any) -> set[UUID]:
    """The subjects whose `Personal` values are inside `value`."""
    if isinstance(value, Personal):
        return {value.subject_id}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return set().union(*(_owners(v) for v in value))
    return set()


def mentions(event: Any) -> tuple[str, set[tuple[UUID, str]]]:
    """The kind of aggregate the event belongs to, and its (subject id, part) mentions."""
    if isinstance(event, SubjectRecorded | SubjectEvent):
        return "subject", {(event.originator_id, DATA_SUBJECT)}
    if isinstance(event, RequestReceived):
        return "request", {(event.subject_id, _subject_id_part(event))}
    if not isinstance(event, ev.CaseReported | ev.CaseEvent):
        return "", set()
    found: set[tuple[UUID, str]] = set()
    state = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    for name, value in state.items():
        part = _subject_id_part(event) if name == "subject_id" else _REFERENCES.get(name)
        if part is None or value is None:
            continue
        for subject_id in value if isinstance(value, list) else [value]:
            found.add((subject_id, part))
    named = {subject_id for subject_id, _ in found}
    found |= {(owner, PERSONAL_DATA) for owner in _owners(state) - named}
    return "case", found


class SubjectIndex:
    name = "subject_index"
    version = 1

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_subject_index ("
            "subject_id TEXT NOT NULL, originator_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "position BIGINT NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, "
            "PRIMARY KEY (subject_id, originator_id, version, role))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_subject_index_position "
            "ON view_subject_index (subject_id, position)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_subject_index")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        kind, found = mentions(event)
        for subject_id, role in sorted(found, key=lambda m: (str(m[0]), m[1])):
            cursor.execute(
                "INSERT INTO view_subject_index "
                "(subject_id, originator_id, version, position, role, kind) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    str(subject_id),
                    str(event.originator_id),
                    event.originator_version,
                    position,
                    role,
                    kind,
                ),
            )


def rows_for(cursor: Cursor, subject_id: UUID) -> list[IndexRow]:
    """Every index row of one subject, in log order."""
    cursor.execute(
        f"SELECT {', '.join(COLUMNS)} FROM view_subject_index WHERE subject_id = ? "
        "ORDER BY position, role",
        (str(subject_id),),
    )
    return [
        IndexRow(UUID(r[0]), UUID(r[1]), int(r[2]), int(r[3]), str(r[4]), str(r[5]))
        for r in cursor.fetchall()
    ]
