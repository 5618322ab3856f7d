"""Unit tests for domain.service_levels: due instants for each timer and timer states."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import LONDON, WorkingCalendar
from domain.service_levels import (
    CLAUSES,
    ServiceLevels,
    Timer,
    TimerKind,
    TimerState,
)

LEVELS = ServiceLevels()


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def timer(stopped_at: datetime | None = None) -> Timer:
    return Timer(
        kind=TimerKind.FIRST_RESPONSE,
        clause="5.1, 8.1",
        subject="",
        started_at=utc(2026, 3, 10, 10),
        due_at=utc(2026, 3, 11, 17),
        stopped_at=stopped_at,
    )


# -- each rule ----------------------------------------------------------------------------


def test_first_response_christmas_2026() -> None:
    t = LEVELS.first_response(london(2026, 12, 24, 16), subject="case-1")
    assert t.kind is TimerKind.FIRST_RESPONSE
    assert t.clause == "5.1, 8.1"
    assert t.subject == "case-1"
    assert t.started_at == utc(2026, 12, 24, 16)
    assert t.started_at.tzinfo is UTC
    assert t.due_at == utc(2026, 12, 29, 17)
    assert t.due_at.tzinfo is UTC
    assert t.stopped_at is None


def test_first_response_after_close_on_friday() -> None:
    t = LEVELS.first_response(london(2026, 3, 13, 20))
    assert t.due_at == london(2026, 3, 17, 17)  # received Monday, due end of Tuesday


def test_emergency_repair_is_24_clock_hours_even_across_clock_change() -> None:
    # BST starts 01:00 UTC on Sunday 29 March 2026; 24 elapsed hours regardless.
    t = LEVELS.emergency_repair(utc(2026, 3, 28, 12), subject="repair-7")
    assert t.due_at == utc(2026, 3, 29, 12)
    assert t.due_at.astimezone(LONDON).hour == 13
    assert t.clause == "5.10"
    assert t.subject == "repair-7"


def test_emergency_repair_ignores_weekends_and_holidays() -> None:
    t = LEVELS.emergency_repair(london(2026, 12, 24, 16))
    assert t.due_at == london(2026, 12, 25, 16)


def test_graffiti_removal_is_one_working_day() -> None:
    t = LEVELS.graffiti_removal(london(2027, 3, 25, 12), subject="repair-8")
    assert t.kind is TimerKind.GRAFFITI_REMOVAL
    assert t.clause == "5.10"
    assert t.due_at == london(2027, 3, 30, 17)  # over Easter 2027


def test_victim_update_adds_the_agreed_frequency_on_the_wall_clock() -> None:
    weekly = LEVELS.victim_update(london(2026, 3, 24, 10), timedelta(days=7), subject="c")
    assert weekly.due_at == london(2026, 3, 31, 10)  # 10:00 BST, not 11:00
    assert weekly.clause == "8.1"
    daily = LEVELS.victim_update(london(2026, 6, 1, 15), timedelta(days=1))
    assert daily.due_at == london(2026, 6, 2, 15)


@pytest.mark.parametrize("frequency", [timedelta(0), timedelta(days=-1)])
def test_victim_update_frequency_must_be_positive(frequency: timedelta) -> None:
    with pytest.raises(ValueError):
        LEVELS.victim_update(london(2026, 3, 24, 10), frequency)


@pytest.mark.parametrize(
    ("level", "due"),
    [
        ("high", london(2026, 3, 9, 17)),
        ("medium", london(2026, 3, 16, 17)),
        ("standard", london(2026, 3, 30, 17)),
    ],
)
def test_risk_review_by_level(level: str, due: datetime) -> None:
    t = LEVELS.risk_review(london(2026, 3, 2, 10), level, subject="case-1")
    assert t.kind is TimerKind.RISK_REVIEW
    assert t.clause == "5.5"
    assert t.due_at == due


def test_risk_review_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown risk level"):
        LEVELS.risk_review(london(2026, 3, 2, 10), "critical")


def test_risk_review_intervals_are_configurable_and_copied() -> None:
    mapping = {"high": 1, "medium": 2, "standard": 3}
    levels = ServiceLevels(risk_review_working_days=mapping)
    mapping["high"] = 99
    assert levels.risk_review(london(2026, 3, 2, 10), "high").due_at == london(2026, 3, 3, 17)
    with pytest.raises(TypeError):
        levels.risk_review_working_days["high"] = 2  # type: ignore[index]


def test_risk_review_intervals_must_cover_every_level() -> None:
    with pytest.raises(ValueError, match="medium"):
        ServiceLevels(risk_review_working_days={"high": 5, "standard": 20})


def test_subject_access_is_one_calendar_month_to_end_of_local_day() -> None:
    t = LEVELS.subject_access(london(2026, 9, 30, 11), subject="sar-1")
    assert t.kind is TimerKind.SUBJECT_ACCESS
    assert t.clause == "UK GDPR art. 12(3)"
    assert t.is_due_on(date(2026, 10, 30), LEVELS.calendar)
    assert t.due_at == datetime.combine(date(2026, 10, 30), time.max, tzinfo=LONDON)
    assert t.state(london(2026, 10, 30, 23, 59)) is TimerState.RUNNING
    assert t.state(london(2026, 10, 31, 0, 0)) is TimerState.OVERDUE


def test_subject_access_extension_is_three_months_from_receipt() -> None:
    t = LEVELS.subject_access(london(2026, 9, 30, 11), extended=True)
    assert t.is_due_on(date(2026, 12, 30), LEVELS.calendar)


@pytest.mark.parametrize(
    ("received", "due_day"),
    [
        (london(2026, 1, 31, 12), date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        (london(2028, 1, 31, 12), date(2028, 2, 29)),  # leap year
        (london(2027, 4, 29, 12), date(2027, 6, 1)),  # weekend then spring bank holiday
        (london(2026, 3, 14, 12), date(2026, 4, 14)),  # received on a Saturday
        (utc(2026, 6, 30, 23, 30), date(2026, 8, 3)),  # 00:30 BST 1 July; 1 Aug is Saturday
    ],
)
def test_subject_access_month_end_and_non_working_days(received: datetime, due_day: date) -> None:
    assert LEVELS.subject_access(received).is_due_on(due_day, LEVELS.calendar)


def test_complaint_stages() -> None:
    start = london(2026, 3, 2, 10)
    one = LEVELS.complaint_stage_1(start, subject="complaint-1")
    two = LEVELS.complaint_stage_2(start, subject="complaint-1")
    assert one.kind is TimerKind.COMPLAINT_STAGE_1
    assert two.kind is TimerKind.COMPLAINT_STAGE_2
    assert one.due_at == london(2026, 3, 16, 17)
    assert two.due_at == london(2026, 3, 30, 17)
    assert "Housing Ombudsman Complaint Handling Code" in one.clause
    assert "Housing Ombudsman Complaint Handling Code" in two.clause


def test_every_kind_has_a_clause() -> None:
    assert set(CLAUSES) == set(TimerKind)
    assert all(CLAUSES.values())


def test_service_levels_use_their_calendar() -> None:
    scotland = ServiceLevels(calendar=WorkingCalendar(subdivision="SCT"))
    # 1 and 2 January 2026 are both holidays in Scotland; Saturday and Sunday follow.
    assert scotland.first_response(london(2025, 12, 31, 12)).due_at == london(2026, 1, 5, 17)
    assert LEVELS.first_response(london(2025, 12, 31, 12)).due_at == london(2026, 1, 2, 17)


def test_figures_are_configurable() -> None:
    levels = ServiceLevels(
        complaint_stage_1_working_days=5, emergency_repair_within=timedelta(hours=4)
    )
    assert levels.complaint_stage_1(london(2026, 3, 2, 10)).due_at == london(2026, 3, 9, 17)
    assert levels.emergency_repair(utc(2026, 3, 2, 10)).due_at == utc(2026, 3, 2, 14)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"first_response_working_days": -1},
        {"complaint_stage_2_working_days": -1},
        {"subject_access_months": 0},
        {"emergency_repair_within": timedelta(0)},
        {"risk_review_working_days": {"high": -1, "medium": 10, "standard": 20}},
    ],
)
def test_invalid_figures_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ServiceLevels(**kwargs)  # type: ignore[arg-type]


def test_service_levels_are_hashable_values() -> None:
    assert ServiceLevels() == LEVELS
    assert hash(ServiceLevels()) == hash(LEVELS)


# -- timer states -------------------------------------------------------------------------


def test_running_before_due_and_exactly_at_due() -> None:
    assert timer().state(utc(2026, 3, 11, 9)) is TimerState.RUNNING
    assert timer().state(utc(2026, 3, 11, 17)) is TimerState.RUNNING


def test_overdue_once_past_due_without_stopping() -> None:
    late = utc(2026, 3, 11, 17) + timedelta(microseconds=1)
    assert timer().state(late) is TimerState.OVERDUE


def test_met_when_stopped_before_or_exactly_at_due() -> None:
    after = utc(2026, 3, 20)
    assert timer(utc(2026, 3, 11, 9)).state(after) is TimerState.MET
    assert timer(utc(2026, 3, 11, 17)).state(after) is TimerState.MET


def test_breached_when_stopped_after_due() -> None:
    stopped = timer(utc(2026, 3, 11, 17, 1))
    assert stopped.state(utc(2026, 3, 20)) is TimerState.BREACHED
    assert stopped.state(utc(2026, 3, 11, 17, 1)) is TimerState.BREACHED


def test_state_as_of_a_moment_before_the_stop() -> None:
    late_stop = timer(utc(2026, 3, 12, 9))
    assert late_stop.state(utc(2026, 3, 11, 12)) is TimerState.RUNNING
    assert late_stop.state(utc(2026, 3, 11, 20)) is TimerState.OVERDUE
    assert late_stop.state(utc(2026, 3, 12, 9)) is TimerState.BREACHED


def test_state_transitions_of_a_built_timer() -> None:
    t = LEVELS.first_response(london(2026, 12, 24, 16))
    assert t.state(london(2026, 12, 29, 16, 59)) is TimerState.RUNNING
    assert t.state(london(2026, 12, 29, 17, 1)) is TimerState.OVERDUE
    assert t.stop(london(2026, 12, 29, 17)).state(london(2027, 1, 5)) is TimerState.MET
    assert t.stop(london(2026, 12, 30, 9)).state(london(2027, 1, 5)) is TimerState.BREACHED


def test_state_values() -> None:
    assert [s.value for s in TimerState] == ["running", "met", "breached", "overdue"]
    assert TimerKind("complaint_stage_2") is TimerKind.COMPLAINT_STAGE_2


def test_is_due_on_uses_local_day() -> None:
    t = LEVELS.first_response(london(2026, 6, 1, 10))
    assert t.due_at == utc(2026, 6, 2, 16)
    assert t.is_due_on(date(2026, 6, 2), LEVELS.calendar)
    assert not t.is_due_on(date(2026, 6, 1), LEVELS.calendar)


# -- validation ---------------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 10, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        timer().state(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        timer(stopped_at=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        Timer(TimerKind.FIRST_RESPONSE, "5.1", "", naive, utc(2026, 3, 11))
    for build in (
        LEVELS.first_response,
        LEVELS.emergency_repair,
        LEVELS.graffiti_removal,
        LEVELS.subject_access,
        LEVELS.complaint_stage_1,
        LEVELS.complaint_stage_2,
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            build(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        LEVELS.victim_update(naive, timedelta(days=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        LEVELS.risk_review(naive, "high")


def test_inconsistent_timers_are_rejected() -> None:
    with pytest.raises(ValueError):
        Timer(TimerKind.FIRST_RESPONSE, "5.1", "", utc(2026, 3, 11), utc(2026, 3, 10))
    with pytest.raises(ValueError):
        timer(stopped_at=utc(2026, 3, 9))


# -- properties ---------------------------------------------------------------------------

INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)
)


@given(start=INSTANTS, level=st.sampled_from(["high", "medium", "standard"]))
def test_deadlines_are_after_the_start_and_ordered(start: datetime, level: str) -> None:
    first = LEVELS.first_response(start)
    stage_1 = LEVELS.complaint_stage_1(start)
    stage_2 = LEVELS.complaint_stage_2(start)
    assert start < first.due_at < stage_1.due_at < stage_2.due_at
    assert LEVELS.risk_review(start, level).due_at > start
    assert LEVELS.subject_access(start).due_at < LEVELS.subject_access(start, extended=True).due_at


@given(start=INSTANTS, offset=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_a_stopped_timer_is_met_or_breached_and_never_changes_afterwards(
    start: datetime, offset: timedelta
) -> None:
    t = LEVELS.graffiti_removal(start).stop(start + offset)
    state = t.state(start + offset)
    assert state in (TimerState.MET, TimerState.BREACHED)
    assert t.state(start + offset + timedelta(days=365)) is state
    assert (state is TimerState.MET) == (start + offset <= t.due_at)
