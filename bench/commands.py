"""Command throughput against the raw engine, on a fresh store per engine.

The ledger runs `report` (a data subject and a case, two events in one transaction) and
`update` (a contact logged on a case: one event) through `CaseLedger`, each command one
durable commit. The anchor is the same engine inserting rows as big as the ledger's stored
events, one row per transaction, with the durability settings the library's own connection
uses: on SQLite the `journal_mode` and `synchronous` read back from the library's connection;
on PostgreSQL the server's `synchronous_commit`. The figure is the ratio.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any

import psycopg

from bench.common import Store, fresh_store, pg_conninfo, report, update
from interface.config import Services

_RAW_TABLE = (
    "CREATE TABLE raw_events (originator_id {id} NOT NULL, originator_version INTEGER NOT NULL, "
    "topic TEXT NOT NULL, state {blob} NOT NULL, PRIMARY KEY (originator_id, originator_version))"
)
_RAW_INSERT = (
    "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES ({p})"
)
TOPIC = "domain.case_events:ContactMade"


def _mean_event_bytes(services: Services) -> int:
    notifications = services.ledger.recorder.select_notifications(start=1, limit=10_000)
    return round(sum(len(n.state) for n in notifications) / len(notifications))


def _sqlite_durability(services: Services) -> dict[str, Any]:
    datastore: Any = services.ledger.recorder.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = int(cursor.fetchone()[0])
    return {"journal_mode": journal_mode, "synchronous": synchronous}


def _raw_sqlite(store: Store, durability: dict[str, Any], size: int, n: int) -> float:
    path = os.path.join(store.directory, "raw.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA journal_mode={durability['journal_mode']}")
    conn.execute(f"PRAGMA synchronous={durability['synchronous']}")
    conn.execute(_RAW_TABLE.format(id="TEXT", blob="BLOB"))
    state = os.urandom(size)
    insert = _RAW_INSERT.format(p="?, ?, ?, ?")
    started = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN")
        conn.execute(insert, (os.urandom(16).hex(), i, TOPIC, state))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return n / elapsed


def _raw_postgres(store: Store, size: int, n: int) -> tuple[float, str]:
    with psycopg.connect(pg_conninfo(store)) as conn:
        synchronous_commit = str(conn.execute("SHOW synchronous_commit").fetchone()[0])  # type: ignore[index]
        conn.execute(_RAW_TABLE.format(id="uuid", blob="bytea"))
        conn.commit()
        state = os.urandom(size)
        insert = _RAW_INSERT.format(p="%s, %s, %s, %s")
        started = time.perf_counter()
        for i in range(n):
            conn.execute(insert, (os.urandom(16).hex(), i, TOPIC, state))
            conn.commit()
        elapsed = time.perf_counter() - started
    return n / elapsed, synchronous_commit


def command_throughput(engine: str, reports: int, updates_per_case: int) -> dict[str, Any]:
    """Reports/s and updates/s through the ledger, and the raw engine's rows/s."""
    with fresh_store(engine) as store:
        services = store.services()
        try:
            started = time.perf_counter()
            cases = [report(services.ledger, n) for n in range(reports)]
            reports_per_s = reports / (time.perf_counter() - started)
            started = time.perf_counter()
            for _ in range(updates_per_case):
                cases = [update(services.ledger, case) for case in cases]
            updates_per_s = reports * updates_per_case / (time.perf_counter() - started)
            size = _mean_event_bytes(services)
            if engine == "sqlite":
                durability = _sqlite_durability(services)
                raw = _raw_sqlite(store, durability, size, reports * 2)
            else:
                raw, synchronous_commit = _raw_postgres(store, size, reports * 2)
                durability = {"synchronous_commit": synchronous_commit}
        finally:
            services.close()
    return {
        "engine": engine,
        "durability": durability,
        "reports": reports,
        "updates": reports * updates_per_case,
        "mean_event_bytes": size,
        "reports_per_s": round(reports_per_s, 1),
        "updates_per_s": round(updates_per_s, 1),
        "raw_rows_per_s": round(raw, 1),
        "reports_ratio": round(reports_per_s / raw, 3),
        "updates_ratio": round(updates_per_s / raw, 3),
    }
