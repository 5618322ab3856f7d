"""Which digests and escalations are due, from the timers and an injected clock: working days
only, the bank-holiday Monday skipped, the ladder in working days and in working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from domain.calendar import LONDON, WorkingCalendar
from domain.reminder_schedule import (
    HEAD_OF_SERVICE,
    NOBODY,
    Audience,
    CaseOnFile,
    Member,
    ReminderKind,
    ReminderRules,
    Rung,
    Why,
    next_due,
    reminders_due,
)
from domain.service_levels import Timer, TimerKind

RULES = ReminderRules()
OFFICER = Member("k.officer", "officer", "north", "k.officer@example.org")
OTHER = Member("s.officer", "officer", "north", "s.officer@example.org")
MANAGER = Member("t.manager", "manager", "north", "t.manager@example.org")
SOUTH_MANAGER = Member("m.south", "manager", "south", "m.south@example.org")
HUB = Member("h.adviser", "hub", "customer-hub", "hub@example.org")
STAFF = (OFFICER, OTHER, MANAGER, SOUTH_MANAGER, HUB)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock instant in London."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def timer(kind: TimerKind, due: datetime, stopped: datetime | None = None) -> Timer:
    started = due - timedelta(days=5)
    return Timer(kind, "5.5", "", started.astimezone(UTC), due.astimezone(UTC), stopped)


def case(
    n: int,
    timers: dict[str, Timer] | None = None,
    officer: str | None = "k.officer",
    team: str | None = "north",
    status: str = "allocated",
) -> CaseOnFile:
    return CaseOnFile(f"case-{n}", f"HC-2026-{n:05d}", status, officer, team, timers or {})


# Friday 28 August 2026; Monday 31 August is the summer bank holiday in England.
FRIDAY = local(2026, 8, 28, 17, 0)
REVIEW = timer(TimerKind.RISK_REVIEW, FRIDAY)


def test_the_digest_goes_at_its_time_on_working_days_only() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]

    assert reminders_due(cases, STAFF, local(2026, 8, 28, 8, 29), RULES) == []
    (digest,) = [r for r in reminders_due(cases, STAFF, local(2026, 8, 28, 8, 30), RULES)]
    assert (digest.kind, digest.recipient, digest.day) == (
        ReminderKind.DIGEST,
        "k.officer",
        FRIDAY.date(),
    )
    assert [(line.reference, line.why) for line in digest.lines] == [
        ("HC-2026-00001", Why.DUE_TODAY)
    ]
    for weekend_or_holiday in (local(2026, 8, 29, 9), local(2026, 8, 30, 9), local(2026, 8, 31, 9)):
        due = reminders_due(cases, STAFF, weekend_or_holiday, RULES)
        assert [r for r in due if r.kind == ReminderKind.DIGEST] == []
    tuesday = reminders_due(cases, STAFF, local(2026, 9, 1, 9), RULES)
    digests = {r.recipient: r for r in tuesday if r.kind == ReminderKind.DIGEST}
    assert set(digests) == {"k.officer", "t.manager"}
    assert digests["k.officer"].lines[0].why == Why.OVERDUE
    assert digests["t.manager"].lines[0].why == Why.OVERDUE


def test_a_digest_decided_already_is_not_decided_again() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]
    (first,) = reminders_due(cases, STAFF, local(2026, 8, 28, 9), RULES)

    assert reminders_due(cases, STAFF, local(2026, 8, 28, 15), RULES, {first.key}) == []


def test_each_reads_their_own_digest() -> None:
    now = local(2026, 9, 2, 9)  # Wednesday
    breached = timer(TimerKind.GRAFFITI_REMOVAL, local(2026, 9, 1, 17), local(2026, 9, 1, 18))
    old_breach = timer(TimerKind.GRAFFITI_REMOVAL, local(2026, 8, 27, 17), local(2026, 8, 28, 9))
    cases = [
        case(1, {"risk_review:1": timer(TimerKind.RISK_REVIEW, local(2026, 9, 2, 17))}),
        case(2, {"risk_review:1": timer(TimerKind.RISK_REVIEW, local(2026, 9, 3, 17))}),
        case(3, {"first_response": timer(TimerKind.FIRST_RESPONSE, local(2026, 9, 1, 17))}),
        case(4, {"repair:r1": breached, "repair:r0": old_breach}),
        case(5, {"risk_review:1": REVIEW}, officer="p.south", team="south"),
        case(6, status="triaged", officer=None, team=None),
        case(7, status="reported", officer=None, team=None),
    ]

    digests = {r.recipient: r for r in reminders_due(cases, STAFF, now, RULES) if r.day}

    assert set(digests) == {"k.officer", "t.manager", "m.south", "h.adviser"}
    assert [(ln.reference, ln.why) for ln in digests["k.officer"].lines] == [
        ("HC-2026-00003", Why.OVERDUE),
        ("HC-2026-00001", Why.DUE_TODAY),
    ]
    assert [(ln.reference, ln.why) for ln in digests["t.manager"].lines] == [
        ("HC-2026-00006", Why.UNALLOCATED),
        ("HC-2026-00007", Why.UNALLOCATED),
        ("HC-2026-00003", Why.OVERDUE),
        ("HC-2026-00004", Why.BREACHED),
    ]
    assert [ln.reference for ln in digests["m.south"].lines] == [
        "HC-2026-00006",
        "HC-2026-00007",
        "HC-2026-00005",
    ]
    assert [(ln.reference, ln.why) for ln in digests["h.adviser"].lines] == [
        ("HC-2026-00007", Why.UNTRIAGED)
    ]


def test_a_removed_member_gets_nothing() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]
    gone = Member("k.officer", "officer", "north", active=False)

    assert reminders_due(cases, [gone], local(2026, 8, 28, 9), RULES) == []


def _escalations(cases: list[CaseOnFile], now: datetime, rules: ReminderRules = RULES) -> dict:
    return {
        (r.audience, r.recipient): r
        for r in reminders_due(cases, STAFF, now, rules)
        if r.kind == ReminderKind.ESCALATION
    }


def test_overdue_by_one_working_day_goes_to_the_manager_and_by_three_to_the_head() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]

    # Due Friday 17:00; Monday is a bank holiday: one working day overdue is Tuesday 17:00.
    assert _escalations(cases, local(2026, 8, 31, 23)) == {}
    assert _escalations(cases, local(2026, 9, 1, 16, 59)) == {}
    tuesday = _escalations(cases, local(2026, 9, 1, 17))
    assert set(tuesday) == {(Audience.MANAGER, "t.manager")}
    (line,) = tuesday[(Audience.MANAGER, "t.manager")].lines
    assert (line.case_id, line.timer, line.due_at) == ("case-1", "risk_review:1", REVIEW.due_at)
    assert _escalations(cases, local(2026, 9, 3, 16, 59)).keys() == {
        (Audience.MANAGER, "t.manager")
    }
    assert set(_escalations(cases, local(2026, 9, 3, 17))) == {
        (Audience.MANAGER, "t.manager"),
        (Audience.HEAD_OF_SERVICE, HEAD_OF_SERVICE),
    }


def test_an_escalation_is_decided_once_per_recipient_rung_and_deadline() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]
    now = local(2026, 9, 3, 17)
    first = reminders_due(cases, STAFF, now, RULES)
    decided = {r.key for r in first} | {k for r in first for k in r.line_keys}

    assert [r.kind for r in reminders_due(cases, STAFF, now, RULES, decided)] == []
    retimed = timer(TimerKind.RISK_REVIEW, local(2026, 9, 1, 17))
    again = reminders_due([case(1, {"risk_review:1": retimed})], STAFF, now, RULES, decided)
    assert {r.audience for r in again if r.kind == ReminderKind.ESCALATION} == {Audience.MANAGER}


def test_hour_timers_escalate_within_the_working_day() -> None:
    repair = timer(TimerKind.EMERGENCY_REPAIR, local(2026, 9, 2, 15, 0))
    cases = [case(1, {"repair:r1": repair})]

    assert _escalations(cases, local(2026, 9, 2, 15, 59)) == {}
    assert set(_escalations(cases, local(2026, 9, 2, 16, 0))) == {(Audience.MANAGER, "t.manager")}
    # three working hours: two left on Wednesday, the third from Thursday's opening
    assert len(_escalations(cases, local(2026, 9, 3, 9, 59))) == 1
    assert len(_escalations(cases, local(2026, 9, 3, 10, 0))) == 2


def test_a_timer_stopped_in_time_or_late_is_not_escalated() -> None:
    met = timer(TimerKind.RISK_REVIEW, FRIDAY, local(2026, 8, 28, 16))
    late = timer(TimerKind.RISK_REVIEW, FRIDAY, local(2026, 9, 1, 9))

    assert _escalations([case(1, {"a": met}), case(2, {"b": late})], local(2026, 9, 9, 12)) == {}


def test_an_unallocated_case_goes_to_every_manager_and_a_team_without_one_to_nobody() -> None:
    first = timer(TimerKind.FIRST_RESPONSE, local(2026, 9, 1, 17))
    cases = [
        case(1, {"first_response": first}, officer=None, team=None, status="triaged"),
        case(2, {"first_response": first}, officer="e.east", team="east"),
    ]

    found = _escalations(cases, local(2026, 9, 2, 10))

    assert set(found) == {
        (Audience.MANAGER, "t.manager"),
        (Audience.MANAGER, "m.south"),
        (Audience.MANAGER, NOBODY),
    }
    assert found[(Audience.MANAGER, NOBODY)].team == "east"
    assert found[(Audience.MANAGER, "m.south")].team == "south"  # theirs, not the case's


def test_the_ladder_is_configuration() -> None:
    rules = ReminderRules(
        digest_at=time(7, 0),
        ladder=(Rung(Audience.MANAGER, working_days=2, working_hours=4),),
        hour_timers=frozenset(),
    )
    repair = timer(TimerKind.EMERGENCY_REPAIR, local(2026, 9, 2, 15, 0))
    cases = [case(1, {"repair:r1": repair})]

    assert _escalations(cases, local(2026, 9, 4, 14, 59), rules) == {}
    assert set(_escalations(cases, local(2026, 9, 4, 15, 0), rules)) == {
        (Audience.MANAGER, "t.manager")
    }
    assert rules.digest_time(local(2026, 9, 2).date()) == local(2026, 9, 2, 7, 0)
    with pytest.raises(ValueError, match="once"):
        ReminderRules(ladder=(Rung(Audience.MANAGER, 1, 1), Rung(Audience.MANAGER, 2, 2)))
    with pytest.raises(ValueError, match="manager or the head"):
        Rung(Audience.OFFICER, 1, 1)


def test_the_next_wake_is_the_next_digest_or_rung() -> None:
    cases = [case(1, {"risk_review:1": REVIEW})]

    # Friday evening: nothing escalates over the weekend and bank holiday, the next digest is
    # Tuesday's, and the manager's rung is Tuesday 17:00.
    assert next_due(cases, local(2026, 8, 28, 18), RULES) == local(2026, 9, 1, 8, 30)
    assert next_due(cases, local(2026, 9, 1, 9), RULES) == local(2026, 9, 1, 17)
    assert next_due([], local(2026, 9, 1, 9), RULES) == local(2026, 9, 2, 8, 30)


def test_working_time_skips_nights_weekends_and_bank_holidays() -> None:
    calendar = WorkingCalendar()
    hour = timedelta(hours=1)

    assert calendar.working_time_after(local(2026, 8, 28, 16), 2 * hour) == local(2026, 9, 1, 10)
    assert calendar.working_time_after(local(2026, 8, 29, 3), hour) == local(2026, 9, 1, 10)
    assert calendar.working_time_after(local(2026, 9, 1, 17), 8 * hour) == local(2026, 9, 2, 17)
    assert calendar.working_time_after(local(2026, 9, 1, 12), timedelta(0)) == local(2026, 9, 1, 12)
    assert calendar.working_day_length() == 8 * hour
