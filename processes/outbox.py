"""A process's outbox: what it has decided to do, written with the event that decided it.

One table per process (`process_<name>_outbox`). An entry has a key the process chooses so
that the same decision is never written twice (the key is also the idempotency key a sender
gives whoever it delivers to), a kind, a payload of ids and values (never personal data: the
table is as readable as the views), and when it is due. A sender takes the entries due, does
them, and marks each done. Two senders never do one entry at once: each first claims it for
a while (`claim`), and an entry claimed by a sender that died is claimed again once its
claim has run out, so what was started is finished. An entry tried and refused for now is
put off (`retry`), counting its attempts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.store import Cursor


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int = 0


class Outbox:
    def __init__(self, process: str) -> None:
        if not process.isidentifier():
            raise ValueError(f"a process name is an identifier, not {process!r}")
        self.table = f"process_{process}_outbox"

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "entry_key TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, "
            "due_at TEXT NOT NULL, done_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, "
            "claimed_until TEXT)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_due ON {self.table} (done_at, due_at)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def add(self, cursor: Cursor, entry: Entry) -> bool:
        """Write the entry unless one with its key is there already; whether it was new."""
        cursor.execute(
            f"INSERT INTO {self.table} (entry_key, kind, payload, due_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (entry_key) DO NOTHING",
            (entry.key, entry.kind, json.dumps(entry.payload), _iso(entry.due_at)),
        )
        return cursor.rowcount == 1

    def due(self, cursor: Cursor, now: datetime, limit: int = 100) -> list[Entry]:
        """Entries not yet done whose time has come and that no sender holds, soonest first."""
        cursor.execute(
            f"SELECT entry_key, kind, payload, due_at, attempts FROM {self.table} "
            "WHERE done_at IS NULL AND due_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until <= ?) "
            "ORDER BY due_at, entry_key LIMIT ?",
            (_iso(now), _iso(now), limit),
        )
        return [
            Entry(str(key), str(kind), json.loads(payload), datetime.fromisoformat(due_at), n)
            for key, kind, payload, due_at, n in cursor.fetchall()
        ]

    def next_due_at(self, cursor: Cursor) -> datetime | None:
        """When the soonest entry not yet done falls due (or its claim runs out)."""
        cursor.execute(
            f"SELECT MIN(CASE WHEN claimed_until > due_at THEN claimed_until ELSE due_at END) "
            f"FROM {self.table} WHERE done_at IS NULL"
        )
        row = cursor.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def claim(self, cursor: Cursor, key: str, now: datetime, until: datetime) -> bool:
        """Hold the entry until `until`; False if it is done, not due, or held by another."""
        cursor.execute(
            f"UPDATE {self.table} SET claimed_until = ? WHERE entry_key = ? "
            "AND done_at IS NULL AND due_at <= ? "
            "AND (claimed_until IS NULL OR claimed_until <= ?)",
            (_iso(until), key, _iso(now), _iso(now)),
        )
        return cursor.rowcount == 1

    def retry(self, cursor: Cursor, key: str, at: datetime) -> None:
        """Put the entry off until `at`, one more attempt counted, and let it go."""
        cursor.execute(
            f"UPDATE {self.table} SET due_at = ?, attempts = attempts + 1, claimed_until = NULL "
            "WHERE entry_key = ? AND done_at IS NULL",
            (_iso(at), key),
        )

    def done(self, cursor: Cursor, key: str, at: datetime) -> bool:
        """Mark an entry done; False if it was done already (by another sender)."""
        cursor.execute(
            f"UPDATE {self.table} SET done_at = ? WHERE entry_key = ? AND done_at IS NULL",
            (_iso(at), key),
        )
        return cursor.rowcount == 1


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
