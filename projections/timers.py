"""Service-level timers view: each promise of DESIGN.md's timer table, started and stopped.

Due instants come from `domain.service_levels` (one place for the rules); this view only
records when each timer started, when it is due and when it stopped. Whether a timer is
running, met, breached or overdue depends on the time of asking, so readers compute it with
`Timer.state(now)`, never from a stored column.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain import case_events as ev
from domain.service_levels import ServiceLevels, Timer, TimerKind
from domain.vocabulary import ContactOutcome, RepairKind
from projections.store import Cursor

TIMER_COLUMNS = (
    "case_id",
    "timer_key",
    "kind",
    "clause",
    "subject",
    "started_at",
    "due_at",
    "stopped_at",
)

# A contact that reached the person or left them a message is a response; an unanswered
# call is an attempt, recorded but not a response (policy 8.1).
_RESPONDED = frozenset({ContactOutcome.MADE.value, ContactOutcome.LEFT_MESSAGE.value})


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def row_to_timer(row: Any) -> tuple[str, str, Timer]:
    """(case_id, timer_key, Timer) from a view row."""
    data = dict(zip(TIMER_COLUMNS, row, strict=True))
    timer = Timer(
        kind=TimerKind(data["kind"]),
        clause=data["clause"],
        subject=data["subject"],
        started_at=datetime.fromisoformat(data["started_at"]),
        due_at=datetime.fromisoformat(data["due_at"]),
        stopped_at=datetime.fromisoformat(data["stopped_at"]) if data["stopped_at"] else None,
    )
    return data["case_id"], data["timer_key"], timer


class Timers:
    name = "timers"
    version = 1

    def __init__(self, levels: ServiceLevels) -> None:
        self.levels = levels

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_timers ("
            "case_id TEXT NOT NULL, timer_key TEXT NOT NULL, kind TEXT NOT NULL, "
            "clause TEXT NOT NULL, subject TEXT NOT NULL, started_at TEXT NOT NULL, "
            "due_at TEXT NOT NULL, stopped_at TEXT, PRIMARY KEY (case_id, timer_key))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_timers_running ON view_timers (stopped_at, due_at)"
        )
        # Per-case facts a later event needs to start or stop a timer.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_timer_cases ("
            "case_id TEXT PRIMARY KEY, allocated_at TEXT, responded_at TEXT, "
            "frequency_days INTEGER, updates INTEGER NOT NULL DEFAULT 0, "
            "reviews INTEGER NOT NULL DEFAULT 0)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_timers")
        cursor.execute("DROP TABLE IF EXISTS view_timer_cases")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        case_id = str(event.originator_id)
        if isinstance(event, ev.CaseReported):
            cursor.execute(
                "INSERT INTO view_timer_cases (case_id) VALUES (?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (case_id,),
            )
            self._start(
                cursor, case_id, "first_response", self.levels.first_response(event.received_at)
            )
        elif isinstance(event, ev.OfficerAllocated):
            self._set_fact(cursor, case_id, "allocated_at", event.occurred_at)
            self._stop_first_response(cursor, case_id)
        elif isinstance(event, ev.ContactMade) and event.outcome in _RESPONDED:
            self._set_fact(cursor, case_id, "responded_at", event.occurred_at, only_first=True)
            self._stop_first_response(cursor, case_id)
            if event.outcome == ContactOutcome.MADE:
                self._restart_victim_update(cursor, case_id, event.occurred_at)
        elif isinstance(event, ev.ContactArrangementAgreed):
            self._agree_frequency(cursor, case_id, event.frequency_days, event.occurred_at)
        elif isinstance(event, ev.RepairRequested):
            start = (
                self.levels.emergency_repair
                if event.kind == RepairKind.EMERGENCY
                else self.levels.graffiti_removal
            )
            self._start(
                cursor,
                case_id,
                f"repair:{event.repair_id}",
                start(event.occurred_at, event.repair_id),
            )
        elif isinstance(event, ev.RepairCompleted):
            self._stop(cursor, case_id, f"repair:{event.repair_id}", event.occurred_at)
        elif isinstance(event, ev.RiskAssessed):
            self._stop_running(cursor, case_id, "risk_review:", event.occurred_at)
            count = self._bump(cursor, case_id, "reviews")
            self._start(
                cursor,
                case_id,
                f"risk_review:{count}",
                self.levels.risk_review(event.occurred_at, event.level),
            )
        elif isinstance(event, ev.ComplaintReceived):
            start = (
                self.levels.complaint_stage_1
                if event.stage == "stage_1"
                else self.levels.complaint_stage_2
            )
            self._start(
                cursor,
                case_id,
                f"complaint:{event.complaint_id}:{event.stage}",
                start(event.occurred_at, event.complaint_id),
            )
        elif isinstance(event, ev.ComplaintResponded):
            self._stop(
                cursor, case_id, f"complaint:{event.complaint_id}:{event.stage}", event.occurred_at
            )
        elif isinstance(event, ev.CaseClosed):
            # Ongoing care ends with the case; one missed before closing stays breached.
            for prefix in ("victim_update:", "risk_review:"):
                self._stop_running(cursor, case_id, prefix, event.occurred_at)

    # --- helpers -------------------------------------------------------------------------

    def _start(self, cursor: Cursor, case_id: str, key: str, timer: Timer) -> None:
        cursor.execute(
            "INSERT INTO view_timers (case_id, timer_key, kind, clause, subject, started_at, "
            "due_at, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL) "
            "ON CONFLICT (case_id, timer_key) DO NOTHING",
            (
                case_id,
                key,
                timer.kind.value,
                timer.clause,
                timer.subject,
                _iso(timer.started_at),
                _iso(timer.due_at),
            ),
        )

    def _stop(self, cursor: Cursor, case_id: str, key: str, at: datetime) -> None:
        cursor.execute(
            "UPDATE view_timers SET stopped_at = ? "
            "WHERE case_id = ? AND timer_key = ? AND stopped_at IS NULL",
            (_iso(at), case_id, key),
        )

    def _stop_running(self, cursor: Cursor, case_id: str, prefix: str, at: datetime) -> None:
        cursor.execute(
            "UPDATE view_timers SET stopped_at = ? "
            "WHERE case_id = ? AND timer_key LIKE ? AND stopped_at IS NULL",
            (_iso(at), case_id, prefix + "%"),
        )

    def _facts(self, cursor: Cursor, case_id: str) -> Any:
        cursor.execute(
            "SELECT allocated_at, responded_at, frequency_days, updates "
            "FROM view_timer_cases WHERE case_id = ?",
            (case_id,),
        )
        return cursor.fetchone()

    def _set_fact(
        self, cursor: Cursor, case_id: str, column: str, at: datetime, only_first: bool = False
    ) -> None:
        guard = f" AND {column} IS NULL" if only_first else ""
        cursor.execute(
            f"UPDATE view_timer_cases SET {column} = ? WHERE case_id = ?{guard}",
            (_iso(at), case_id),
        )

    def _bump(self, cursor: Cursor, case_id: str, column: str) -> int:
        cursor.execute(
            f"UPDATE view_timer_cases SET {column} = {column} + 1 WHERE case_id = ?", (case_id,)
        )
        cursor.execute(f"SELECT {column} FROM view_timer_cases WHERE case_id = ?", (case_id,))
        return int(cursor.fetchone()[0])

    def _stop_first_response(self, cursor: Cursor, case_id: str) -> None:
        """First response is done once the case has a named officer and the victim a reply."""
        facts = self._facts(cursor, case_id)
        if facts is None or facts[0] is None or facts[1] is None:
            return
        done = max(datetime.fromisoformat(facts[0]), datetime.fromisoformat(facts[1]))
        self._stop(cursor, case_id, "first_response", done)

    def _restart_victim_update(self, cursor: Cursor, case_id: str, at: datetime) -> None:
        self._stop_running(cursor, case_id, "victim_update:", at)
        facts = self._facts(cursor, case_id)
        if facts is None or facts[2] is None:
            return  # no arrangement agreed yet: nothing promised
        count = self._bump(cursor, case_id, "updates")
        self._start(
            cursor,
            case_id,
            f"victim_update:{count}",
            self.levels.victim_update(at, timedelta(days=facts[2])),
        )

    def _agree_frequency(self, cursor: Cursor, case_id: str, days: int, at: datetime) -> None:
        cursor.execute(
            "UPDATE view_timer_cases SET frequency_days = ? WHERE case_id = ?", (days, case_id)
        )
        cursor.execute(
            "SELECT timer_key, started_at FROM view_timers WHERE case_id = ? "
            "AND timer_key LIKE ? AND stopped_at IS NULL",
            (case_id, "victim_update:%"),
        )
        running = cursor.fetchone()
        if running is None:
            count = self._bump(cursor, case_id, "updates")
            self._start(
                cursor,
                case_id,
                f"victim_update:{count}",
                self.levels.victim_update(at, timedelta(days=days)),
            )
            return
        # A new frequency re-times the update already owed, from when it started.
        due = self.levels.victim_update(
            datetime.fromisoformat(running[1]), timedelta(days=days)
        ).due_at
        cursor.execute(
            "UPDATE view_timers SET due_at = ? WHERE case_id = ? AND timer_key = ?",
            (_iso(due), case_id, running[0]),
        )
