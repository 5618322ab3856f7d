"""Staff accounts: who may use the ledger, in which role and team, how they prove who they
are, and the work email address their reminders go to.

The API token itself is never stored: only a salted scrypt hash, computed by the application;
the same for the screens' password (an argon2id hash). The second factor's TOTP secret must be
read back to check a code, so it is kept sealed under the member's own key (the application
seals it). A removed member's token, password and sessions stop working at once because every
request checks the account. A member's email address is set (or cleared) by an event of its
own, so accounts added before addresses existed replay unchanged; reminders go only to the
address in force (issue 17).
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
# One address, no display name, no spaces or angle brackets: what an SMTP envelope takes.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def email_address(value: str) -> str:
    """A work email address as reminders are sent to it, or InvalidCommand naming `email`."""
    address = value.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidCommand("email", "one email address such as k.officer@example.org")
    return address


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


class StaffPasswordSet(StaffEvent):
    password_hash: str


class StaffSecondFactorEnrolled(StaffEvent):
    sealed_secret: str


class StaffSecondFactorReset(StaffEvent):
    pass


class StaffEmailSet(StaffEvent):
    email: str  # "": cleared, reminders to this member are recorded as undeliverable


class StaffMovedTeam(StaffEvent):
    team: str


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
        self.password_hash: str | None = None
        self.sealed_second_factor: str | None = None
        self.email = ""

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

    def set_password(self, *, password_hash: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._check_active()
        self.trigger_event(
            StaffPasswordSet, password_hash=password_hash, actor=actor, occurred_at=at
        )

    def enrol_second_factor(self, *, sealed_secret: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._check_active()
        self.trigger_event(
            StaffSecondFactorEnrolled, sealed_secret=sealed_secret, actor=actor, occurred_at=at
        )

    def reset_second_factor(self, *, actor: str, at: datetime) -> None:
        """Forget the second factor: the member enrols a new one at their next sign-in."""
        aware(at, "at")
        self._check_active()
        if self.sealed_second_factor is None:
            raise InvalidCommand("username", "the member has no second factor to reset")
        self.trigger_event(StaffSecondFactorReset, actor=actor, occurred_at=at)

    def set_email(self, *, email: str, actor: str, at: datetime) -> None:
        """The member's work address for reminders; "" clears it."""
        aware(at, "at")
        self._check_active()
        address = email_address(email) if email.strip() else ""
        if address != self.email:
            self.trigger_event(StaffEmailSet, email=address, actor=actor, occurred_at=at)

    def move_team(self, *, team: str, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._check_active()
        if not team.strip():
            raise InvalidCommand("team", "a team's name")
        if team.strip() != self.team:
            self.trigger_event(StaffMovedTeam, team=team.strip(), actor=actor, occurred_at=at)

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

    @when.register
    def _(self, e: StaffPasswordSet) -> None:
        self.password_hash = e.password_hash

    @when.register
    def _(self, e: StaffSecondFactorEnrolled) -> None:
        self.sealed_second_factor = e.sealed_secret

    @when.register
    def _(self, e: StaffSecondFactorReset) -> None:
        self.sealed_second_factor = None

    @when.register
    def _(self, e: StaffEmailSet) -> None:
        self.email = e.email

    @when.register
    def _(self, e: StaffMovedTeam) -> None:
        self.team = e.team
