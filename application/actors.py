"""Who is acting: the authenticated staff member behind a command or a read."""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import StaffRole


@dataclass(frozen=True)
class Actor:
    username: str
    role: StaffRole
    team: str


SYSTEM = Actor(username="system", role=StaffRole.ADMIN, team="system")
