"""Instants given to the domain must say their timezone: stored times are always aware."""

from __future__ import annotations

from datetime import datetime

from domain.errors import InvalidCommand


def aware(value: datetime | None, field_name: str) -> datetime | None:
    """The value unchanged, or InvalidCommand if it is a naive datetime."""
    if value is not None and value.tzinfo is None:
        raise InvalidCommand(field_name, "must include a timezone")
    return value
