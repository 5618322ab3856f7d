"""Instants from clients are bounded where they enter; the calendar and the service levels
are total over every instant Python can hold, so no stored instant can stop a view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidCommand
from domain.instants import CLOCK_SKEW, EARLIEST, LATEST, client_instant
from domain.service_levels import ServiceLevels

LEVELS = ServiceLevels()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

# Fixed offsets a client can send (-14:00 to +14:00 by the minute), and named zones.
OFFSETS: st.SearchStrategy[tzinfo] = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
ANY_INSTANT = st.datetimes(timezones=st.one_of(OFFSETS, st.timezones()))


@settings(max_examples=300, deadline=None)
@given(at=ANY_INSTANT, day=st.dates(), level=st.sampled_from(["standard", "medium", "high"]))
def test_every_service_level_rule_gives_a_timer_for_any_instant(
    at: datetime, day: date, level: str
) -> None:
    """Year 1 at +14:00, 9999-12-31 at -14:00 and everything between: no OverflowError."""
    calendar = LEVELS.calendar
    timers = [
        LEVELS.first_response(at),
        LEVELS.emergency_repair(at),
        LEVELS.graffiti_removal(at),
        LEVELS.victim_update(at, timedelta(days=90)),
        LEVELS.risk_review(at, level),
        LEVELS.subject_access(at),
        LEVELS.subject_access(at, extended=True),
        LEVELS.complaint_stage_1(at),
        LEVELS.complaint_stage_2(at),
    ]
    for timer in timers:
        assert EARLIEST <= timer.started_at <= timer.due_at
        timer.state(at)
        timer.is_due_on(day, calendar)
    calendar.is_working_time(at)
    calendar.is_working_day(day)
    calendar.add_working_days(day, 20)
    calendar.one_calendar_month_after(day, 3)
    calendar.end_of_day(day)
    calendar.opening_of(day)


@pytest.mark.parametrize(
    "sent",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(1989, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1990, 1, 1, 13, 59, tzinfo=timezone(timedelta(hours=14))),  # 1989 in UTC
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-14))),
        LATEST,
        NOW + CLOCK_SKEW + timedelta(seconds=1),
    ],
    ids=["year-1", "year-1+14", "before-1990", "1990+14", "9999-14", "2200", "past-skew"],
)
def test_an_instant_outside_the_range_or_in_the_future_is_refused(sent: datetime) -> None:
    with pytest.raises(InvalidCommand) as refused:
        client_instant(sent, "received_at", NOW)
    assert refused.value.field == "received_at"


def test_an_instant_within_the_clock_skew_is_the_ledgers_now() -> None:
    assert client_instant(NOW + CLOCK_SKEW, "received_at", NOW) == NOW
    assert client_instant(EARLIEST, "received_at", NOW) == EARLIEST
    later = datetime(2026, 11, 23, 11, 0, tzinfo=timezone(timedelta(hours=2)))  # 09:00 UTC
    assert client_instant(later, "received_at", NOW) == datetime(2026, 11, 23, 9, tzinfo=UTC)
