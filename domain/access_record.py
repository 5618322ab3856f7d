"""The access log's entries: every read of personal data, as a fact of its own.

Policy 1.2 treats reports as confidential, so who read which case or person, when and why is
part of the ledger. Each read is one `AccessRecord` aggregate of one `AccessRecorded` event:
the entries share the event store's append-only guarantee and the integrity log's hashes,
and, because no two reads write to the same aggregate, concurrent reads never conflict.

An entry holds ids and closed-vocabulary words only, never personal data: the auditor who
reads the log must not see any. That is why the reader's stated reason is a purpose from
`AccessPurpose`, not free text (free text could name the person whose case was read).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand
from domain.instants import aware


class AccessPurpose(StrEnum):
    """Why personal data was read."""

    CASE_WORK = "case_work"
    SUPERVISION = "supervision"
    COMPLAINT_HANDLING = "complaint_handling"
    CASE_REVIEW = "case_review"
    SAFEGUARDING = "safeguarding"
    SUBJECT_REQUEST = "subject_request"
    LEGAL = "legal"
    AUDIT = "audit"


class AccessRecorded(Aggregate.Created):
    """`purpose_stated`: the reader gave the purpose, rather than the route's default."""

    actor: str
    role: str
    occurred_at: datetime
    purpose: str
    purpose_stated: bool
    route: str
    case_id: UUID | None
    subject_id: UUID | None
    request_id: UUID | None

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


def access_purpose(value: str) -> str:
    """The purpose named by `value`, or InvalidCommand listing the purposes."""
    try:
        return AccessPurpose(value.strip()).value
    except ValueError:
        allowed = ", ".join(p.value for p in AccessPurpose)
        raise InvalidCommand("X-Access-Reason", f"must be one of: {allowed}") from None


class AccessRecord(Aggregate):
    """One read of personal data."""

    def __init__(self) -> None:
        self.actor = ""
        self.purpose = ""

    @classmethod
    def record(
        cls,
        *,
        entry_id: UUID,
        actor: str,
        role: str,
        purpose: str,
        purpose_stated: bool,
        route: str,
        at: datetime,
        case_id: UUID | None = None,
        subject_id: UUID | None = None,
        request_id: UUID | None = None,
    ) -> AccessRecord:
        aware(at, "at")
        if case_id is None and subject_id is None:
            raise InvalidCommand("case_id", "a read of personal data is of a case or a person")
        return cls._create(
            AccessRecorded,
            id=entry_id,
            actor=actor,
            role=role,
            occurred_at=at,
            purpose=access_purpose(purpose),
            purpose_stated=purpose_stated,
            route=route,
            case_id=case_id,
            subject_id=subject_id,
            request_id=request_id,
        )

    def when(self, event: AccessRecorded) -> None:
        self.actor = event.actor
        self.purpose = event.purpose
