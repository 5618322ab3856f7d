"""Staff accounts: who may use the ledger, in which role, and the hash of their API token.

The token itself is never stored: only a salted scrypt hash, computed by the application.
A removed member's token stops working at once because every request checks the account.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand
from domain.instants import aware
from domain.vocabulary import StaffRole

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


def staff_id_for(username: str) -> UUID:
    """One account per username: the id is derived from it, so a duplicate is a conflict."""
    return uuid5(NAMESPACE_URL, f"caseledger:staff:{username}")


class StaffAdded(Aggregate.Created):
    username: str
    display_name: str
    role: str
    team: str
    token_hash: str
    actor: str
    occurred_at: datetime


class StaffEvent(Aggregate.Event):
    actor: str
    occurred_at: datetime

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class StaffTokenRotated(StaffEvent):
    token_hash: str


class StaffRemoved(StaffEvent):
    reason: str


class StaffMember(Aggregate):
    def __init__(
        self, username: str, display_name: str, role: str, team: str, token_hash: str
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.role = role
        self.team = team
        self.token_hash = token_hash
        self.active = True

    @classmethod
    def add(
        cls,
        *,
        username: str,
        display_name: str,
        role: str,
        team: str,
        token_hash: str,
        actor: str,
        at: datetime,
    ) -> StaffMember:
        aware(at, "at")
        if not _USERNAME.match(username):
            raise InvalidCommand(
                "username", "2-63 lower-case letters, digits, dots, dashes or underscores"
            )
        try:
            StaffRole(role)
        except ValueError:
            allowed = ", ".join(r.value for r in StaffRole)
            raise InvalidCommand("role", f"must be one of: {allowed}") from None
        return cls._create(
            StaffAdded,
            id=staff_id_for(username),
            username=username,
            display_name=display_name.strip() or username,
            role=role,
            team=team.strip() or "default",
            token_hash=token_hash,
            actor=actor,
            occurred_at=at,
        )

    def rotate_token(self, *, token_hash: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._check_active()
        self.trigger_event(StaffTokenRotated, token_hash=token_hash, actor=actor, occurred_at=at)

    def remove(self, *, reason: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._check_active()
        self.trigger_event(StaffRemoved, reason=reason, actor=actor, occurred_at=at)

    def _check_active(self) -> None:
        if not self.active:
            raise InvalidCommand("username", "the account has been removed")

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @when.register
    def _(self, e: StaffTokenRotated) -> None:
        self.token_hash = e.token_hash

    @when.register
    def _(self, e: StaffRemoved) -> None:
        self.active = False
