"""Statistics view: counts of cases opened, closed and reopened, by local month and by strand.

Counting rules (the reader, `application.tsm_statistics`, adds timers and NM01 on top):

* A case counts as *opened* in the month its `CaseReported.received_at` falls, on the UK
  local wall clock (the calendar's zone): a report received at 23:30 BST on 31 March is a
  March case even though it is 22:30 UTC.
* It counts as *closed* in the local month of its `CaseClosed`, and as *reopened* in the
  local month of its `CaseReopened`; a reopened case is open again, so the number open at
  the end of a month is every opening and reopening up to then less every closure.
* Strands are counted per case: a case with two strands counts once under each. A case's
  strands are those it has now (as reported, then as revised by `ClassificationRevised`,
  plus any a `FurtherIncidentReported` adds); when they change, the case's past counts
  move with it, so the strand figures always describe the cases as now classified.
* Each case also counts under one NM01 key (`nm01:monitored`, `nm01:other_characteristic`
  or `nm01:disputed`, `domain.nm01.hate_measure`), which moves the same way when its strands
  change or a manager disputes the hate definition (`HateDefinitionDisputed`).

Rows hold months, strands, measures and counts only; per-case rows hold the case id, its
strands (vocabulary values) and whether it is open: no personal data. Everything comes from
events, so the view can be dropped and rebuilt from position zero.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain import case_events as ev
from domain.instants import within_range
from domain.nm01 import hate_measure
from projections.store import Cursor

OPENED, CLOSED, REOPENED = "opened", "closed", "reopened"
MEASURES = (OPENED, CLOSED, REOPENED)
ALL_STRANDS = ""  # the strand key of the counts over every case
NM01_KEY = "nm01:"  # + a `HateMeasure`: the key of a case's NM01 counts


def count_keys(strands: list[str], disputed: bool) -> list[str]:
    """The keys a case counts under besides every case's: its strands and its NM01 measure."""
    return [*strands, NM01_KEY + hate_measure(strands, disputed)]


def month_of(at: datetime, zone: ZoneInfo) -> str:
    """The local month of an instant, as YYYY-MM (outside the ledger's range: its bound's)."""
    return within_range(at).astimezone(zone).strftime("%Y-%m")


class StatisticsView:
    name = "statistics"
    version = 2  # 2: the NM01 measure of each case

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_statistics_counts ("
            "month TEXT NOT NULL, measure TEXT NOT NULL, strand TEXT NOT NULL, "
            "n INTEGER NOT NULL, PRIMARY KEY (month, measure, strand))"
        )
        # Per-case facts later events need: the strands counted, and whether it is open.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_statistics_cases ("
            "case_id TEXT PRIMARY KEY, strands TEXT NOT NULL, is_open INTEGER NOT NULL, "
            "disputed INTEGER NOT NULL DEFAULT 0)"
        )
        # What each case has contributed, so a reclassification can move it between strands.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS view_statistics_moves ("
            "case_id TEXT NOT NULL, month TEXT NOT NULL, measure TEXT NOT NULL, "
            "n INTEGER NOT NULL, PRIMARY KEY (case_id, month, measure))"
        )

    def drop_tables(self, cursor: Cursor) -> None:
        for table in ("counts", "cases", "moves"):
            cursor.execute(f"DROP TABLE IF EXISTS view_statistics_{table}")

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        case_id = str(event.originator_id)
        if isinstance(event, ev.CaseReported):
            strands = list(dict.fromkeys(event.strands))
            cursor.execute(
                "INSERT INTO view_statistics_cases (case_id, strands, is_open) VALUES (?, ?, 1) "
                "ON CONFLICT (case_id) DO NOTHING",
                (case_id, json.dumps(strands)),
            )
            if cursor.rowcount == 1:
                self._count(cursor, case_id, count_keys(strands, False), event.received_at, OPENED)
        elif isinstance(event, ev.CaseClosed | ev.CaseReopened):
            closing = isinstance(event, ev.CaseClosed)
            cursor.execute(
                "UPDATE view_statistics_cases SET is_open = ? WHERE case_id = ? AND is_open = ?",
                (0 if closing else 1, case_id, 1 if closing else 0),
            )
            if cursor.rowcount == 1:
                keys = count_keys(*self._case(cursor, case_id))
                self._count(
                    cursor, case_id, keys, event.occurred_at, CLOSED if closing else REOPENED
                )
        elif isinstance(event, ev.ClassificationRevised):
            _, disputed = self._case(cursor, case_id)
            self._reclassify(cursor, case_id, list(dict.fromkeys(event.strands)), disputed)
        elif isinstance(event, ev.FurtherIncidentReported):
            known, disputed = self._case(cursor, case_id)
            strands = list(dict.fromkeys([*known, *event.strands]))
            self._reclassify(cursor, case_id, strands, disputed)
        elif isinstance(event, ev.HateDefinitionDisputed):
            known, _ = self._case(cursor, case_id)
            self._reclassify(cursor, case_id, known, True)

    # --- helpers -------------------------------------------------------------------------

    def _case(self, cursor: Cursor, case_id: str) -> tuple[list[str], bool]:
        """The case's strands and whether its hate definition is disputed."""
        cursor.execute(
            "SELECT strands, disputed FROM view_statistics_cases WHERE case_id = ?", (case_id,)
        )
        row = cursor.fetchone()
        return (list(json.loads(row[0])), bool(row[1])) if row else ([], False)

    def _count(
        self, cursor: Cursor, case_id: str, keys: list[str], at: datetime, measure: str
    ) -> None:
        month = month_of(at, self.zone)
        cursor.execute(
            "INSERT INTO view_statistics_moves (case_id, month, measure, n) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (case_id, month, measure) DO UPDATE "
            "SET n = view_statistics_moves.n + 1",
            (case_id, month, measure),
        )
        for key in (ALL_STRANDS, *keys):
            self._add(cursor, month, measure, key, 1)

    def _add(self, cursor: Cursor, month: str, measure: str, strand: str, n: int) -> None:
        cursor.execute(
            "INSERT INTO view_statistics_counts (month, measure, strand, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (month, measure, strand) DO UPDATE "
            "SET n = view_statistics_counts.n + excluded.n",
            (month, measure, strand, n),
        )

    def _reclassify(self, cursor: Cursor, case_id: str, strands: list[str], disputed: bool) -> None:
        old = count_keys(*self._case(cursor, case_id))
        new = count_keys(strands, disputed)
        if set(old) == set(new):
            return
        cursor.execute(
            "UPDATE view_statistics_cases SET strands = ?, disputed = ? WHERE case_id = ?",
            (json.dumps(strands), int(disputed), case_id),
        )
        if cursor.rowcount != 1:
            return  # not a case this view knows
        cursor.execute(
            "SELECT month, measure, n FROM view_statistics_moves WHERE case_id = ?", (case_id,)
        )
        for month, measure, n in cursor.fetchall():
            for key in set(old) - set(new):
                self._add(cursor, month, measure, key, -int(n))
            for key in set(new) - set(old):
                self._add(cursor, month, measure, key, int(n))


# --- queries ---------------------------------------------------------------------------------


def counts_until(cursor: Cursor, month: str) -> list[tuple[str, str, str, int]]:
    """(month, measure, strand, n) for every month up to and including `month` (YYYY-MM)."""
    cursor.execute(
        "SELECT month, measure, strand, n FROM view_statistics_counts WHERE month <= ?",
        (month,),
    )
    return [
        (str(m), str(measure), str(strand), int(n)) for m, measure, strand, n in cursor.fetchall()
    ]
