"""Which reminders are due: a pure function from the cases' timers, the staff and the clock to
the digests and escalations the ledger owes (issue 17; docs/policy-map.md, "Reminders").

- **The daily digest**, on working days only (England's, with bank holidays: the calendar of
  the service levels), at `ReminderRules.digest_at` local time: each officer their cases'
  timers due today and overdue; each manager their team's overdue timers, the timers breached
  since the previous working day's digest and the unallocated reports; the hub the untriaged
  reports. A member with nothing to hear gets no digest.
- **Escalation**: a timer still running when it is overdue by a rung of the ladder is raised
  to that rung's audience: by default the officer's manager (every manager of the case's
  team; every manager for a case not yet allocated) after one working day, the head of
  service after three. Timers counted in hours (`ReminderRules.hour_timers`: by default the
  first response and emergency repairs) climb the ladder in working hours instead, so they
  escalate within the working day. Overdue time is working time (`WorkingCalendar.
  working_time_after`), so a weekend or a bank holiday does not escalate anything.

Every reminder and every escalated line has a key that says what it is about and when it fell
due, so the caller can tell what was already decided (`already`) and the same reminder is
never decided twice; a re-timed timer is a new deadline and may escalate again. A reminder
holds ids, references, timer names and due instants, never a person's details. Nothing here
reads a clock or stores anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import WorkingCalendar, require_aware
from domain.service_levels import Timer, TimerKind, TimerState
from domain.vocabulary import CaseStatus, StaffRole


class ReminderKind(StrEnum):
    DIGEST = "digest"
    ESCALATION = "escalation"


class Audience(StrEnum):
    """Who a reminder is for: the rungs of the ladder name one of the last two."""

    OFFICER = "officer"
    HUB = "hub"
    MANAGER = "manager"
    HEAD_OF_SERVICE = "head_of_service"


HEAD_OF_SERVICE = "head-of-service"  # the recipient named for the configured address
NOBODY = ""  # the recipient of an escalation with no one to go to (a team without a manager)


class Why(StrEnum):
    """Why a line is in a reminder."""

    DUE_TODAY = "due today"
    OVERDUE = "overdue"
    BREACHED = "breached since the last digest"
    UNALLOCATED = "not yet allocated"
    UNTRIAGED = "not yet triaged"


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: to whom, once a timer is overdue by so much working time."""

    to: Audience
    working_days: int  # for timers counted in days
    working_hours: int  # for timers counted in hours (`ReminderRules.hour_timers`)

    def __post_init__(self) -> None:
        if self.to not in (Audience.MANAGER, Audience.HEAD_OF_SERVICE):
            raise ValueError(f"a rung escalates to a manager or the head of service, not {self.to}")
        if self.working_days < 0 or self.working_hours < 0:
            raise ValueError("a rung's working days and hours must not be negative")


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung(Audience.MANAGER, working_days=1, working_hours=1),
    Rung(Audience.HEAD_OF_SERVICE, working_days=3, working_hours=3),
)
DEFAULT_HOUR_TIMERS: frozenset[TimerKind] = frozenset(
    {TimerKind.FIRST_RESPONSE, TimerKind.EMERGENCY_REPAIR}
)


@dataclass(frozen=True)
class ReminderRules:
    """The configurable part: the calendar, the digest's time and the ladder."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    digest_at: time = time(8, 30)
    ladder: tuple[Rung, ...] = DEFAULT_LADDER
    hour_timers: frozenset[TimerKind] = DEFAULT_HOUR_TIMERS

    def __post_init__(self) -> None:
        if self.digest_at.tzinfo is not None:
            raise ValueError("digest_at is a local wall-clock time without tzinfo")
        if len({rung.to for rung in self.ladder}) != len(self.ladder):
            raise ValueError("each audience is on the ladder once")

    def digest_time(self, day: date) -> datetime:
        """When `day`'s digest is due (UTC); only working days have one."""
        return datetime.combine(day, self.digest_at, tzinfo=self.calendar.zone).astimezone(UTC)

    def overdue_by(self, timer: Timer, rung: Rung) -> timedelta:
        """How much working time past due puts `timer` on `rung`."""
        if timer.kind in self.hour_timers:
            return timedelta(hours=rung.working_hours)
        return self.calendar.working_day_length() * rung.working_days

    def escalates_at(self, timer: Timer, rung: Rung) -> datetime:
        """When a timer still running reaches `rung` (UTC)."""
        return self.calendar.working_time_after(timer.due_at, self.overdue_by(timer, rung))


