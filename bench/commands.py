"""Command throughput against the raw engine, on a fresh store per engine.

The ledger runs `report` (a data subject and a case, two events in one transaction) and
`update` (a contact logged on a case: one event) through `CaseLedger`, each command one
durable commit. The anchor is the same engine inserting rows as big as the ledger's stored
events, one row per transaction, with the durability settings the library's own connection
uses: on SQLite the `journal_mode` and `synchronous` read back from the library's connection;
on PostgreSQL the server's `synchronous_commit`. The figure is the ratio.

A second anchor, the framework ceiling, says what ratio Python and the library allow at
all: a bare eventsourcing `Application` (the library's own recorder and mapper: no
integrity leaves, no encryption, no key store) with a trivial one-field aggregate, on the
same database (SQLite: the same file and table; PostgreSQL: the same schema), with the
library's durability. It creates aggregates (one event each, as big as the ledger's mean
event) and updates them (get, one event, save), as many as the ledger's reports and updates.
The same bare application in memory (the library's POPO recorder: no database at all) says how
much of that ceiling is the library's Python before any database work.

Each rate comes with this process's CPU time per command (user + system, so SQLite's own
work counts; the PostgreSQL server's does not): the Python cost, which other load on the
machine disturbs much less than the commit latency that dominates the rates.
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

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


class Note(Aggregate):
    """The framework ceiling's trivial aggregate."""

    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Rewritten")
    def rewrite(self, text: str) -> None:
        self.text = text


class BareApplication(Application[UUID]):
    """The library with nothing of the ledger's (see the module docstring)."""

    name = "bareceiling"


def _framework_ceiling(
    env: dict[str, str], size: int, creates: int, updates_each: int
) -> dict[str, Any]:
    """Creates/s and updates/s of `BareApplication` with the persistence `env` names."""
    app = BareApplication(env)
    try:
        text = "x" * max(0, size - 100)  # the rest of the stored JSON is about 100 bytes
        started = _now()
        notes = []
        for _ in range(creates):
            note = Note(text)
            app.save(note)
            notes.append(note.id)
        created = _now()
        for _ in range(updates_each):
            for note_id in notes:
                note = app.repository.get(note_id)
                note.rewrite(text)
                app.save(note)
        updated = _now()
        stored = app.recorder.select_events(notes[0])
    finally:
        app.close()
    return {
        **_rate("creates", creates, started, created),
        **_rate("updates", creates * updates_each, created, updated),
        "mean_event_bytes": round(sum(len(e.state) for e in stored) / len(stored)),
    }


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _rate(
    name: str, count: int, started: tuple[float, float], ended: tuple[float, float]
) -> dict[str, float]:
    """`name`_per_s (wall) and `name`_cpu_ms (this process's CPU time per command)."""
    return {
        f"{name}_per_s": round(count / (ended[0] - started[0]), 1),
        f"{name}_cpu_ms": round((ended[1] - started[1]) / count * 1000, 3),
    }


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
            started = _now()
            cases = [report(services.ledger, n) for n in range(reports)]
            reported = _now()
            for _ in range(updates_per_case):
                cases = [update(services.ledger, case) for case in cases]
            updated = _now()
            rates = _rate("reports", reports, started, reported)
            rates |= _rate("updates", reports * updates_per_case, reported, updated)
            size = _mean_event_bytes(services)
            if engine == "sqlite":
                durability = _sqlite_durability(services)
                raw = _raw_sqlite(store, durability, size, reports * 2)
            else:
                raw, synchronous_commit = _raw_postgres(store, size, reports * 2)
                durability = {"synchronous_commit": synchronous_commit}
            persistence = {
                k: v
                for k, v in store.env.items()
                if k.startswith(("PERSISTENCE_", "SQLITE_", "POSTGRES_"))
            }
            ceiling = _framework_ceiling(persistence, size, reports, updates_per_case)
            in_memory = _framework_ceiling(
                {"PERSISTENCE_MODULE": "eventsourcing.popo"}, size, reports, updates_per_case
            )
        finally:
            services.close()
    return {
        "engine": engine,
        "durability": durability,
        "reports": reports,
        "updates": reports * updates_per_case,
        "mean_event_bytes": size,
        **rates,
        "raw_rows_per_s": round(raw, 1),
        "reports_ratio": round(rates["reports_per_s"] / raw, 3),
        "updates_ratio": round(rates["updates_per_s"] / raw, 3),
        "framework_ceiling": _with_ratios(ceiling, raw),
        "library_in_memory": _with_ratios(in_memory, raw),
    }


def _with_ratios(rates: dict[str, Any], raw: float) -> dict[str, Any]:
    return rates | {
        "creates_ratio": round(rates["creates_per_s"] / raw, 3),
        "updates_ratio": round(rates["updates_per_s"] / raw, 3),
    }
