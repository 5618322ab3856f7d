"""Staff view: each member's username, role, team, work address and whether they are active,
for reminders (who to tell, where) and the admin (who has no address).

Staff accounts themselves are read from their aggregates (`application.staff_directory`);
this view is the list of them, kept from their events.
"""

from __future__ import annotations

from typing import Any

from domain import staff
from domain.reminder_schedule import Member
from projections.store import Cursor


class StaffView:
    name = "staff"
    version = 1

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_staff ("
            "staff_id TEXT PRIMARY KEY, username TEXT NOT NULL, role TEXT NOT NULL, "
            "team TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_staff")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        staff_id = str(event.originator_id)
        if isinstance(event, staff.StaffAdded):
            cursor.execute(
                "INSERT INTO view_staff (staff_id, username, role, team, active) "
                "VALUES (?, ?, ?, ?, 1) ON CONFLICT (staff_id) DO NOTHING",
                (staff_id, event.username, event.role, event.team),
            )
        elif isinstance(event, staff.StaffEmailSet):
            cursor.execute(
                "UPDATE view_staff SET email = ? WHERE staff_id = ?", (event.email, staff_id)
            )
        elif isinstance(event, staff.StaffMovedTeam):
            cursor.execute(
                "UPDATE view_staff SET team = ? WHERE staff_id = ?", (event.team, staff_id)
            )
        elif isinstance(event, staff.StaffRemoved):
            cursor.execute("UPDATE view_staff SET active = 0 WHERE staff_id = ?", (staff_id,))


# --- queries ---------------------------------------------------------------------------------


def members(cursor: Cursor, *, active_only: bool = True) -> list[Member]:
    """Every member (or only the active ones), by username."""
    cursor.execute(
        "SELECT username, role, team, email, active FROM view_staff "
        + ("WHERE active = 1 " if active_only else "")
        + "ORDER BY username"
    )
    return [Member(u, r, t, e, bool(a)) for u, r, t, e, a in cursor.fetchall()]
