"""Instants given to the domain must say their timezone; they are kept in UTC (DESIGN.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from domain.errors import InvalidCommand


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
