"""Reminders view: every reminder recorded (`domain.reminder`), its outcome, and the cases and
timers it was about, for the planner (what was decided already), the case's chronology and
evidence pack ("the officer was reminded on Monday, the manager on Wednesday") and the
auditor and admin (deliveries that failed, members with no address).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain import reminder as rm
from projections.store import Cursor

_REMINDER = (
    "reminder_id",
    "reminder_key",
    "kind",
    "audience",
    "recipient",
    "team",
    "message_id",
    "intended_at",
    "outcome",
    "settled_at",
    "attempts",
    "reply",
)
_CHUNK = 500


@dataclass(frozen=True)
class ReminderLine:
    case_id: str
    reference: str
    timer: str
    kind: str
    due_at: datetime | None
    why: str


@dataclass(frozen=True)
class ReminderRecord:
    """A reminder as recorded: to whom, when, what became of it ("" while pending), and the
    lines about the cases asked for (all of them unless one case was asked for)."""

    reminder_id: str
    key: str
    kind: str
    audience: str
    recipient: str
    team: str
    message_id: str
    intended_at: datetime
    outcome: str
    settled_at: datetime | None
    attempts: int
    reply: str
    lines: tuple[ReminderLine, ...]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class RemindersView:
    name = "reminder_records"  # "reminders" is the process's
    version = 1

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_reminders ("
            "reminder_id TEXT PRIMARY KEY, reminder_key TEXT NOT NULL UNIQUE, "
            "kind TEXT NOT NULL, audience TEXT NOT NULL, recipient TEXT NOT NULL, "
            "team TEXT NOT NULL, message_id TEXT NOT NULL, intended_at TEXT NOT NULL, "
            "outcome TEXT NOT NULL DEFAULT '', settled_at TEXT, "
            "attempts INTEGER NOT NULL DEFAULT 0, reply TEXT NOT NULL DEFAULT '', "
            "position BIGINT NOT NULL)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_reminders_outcome ON view_reminders "
            "(outcome, position)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_reminders_recipient ON view_reminders "
            "(recipient, intended_at)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_reminder_lines ("
            "reminder_id TEXT NOT NULL, seq INTEGER NOT NULL, case_id TEXT NOT NULL, "
            "reference TEXT NOT NULL, timer TEXT NOT NULL, kind TEXT NOT NULL, "
            "due_at TEXT NOT NULL, why TEXT NOT NULL, line_key TEXT NOT NULL, "
            "PRIMARY KEY (reminder_id, seq))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_reminder_lines_case ON view_reminder_lines (case_id)"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_reminder_lines_key ON view_reminder_lines (line_key)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_reminders")
        cursor.execute("DROP TABLE IF EXISTS view_reminder_lines")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        reminder_id = str(event.originator_id)
        if isinstance(event, rm.ReminderIntended):
            cursor.execute(
                "INSERT INTO view_reminders (reminder_id, reminder_key, kind, audience, "
                "recipient, team, message_id, intended_at, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reminder_id) DO NOTHING",
                (
                    reminder_id,
                    event.key,
                    event.kind,
                    event.audience,
                    event.recipient,
                    event.team,
                    event.message_id,
                    _iso(event.occurred_at),
                    position,
                ),
            )
            if cursor.rowcount != 1:
                return
            for seq, line in enumerate(event.lines):
                cursor.execute(
                    "INSERT INTO view_reminder_lines (reminder_id, seq, case_id, reference, "
                    "timer, kind, due_at, why, line_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        reminder_id,
                        seq,
                        line["case_id"],
                        line["reference"],
                        line["timer"],
                        line["kind"],
                        line["due_at"],
                        line["why"],
                        line["key"],
                    ),
                )
        elif isinstance(event, rm.ReminderDeferred):
            cursor.execute(
                "UPDATE view_reminders SET attempts = ?, reply = ? WHERE reminder_id = ?",
                (event.attempt, event.reply, reminder_id),
            )
        elif isinstance(event, rm.ReminderDelivered | rm.ReminderFailed):
            outcome = "delivered" if isinstance(event, rm.ReminderDelivered) else "failed"
            cursor.execute(
                "UPDATE view_reminders SET outcome = ?, settled_at = ?, attempts = ?, reply = ? "
                "WHERE reminder_id = ?",
                (outcome, _iso(event.occurred_at), event.attempts, event.reply, reminder_id),
            )
        elif isinstance(event, rm.ReminderUndeliverable):
            cursor.execute(
                "UPDATE view_reminders SET outcome = 'undeliverable', settled_at = ?, reply = ? "
                "WHERE reminder_id = ?",
                (_iso(event.occurred_at), event.reason, reminder_id),
            )


# --- queries ---------------------------------------------------------------------------------


def decided(cursor: Cursor, keys: Iterable[str]) -> set[str]:
    """Which of these reminder keys and escalated line keys are recorded already."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        cursor.execute(
            f"SELECT reminder_key FROM view_reminders WHERE reminder_key IN ({marks})", chunk
        )
        found.update(str(row[0]) for row in cursor.fetchall())
        cursor.execute(
            f"SELECT line_key FROM view_reminder_lines WHERE line_key IN ({marks})", chunk
        )
        found.update(str(row[0]) for row in cursor.fetchall())
    return found


