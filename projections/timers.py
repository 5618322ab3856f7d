"""Service-level timers view: each case's timers as the domain's fold leaves them, and the
queries over them.

Which event starts, stops or re-times which timer is `domain.case_timers`: this view loads a
case's `CaseTimers` from its rows, applies the event, and writes what changed. Whether a
timer is running, met, breached or overdue depends on the time of asking, so readers compute
it with `Timer.state(now)`, never from a stored column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain import case_events as ev
from domain.case_timers import TIMED_EVENTS, CaseTimers, Change, TimerChange
from domain.reminder_schedule import CaseOnFile
from domain.service_levels import ServiceLevels, Timer, TimerKind
from domain.vocabulary import CaseStatus
from projections.case_summaries import Seen, visible
from projections.store import Cursor

_COLUMNS = ("timer_key", "kind", "clause", "subject", "started_at", "due_at", "stopped_at")
_FACTS = ("allocated_at", "responded_at", "frequency_days", "updates", "reviews", "parties")


@dataclass(frozen=True)
class CaseTimer:
    """A timer as a caseload shows it: its case, the case's reference, its key."""

    case_id: str
    reference: str
    key: str
    timer: Timer


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _timer(row: Sequence[Any]) -> tuple[str, Timer]:
    key, kind, clause, subject, started_at, due_at, stopped_at = row
    started, due = datetime.fromisoformat(started_at), datetime.fromisoformat(due_at)
    return key, Timer(TimerKind(kind), clause, subject, started, due, _instant(stopped_at))


class Timers:
    name = "timers"
    # 2: written from domain.case_timers, rows kept in the order they started; 3: who a
    # contact must be with to count (8.1) and the damage a repair runs from (5.10)
    version = 3

    def __init__(self, levels: ServiceLevels) -> None:
        self.levels = levels

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_timers ("
            "case_id TEXT NOT NULL, timer_key TEXT NOT NULL, kind TEXT NOT NULL, "
            "clause TEXT NOT NULL, subject TEXT NOT NULL, started_at TEXT NOT NULL, "
            "due_at TEXT NOT NULL, stopped_at TEXT, seq INTEGER NOT NULL, "
            "PRIMARY KEY (case_id, timer_key))"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS view_timers_running ON view_timers (stopped_at, due_at)"
        )
        # The facts of each case's fold that are not timers (`CaseTimers`).
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_timer_cases ("
            "case_id TEXT PRIMARY KEY, allocated_at TEXT, responded_at TEXT, "
            "frequency_days INTEGER, updates INTEGER NOT NULL DEFAULT 0, "
            "reviews INTEGER NOT NULL DEFAULT 0, parties TEXT NOT NULL DEFAULT '{}')"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_timers")
        cursor.execute("DROP TABLE IF EXISTS view_timer_cases")

    uses = TIMED_EVENTS

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        case_id = str(event.originator_id)
        if not isinstance(event, TIMED_EVENTS):
            return
        if isinstance(event, ev.CaseReported):
            cursor.execute(
                "INSERT INTO view_timer_cases (case_id) VALUES (?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (case_id,),
            )
        timers = self._load(cursor, case_id)
        if timers is None:
            return
        changes = timers.apply(event)
        order = {key: n for n, key in enumerate(timers.timers, start=1)}
        for change in changes:
            self._write(cursor, case_id, change, order[change.key])
        cursor.execute(
            f"UPDATE view_timer_cases SET {', '.join(f'{f} = ?' for f in _FACTS)} "
            "WHERE case_id = ?",
            (
                _iso(timers.allocated_at),
                _iso(timers.responded_at),
                timers.frequency_days,
                timers.updates,
                timers.reviews,
                json.dumps(
                    {
                        "victim_id": timers.victim_id,
                        "elected": timers.elected,
                        "representative_consents": timers.representative_consents,
                        "damage": timers.damage,
                    },
                    sort_keys=True,
                ),
                case_id,
            ),
        )

    def _load(self, cursor: Cursor, case_id: str) -> CaseTimers | None:
        cursor.execute(
            f"SELECT {', '.join(_FACTS)} FROM view_timer_cases WHERE case_id = ?", (case_id,)
        )
        facts = cursor.fetchone()
        if facts is None:
            return None
        cursor.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM view_timers WHERE case_id = ? ORDER BY seq",
            (case_id,),
        )
        parties = json.loads(facts[5])
        return CaseTimers(
            self.levels,
            dict(_timer(row) for row in cursor.fetchall()),
            allocated_at=_instant(facts[0]),
            responded_at=_instant(facts[1]),
            frequency_days=facts[2],
            updates=int(facts[3]),
            reviews=int(facts[4]),
            victim_id=parties.get("victim_id"),
            elected=list(parties.get("elected", [])),
            representative_consents=dict(parties.get("representative_consents", {})),
            damage=[(kind, at) for kind, at in parties.get("damage", [])],
        )

    @staticmethod
    def _write(cursor: Cursor, case_id: str, change: TimerChange, seq: int) -> None:
        timer = change.timer
        if change.change == Change.STARTED:
            cursor.execute(
                f"INSERT INTO view_timers (case_id, {', '.join(_COLUMNS)}, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, timer_key) DO NOTHING",
                (
                    case_id,
                    change.key,
                    timer.kind.value,
                    timer.clause,
                    timer.subject,
                    _iso(timer.started_at),
                    _iso(timer.due_at),
                    _iso(timer.stopped_at),
                    seq,
                ),
            )
        else:
            cursor.execute(
                "UPDATE view_timers SET due_at = ?, stopped_at = ? "
                "WHERE case_id = ? AND timer_key = ?",
                (_iso(timer.due_at), _iso(timer.stopped_at), case_id, change.key),
            )


