"""Instants given to the domain must say their timezone; they are kept in UTC.

An instant a client sends (when a report was received, when an incident happened, when a
subject access request arrived, `as_of` of a sharing question) is bounded where it enters:

* not before `EARLIEST` (1 January 1990): no record the landlord keeps in this ledger is
  older, and year 1 (Go's zero time, sent by a careless client) is not a date of anything;
* not after `LATEST` (1 January 2200), a bound that needs no clock, so the interface can
  refuse absurd instants before anything converts them (year 9999 at -14:00 overflows);
* not later than the ledger's own clock by more than `CLOCK_SKEW`: something cannot have
  been received after the ledger heard of it. An instant within the skew is a client
  whose clock runs a little fast, and is recorded as the ledger's now.

Everything that computes with stored instants (the working-day calendar, the service levels,
the views) treats an instant outside [EARLIEST, LATEST] as the nearest bound
(`within_range`). So the calculations are total: an event stored before these bounds
existed (a report "received" in year 1) still gives a timer and a month to count it in,
and no view stops at it. The event itself is left as it was stored (it is signed); the
case still shows the instant the client sent, so an auditor sees what was recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import overload

from domain.errors import InvalidCommand

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)


@overload
def aware(value: datetime, field_name: str) -> datetime: ...


@overload
def aware(value: None, field_name: str) -> None: ...


def aware(value: datetime | None, field_name: str) -> datetime | None:
    """The same instant in UTC, or InvalidCommand if it is a naive datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidCommand(field_name, "must include a timezone")
    return value.astimezone(UTC)


def out_of_range(value: datetime) -> str | None:
    """Why an aware instant is outside [EARLIEST, LATEST], or None. Needs no clock."""
    # Comparing aware datetimes never overflows; converting one near year 1 or 9999 may.
    if value < EARLIEST:
        return f"must not be before {EARLIEST.isoformat()}"
    if value >= LATEST:
        return f"must be before {LATEST.isoformat()}"
    return None


@overload
def client_instant(value: datetime, field_name: str, now: datetime) -> datetime: ...


@overload
def client_instant(value: None, field_name: str, now: datetime) -> None: ...


def client_instant(value: datetime | None, field_name: str, now: datetime) -> datetime | None:
    """An instant a client sent, in UTC, as the ledger records it at `now`.

    InvalidCommand naming the field if it is naive, outside [EARLIEST, LATEST), or later than
    `now` by more than CLOCK_SKEW; within the skew it is `now` (see the module docstring).
    """
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidCommand(field_name, "must include a timezone")
    reason = out_of_range(value)
    if reason is not None:
        raise InvalidCommand(field_name, reason)
    if value > now + CLOCK_SKEW:
        raise InvalidCommand(field_name, "cannot be in the future")
    return min(value, now).astimezone(UTC)


def within_range(value: datetime) -> datetime:
    """The instant in UTC, or the nearest of EARLIEST and LATEST if it is outside them.

    Total for every aware datetime Python can hold: what calculations apply to stored
    instants, so that none of them fails on an instant recorded before the bounds existed.
    """
    if value < EARLIEST:
        return EARLIEST
    if value > LATEST:
        return LATEST
    return value.astimezone(UTC)
