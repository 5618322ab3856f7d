"""Case state view: each case as its officer's screen needs it, one row per case.

The row holds the `HateCase` state folded by the domain's own `when` from the events (see
`state_codec`), with its personal values still sealed, and the version it is at. Reading a
case is one row and one look-up of the keys of the people in it, however long its history;
the write side still replays a case's events to check rules against the truth.

A sealed value in the row names the event and field it was stored in, so an altered value,
or one claimed for another event, does not open. The row itself is derived data: a value
moved between two of its fields is not caught here; `caseledger projections rebuild`
restores the row from the events, which `caseledger verify` covers.
"""

from __future__ import annotations

from typing import Any

from domain import case_events as ev
from domain.hate_case import HateCase
from projections.state_codec import decode_case, encode_case
from projections.store import Cursor


class CaseStates:
    name = "case_states"
    # 2: the case's updated_at and case_review_right_told_at; 3: sharing, closure and
    # adjustment state of issue 15 (contact attempts, the Case Review right owed, ...);
    # 4: its evidence files
    version = 4

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_case_states ("
            "case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        cursor.execute("DROP TABLE IF EXISTS view_case_states")

    uses = (ev.CaseReported, ev.CaseEvent)

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if isinstance(event, ev.CaseReported):
            case = event.mutate(None)
            assert isinstance(case, HateCase)
            cursor.execute(
                "INSERT INTO view_case_states (case_id, version, state) VALUES (?, ?, ?) "
                "ON CONFLICT (case_id) DO NOTHING",
                (str(event.originator_id), event.originator_version, encode_case(case)),
            )
            return
        if not isinstance(event, ev.CaseEvent):
            return
        case_id = str(event.originator_id)
        cursor.execute("SELECT version, state FROM view_case_states WHERE case_id = ?", (case_id,))
        row = cursor.fetchone()
        if row is None or int(row[0]) >= event.originator_version:
            return  # already applied
        case = decode_case(str(row[1]))
        event.mutate(case)
        cursor.execute(
            "UPDATE view_case_states SET version = ?, state = ? WHERE case_id = ?",
            (event.originator_version, encode_case(case), case_id),
        )


def read_case(cursor: Cursor, case_id: str) -> HateCase | None:
    """The case as the view holds it (personal values unopened), or None."""
    cursor.execute("SELECT state FROM view_case_states WHERE case_id = ?", (case_id,))
    row = cursor.fetchone()
    return None if row is None else decode_case(str(row[0]))
