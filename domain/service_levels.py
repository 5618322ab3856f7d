"""Service-level timers: when each promise in the Hate Policy and the law falls due.

`ServiceLevels` holds the configurable figures (working days, hours, risk-review intervals,
the subject-access period) and turns a start instant into a `Timer` with its due instant,
using a `WorkingCalendar`. A `Timer` is a plain value: projections build them from events
(start, stop) and ask `Timer.state(now)` for running / met / breached / overdue. Nothing here
reads a clock or stores anything; all instants are timezone-aware and due instants are UTC.
A start outside the ledger's range counts as its nearest bound (`domain.instants`), so every
rule gives a timer for any instant an event holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from domain.calendar import WorkingCalendar, require_aware
from domain.instants import within_range


class TimerKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    EMERGENCY_REPAIR = "emergency_repair"
    GRAFFITI_REMOVAL = "graffiti_removal"
    VICTIM_UPDATE = "victim_update"
    RISK_REVIEW = "risk_review"
    SUBJECT_ACCESS = "subject_access"
    COMPLAINT_STAGE_1 = "complaint_stage_1"
    COMPLAINT_STAGE_2 = "complaint_stage_2"
    ADJUSTMENT_REVIEW = "adjustment_review"
    COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"


class TimerState(StrEnum):
    RUNNING = "running"  # not stopped, not yet past due
    MET = "met"  # stopped on or before the due instant
    BREACHED = "breached"  # stopped after the due instant
    OVERDUE = "overdue"  # not stopped and already past due


# The policy clause or legal basis behind each timer, shown alongside it.
CLAUSES: Mapping[TimerKind, str] = MappingProxyType(
    {
        TimerKind.FIRST_RESPONSE: "5.1, 8.1",
        TimerKind.EMERGENCY_REPAIR: "5.10",
        TimerKind.GRAFFITI_REMOVAL: "5.10",
        TimerKind.VICTIM_UPDATE: "8.1",
        TimerKind.RISK_REVIEW: "5.5",
        TimerKind.SUBJECT_ACCESS: "UK GDPR art. 12(3)",
        TimerKind.COMPLAINT_STAGE_1: "Housing Ombudsman Complaint Handling Code 6.3 (stage 1)",
        TimerKind.COMPLAINT_STAGE_2: "Housing Ombudsman Complaint Handling Code 6 (stage 2)",
        TimerKind.ADJUSTMENT_REVIEW: "7.3",
        TimerKind.COMPLAINT_ACKNOWLEDGEMENT: "Housing Ombudsman Complaint Handling Code 6.2, 6.11",
    }
)

RISK_LEVELS: tuple[str, ...] = ("standard", "medium", "high")

DEFAULT_RISK_REVIEW_WORKING_DAYS: Mapping[str, int] = MappingProxyType(
    {"high": 5, "medium": 10, "standard": 20}
)


@dataclass(frozen=True)
class Timer:
    """One service-level clock: what it is, why, about what, and when it started/is due/stopped.

    `subject` names what the timer is about (a repair id, a request id); it may be empty.
    """

    kind: TimerKind
    clause: str
    subject: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.started_at, "started_at")
        require_aware(self.due_at, "due_at")
        if self.due_at < self.started_at:
            raise ValueError("due_at must not be before started_at")
        if self.stopped_at is not None:
            require_aware(self.stopped_at, "stopped_at")
            if self.stopped_at < self.started_at:
                raise ValueError("stopped_at must not be before started_at")

    def stop(self, at: datetime) -> Timer:
        """This timer stopped at `at`."""
        return replace(self, stopped_at=at)

    def state(self, now: datetime) -> TimerState:
        """The timer's state as of `now`.

        Due means "by": stopping exactly at `due_at` is met, and a running timer is only
        overdue once `now` is strictly after `due_at`. A stop later than `now` has not
        happened yet as of `now`, so replaying history gives the state at that moment.
        """
        require_aware(now, "now")
        if self.stopped_at is not None and self.stopped_at <= now:
            return TimerState.MET if self.stopped_at <= self.due_at else TimerState.BREACHED
        return TimerState.OVERDUE if now > self.due_at else TimerState.RUNNING

    def is_due_on(self, day: date, calendar: WorkingCalendar) -> bool:
        """Whether the due instant falls on local date `day` in `calendar`'s zone."""
        return calendar.falls_on(self.due_at, day)


def _utc(at: datetime, name: str = "started_at") -> datetime:
    return within_range(require_aware(at, name))


