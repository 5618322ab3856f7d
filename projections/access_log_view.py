"""Access-log view: the `AccessRecorded` events as rows to filter by person, case and reader.

Ids, purposes and route templates only: the entries carry no personal data, so neither
does this view.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access_record import AccessRecorded
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

    uses = (AccessRecorded,)

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


def _entry(row: Any) -> dict[str, Any]:
    entry = dict(zip(COLUMNS, row, strict=True))
    entry["purpose_stated"] = bool(entry["purpose_stated"])
    return entry


# --- queries ---------------------------------------------------------------------------------


def entries(
    cursor: Cursor,
    *,
    subject_id: UUID | None = None,
    case_id: UUID | None = None,
    reader: str | None = None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """Entries newest first, narrowed to reads about a person (theirs, and of every case the
    subject index says they appear in), of a case, or by a reader."""
    where: list[str] = []
    values: list[object] = []
    if subject_id is not None:
        where.append(
            "(subject_id = ? OR case_id IN (SELECT originator_id FROM view_subject_index "
            "WHERE subject_id = ? AND kind = 'case'))"
        )
        values += [str(subject_id), str(subject_id)]
    if case_id is not None:
        where.append("case_id = ?")
        values.append(str(case_id))
    if reader:
        where.append("actor = ?")
        values.append(reader)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    cursor.execute(
        f"SELECT {', '.join(COLUMNS)} FROM view_access_log {clause} "
        "ORDER BY position DESC LIMIT ? OFFSET ?",
        [*values, limit, offset],
    )
    return [_entry(r) for r in cursor.fetchall()]