@dataclass(frozen=True)
class CaseOnFile:
    """What reminders know of a case: no personal data, only ids, reference, who has it, and
    its timers by key (as `domain.case_timers` leaves them)."""

    case_id: str
    reference: str
    status: str
    officer: str | None
    team: str | None
    timers: Mapping[str, Timer] = field(default_factory=dict)


@dataclass(frozen=True)
class Member:
    """A member of staff as reminders need them (`email` "" when none is set)."""

    username: str
    role: str
    team: str
    email: str = ""
    active: bool = True


@dataclass(frozen=True)
class Line:
    """One line of a reminder: a case, and the timer (or report) it is about."""

    case_id: str
    reference: str
    timer: str  # the timer's key on the case ("" for an unallocated or untriaged report)
    kind: str  # the timer's kind, or "report"
    due_at: datetime | None
    why: Why
    key: str  # what this line escalates, once: "" in a digest


@dataclass(frozen=True)
class Reminder:
    """One message to one recipient, decided once: `key` names it for ever."""

    key: str
    kind: ReminderKind
    audience: Audience
    recipient: str  # a username, HEAD_OF_SERVICE, or NOBODY
    team: str
    lines: tuple[Line, ...]
    day: date | None = None  # a digest's working day

    @property
    def line_keys(self) -> tuple[str, ...]:
        return tuple(line.key for line in self.lines if line.key)


def reminders_due(
    cases: Iterable[CaseOnFile],
    staff: Iterable[Member],
    now: datetime,
    rules: ReminderRules,
    already: Container[str] = frozenset(),
) -> list[Reminder]:
    """The digests and escalations due as of `now` and not `already` decided (by reminder or
    escalated line key): digests first, then escalations up the ladder."""
    require_aware(now, "now")
    cases = list(cases)
    members = [m for m in staff if m.active]
    due = _digests(cases, members, now, rules, already)
    due += _escalations(cases, members, now, rules, already)
    return due


def next_due(cases: Iterable[CaseOnFile], now: datetime, rules: ReminderRules) -> datetime:
    """The next instant after `now` at which something may fall due: the next working day's
    digest, or a running timer reaching a rung of the ladder."""
    require_aware(now, "now")
    calendar = rules.calendar
    day = calendar.local_date(now)
    while not (calendar.is_working_day(day) and rules.digest_time(day) > now):
        day = calendar.next_working_day(day)
    soonest = rules.digest_time(day)
    for case in cases:
        for timer in case.timers.values():
            if timer.stopped_at is not None:
                continue
            for rung in rules.ladder:
                at = rules.escalates_at(timer, rung)
                if now < at < soonest:
                    soonest = at
    return soonest


# --- digests -----------------------------------------------------------------------------


def digest_key(day: date, member: Member) -> str:
    """A member's digest for a day, for the team they are in when it is decided."""
    return f"digest:{day.isoformat()}:{member.username}:{member.team}"


def _digests(
    cases: list[CaseOnFile],
    members: list[Member],
    now: datetime,
    rules: ReminderRules,
    already: Container[str],
) -> list[Reminder]:
    calendar = rules.calendar
    today = calendar.local_date(now)
    if not calendar.is_working_day(today) or now < rules.digest_time(today):
        return []
    since = rules.digest_time(_previous_working_day(calendar, today))
    lines = _DigestLines(cases, now, since, today, calendar)
    due = []
    for member in members:
        key = digest_key(today, member)
        if key in already:
            continue
        said = lines.for_member(member)
        if said:
            due.append(
                Reminder(
                    key=key,
                    kind=ReminderKind.DIGEST,
                    audience=Audience(member.role),
                    recipient=member.username,
                    team=member.team,
                    lines=tuple(sorted(said, key=_line_order)),
                    day=today,
                )
            )
    return due


