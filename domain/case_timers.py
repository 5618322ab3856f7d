"""Which event starts, stops or re-times which service-level timer of a case: a pure fold.

The promises (docs/policy-map.md, "Timers"): a report starts the first response, stopped
once the case has a named officer and the victim a reply (5.1, 8.1); a repair starts its own
clock, stopped when it is done (5.10); an agreed contact frequency owes the victim an update,
each contact made starting the next one (8.1); each risk assessment sets the next review by
its level (5.5); each complaint stage its acknowledgement and its response, re-timed from the
acknowledgement and by any extension (11.1, `domain.case_after`). Closing the case ends the ongoing
care (updates, reviews); one missed before closing stays breached. An adjustment that needs
more consideration must be reviewed by its review date (7.3), stopped when it is agreed; a
review that records a new date moves the deadline.

Readings that protect the victim (issue 15):

- **8.1: only the victim counts.** The first response and the victim's updates are promises
  to the victim: only a contact with the victim, or with their authorised representative (a
  councillor or MP, 6.3, or a representative the victim's written consent in force names,
  6.2), stops or restarts them. A call to the alleged perpetrator or a witness does not.
- **5.10: repairs run from the report of the damage.** "We will deal with any repairs which
  are needed because of hate ... within 24 hours; remove offensive graffiti within 1 working
  day": the clock runs from when the damage was reported to us, not from when the repair was
  ordered, so a late order shows as late. Damage is reported by a report or further
  incident whose forms include graffiti (graffiti removal) or vandalism or arson (emergency
  repair), or by a later record that damage was found (`DamageFound`, from its
  `reported_at`). A repair ordered runs from the earliest report of its kind of damage not
  already covered by an earlier repair of that kind (and covers every report of that kind so
  far); with no such report, from the order.

`CaseTimers` holds one case's timers and the facts later events need; `apply(event)` changes
them and says what changed. `timers_of(events, levels)` folds a whole history. The timers
view stores the fold's output per case (`projections.timers`), the evidence pack folds a
case's events itself, and reminders will ask the same fold. Due instants come from
`ServiceLevels`; whether a timer is met or overdue depends on when one asks (`Timer.state`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain import case_events as ev
from domain.service_levels import ServiceLevels, Timer
from domain.vocabulary import (
    ComplaintStage,
    ConsentForm,
    ContactOutcome,
    Form,
    Recipient,
    RepairKind,
)

# A contact that reached the person or left them a message is a response; an unanswered
# call is an attempt, recorded but not a response (policy 8.1).
_RESPONDED = frozenset({ContactOutcome.MADE.value, ContactOutcome.LEFT_MESSAGE.value})

# The forms of hate that report damage, and the repair each needs (5.10).
DAMAGE: dict[str, str] = {
    Form.GRAFFITI.value: RepairKind.GRAFFITI_REMOVAL.value,
    Form.VANDALISM.value: RepairKind.EMERGENCY.value,
    Form.ARSON.value: RepairKind.EMERGENCY.value,
}

FIRST_RESPONSE = "first_response"
VICTIM_UPDATE = "victim_update:"
RISK_REVIEW = "risk_review:"
ADJUSTMENT_REVIEW = "adjustment:"
ACKNOWLEDGEMENT = ":acknowledgement"

TIMED_EVENTS: tuple[type, ...] = (
    ev.CaseReported,
    ev.FurtherIncidentReported,
    ev.OfficerAllocated,
    ev.SubjectLinked,
    ev.ConsentGranted,
    ev.ConsentWithdrawn,
    ev.ContactMade,
    ev.ContactArrangementAgreed,
    ev.DamageFound,
    ev.RepairRequested,
    ev.RepairCompleted,
    ev.RiskAssessed,
    ev.ComplaintReceived,
    ev.ComplaintAcknowledged,
    ev.ComplaintResponseExtended,
    ev.ComplaintResponded,
    ev.ReasonableAdjustmentUnderConsideration,
    ev.ReasonableAdjustmentAgreed,
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
    # Who a contact must be with to count (8.1): the victim, elected representatives, and the
    # representatives the victim's written consents in force name (consent id -> subject id).
    victim_id: str | None = None
    elected: list[str] = field(default_factory=list)
    representative_consents: dict[str, str] = field(default_factory=dict)
    # Damage reported and not yet covered by a repair (5.10): (repair kind, ISO instant).
    damage: list[tuple[str, str]] = field(default_factory=list)

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
            self.victim_id = str(event.victim_id)
            if event.reporter_id is not None and event.reporter_role in ("councillor", "mp"):
                self.elected.append(str(event.reporter_id))
            self._damage_reported(event.forms, event.received_at)
        elif isinstance(event, ev.FurtherIncidentReported):
            self._damage_reported(event.forms, event.occurred_at)
        elif isinstance(event, ev.DamageFound):
            self.damage.append((event.kind, event.reported_at.isoformat()))
        elif isinstance(event, ev.SubjectLinked):
            if event.elected_representative:
                self.elected.append(str(event.subject_id))
        elif isinstance(event, ev.ConsentGranted):
            if event.recipient == Recipient.REPRESENTATIVE and event.form == ConsentForm.WRITTEN:
                self.representative_consents[event.consent_id] = str(event.representative_id)
        elif isinstance(event, ev.ConsentWithdrawn):
            self.representative_consents.pop(event.consent_id, None)
        elif isinstance(event, ev.OfficerAllocated):
            self.allocated_at = event.occurred_at
            self._stop_first_response()
        elif isinstance(event, ev.ContactMade) and not self._with_victim(event.subject_id):
            pass  # 8.1: a contact with anyone else answers no promise to the victim
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
            reported = self._damage_covered(event.kind, event.occurred_at)
            self._start(f"repair:{event.repair_id}", start(reported, event.repair_id))
        elif isinstance(event, ev.RepairCompleted):
            self._stop(f"repair:{event.repair_id}", event.occurred_at)
        elif isinstance(event, ev.RiskAssessed):
            self._stop_running(RISK_REVIEW, event.occurred_at)
            self.reviews += 1
            review = self.levels.risk_review(event.occurred_at, event.level)
            self._start(f"{RISK_REVIEW}{self.reviews}", review)
        elif isinstance(event, ev.ComplaintReceived):
            key = f"complaint:{event.complaint_id}:{event.stage}"
            acknowledgement = self.levels.complaint_acknowledgement(
                event.occurred_at, event.complaint_id
            )
            self._start(f"{key}{ACKNOWLEDGEMENT}", acknowledgement)
            self._start(key, self._response(event.stage, event.occurred_at, event.complaint_id))
        elif isinstance(event, ev.ComplaintAcknowledged):
            key = f"complaint:{event.complaint_id}:{event.stage}"
            self._stop(f"{key}{ACKNOWLEDGEMENT}", event.occurred_at)
            owed = self.timers.get(key)
            if owed is not None and owed.stopped_at is None:
                due = self._response(event.stage, event.occurred_at, event.complaint_id).due_at
                self.timers[key] = replace(owed, due_at=max(due, owed.started_at))
        elif isinstance(event, ev.ComplaintResponseExtended):
            key = f"complaint:{event.complaint_id}:{event.stage}"
            owed = self.timers.get(key)
            if owed is not None and owed.stopped_at is None:
                self.timers[key] = self.levels.extended(owed, event.working_days)
        elif isinstance(event, ev.ComplaintResponded):
            key = f"complaint:{event.complaint_id}:{event.stage}"
            self._stop(f"{key}{ACKNOWLEDGEMENT}", event.occurred_at)  # a response acknowledges
            self._stop(key, event.occurred_at)
        elif isinstance(event, ev.ReasonableAdjustmentUnderConsideration):
            key = f"{ADJUSTMENT_REVIEW}{event.adjustment_id}"
            review = self.levels.adjustment_review(
                event.occurred_at, date.fromisoformat(event.review_on), event.adjustment_id
            )
            owed = self.timers.get(key)
            if owed is None or owed.stopped_at is not None:
                self.timers[key] = review
            else:  # reviewed and still under consideration: the new date is the deadline
                self.timers[key] = replace(owed, due_at=max(review.due_at, owed.started_at))
        elif isinstance(event, ev.ReasonableAdjustmentAgreed):
            self._stop(f"{ADJUSTMENT_REVIEW}{event.adjustment_id}", event.occurred_at)
        elif isinstance(event, ev.CaseClosed):
            for prefix in (VICTIM_UPDATE, RISK_REVIEW):
                self._stop_running(prefix, event.occurred_at)

    def _response(self, stage: str, since: datetime, complaint_id: str) -> Timer:
        """The response owed at `stage`, counted from `since` (receipt, then acknowledgement)."""
        start = (
            self.levels.complaint_stage_1
            if stage == ComplaintStage.STAGE_1
            else self.levels.complaint_stage_2
        )
        return start(since, complaint_id)

    def _with_victim(self, subject_id: Any) -> bool:
        """A contact with the victim or their authorised representative (8.1, 6.2, 6.3)."""
        who = str(subject_id)
        return (
            who == self.victim_id
            or who in self.elected
            or who in self.representative_consents.values()
        )

    def _damage_reported(self, forms: Iterable[str], at: datetime) -> None:
        for kind in dict.fromkeys(DAMAGE[f] for f in forms if f in DAMAGE):
            self.damage.append((kind, at.isoformat()))

    def _damage_covered(self, kind: str, ordered_at: datetime) -> datetime:
        """When the damage a repair of `kind` answers was first reported (else the order);
        every report of that kind so far is covered by it."""
        reported = [datetime.fromisoformat(at) for k, at in self.damage if k == kind]
        self.damage = [(k, at) for k, at in self.damage if k != kind]
        return min([*reported, ordered_at])

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
