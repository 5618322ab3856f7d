"""Caseload view: one row per case with what lists and filters need (no personal data).

Status comes from the same `status_after` the aggregate uses, so the rule lives once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

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


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class CaseSummaries:
    name = "case_summaries"

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_case_summaries ("
            "case_id TEXT PRIMARY KEY, reference TEXT NOT NULL, status TEXT NOT NULL, "
            "officer TEXT, team TEXT, priority TEXT, risk_level TEXT, channel TEXT NOT NULL, "
            "strands TEXT NOT NULL, received_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "version INTEGER NOT NULL, under_complaint_or_review INTEGER NOT NULL DEFAULT 0)"
        )
        for column in ("status", "officer", "team", "risk_level", "received_at"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS view_case_summaries_{column} "
                f"ON view_case_summaries ({column})"
            )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_case_summaries")

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
            return
        if not isinstance(event, ev.CaseEvent):
            return
        case_id = str(event.originator_id)
        cursor.execute(
            "SELECT status, officer FROM view_case_summaries WHERE case_id = ?", (case_id,)
        )
        row = cursor.fetchone()
        if row is None:
            return
        changes: dict[str, Any] = {
            "status": status_after(row[0], event, row[1] is not None),
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


def row_to_summary(row: Any) -> dict[str, Any]:
    summary = dict(zip(COLUMNS, row, strict=True))
    summary["strands"] = json.loads(summary["strands"])
    summary["under_complaint_or_review"] = bool(summary["under_complaint_or_review"])
    return summary
