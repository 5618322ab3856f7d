"""Staff sessions of the screens, kept in the database so every server process shares them.

A session is known to the browser by a random 256-bit id in a cookie; the table keeps only
its SHA-256 digest, so a copy of the table signs nobody in. Each row says how far the sign-in
has got (`Stage`), whose it is, the CSRF token of its forms and, while a second factor is
being enrolled, the new secret (sealed by the caller). A session ends after 30 minutes
without a request (idle) or 12 hours after it began (absolute), when its member signs out,
or when they sign out everywhere. Each step of signing in starts a new session (a new id),
so an id planted before sign-in is worth nothing after it (session fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from application.clock import Clock
from projections.store import ViewStore

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
"""A request refreshes the session's last use at most this often (one write a minute)."""

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: strings order as instants do


class Stage(StrEnum):
    ANONYMOUS = "anonymous"  # the sign-in form was shown
    SECOND_FACTOR = "second_factor"  # the password was right; a code is due
    ENROLMENT = "enrolment"  # the password was right; a second factor is to be enrolled
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class Session:
    token: str
    """The id the browser holds (never stored)."""
    stage: Stage
    username: str | None
    csrf: str
    pending_secret: str | None
    started_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_FORMAT)


def _instant(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


class StaffSessions:
    def __init__(self, store: ViewStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def setup(self) -> None:
        with self._store.transaction() as c:
            c.execute(
                "CREATE TABLE IF NOT EXISTS staff_sessions ("
                "digest TEXT PRIMARY KEY, stage TEXT NOT NULL, username TEXT, "
                "csrf TEXT NOT NULL, pending_secret TEXT, started_at TEXT NOT NULL, "
                "seen_at TEXT NOT NULL)"
            )
            c.execute(
                "CREATE INDEX IF NOT EXISTS staff_sessions_username ON staff_sessions (username)"
            )

    def start(
        self, stage: Stage, username: str | None = None, pending_secret: str | None = None
    ) -> Session:
        """A new session (a new id), and the expired ones of everybody removed."""
        now = self._clock()
        session = Session(
            secrets.token_urlsafe(32),
            stage,
            username,
            secrets.token_urlsafe(32),
            pending_secret,
            now,
        )
        with self._store.transaction() as c:
            c.execute(
                "DELETE FROM staff_sessions WHERE seen_at < ? OR started_at < ?",
                (_text(now - IDLE), _text(now - ABSOLUTE)),
            )
            c.execute(
                "INSERT INTO staff_sessions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _digest(session.token),
                    stage.value,
                    username,
                    session.csrf,
                    pending_secret,
                    _text(now),
                    _text(now),
                ),
            )
        return session

    def find(self, token: str) -> Session | None:
        """The live session of that id, its last use now; None if unknown, ended or expired."""
        if not token or len(token) > 100:
            return None
        now = self._clock()
        digest = _digest(token)
        with self._store.reading() as c:
            c.execute(
                "SELECT stage, username, csrf, pending_secret, started_at, seen_at "
                "FROM staff_sessions WHERE digest = ?",
                (digest,),
            )
            row = c.fetchone()
        if row is None:
            return None
        stage, username, csrf, pending, started, seen = row
        started_at, seen_at = _instant(started), _instant(seen)
        if now - seen_at >= IDLE or now - started_at >= ABSOLUTE:
            self.end(token)
            return None
        if now - seen_at >= TOUCH_EVERY:
            with self._store.transaction() as c:
                c.execute(
                    "UPDATE staff_sessions SET seen_at = ? WHERE digest = ?", (_text(now), digest)
                )
        return Session(token, Stage(stage), username, csrf, pending, started_at)

    def end(self, token: str) -> None:
        with self._store.transaction() as c:
            c.execute("DELETE FROM staff_sessions WHERE digest = ?", (_digest(token),))

    def end_all(self, username: str) -> int:
        """End every session of the member (sign out everywhere); how many there were."""
        with self._store.transaction() as c:
            c.execute("DELETE FROM staff_sessions WHERE username = ?", (username,))
            return int(c.rowcount)
