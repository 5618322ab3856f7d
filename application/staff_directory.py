"""Staff accounts and authentication: `caseledger staff add`, the API's bearer tokens and the
screens' passwords and second factors (`application.sign_in`).

A verified token is remembered by its SHA-256 digest so that scrypt runs once per token per
process, and the member it names by the version they were read at. Every request still asks
the event store for the member's latest version (one indexed row, nothing decoded), and reads
them again when it moved: removing a member or rotating their token takes effect at once, in
every process, without replaying their history on each request.
"""

from __future__ import annotations

import hashlib
import threading
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from application.actors import Actor
from application.clock import Clock
from application.errors import Forbidden, NotFound, Unauthenticated
from application.sign_in.passwords import hash_password, password_matches
from application.tokens import hash_token, new_token, staff_id_of, token_matches
from domain.errors import InvalidCommand
from domain.staff import StaffAdded, StaffMember, staff_id_for
from domain.vocabulary import StaffRole

_NO_PASSWORD = hash_password("no one has this password")
"""Checked against when there is no account or no password, so every answer costs a hash."""


class StaffDirectory:
    def __init__(self, app: Application, clock: Clock) -> None:
        self._app = app
        self._clock = clock
        self._verified: dict[bytes, str] = {}  # token digest -> the stored hash it matched
        self._members: dict[UUID, StaffMember] = {}  # as last read, checked by version
        self._lock = threading.Lock()

    def add(
        self,
        *,
        username: str,
        role: str,
        display_name: str = "",
        team: str = "default",
        email: str = "",
        actor: Actor,
    ) -> tuple[StaffMember, str]:
        """Create an account (with the work address reminders go to, if given); returns it
        and its token, which is shown once and never stored."""
        self.require_admin(actor)
        token = new_token(staff_id_for(username))
        member = StaffMember.add(
            username=username,
            display_name=display_name,
            role=role,
            team=team,
            token_hash=hash_token(token),
            actor=actor.username,
            at=self._clock(),
        )
        if email:
            member.set_email(email=email, actor=actor.username, at=self._clock())
        try:
            self._app.save(member)
        except IntegrityError:
            raise InvalidCommand("username", "a staff member with this username exists") from None
        return member, token

    def rotate_token(self, username: str, *, actor: Actor) -> str:
        self.require_admin(actor)
        member = self.get(username)
        token = new_token(member.id)
        member.rotate_token(token_hash=hash_token(token), actor=actor.username, at=self._clock())
        self._app.save(member)
        return token

    def remove(self, username: str, *, reason: str, actor: Actor) -> None:
        self.require_admin(actor)
        member = self.get(username)
        member.remove(reason=reason, actor=actor.username, at=self._clock())
        self._app.save(member)

    def set_password(self, username: str, password: str, *, actor: Actor) -> None:
        """A new password for the screens (argon2id); the member's sessions end."""
        self.require_admin(actor)
        member = self.get(username)
        member.set_password(
            password_hash=hash_password(password), actor=actor.username, at=self._clock()
        )
        self._app.save(member)

    def member_with_password(self, username: str, password: str) -> StaffMember | None:
        """The active member if the password is theirs; None otherwise (the same work
        either way, so the answer's time does not tell whether the username exists)."""
        member = self._load(staff_id_for(username))
        stored = member.password_hash if member is not None and member.active else None
        matches = password_matches(password, stored or _NO_PASSWORD)
        return member if matches and stored is not None else None

    def enrol_second_factor(self, username: str, sealed_secret: str) -> None:
        """The member enrolled a second factor themselves (at sign-in)."""
        member = self.get(username)
        member.enrol_second_factor(sealed_secret=sealed_secret, actor=username, at=self._clock())
        self._app.save(member)

    def reset_second_factor(self, username: str, *, actor: Actor) -> None:
        self.require_admin(actor)
        member = self.get(username)
        member.reset_second_factor(actor=actor.username, at=self._clock())
        self._app.save(member)

    def members(self, *, actor: Actor) -> list[StaffMember]:
        """Every account ever added (removed ones too), by username: the admin's list. Read
        from the log's `StaffAdded` notifications, then each account as it now is."""
        self.require_admin(actor)
        recorder = self._app.recorder
        topic = get_topic(StaffAdded)
        found: list[StaffMember] = []
        start = 1
        while True:
            page = recorder.select_notifications(start, 500, topics=[topic])
            for notification in page:
                member = self._load(UUID(str(notification.originator_id)))
                if member is not None:
                    found.append(member)
            if len(page) < 500:
                return sorted(found, key=lambda m: m.username)
            start = page[-1].id + 1

    def set_email(self, username: str, email: str, *, actor: Actor) -> StaffMember:
        """Set (or, with "", clear) the address a member's reminders go to."""
        self.require_admin(actor)
        member = self.get(username)
        member.set_email(email=email, actor=actor.username, at=self._clock())
        self._app.save(member)
        return member

    def move_team(self, username: str, team: str, *, actor: Actor) -> StaffMember:
        self.require_admin(actor)
        member = self.get(username)
        member.move_team(team=team, actor=actor.username, at=self._clock())
        self._app.save(member)
        return member

    def get(self, username: str) -> StaffMember:
        member = self._load(staff_id_for(username))
        if member is None:
            raise NotFound("no such staff member")
        return member

    def acting_as(self, username: str) -> Actor:
        """A member of staff named on the server's shell (`--as NAME`): who the ledger records
        as doing what the command does. Only an active member can be named."""
        found = self.actor_of(username)
        if found is None:
            raise NotFound(f"no active member of staff called {username}")
        return found

    def actor_of(self, username: str) -> Actor | None:
        """The member as an actor, if their account is active (a session's member)."""
        member = self._current(staff_id_for(username))
        if member is None or not member.active:
            return None
        return Actor(username=member.username, role=StaffRole(member.role), team=member.team)

    def authenticate(self, token: str) -> Actor:
        staff_id = staff_id_of(token)
        member = self._current(staff_id) if staff_id else None
        if member is None or not member.active:
            raise Unauthenticated("invalid or revoked token")
        digest = hashlib.sha256(token.encode()).digest()
        with self._lock:
            known = self._verified.get(digest) == member.token_hash
        if not known:
            if not token_matches(token, member.token_hash):
                raise Unauthenticated("invalid or revoked token")
            with self._lock:
                self._verified[digest] = member.token_hash
        return Actor(username=member.username, role=StaffRole(member.role), team=member.team)

    def _current(self, staff_id: UUID) -> StaffMember | None:
        """The member as they now are, read only to decide who someone is (never changed:
        commands on a member use `get`, which replays them afresh)."""
        latest = self._app.recorder.select_events(staff_id, desc=True, limit=1)
        if not latest:
            return None
        with self._lock:
            known = self._members.get(staff_id)
        if known is not None and known.version == latest[0].originator_version:
            return known
        member = self._load(staff_id)
        if member is not None:
            with self._lock:
                self._members[staff_id] = member
        return member

    def _load(self, staff_id: UUID) -> StaffMember | None:
        try:
            member: object = self._app.repository.get(staff_id)
        except Exception:
            return None
        return member if isinstance(member, StaffMember) else None

    @staticmethod
    def require_admin(actor: Actor) -> None:
        """Only an admin manages staff accounts (checked before a request's body is read)."""
        if actor.role != StaffRole.ADMIN:
            raise Forbidden("only an admin manages staff accounts")
