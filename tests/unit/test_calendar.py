"""Unit tests for domain.calendar: working days, receipt, close of business, calendar months."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import LONDON, WorkingCalendar, add_months

CAL = WorkingCalendar()


def london(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=LONDON)


# -- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day substitute"),
        (date(2027, 3, 26), "Good Friday"),
        (date(2027, 3, 29), "Easter Monday"),
        (date(2027, 5, 3), "early May bank holiday"),
        (date(2026, 5, 25), "spring bank holiday"),
        (date(2027, 5, 31), "spring bank holiday"),
        (date(2026, 8, 31), "summer bank holiday"),
        (date(2027, 1, 1), "New Year's Day"),
    ],
)
def test_bank_holidays_in_england_are_not_working_days(day: date, name: str) -> None:
    assert CAL.is_bank_holiday(day), name
    assert not CAL.is_working_day(day), name


def test_weekends_are_not_working_days_and_weekdays_are() -> None:
    assert not CAL.is_working_day(date(2026, 3, 14))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 15))  # Sunday
    assert all(CAL.is_working_day(date(2026, 3, d)) for d in range(16, 21))  # Mon-Fri


def test_bank_holidays_are_computed_once_per_year() -> None:
    cal = WorkingCalendar()
    first = cal.bank_holidays(2027)
    assert cal.bank_holidays(2027) is first
    assert date(2027, 3, 26) in first
    assert date(2027, 12, 27) in first and date(2027, 12, 28) in first  # both substitutes


def test_next_working_day_is_strictly_after_and_skips_holidays() -> None:
    assert CAL.next_working_day(date(2026, 3, 16)) == date(2026, 3, 17)
    assert CAL.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)  # Fri -> Mon
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)
    assert CAL.next_working_day(date(2027, 3, 25)) == date(2027, 3, 30)  # Easter


def test_add_working_days() -> None:
    assert CAL.add_working_days(date(2026, 3, 16), 0) == date(2026, 3, 16)
    assert CAL.add_working_days(date(2026, 3, 16), 5) == date(2026, 3, 23)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 16), -1)


# -- receipt day --------------------------------------------------------------------------


def test_receipt_before_close_of_business_is_same_day() -> None:
    assert CAL.receipt_day(london(2026, 3, 10, 16, 59, 59)) == date(2026, 3, 10)


def test_receipt_before_opening_is_same_day() -> None:
    assert CAL.receipt_day(london(2026, 3, 10, 7, 0)) == date(2026, 3, 10)


def test_receipt_at_or_after_close_of_business_is_next_working_day() -> None:
    assert CAL.receipt_day(london(2026, 3, 10, 17, 0)) == date(2026, 3, 11)
    assert CAL.receipt_day(london(2026, 3, 13, 20, 0)) == date(2026, 3, 16)  # Fri evening


def test_receipt_on_a_weekend_or_bank_holiday_is_next_working_day() -> None:
    assert CAL.receipt_day(london(2026, 3, 14, 10, 0)) == date(2026, 3, 16)  # Saturday
    assert CAL.receipt_day(london(2027, 3, 26, 10, 0)) == date(2027, 3, 30)  # Good Friday


def test_receipt_uses_local_time_in_summer() -> None:
    # 16:30 UTC is 17:30 BST: after close of business on Monday 1 June 2026.
    assert CAL.receipt_day(datetime(2026, 6, 1, 16, 30, tzinfo=UTC)) == date(2026, 6, 2)
    assert CAL.receipt_day(datetime(2026, 6, 1, 15, 59, tzinfo=UTC)) == date(2026, 6, 1)


# -- end of working days ------------------------------------------------------------------


def test_christmas_2026_example() -> None:
    due = CAL.end_of_working_days(london(2026, 12, 24, 16, 0), 1)
    assert due == london(2026, 12, 29, 17, 0)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 12, 29, 17, 0, tzinfo=UTC)


def test_easter_2027_and_clocks_going_forward() -> None:
    # Thursday before Good Friday; BST starts Sunday 28 March 2027.
    due = CAL.end_of_working_days(london(2027, 3, 25, 12, 0), 1)
    assert due == london(2027, 3, 30, 17, 0)
    assert due == datetime(2027, 3, 30, 16, 0, tzinfo=UTC)


def test_early_may_bank_holiday_after_close_on_friday() -> None:
    # Received 18:00 Fri 30 Apr 2027 -> counts Tue 4 May (3 May is a bank holiday).
    assert CAL.end_of_working_days(london(2027, 4, 30, 18, 0), 1) == london(2027, 5, 5, 17, 0)


def test_spring_bank_holiday() -> None:
    assert CAL.end_of_working_days(london(2026, 5, 22, 10, 0), 1) == london(2026, 5, 26, 17, 0)


def test_weekend_report() -> None:
    assert CAL.end_of_working_days(london(2026, 3, 14, 11, 0), 1) == london(2026, 3, 17, 17, 0)


def test_zero_working_days_is_close_of_business_on_receipt_day() -> None:
    assert CAL.end_of_working_days(london(2026, 3, 10, 9, 0), 0) == london(2026, 3, 10, 17, 0)


def test_complaint_periods() -> None:
    start = london(2026, 3, 2, 10, 0)  # Monday
    assert CAL.end_of_working_days(start, 10) == london(2026, 3, 16, 17, 0)
    assert CAL.end_of_working_days(start, 20) == london(2026, 3, 30, 17, 0)
    # Across Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
    assert CAL.end_of_working_days(london(2026, 3, 23, 10, 0), 20) == london(2026, 4, 22, 17, 0)


def test_close_of_business_is_configurable() -> None:
    cal = WorkingCalendar(closes=time(16, 30))
    assert cal.receipt_day(london(2026, 3, 10, 16, 45)) == date(2026, 3, 11)
    assert cal.end_of_working_days(london(2026, 3, 10, 12, 0), 1) == london(2026, 3, 11, 16, 30)


# -- calendar months (UK GDPR art. 12(3)) -------------------------------------------------


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # shorter month: last day (a Friday)
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        (date(2028, 2, 29), 1, date(2028, 3, 29)),
        (date(2028, 2, 29), 3, date(2028, 5, 30)),  # 29 May 2028 is spring bank holiday
        (date(2026, 9, 30), 1, date(2026, 10, 30)),
        (date(2026, 9, 30), 3, date(2026, 12, 30)),  # extended by two further months
        (date(2027, 4, 29), 1, date(2027, 6, 1)),  # Sat 29 May, then bank holiday 31 May
        (date(2026, 11, 26), 1, date(2026, 12, 29)),  # Sat 26 Dec, then Mon 28 Dec holiday
        (date(2026, 3, 14), 1, date(2026, 4, 14)),  # received on a Saturday: still counts
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year end
    ],
)
def test_one_calendar_month_after(received: date, months: int, due: date) -> None:
    assert CAL.one_calendar_month_after(received, months) == due


def test_one_calendar_month_rejects_non_positive_months() -> None:
    with pytest.raises(ValueError):
        CAL.one_calendar_month_after(date(2026, 1, 1), 0)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 31), 12) == date(2027, 12, 31)


# -- local days ---------------------------------------------------------------------------


def test_falls_on_uses_the_local_date() -> None:
    late_utc = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 BST on 2 June
    assert CAL.falls_on(late_utc, date(2026, 6, 2))
    assert not CAL.falls_on(late_utc, date(2026, 6, 1))
    winter = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # GMT: still 1 December
    assert CAL.falls_on(winter, date(2026, 12, 1))


def test_end_of_day_is_the_last_instant_of_the_local_day() -> None:
    end = CAL.end_of_day(date(2026, 6, 2))
    assert CAL.falls_on(end, date(2026, 6, 2))
    assert not CAL.falls_on(end + timedelta(microseconds=1), date(2026, 6, 2))


def test_is_working_time() -> None:
    assert CAL.is_working_time(london(2026, 3, 10, 9, 0))
    assert not CAL.is_working_time(london(2026, 3, 10, 8, 59))
    assert not CAL.is_working_time(london(2026, 3, 10, 17, 0))
    assert not CAL.is_working_time(london(2026, 3, 14, 12, 0))


# -- validation and configuration ---------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.receipt_day(datetime(2026, 3, 10, 12, 0)),
        lambda: CAL.end_of_working_days(datetime(2026, 3, 10, 12, 0), 1),
        lambda: CAL.falls_on(datetime(2026, 3, 10, 12, 0), date(2026, 3, 10)),
        lambda: CAL.is_working_time(datetime(2026, 3, 10, 12, 0)),
    ],
)
def test_naive_datetimes_are_rejected(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


def test_invalid_configuration_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(opens=time(17, 0), closes=time(9, 0))
    with pytest.raises(ValueError):
        WorkingCalendar(subdivision="XXX")
    with pytest.raises(ValueError):
        WorkingCalendar(country="ZZ")


def test_scotland_has_its_own_bank_holidays() -> None:
    scotland = WorkingCalendar(subdivision="SCT")
    assert not scotland.is_working_day(date(2026, 1, 2))  # 2 January, a Friday
    assert CAL.is_working_day(date(2026, 1, 2))
    assert scotland.is_working_day(date(2027, 3, 29))  # no Easter Monday in Scotland
    assert not scotland.is_working_day(date(2026, 8, 3))  # first Monday of August
    assert scotland.is_working_day(date(2026, 8, 31))
    assert scotland.end_of_working_days(london(2026, 1, 1, 10, 0), 1) == london(2026, 1, 6, 17)


def test_calendars_compare_by_configuration() -> None:
    assert WorkingCalendar() == CAL
    assert hash(WorkingCalendar()) == hash(CAL)
    assert WorkingCalendar(subdivision="WLS") != CAL


# -- properties ---------------------------------------------------------------------------

ZONES = st.sampled_from([UTC, LONDON, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=ZONES
)


@given(at=INSTANTS, n=st.integers(min_value=0, max_value=25))
def test_end_of_working_days_is_close_of_business_on_a_working_day_after_at(
    at: datetime, n: int
) -> None:
    due = CAL.end_of_working_days(at, n)
    local = due.astimezone(LONDON)
    assert due.tzinfo is UTC
    assert local.time() == CAL.closes
    assert CAL.is_working_day(local.date())
    assert due > at
    # Exactly n working days lie after the receipt day, up to and including the due day.
    receipt = CAL.receipt_day(at)
    days = (local.date() - receipt).days
    between = [receipt + timedelta(days=i) for i in range(1, days + 1)]
    assert sum(CAL.is_working_day(d) for d in between) == n


@given(at=INSTANTS, n=st.integers(min_value=0, max_value=25))
def test_end_of_working_days_is_strictly_monotonic_in_n(at: datetime, n: int) -> None:
    assert CAL.end_of_working_days(at, n) < CAL.end_of_working_days(at, n + 1)


@given(at=INSTANTS)
def test_receipt_day_is_a_working_day_not_before_the_local_date(at: datetime) -> None:
    receipt = CAL.receipt_day(at)
    assert CAL.is_working_day(receipt)
    assert receipt >= CAL.local_date(at)


@given(
    received=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    months=st.integers(min_value=1, max_value=3),
)
def test_one_calendar_month_after_is_the_first_working_day_from_the_nominal_date(
    received: date, months: int
) -> None:
    nominal = add_months(received, months)
    due = CAL.one_calendar_month_after(received, months)
    assert CAL.is_working_day(due)
    assert due >= nominal
    assert not any(
        CAL.is_working_day(nominal + timedelta(days=i)) for i in range((due - nominal).days)
    )
