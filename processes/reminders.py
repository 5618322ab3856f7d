"""The reminders process: each reminder recorded (`ReminderIntended`) becomes an entry of its
outbox, which the sender (`application.reminders.sending`) delivers by email and settles.

Deciding what is due is not this process's part: a reminder falls due with time, not with an
event, so the planner (`application.reminders`) asks `domain.reminder_schedule` on each pass
and records what it decides on the log; this process turns each record into exactly one
outbox entry, keyed by the reminder's id, in the transaction that advances its position. The
planner itself runs one at a time across processes, by a lease (`PlannerLease`) kept here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.reminder import ReminderIntended
from processes.outbox import Entry, Outbox
from projections.store import Cursor


class RemindersProcess:
    name = "reminders"
    version = 1

    def __init__(self) -> None:
        self.outbox = Outbox(self.name)
        self.lease = PlannerLease(self.name)

    def create_tables(self, cursor: Cursor) -> None:
        self.outbox.create_tables(cursor)
        self.lease.create_tables(cursor)

    def drop_tables(self, cursor: Cursor) -> None:
        self.outbox.drop_tables(cursor)
        self.lease.drop_tables(cursor)

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if isinstance(event, ReminderIntended):
            reminder_id = str(event.originator_id)
            self.outbox.add(
                cursor,
                Entry(reminder_id, "email", {"reminder_id": reminder_id}, event.occurred_at),
            )


class PlannerLease:
    """One holder at a time of a named lease, until it lets go or its time runs out."""

    def __init__(self, process: str) -> None:
        self.table = f"process_{process}_lease"

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "lease TEXT PRIMARY KEY, holder TEXT NOT NULL, held_until TEXT NOT NULL)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def take(self, cursor: Cursor, holder: str, now: datetime, until: datetime) -> bool:
        """Hold the lease until `until` if it is free, run out, or held by `holder` already."""
        cursor.execute(
            f"INSERT INTO {self.table} (lease, holder, held_until) VALUES ('planner', ?, ?) "
            "ON CONFLICT (lease) DO NOTHING",
            (holder, _iso(until)),
        )
        if cursor.rowcount == 1:
            return True
        cursor.execute(
            f"UPDATE {self.table} SET holder = ?, held_until = ? "
            "WHERE lease = 'planner' AND (held_until <= ? OR holder = ?)",
            (holder, _iso(until), _iso(now), holder),
        )
        return cursor.rowcount == 1

    def let_go(self, cursor: Cursor, holder: str) -> None:
        cursor.execute(
            f"DELETE FROM {self.table} WHERE lease = 'planner' AND holder = ?", (holder,)
        )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()
