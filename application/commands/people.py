"""A person's details, as a report, a new person on a case or a rectification gives them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from application.commands.fields import described, short_text


@dataclass(frozen=True, kw_only=True)
class PersonDetails:
    """Every field optional: an anonymous person has none. All of it is personal data."""

    name: str | None = short_text(default=None, personal=True)
    date_of_birth: date | None = described(default=None, personal=True)
    address: str | None = short_text(default=None, max_length=500, personal=True)
    phone: str | None = short_text(default=None, max_length=50, personal=True)
    email: str | None = described(default=None, personal=True, email=True, max_length=200)
    preferred_language: str | None = short_text(default=None, max_length=50, personal=True)
    tenancy_reference: str | None = short_text(default=None, max_length=50, personal=True)

    def as_details(self) -> dict[str, str]:
        """The details given, as a person's record keeps them (dates as ISO text)."""
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in given.items() if v}
