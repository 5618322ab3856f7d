"""Working days, close of business and calendar-month deadlines for service levels.

`WorkingCalendar` answers the date questions behind every timer in the ledger: is a day a
working day (Monday to Friday and not a bank holiday in the configured UK nation), which
working day does something received at a given instant count as received, when is close of
business n working days later, and when does a UK GDPR "one calendar month" period end.

All instants are timezone-aware; naive datetimes are rejected with ValueError. Instants are
returned in UTC; days are judged on the local wall clock of the calendar's zone
(Europe/London by default). Nothing here reads a clock: the caller passes time in.

Every method is total: an instant outside the ledger's range (`domain.instants`) counts as
the nearest bound, and so does a day outside it, so no stored instant (a report "received"
in year 1, before the bounds existed) can make a deadline overflow and stop a view.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from domain.instants import EARLIEST, LATEST, within_range

_ONE_DAY = timedelta(days=1)
LONDON = ZoneInfo("Europe/London")
# Days the calendar computes with: the ledger's range, with a margin either side for its zone.
_FIRST_DAY = EARLIEST.date() - _ONE_DAY
_LAST_DAY = LATEST.date() + _ONE_DAY


def _within(d: date) -> date:
    """`d`, or the nearest day of the calendar's range (see the module docstring)."""
    return min(max(d, _FIRST_DAY), _LAST_DAY)


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return `value` unchanged, or raise ValueError if it is naive."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value


def add_months(d: date, months: int) -> date:
    """The same day number `months` later, or that month's last day if it is shorter."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    # The day before the first of the following month is this month's last day.
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last = (following - _ONE_DAY).day
    return date(year, month, min(d.day, last))


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours for one UK nation, in one time zone.

    `subdivision` is the `holidays` package code for the nation whose bank holidays apply:
    "ENG" (England, the default), "WLS", "SCT" or "NIR". `opens` and `closes` are local
    times; `closes` is close of business, the moment by which a "working day" deadline
    must be met.
    """

    country: str = "GB"
    subdivision: str | None = "ENG"
    zone: ZoneInfo = LONDON
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    # Bank holidays by year, filled on first use of a year. The holidays object itself is
    # built once; freezing each year into a frozenset keeps lookups to one dict and one set
    # probe, and never mutates shared state after a year has been seen.
    _holidays: holidays.HolidayBase = field(init=False, repr=False, compare=False)
    _by_year: dict[int, frozenset[date]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    # Expanding the holidays object mutates it; the lock keeps request threads from racing.
    _lock: threading.Lock = field(
        init=False, repr=False, compare=False, default_factory=threading.Lock
    )

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are local wall-clock times without tzinfo")
        if not self.opens < self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        try:
            calendar_holidays = holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ValueError(
                f"no bank-holiday calendar for {self.country}/{self.subdivision}"
            ) from exc
        object.__setattr__(self, "_holidays", calendar_holidays)

    # -- days ---------------------------------------------------------------------------

    def bank_holidays(self, year: int) -> frozenset[date]:
        """The bank holidays (including substitute days) of `year` in this nation."""
        found = self._by_year.get(year)
        if found is None:
            with self._lock:
                # Any lookup makes the holidays object expand itself to cover that year.
                self._holidays.get(date(year, 1, 1))
                found = frozenset(d for d in self._holidays if d.year == year)
                self._by_year[year] = found
        return found

    def is_bank_holiday(self, d: date) -> bool:
        return d in self.bank_holidays(d.year)

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a bank holiday."""
        return d.weekday() < 5 and not self.is_bank_holiday(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d = _within(d) + _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_day_on_or_after(self, d: date) -> date:
        """`d` itself if it is a working day, otherwise the next working day."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (n=0 gives `d` itself)."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    # -- instants and local days --------------------------------------------------------

    def local_date(self, at: datetime) -> date:
        """The date on the local wall clock at the instant `at`."""
        return within_range(require_aware(at, "at")).astimezone(self.zone).date()

    def falls_on(self, at: datetime, day: date) -> bool:
        """Whether the instant `at` (any zone, typically UTC) is on local date `day`."""
        return self.local_date(at) == day

    def opening_of(self, d: date) -> datetime:
        """Opening time on local date `d`, as an aware UTC datetime."""
        return datetime.combine(_within(d), self.opens, tzinfo=self.zone).astimezone(UTC)

    def close_of_business(self, d: date) -> datetime:
        """Close of business on local date `d`, as an aware UTC datetime."""
        return datetime.combine(_within(d), self.closes, tzinfo=self.zone).astimezone(UTC)

    def end_of_day(self, d: date) -> datetime:
        """The last representable instant of local date `d`, as an aware UTC datetime."""
        return datetime.combine(_within(d), time.max, tzinfo=self.zone).astimezone(UTC)

    def is_working_time(self, at: datetime) -> bool:
        """Whether `at` is within opening hours on a working day."""
        day = self.local_date(at)
        return self.is_working_day(day) and self.opening_of(day) <= at < self.close_of_business(day)

    def working_time_after(self, at: datetime, span: timedelta) -> datetime:
        """The instant by which `span` of working time (opening hours on working days) has
        passed since `at` (UTC). Time outside opening hours does not count, so two working
        hours after 16:00 on a Friday is 10:00 on Monday (Tuesday after a bank holiday)."""
        start = within_range(require_aware(at, "at")).astimezone(UTC)
        remaining = span
        if remaining <= timedelta(0):
            return start
        while True:
            day = self.local_date(start)
            if self.is_working_day(day) and start < self.close_of_business(day):
                start = max(start, self.opening_of(day))
                left_today = self.close_of_business(day) - start
                if remaining <= left_today:
                    return start + remaining
                remaining -= left_today
            following = self.opening_of(self.next_working_day(day))
            if following <= start:  # the end of the calendar's range: total, not endless
                return start
            start = following

    def working_day_length(self) -> timedelta:
        """Opening to close of business on one working day."""
        today = date(2026, 1, 5)  # any date: the wall-clock length, not a particular day's
        return datetime.combine(today, self.closes) - datetime.combine(today, self.opens)

    def receipt_day(self, at: datetime) -> date:
        """The working day on which something received at `at` counts as received.

        That is the local date of `at` if it is a working day and `at` is strictly before
        close of business; otherwise the next working day. So a report at 20:00 on a Friday,
        or any time on a Saturday, counts as received on Monday (or Tuesday after a bank
        holiday Monday). A report at 07:00 on a working day, before opening, counts as
        received that same day: the clock is not made to run later for early reports.
        """
        day = self.local_date(at)
        if self.is_working_day(day) and at < self.close_of_business(day):
            return day
        return self.next_working_day(day)

    def end_of_working_days(self, at: datetime, n: int) -> datetime:
        """Close of business on the n-th working day after the receipt day of `at` (UTC).

        n=1 means "by the end of the next working day"; n=0 means close of business on the
        receipt day itself.
        """
        return self.close_of_business(self.add_working_days(self.receipt_day(at), n))

    def one_calendar_month_after(self, d: date, months: int = 1) -> date:
        """The UK GDPR art. 12(3) deadline for something received on local date `d`.

        Following ICO guidance: the same day number `months` later; if that month has no
        such day, its last day; and if that is not a working day, the next working day.
        The day of receipt counts whether or not it is a working day. An extension "by two
        further months" is `months=3` from the original date of receipt.
        """
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        return self.working_day_on_or_after(add_months(_within(d), months))