@dataclass(frozen=True)
class ServiceLevels:
    """The configurable service-level figures, and the rules that turn them into timers.

    Each timer method takes the start instant (and anything the rule needs) and returns a
    running `Timer` whose `due_at` is the deadline in UTC.
    """

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    first_response_working_days: int = 1
    emergency_repair_within: timedelta = timedelta(hours=24)
    graffiti_removal_working_days: int = 1
    risk_review_working_days: Mapping[str, int] = field(
        default_factory=lambda: DEFAULT_RISK_REVIEW_WORKING_DAYS, hash=False
    )
    subject_access_months: int = 1
    subject_access_extension_months: int = 2
    complaint_acknowledgement_working_days: int = 5
    complaint_stage_1_working_days: int = 10
    complaint_stage_2_working_days: int = 20

    def __post_init__(self) -> None:
        for name in (
            "first_response_working_days",
            "graffiti_removal_working_days",
            "complaint_acknowledgement_working_days",
            "complaint_stage_1_working_days",
            "complaint_stage_2_working_days",
            "subject_access_extension_months",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.subject_access_months < 1:
            raise ValueError("subject_access_months must be at least 1")
        if self.emergency_repair_within <= timedelta(0):
            raise ValueError("emergency_repair_within must be positive")
        missing = set(RISK_LEVELS) - set(self.risk_review_working_days)
        if missing:
            raise ValueError(f"risk_review_working_days lacks levels {sorted(missing)}")
        if any(days < 0 for days in self.risk_review_working_days.values()):
            raise ValueError("risk_review_working_days must not be negative")
        # Copy into a read-only view so a caller's dict changing later cannot move deadlines.
        object.__setattr__(
            self,
            "risk_review_working_days",
            MappingProxyType(dict(self.risk_review_working_days)),
        )

    def _timer(
        self, kind: TimerKind, started_at: datetime, due_at: datetime, subject: str
    ) -> Timer:
        return Timer(
            kind=kind,
            clause=CLAUSES[kind],
            subject=subject,
            started_at=_utc(started_at),
            due_at=due_at.astimezone(UTC),
        )

    def first_response(self, started_at: datetime, subject: str = "") -> Timer:
        """Triage and allocation: close of business on the next working day (5.1, 8.1)."""
        due = self.calendar.end_of_working_days(started_at, self.first_response_working_days)
        return self._timer(TimerKind.FIRST_RESPONSE, started_at, due, subject)

    def emergency_repair(self, started_at: datetime, subject: str = "") -> Timer:
        """Emergency repair: 24 elapsed clock hours, nights and holidays included (5.10)."""
        due = _utc(started_at) + self.emergency_repair_within
        return self._timer(TimerKind.EMERGENCY_REPAIR, started_at, due, subject)

    def graffiti_removal(self, started_at: datetime, subject: str = "") -> Timer:
        """Offensive graffiti: close of business one working day after receipt (5.10)."""
        due = self.calendar.end_of_working_days(started_at, self.graffiti_removal_working_days)
        return self._timer(TimerKind.GRAFFITI_REMOVAL, started_at, due, subject)

    def victim_update(self, started_at: datetime, frequency: timedelta, subject: str = "") -> Timer:
        """Next update to the victim: the agreed frequency after the last contact (8.1).

        The frequency is added on the local wall clock, so a weekly 10:00 call stays due at
        10:00 across a change to or from British Summer Time.
        """
        if frequency <= timedelta(0):
            raise ValueError("frequency must be positive")
        local = _utc(started_at).astimezone(self.calendar.zone)
        due = local + frequency
        return self._timer(TimerKind.VICTIM_UPDATE, started_at, due, subject)

    def risk_review(self, started_at: datetime, level: str, subject: str = "") -> Timer:
        """Next risk review: the working days for `level` after the assessment (5.5).

        `level` is "standard", "medium" or "high" (or any extra level configured).
        """
        try:
            days = self.risk_review_working_days[level]
        except KeyError:
            raise ValueError(f"unknown risk level {level!r}") from None
        due = self.calendar.end_of_working_days(started_at, days)
        return self._timer(TimerKind.RISK_REVIEW, started_at, due, subject)

    def subject_access(
        self, started_at: datetime, subject: str = "", *, extended: bool = False
    ) -> Timer:
        """Subject access request: to the end of the local day one calendar month on.

        Per UK GDPR art. 12(3) and ICO guidance the period runs from the local date of
        receipt, whether or not that is a working day, and a deadline that falls on a
        non-working day moves to the next working day. `extended=True` gives the deadline
        after the two-month extension, counted from the same date of receipt.
        """
        months = self.subject_access_months
        if extended:
            months += self.subject_access_extension_months
        received = self.calendar.local_date(started_at)
        due = self.calendar.end_of_day(self.calendar.one_calendar_month_after(received, months))
        return self._timer(TimerKind.SUBJECT_ACCESS, started_at, due, subject)

    def adjustment_review(self, started_at: datetime, review_on: date, subject: str = "") -> Timer:
        """An adjustment under consideration: reviewed by the end of its review date (7.3)."""
        due = self.calendar.end_of_day(review_on)
        return self._timer(
            TimerKind.ADJUSTMENT_REVIEW, started_at, max(due, _utc(started_at)), subject
        )

    def complaint_acknowledgement(self, started_at: datetime, subject: str = "") -> Timer:
        """A complaint (or its escalation) acknowledged, defined and logged: 5 working days
        (Complaint Handling Code 6.2, 6.11)."""
        days = self.complaint_acknowledgement_working_days
        due = self.calendar.end_of_working_days(started_at, days)
        return self._timer(TimerKind.COMPLAINT_ACKNOWLEDGEMENT, started_at, due, subject)

    def extended(self, timer: Timer, working_days: int) -> Timer:
        """`timer` due `working_days` working days later (a complaint extension, Code 6.4, 6.14)."""
        return replace(timer, due_at=self.calendar.end_of_working_days(timer.due_at, working_days))

    def complaint_stage_1(self, started_at: datetime, subject: str = "") -> Timer:
        """Stage 1 complaint response: 10 working days from the acknowledgement (Complaint
        Handling Code 6.3); from receipt until it is acknowledged (`domain.case_after`)."""
        due = self.calendar.end_of_working_days(started_at, self.complaint_stage_1_working_days)
        return self._timer(TimerKind.COMPLAINT_STAGE_1, started_at, due, subject)

    def complaint_stage_2(self, started_at: datetime, subject: str = "") -> Timer:
        """Stage 2 complaint response: 20 working days from acknowledging the escalation
        (Complaint Handling Code 6.13)."""
        due = self.calendar.end_of_working_days(started_at, self.complaint_stage_2_working_days)
        return self._timer(TimerKind.COMPLAINT_STAGE_2, started_at, due, subject)
