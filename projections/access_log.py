"""Access-log view: the `AccessRecorded` events as rows to filter by person, case and reader.

Ids, purposes and route templates only: the entries carry no personal data, so neither
does this view.
"""

from __future__ import annotations

from typing import Any

from domain.access_log import AccessRecorded
from projections.store import Cursor

COLUMNS = (
    "entry_id",
    "position",
    "occurred_at",
    "actor",
    "role",
    "purpose",
    "purpose_stated",
    "route",
    "case_id",
    "subject_id",
    "request_id",
)


def _id(value: object) -> str | None:
    return None if value is None else str(value)


class AccessLogView:
    name = "access_log"
    version = 1

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_access_log ("
            "entry_id TEXT PRIMARY KEY, position BIGINT NOT NULL, occurred_at TEXT NOT NULL, "
            "actor TEXT NOT NULL, role TEXT NOT NULL, purpose TEXT NOT NULL, "
            "purpose_stated INTEGER NOT NULL, route TEXT NOT NULL, case_id TEXT, "
            "subject_id TEXT, request_id TEXT)"
        )
        for column in ("case_id", "subject_id", "actor"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS view_access_log_{column} "
                f"ON view_access_log ({column}, position)"
            )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_access_log")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if not isinstance(event, AccessRecorded):
            return
        cursor.execute(
            f"INSERT INTO view_access_log ({', '.join(COLUMNS)}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO NOTHING",
            (
                str(event.originator_id),
                position,
                event.occurred_at.isoformat(),
                event.actor,
                event.role,
                event.purpose,
                int(event.purpose_stated),
                event.route,
                _id(event.case_id),
                _id(event.subject_id),
                _id(event.request_id),
            ),
        )


def row_to_entry(row: Any) -> dict[str, Any]:
    entry = dict(zip(COLUMNS, row, strict=True))
    entry["purpose_stated"] = bool(entry["purpose_stated"])
    return entry
