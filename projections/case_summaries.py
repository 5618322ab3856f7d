"""Caseload view: one row per case with what lists and filters need (no personal data).

Status comes from the same `status_after` the aggregate uses, so the rule lives once.

Beside it, `view_case_counts` holds how many cases share each combination of the columns
lists filter on (`COUNTED`): a list's total is a sum over those few rows, with the same
conditions as the list itself, instead of a count of every case the reader may see. The
indexes lead with the columns of the readers' visibility conditions and follow with the
list's order, so one page is read in order from the index, however many cases match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from domain import case_events as ev
from domain.case_status import status_after
from projections.store import Cursor

COLUMNS = (
    "case_id",
    "reference",
    "status",
    "officer",
    "team",
    "priority",
    "risk_level",
    "channel",
    "strands",
    "received_at",
    "updated_at",
    "version",
    "under_complaint_or_review",
)

# The columns lists filter on: every combination of their values has a row of counts.
COUNTED = ("status", "officer", "team", "risk_level", "under_complaint_or_review")
# The columns the visibility conditions name: an index each, followed by the list's order.
_VISIBILITY_COLUMNS = ("officer", "team", "under_complaint_or_review")
LIST_ORDER = "received_at DESC, case_id"
ORDERS = {
    "newest": LIST_ORDER,  # read in order from the indexes
    "oldest": "received_at ASC, case_id",
    "updated": "updated_at DESC, case_id",
    "reference": "reference, case_id",
}
"""The orders a list may be read in, by name; any but the first sorts the matching cases."""


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class CaseSummaries:
    name = "case_summaries"
    version = 2  # 2: view_case_counts and the ordered indexes

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_case_summaries ("
            "case_id TEXT PRIMARY KEY, reference TEXT NOT NULL, status TEXT NOT NULL, "
            "officer TEXT, team TEXT, priority TEXT, risk_level TEXT, channel TEXT NOT NULL, "
            "strands TEXT NOT NULL, received_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "version INTEGER NOT NULL, under_complaint_or_review INTEGER NOT NULL DEFAULT 0)"
        )
        for column in ("status", "risk_level", "reference"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS view_case_summaries_{column} "
                f"ON view_case_summaries ({column})"
            )
        for column in _VISIBILITY_COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS view_case_summaries_{column}_ordered "
                f"ON view_case_summaries ({column}, {LIST_ORDER})"
            )
        # PostgreSQL reads `col = ?` in the order of the index above, but not `col IS NULL`
        # (not an equality to its planner): unallocated cases get partial indexes of their own.
        for column in ("officer", "team"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS view_case_summaries_no_{column}_ordered "
                f"ON view_case_summaries ({LIST_ORDER}) WHERE {column} IS NULL"
            )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_case_counts ("
            "status TEXT NOT NULL, officer TEXT, team TEXT, risk_level TEXT, "
            "under_complaint_or_review INTEGER NOT NULL, cases INTEGER NOT NULL)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_case_summaries")
        cursor.execute("DROP TABLE IF EXISTS view_case_counts")

    uses = (ev.CaseReported, ev.CaseEvent)

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if isinstance(event, ev.CaseReported):
            cursor.execute(
                "INSERT INTO view_case_summaries (case_id, reference, status, channel, strands, "
                "received_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (
                    str(event.originator_id),
                    event.reference,
                    status_after("", event, False),
                    event.channel,
                    json.dumps(event.strands),
                    _iso(event.received_at),
                    _iso(event.occurred_at),
                    event.originator_version,
                ),
            )
            if cursor.rowcount == 1:
                reported = (status_after("", event, False), None, None, None, 0)
                _count(cursor, dict(zip(COUNTED, reported, strict=True)), +1)
            return
        if not isinstance(event, ev.CaseEvent):
            return
        case_id = str(event.originator_id)
        cursor.execute(
            f"SELECT {', '.join(COUNTED)} FROM view_case_summaries WHERE case_id = ?", (case_id,)
        )
        row = cursor.fetchone()
        if row is None:
            return
        counted = dict(zip(COUNTED, row, strict=True))
        changes: dict[str, Any] = {
            "status": status_after(counted["status"], event, counted["officer"] is not None),
            "updated_at": _iso(event.occurred_at),
            "version": event.originator_version,
        }
        if isinstance(event, ev.CaseTriaged):
            changes["priority"] = event.priority
        elif isinstance(event, ev.OfficerAllocated | ev.OfficerReassigned):
            changes["officer"] = event.officer
            changes["team"] = event.team
        elif isinstance(event, ev.RiskAssessed):
            changes["risk_level"] = event.level
        elif isinstance(event, ev.ClassificationRevised):
            changes["strands"] = json.dumps(event.strands)
        elif isinstance(event, ev.ComplaintReceived | ev.CaseReviewRequested):
            changes["under_complaint_or_review"] = 1
        elif isinstance(event, ev.FurtherIncidentReported):
            cursor.execute("SELECT strands FROM view_case_summaries WHERE case_id = ?", (case_id,))
            known = json.loads(cursor.fetchone()[0])
            changes["strands"] = json.dumps(list(dict.fromkeys([*known, *event.strands])))
        assignments = ", ".join(f"{column} = ?" for column in changes)
        cursor.execute(
            f"UPDATE view_case_summaries SET {assignments} WHERE case_id = ? AND version < ?",
            (*changes.values(), case_id, event.originator_version),
        )
        after = counted | {k: v for k, v in changes.items() if k in counted}
        if cursor.rowcount == 1 and after != counted:
            _count(cursor, counted, -1)
            _count(cursor, after, +1)


def _count(cursor: Cursor, combination: dict[str, Any], change: int) -> None:
    """Add `change` to the cases counted for one combination of the counted columns.

    Only the projection runner writes here, one batch at a time per view (its tracking row
    is taken first), so an update that finds no row can insert one without a race."""
    match = " AND ".join(
        f"{column} IS NULL" if value is None else f"{column} = ?"
        for column, value in combination.items()
    )
    values = [v for v in combination.values() if v is not None]
    cursor.execute(
        f"UPDATE view_case_counts SET cases = cases + ? WHERE {match}", [change, *values]
    )
    if cursor.rowcount == 0:
        cursor.execute(
            f"INSERT INTO view_case_counts ({', '.join(COUNTED)}, cases) VALUES (?, ?, ?, ?, ?, ?)",
            [*combination.values(), change],
        )
    elif change < 0:
        cursor.execute(f"DELETE FROM view_case_counts WHERE {match} AND cases = 0", values)


def _summary(row: Any) -> dict[str, Any]:
    summary = dict(zip(COLUMNS, row, strict=True))
    summary["strands"] = json.loads(summary["strands"])
    summary["under_complaint_or_review"] = bool(summary["under_complaint_or_review"])
    return summary


# --- queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One way a reader sees a case: the case's `attribute` is `value` (None: not set).

    `application.authorisation.sight` says which of these each reader has; a reader sees a
    case that meets any of them."""

    attribute: Literal["officer", "team", "under_complaint_or_review"]
    value: str | bool | None