class _DigestLines:
    """Every digest's lines, sorted out once: each officer's, each team's, the unallocated
    and untriaged reports (so a pass costs the cases plus the staff, not their product)."""

    def __init__(
        self,
        cases: list[CaseOnFile],
        now: datetime,
        since: datetime,
        today: date,
        calendar: WorkingCalendar,
    ) -> None:
        self.officers: dict[str, list[Line]] = {}
        self.teams: dict[str, list[Line]] = {}
        self.unallocated: list[Line] = []
        self.untriaged: list[Line] = []
        for case in cases:
            for key, timer in case.timers.items():
                state = timer.state(now)
                if state == TimerState.OVERDUE:
                    line = _line(case, key, timer, Why.OVERDUE)
                    self._add(self.officers, case.officer, line)
                    self._add(self.teams, case.team, line)
                elif state == TimerState.RUNNING and timer.is_due_on(today, calendar):
                    self._add(self.officers, case.officer, _line(case, key, timer, Why.DUE_TODAY))
                elif state == TimerState.BREACHED and since <= _stopped(timer) < now:
                    self._add(self.teams, case.team, _line(case, key, timer, Why.BREACHED))
            if case.officer is None and case.status in _UNALLOCATED:
                self.unallocated.append(_report_line(case, Why.UNALLOCATED))
            if case.status == CaseStatus.REPORTED:
                self.untriaged.append(_report_line(case, Why.UNTRIAGED))

    @staticmethod
    def _add(lines: dict[str, list[Line]], who: str | None, line: Line) -> None:
        if who is not None:
            lines.setdefault(who, []).append(line)

    def for_member(self, member: Member) -> list[Line]:
        if member.role == StaffRole.OFFICER:
            return self.officers.get(member.username, [])
        if member.role == StaffRole.MANAGER:
            return self.teams.get(member.team, []) + self.unallocated
        if member.role == StaffRole.HUB:
            return self.untriaged
        return []


_UNALLOCATED = frozenset({CaseStatus.REPORTED.value, CaseStatus.TRIAGED.value})


def _previous_working_day(calendar: WorkingCalendar, day: date) -> date:
    previous = day - timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= timedelta(days=1)
    return previous


# --- escalations -------------------------------------------------------------------------


def escalation_line_key(
    audience: Audience, recipient: str, case_id: str, key: str, timer: Timer
) -> str:
    """One timer's deadline raised to one recipient on one rung: decided once."""
    return f"{audience.value}:{recipient}:{case_id}:{key}:{timer.due_at.isoformat()}"


def _escalations(
    cases: list[CaseOnFile],
    members: list[Member],
    now: datetime,
    rules: ReminderRules,
    already: Container[str],
) -> list[Reminder]:
    managers: dict[str, list[str]] = {}
    for member in members:
        if member.role == StaffRole.MANAGER:
            managers.setdefault(member.team, []).append(member.username)
    every_manager = sorted(u for names in managers.values() for u in names)
    team_of = {m.username: m.team for m in members}
    # (audience, recipient, team) -> the lines for that one message
    grouped: dict[tuple[Audience, str, str], list[Line]] = {}
    for case in cases:
        for key, timer in case.timers.items():
            if timer.state(now) != TimerState.OVERDUE:
                continue
            for rung in rules.ladder:
                if now < rules.escalates_at(timer, rung):
                    continue
                if rung.to == Audience.HEAD_OF_SERVICE:
                    recipients = [HEAD_OF_SERVICE]
                elif case.team is None:
                    recipients = every_manager or [NOBODY]
                else:
                    recipients = sorted(managers.get(case.team, [])) or [NOBODY]
                for recipient in recipients:
                    line_key = escalation_line_key(rung.to, recipient, case.case_id, key, timer)
                    if line_key in already:
                        continue
                    line = _line(case, key, timer, Why.OVERDUE, line_key)
                    # a manager's message is for the team they are in when it is decided,
                    # the head of service's for every team
                    if recipient == HEAD_OF_SERVICE:
                        team = ""
                    elif recipient == NOBODY:
                        team = case.team or ""
                    else:
                        team = team_of[recipient]
                    grouped.setdefault((rung.to, recipient, team), []).append(line)
    due = []
    for (audience, recipient, team), lines in grouped.items():
        ordered = tuple(sorted(lines, key=_line_order))
        digest = hashlib.sha256("\n".join(line.key for line in ordered).encode()).hexdigest()
        due.append(
            Reminder(
                key=f"escalation:{audience.value}:{recipient or team}:{digest[:32]}",
                kind=ReminderKind.ESCALATION,
                audience=audience,
                recipient=recipient,
                team=team,
                lines=ordered,
            )
        )
    return sorted(due, key=lambda r: (list(Audience).index(r.audience), r.recipient, r.team))


# --- lines -------------------------------------------------------------------------------


def _line(case: CaseOnFile, key: str, timer: Timer, why: Why, line_key: str = "") -> Line:
    return Line(case.case_id, case.reference, key, timer.kind.value, timer.due_at, why, line_key)


def _report_line(case: CaseOnFile, why: Why) -> Line:
    return Line(case.case_id, case.reference, "", "report", None, why, "")


def _stopped(timer: Timer) -> datetime:
    assert timer.stopped_at is not None
    return timer.stopped_at


def _line_order(line: Line) -> tuple[str, str, str]:
    due = line.due_at.isoformat() if line.due_at is not None else ""
    return (due, line.reference, line.timer)
