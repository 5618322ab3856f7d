"""The `DataSubject` aggregate: one person known to the ledger, the single home of their data.

Victims, witnesses, reporters, representatives and alleged perpetrators are referenced from
cases by id. Their details are `Personal` values keyed to themselves, so erasing one person
(destroying their key) leaves every case's events intact and verifiable.

One person may be on several cases, worked by different staff. What a case shows of them is
`details_on(case_id)`: the details first recorded, as corrected for every case (a
rectification: a misspelt name is wrong everywhere), overlaid with what was recorded for that
case alone (`record_for_case`: a new refuge address given in case B). Details recorded for
one case never reach the staff of another just because the person is on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware
from domain.personal import Personal
from domain.policy import POLICY_VERSION

DETAIL_FIELDS = (
    "name",
    "date_of_birth",
    "address",
    "phone",
    "email",
    "preferred_language",
    "tenancy_reference",
)


def _clean_details(details: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise InvalidCommand("details", f"unknown fields: {', '.join(unknown)}")
    return {k: str(v).strip() for k, v in details.items() if v is not None and str(v).strip()}


class SubjectRecorded(Aggregate.Created):
    actor: str
    occurred_at: datetime
    policy_version: str
    anonymous: bool
    details: Personal

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class SubjectEvent(Aggregate.Event):
    actor: str
    occurred_at: datetime
    policy_version: str

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class SubjectDetailsRectified(SubjectEvent):
    """UK GDPR art. 16: the corrected details; the old ones stay in the audit trail."""

    details: Personal
    reason: Personal


class SubjectDetailsRecordedForCase(SubjectEvent):
    """Details that only one case's staff may know (e.g. a new address): the changed fields,
    shown on that case over the person's details, and on no other case."""

    case_id: UUID
    details: Personal
    reason: Personal


class SubjectErased(SubjectEvent):
    """UK GDPR art. 17: the subject's key is destroyed; this records why and on whose request."""

    request_id: str
    ground: str


class DataSubject(Aggregate):
    def __init__(self) -> None:
        self.anonymous = False
        self.details: Personal | None = None
        self.erased = False
        self.rectification_count = 0
        self.case_details: dict[UUID, Personal] = {}  # the fields recorded for one case only

    @classmethod
    def record(
        cls, *, subject_id: UUID, details: Mapping[str, Any], actor: str, at: datetime
    ) -> DataSubject:
        """Record a person. With no details at all they are anonymous (policy 9.2, 5.3)."""
        aware(at, "at")
        clean = _clean_details(details)
        return cls._create(
            SubjectRecorded,
            id=subject_id,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            anonymous=not clean,
            details=Personal(subject_id, clean),
        )

    def rectify(self, *, details: Mapping[str, Any], reason: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        if self.erased:
            raise PolicyViolation("UK GDPR art. 17", "the subject's data has been erased")
        if not reason.strip():
            raise InvalidCommand("reason", "is required")
        current = dict(self.details.value) if self.details and not self.details.erased else {}
        current.update({k: v for k, v in details.items()})
        clean = _clean_details(current)
        self.trigger_event(
            SubjectDetailsRectified,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            details=Personal(self.id, clean),
            reason=Personal(self.id, reason.strip()),
        )

    def record_for_case(
        self,
        *,
        case_id: UUID,
        details: Mapping[str, Any],
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Record details for one case only (the caller has checked the person is on it)."""
        aware(at, "at")
        if self.erased:
            raise PolicyViolation("UK GDPR art. 17", "the subject's data has been erased")
        if not reason.strip():
            raise InvalidCommand("reason", "is required")
        clean = _clean_details(details)
        if not clean:
            raise InvalidCommand("details", "give at least one detail to record for the case")
        self.trigger_event(
            SubjectDetailsRecordedForCase,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            case_id=case_id,
            details=Personal(self.id, clean),
            reason=Personal(self.id, reason.strip()),
        )

    def details_on(self, case_id: UUID) -> Personal | None:
        """The details the staff of one case see: the person's details for every case, with
        what was recorded for this case alone over them."""
        scoped = self.case_details.get(case_id)
        if scoped is None or self.details is None:
            return self.details if scoped is None else scoped
        if self.details.erased or scoped.erased:
            return Personal.erased_for(self.id)
        return Personal(self.id, {**dict(self.details.value), **dict(scoped.value)})

    def mark_erased(self, *, request_id: str, ground: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        if self.erased:
            raise InvalidCommand("subject_id", "already erased")
        self.trigger_event(
            SubjectErased,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            request_id=request_id,
            ground=ground,
        )

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @when.register
    def _(self, e: SubjectRecorded) -> None:
        self.anonymous = e.anonymous
        self.details = e.details

    @when.register
    def _(self, e: SubjectDetailsRectified) -> None:
        self.details = e.details
        if not e.details.erased:  # once erased, the details no longer say; the flag stays
            self.anonymous = not e.details.value
        self.rectification_count += 1

    @when.register
    def _(self, e: SubjectDetailsRecordedForCase) -> None:
        earlier = self.case_details.get(e.case_id)
        if e.details.erased or (earlier is not None and earlier.erased):
            self.case_details[e.case_id] = Personal.erased_for(self.id)
        else:
            merged = {**(dict(earlier.value) if earlier else {}), **dict(e.details.value)}
            self.case_details[e.case_id] = Personal(self.id, merged)

    @when.register
    def _(self, e: SubjectErased) -> None:
        self.erased = True