def about_case(cursor: Cursor, case_id: str) -> list[ReminderRecord]:
    """Every reminder about one case, in the order recorded, with its lines about that case."""
    return _records(
        cursor,
        "r.reminder_id IN (SELECT reminder_id FROM view_reminder_lines WHERE case_id = ?)",
        (case_id,),
        case_id,
    )


def by_outcome(
    cursor: Cursor, outcomes: Sequence[str], limit: int = 100, offset: int = 0
) -> list[ReminderRecord]:
    """Reminders whose outcome is one of `outcomes` ("" pending), the latest recorded first."""
    marks = ", ".join("?" * len(outcomes))
    return _records(
        cursor,
        f"r.outcome IN ({marks})",
        tuple(outcomes),
        None,
        newest_first=True,
        limit=limit,
        offset=offset,
    )


def to_recipient(cursor: Cursor, username: str, since: datetime) -> list[ReminderRecord]:
    """The reminders to one member recorded since `since`, the latest first."""
    return _records(
        cursor,
        "r.recipient = ? AND r.intended_at >= ?",
        (username, _iso(since)),
        None,
        newest_first=True,
    )


def _records(
    cursor: Cursor,
    condition: str,
    values: Sequence[Any],
    case_id: str | None,
    *,
    newest_first: bool = False,
    limit: int = 100_000,
    offset: int = 0,
) -> list[ReminderRecord]:
    order = "DESC" if newest_first else "ASC"
    cursor.execute(
        f"SELECT {', '.join('r.' + c for c in _REMINDER)} FROM view_reminders r "
        f"WHERE {condition} ORDER BY r.position {order} LIMIT ? OFFSET ?",
        (*values, limit, offset),
    )
    rows = cursor.fetchall()
    records = []
    for row in rows:
        line_condition = "reminder_id = ?" + (" AND case_id = ?" if case_id else "")
        cursor.execute(
            "SELECT case_id, reference, timer, kind, due_at, why FROM view_reminder_lines "
            f"WHERE {line_condition} ORDER BY seq",
            (row[0], case_id) if case_id else (row[0],),
        )
        lines = tuple(
            ReminderLine(c, ref, t, k, datetime.fromisoformat(d) if d else None, w)
            for c, ref, t, k, d, w in cursor.fetchall()
        )
        records.append(
            ReminderRecord(
                reminder_id=str(row[0]),
                key=str(row[1]),
                kind=row[2],
                audience=row[3],
                recipient=row[4],
                team=row[5],
                message_id=row[6],
                intended_at=datetime.fromisoformat(row[7]),
                outcome=row[8],
                settled_at=datetime.fromisoformat(row[9]) if row[9] else None,
                attempts=int(row[10]),
                reply=row[11],
                lines=lines,
            )
        )
    return records
