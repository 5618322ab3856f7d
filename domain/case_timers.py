"""Which event starts, stops or re-times which service-level timer of a case: a pure fold.

The promises (docs/policy-map.md, "Timers"): a report starts the first response, stopped
once the case has a named officer and the victim a reply (5.1, 8.1); a repair starts its own
clock, stopped when it is done (5.10); an agreed contact frequency owes the victim an update,
each contact made starting the next one (8.1); each risk assessment sets the next review by
its level (5.5); each complaint stage its response (11.1). Closing the case ends the ongoing
care (updates, reviews); one missed before closing stays breached.

`CaseTimers` holds one case's timers and the facts later events need; `apply(event)` changes
them and says what changed. `timers_of(events, levels)` folds a whole history. The timers
view stores the fold's output per case (`projections.timers`), the evidence pack folds a
case's events itself, and reminders will ask the same fold. Due instants come from
`ServiceLevels`; whether a timer is met or overdue depends on when one asks (`Timer.state`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from domain import case_events as ev
from domain.service_levels import ServiceLevels, Timer
from domain.vocabulary import ComplaintStage, ContactOutcome, RepairKind

# A contact that reached the person or left them a message is a response; an unanswered
# call is an attempt, recorded but not a response (policy 8.1).
_RESPONDED = frozenset({ContactOutcome.MADE.value, ContactOutcome.LEFT_MESSAGE.value})

FIRST_RESPONSE = "first_response"
VICTIM_UPDATE = "victim_update:"
RISK_REVIEW = "risk_review:"

TIMED_EVENTS: tuple[type, ...] = (
    ev.CaseReported,
    ev.OfficerAllocated,
    ev.ContactMade,
    ev.ContactArrangementAgreed,
    ev.RepairRequested,
    ev.RepairCompleted,
    ev.RiskAssessed,
    ev.ComplaintReceived,
    ev.ComplaintResponded,
    ev.CaseClosed,
)
"""The events that may change a case's timers: any other leaves them as they are."""


class Change(StrEnum):
    STARTED = "started"
    STOPPED = "stopped"
    RETIMED = "re-timed"


@dataclass(frozen=True)
class TimerChange:
    """What an event did to one timer: `timer` as it is after the change."""

    key: str
    timer: Timer
    change: Change


@dataclass
class CaseTimers:
    """The timers of one case, by key in the order they started, and the facts a later event
    needs to start or stop one."""

    levels: ServiceLevels
    timers: dict[str, Timer] = field(default_factory=dict)
    allocated_at: datetime | None = None
    responded_at: datetime | None = None
    frequency_days: int | None = None
    updates: int = 0  # victim updates started so far
    reviews: int = 0  # risk reviews started so far

    def apply(self, event: Any) -> list[TimerChange]:
        """Apply one of the case's events; what it did to the timers, in their order."""
        if not isinstance(event, TIMED_EVENTS):
            return []
        before = dict(self.timers)
        self._apply(event)
        return _changes(before, self.timers)

    def _apply(self, event: Any) -> None:
        if isinstance(event, ev.CaseReported):
            self._start(FIRST_RESPONSE, self.levels.first_response(event.received_at))
        elif isinstance(event, ev.OfficerAllocated):
            self.allocated_at = event.occurred_at
            self._stop_first_response()
        elif isinstance(event, ev.ContactMade) and event.outcome in _RESPONDED:
            self.responded_at = self.responded_at or event.occurred_at
            self._stop_first_response()
            if event.outcome == ContactOutcome.MADE:
                self._stop_running(VICTIM_UPDATE, event.occurred_at)
                if self.frequency_days is not None:
                    self._next_update(event.occurred_at)
        elif isinstance(event, ev.ContactArrangementAgreed):
            self._agree_frequency(event.frequency_days, event.occurred_at)
        elif isinstance(event, ev.RepairRequested):
            start = (
                self.levels.emergency_repair
                if event.kind == RepairKind.EMERGENCY
                else self.levels.graffiti_removal
            )
            self._start(f"repair:{event.repair_id}", start(event.occurred_at, event.repair_id))
        elif isinstance(event, ev.RepairCompleted):
            self._stop(f"repair:{event.repair_id}", event.occurred_at)
        elif isinstance(event, ev.RiskAssessed):
            self._stop_running(RISK_REVIEW, event.occurred_at)
            self.reviews += 1
            review = self.levels.risk_review(event.occurred_at, event.level)
            self._start(f"{RISK_REVIEW}{self.reviews}", review)
        elif isinstance(event, ev.ComplaintReceived):
            start = (
                self.levels.complaint_stage_1
                if event.stage == ComplaintStage.STAGE_1
                else self.levels.complaint_stage_2
            )
            key = f"complaint:{event.complaint_id}:{event.stage}"
            self._start(key, start(event.occurred_at, event.complaint_id))
        elif isinstance(event, ev.ComplaintResponded):
            self._stop(f"complaint:{event.complaint_id}:{event.stage}", event.occurred_at)
        elif isinstance(event, ev.CaseClosed):
            for prefix in (VICTIM_UPDATE, RISK_REVIEW):
                self._stop_running(prefix, event.occurred_at)

    def _start(self, key: str, timer: Timer) -> None:
        self.timers.setdefault(key, timer)

    def _stop(self, key: str, at: datetime) -> None:
        timer = self.timers.get(key)
        if timer is not None and timer.stopped_at is None:
            self.timers[key] = timer.stop(max(at, timer.started_at))

    def _stop_running(self, prefix: str, at: datetime) -> None:
        for key in [k for k in self.timers if k.startswith(prefix)]:
            self._stop(key, at)

    def _stop_first_response(self) -> None:
        """First response is done once the case has a named officer and the victim a reply."""
        if self.allocated_at is not None and self.responded_at is not None:
            self._stop(FIRST_RESPONSE, max(self.allocated_at, self.responded_at))

    def _next_update(self, at: datetime) -> None:
        assert self.frequency_days is not None
        self.updates += 1
        update = self.levels.victim_update(at, timedelta(days=self.frequency_days))
        self._start(f"{VICTIM_UPDATE}{self.updates}", update)

    def _agree_frequency(self, days: int, at: datetime) -> None:
        self.frequency_days = days
        running = [
            k
            for k, t in self.timers.items()
            if k.startswith(VICTIM_UPDATE) and t.stopped_at is None
        ]
        if not running:
            self._next_update(at)
            return
        # A new frequency re-times the update already owed, from when it started.
        key = running[0]
        owed = self.timers[key]
        due = self.levels.victim_update(owed.started_at, timedelta(days=days)).due_at
        self.timers[key] = replace(owed, due_at=due)


def _changes(before: dict[str, Timer], after: dict[str, Timer]) -> list[TimerChange]:
    changes = []
    for key, timer in after.items():
        old = before.get(key)
        if old is None:
            changes.append(TimerChange(key, timer, Change.STARTED))
        elif old.stopped_at is None and timer.stopped_at is not None:
            changes.append(TimerChange(key, timer, Change.STOPPED))
        elif old.due_at != timer.due_at:
            changes.append(TimerChange(key, timer, Change.RETIMED))
    return changes


def timers_of(events: Iterable[Any], levels: ServiceLevels) -> CaseTimers:
    """The timers of a case after all of its events, in order."""
    timers = CaseTimers(levels)
    for event in events:
        timers.apply(event)
    return timers