def _condition(seen: Seen, prefix: str = "") -> tuple[str, tuple[object, ...]]:
    column = f"{prefix}{seen.attribute}"
    if column.removeprefix(prefix) not in _VISIBILITY_COLUMNS:
        raise ValueError(f"cases are not seen by {seen.attribute}")
    if seen.value is None:
        return f"{column} IS NULL", ()
    value = int(seen.value) if isinstance(seen.value, bool) else seen.value
    return f"{column} = ?", (value,)


def visible(sight: Sequence[Seen], prefix: str = "") -> tuple[str, tuple[object, ...]]:
    """The cases a reader sees, as one condition over this view's columns (`prefix`: the
    table's alias in a join); no way of seeing: no case."""
    if not sight:
        return "1 = 0", ()
    parts = [_condition(seen, prefix) for seen in sight]
    sql = " OR ".join(condition for condition, _ in parts)
    return f"({sql})", tuple(v for _, values in parts for v in values)


@dataclass(frozen=True)
class SummaryPage:
    items: list[dict[str, Any]]
    total: int


def person_on_a_case_seen(cursor: Cursor, subject_id: UUID, sight: Sequence[Seen]) -> bool:
    """Whether a case the person is on (the subject index's cases) is one `sight` sees."""
    seen, params = visible(sight)
    cursor.execute(
        "SELECT 1 FROM view_case_summaries WHERE case_id IN ("
        "SELECT originator_id FROM view_subject_index WHERE subject_id = ? AND kind = 'case') "
        f"AND ({seen}) LIMIT 1",
        (str(subject_id), *params),
    )
    return cursor.fetchone() is not None


def cases_with_reference(cursor: Cursor, reference: str) -> list[str]:
    """The ids of the cases a reference names (one, unless two ids share its six letters)."""
    cursor.execute("SELECT case_id FROM view_case_summaries WHERE reference = ?", (reference,))
    return [str(row[0]) for row in cursor.fetchall()]


def page(
    cursor: Cursor,
    sight: Sequence[Seen],
    filters: Mapping[str, str],
    *,
    among: Sequence[str] | None = None,
    limit: int,
    offset: int,
    order: str = "newest",
) -> SummaryPage:
    """A page of the cases a reader sees in `order` (`ORDERS`, newest first unless said),
    narrowed by `filters` (equality on status, officer, team, risk level) and to the case ids
    `among` (None: any).

    The total is summed from the counts view, unless `among` names the cases; the page is
    read in list order from each way of seeing's index, `offset + limit` rows at most
    each, and merged."""
    unknown = set(filters) - set(COUNTED)
    if unknown:
        raise ValueError(f"cases are not listed by {', '.join(sorted(unknown))}")
    listed = ORDERS[order]
    where = [f"{name} = ?" for name in filters]
    values: list[object] = list(filters.values())
    if among is not None:
        where.append(f"case_id IN ({', '.join('?' * len(among)) or 'NULL'})")
        values.extend(among)
    if not sight:
        return SummaryPage([], 0)
    seen, seen_values = visible(sight)
    clause = " AND ".join([seen, *where])
    counting = (
        "COUNT(*) FROM view_case_summaries"
        if among is not None
        else "COALESCE(SUM(cases), 0) FROM view_case_counts"
    )
    branches, params = [], []
    for n, way in enumerate(sight):
        condition, condition_values = _condition(way)
        branches.append(
            f"SELECT * FROM (SELECT {', '.join(COLUMNS)} FROM view_case_summaries "
            f"WHERE {' AND '.join([condition, *where])} ORDER BY {listed} LIMIT ?) b{n}"
        )
        params.extend([*condition_values, *values, offset + limit])
    cursor.execute(f"SELECT {counting} WHERE {clause}", [*seen_values, *values])
    total = int(cursor.fetchone()[0])
    cursor.execute(
        f"{' UNION '.join(branches)} ORDER BY {listed} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return SummaryPage([_summary(r) for r in cursor.fetchall()], total)
