"""A reminder as the ledger records it: the intention before sending, the outcome after.

Every digest and escalation (decided by `domain.reminder_schedule`) is one `Reminder`
aggregate whose id is derived from the reminder's key, so the same reminder is recorded once
however many processes decide it at once: the second save is a conflict. `ReminderIntended`
says to whom (the member, their role and team, the address), which cases and timers (ids,
references, timer keys and kinds, due instants) and the message id every attempt to send it
carries, so a receiving server can drop a duplicate sent after a crash. Then exactly one of
`ReminderDelivered`, `ReminderFailed` (a permanent refusal, or retries exhausted) or
`ReminderUndeliverable` (no address, the member removed or moved team since) settles it;
`ReminderDeferred` records each temporary refusal before the next try. Nothing in a
reminder is a person's details: the email leaves the landlord's systems.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import singledispatchmethod
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand
from domain.instants import aware
from domain.reminder_schedule import Reminder as DueReminder


def reminder_id_for(key: str) -> UUID:
    """One record per reminder key: deciding it again is a conflict, not a second message."""
    return uuid5(NAMESPACE_URL, f"caseledger:reminder:{key}")


class ReminderIntended(Aggregate.Created):
    key: str
    kind: str  # digest | escalation
    audience: str  # officer | hub | manager | head_of_service
    recipient: str  # a username, "head-of-service", or "" (nobody to send it to)
    team: str
    address: str  # "" when there is none
    lines: list[dict[str, str]]  # case_id, reference, timer, kind, due_at, why, key
    message_id: str
    actor: str
    occurred_at: datetime


class ReminderEvent(Aggregate.Event):
    actor: str
    occurred_at: datetime

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class ReminderDeferred(ReminderEvent):
    attempt: int
    reply: str  # the server's temporary refusal (4xx), or why it could not be reached
    retry_at: datetime


class ReminderDelivered(ReminderEvent):
    attempts: int
    reply: str


class ReminderFailed(ReminderEvent):
    attempts: int
    reply: str  # the server's permanent refusal (5xx), or the last temporary one


class ReminderUndeliverable(ReminderEvent):
    reason: str  # see `Undeliverable`


class Undeliverable(StrEnum):
    """Why a reminder was not sent to anyone."""

    NO_ADDRESS = "no email address"
    NO_RECIPIENT = "nobody to send it to"
    REMOVED = "recipient removed"
    MOVED_TEAM = "recipient moved team"


SETTLED = (ReminderDelivered, ReminderFailed, ReminderUndeliverable)


class Reminder(Aggregate):
    def __init__(
        self,
        key: str,
        kind: str,
        audience: str,
        recipient: str,
        team: str,
        address: str,
        lines: list[dict[str, str]],
        message_id: str,
    ) -> None:
        self.key = key
        self.kind = kind
        self.audience = audience
        self.recipient = recipient
        self.team = team
        self.address = address
        self.lines = lines
        self.message_id = message_id
        self.attempts = 0
        self.outcome = ""  # "" pending; delivered | failed | undeliverable

    @classmethod
    def intend(
        cls, due: DueReminder, *, address: str, message_domain: str, actor: str, at: datetime
    ) -> Reminder:
        aware(at, "at")
        if not due.lines:
            raise InvalidCommand("lines", "a reminder is about at least one case")
        reminder_id = reminder_id_for(due.key)
        return cls._create(
            ReminderIntended,
            id=reminder_id,
            key=due.key,
            kind=due.kind.value,
            audience=due.audience.value,
            recipient=due.recipient,
            team=due.team,
            address=address,
            lines=[
                {
                    "case_id": line.case_id,
                    "reference": line.reference,
                    "timer": line.timer,
                    "kind": line.kind,
                    "due_at": line.due_at.isoformat() if line.due_at else "",
                    "why": line.why.value,
                    "key": line.key,
                }
                for line in due.lines
            ],
            message_id=f"<{reminder_id}@{message_domain}>",
            actor=actor,
            occurred_at=at,
        )

    @property
    def settled(self) -> bool:
        return bool(self.outcome)

    def deferred(self, *, reply: str, retry_at: datetime, actor: str, at: datetime) -> None:
        self._check_pending(at)
        self.trigger_event(
            ReminderDeferred,
            attempt=self.attempts + 1,
            reply=reply,
            retry_at=aware(retry_at, "retry_at"),
            actor=actor,
            occurred_at=at,
        )

    def delivered(self, *, reply: str, actor: str, at: datetime) -> None:
        self._check_pending(at)
        self.trigger_event(
            ReminderDelivered, attempts=self.attempts + 1, reply=reply, actor=actor, occurred_at=at
        )

    def failed(self, *, reply: str, actor: str, at: datetime) -> None:
        self._check_pending(at)
        self.trigger_event(
            ReminderFailed, attempts=self.attempts + 1, reply=reply, actor=actor, occurred_at=at
        )

    def undeliverable(self, *, reason: str, actor: str, at: datetime) -> None:
        self._check_pending(at)
        self.trigger_event(ReminderUndeliverable, reason=reason, actor=actor, occurred_at=at)

    def _check_pending(self, at: datetime) -> None:
        aware(at, "at")
        if self.settled:
            raise InvalidCommand("reminder", f"already settled: {self.outcome}")

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @when.register
    def _(self, e: ReminderDeferred) -> None:
        self.attempts = e.attempt

    @when.register
    def _(self, e: ReminderDelivered) -> None:
        self.attempts = e.attempts
        self.outcome = "delivered"

    @when.register
    def _(self, e: ReminderFailed) -> None:
        self.attempts = e.attempts
        self.outcome = "failed"

    @when.register
    def _(self, e: ReminderUndeliverable) -> None:
        self.outcome = "undeliverable"