# --- queries ---------------------------------------------------------------------------------


def on_caseload(
    cursor: Cursor,
    sight: Sequence[Seen],
    case_id: str | None = None,
    running_due_before: datetime | None = None,
) -> list[CaseTimer]:
    """The timers of every case the reader sees (or of one case), soonest due first; with
    `running_due_before`, only those still running and due before that instant."""
    condition, values = visible(sight, "c.")
    if case_id is not None:
        condition += " AND t.case_id = ?"
        values = (*values, case_id)
    if running_due_before is not None:
        condition += " AND t.stopped_at IS NULL AND t.due_at < ?"
        values = (*values, _iso(running_due_before))
    columns = ", ".join(f"t.{c}" for c in _COLUMNS)
    cursor.execute(
        f"SELECT t.case_id, c.reference, {columns} FROM view_timers t "
        f"JOIN view_case_summaries c ON c.case_id = t.case_id WHERE {condition} "
        "ORDER BY t.due_at",
        values,
    )
    return [CaseTimer(row[0], row[1], *_timer(row[2:])) for row in cursor.fetchall()]


def due_between(cursor: Cursor, starts: datetime, ends: datetime) -> list[Timer]:
    """Every timer due in [starts, ends), on any case."""
    cursor.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM view_timers WHERE due_at >= ? AND due_at < ?",
        (_iso(starts), _iso(ends)),
    )
    return [_timer(row)[1] for row in cursor.fetchall()]


def reminder_cases(
    cursor: Cursor, due_before: datetime, stopped_since: datetime
) -> list[CaseOnFile]:
    """What reminders need (`domain.reminder_schedule`): every case with a timer running and
    due before `due_before` or breached since `stopped_since`, with those timers, and every
    report not yet allocated; ids, references and who has them, nothing personal."""
    columns = ", ".join(f"t.{c}" for c in _COLUMNS)
    cursor.execute(
        f"SELECT t.case_id, c.reference, c.status, c.officer, c.team, {columns} "
        "FROM view_timers t JOIN view_case_summaries c ON c.case_id = t.case_id "
        "WHERE (t.stopped_at IS NULL AND t.due_at < ?) "
        "OR (t.stopped_at >= ? AND t.stopped_at > t.due_at) ORDER BY t.case_id, t.seq",
        (_iso(due_before), _iso(stopped_since)),
    )
    found: dict[str, tuple[tuple[str, str, str | None, str | None], dict[str, Timer]]] = {}
    for row in cursor.fetchall():
        case = found.setdefault(row[0], ((row[1], row[2], row[3], row[4]), {}))
        key, timer = _timer(row[5:])
        case[1][key] = timer
    cursor.execute(
        "SELECT case_id, reference, status, officer, team FROM view_case_summaries "
        "WHERE officer IS NULL AND status IN (?, ?)",
        (CaseStatus.REPORTED.value, CaseStatus.TRIAGED.value),
    )
    for case_id, reference, status, officer, team in cursor.fetchall():
        found.setdefault(case_id, ((reference, status, officer, team), {}))
    return [
        CaseOnFile(case_id, reference, status, officer, team, timers)
        for case_id, ((reference, status, officer, team), timers) in found.items()
    ]
