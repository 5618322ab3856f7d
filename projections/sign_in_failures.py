"""The table of recent failed sign-ins that the throttle counts (`application.sign_in_throttle`).

Not a view of the event log: a table beside the views, in the same store, so that every server
process on the database reads and writes the same counts. One row per throttle key (an account
or a client address) holds the failures counted in its current window and when that window
ends (each kind of key has its own length); a failure after the end starts a new
one. Keys are stored as their SHA-256
digests, never as the address or username itself. Rows whose window has passed are deleted on
every failure, and the table never holds more than `max_rows` (the oldest windows go first).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from projections.store import Cursor

TABLE = "sign_in_failures"


@dataclass(frozen=True)
class Window:
    failures: int
    ends: float  # seconds since the epoch


def create_tables(cursor: Cursor) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        "throttle_key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
        "window_end DOUBLE PRECISION NOT NULL)"
    )
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_end ON {TABLE} (window_end)")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def window(cursor: Cursor, key: str) -> Window | None:
    cursor.execute(
        f"SELECT failures, window_end FROM {TABLE} WHERE throttle_key = ?", (_digest(key),)
    )
    row = cursor.fetchone()
    return None if row is None else Window(int(row[0]), float(row[1]))


def count_failure(cursor: Cursor, key: str, now: float, window_seconds: float) -> Window:
    """One more failure for the key, in a new window if its last one has passed."""
    ends = now + window_seconds
    cursor.execute(
        f"INSERT INTO {TABLE} (throttle_key, failures, window_end) VALUES (?, 1, ?) "
        "ON CONFLICT (throttle_key) DO UPDATE SET "
        f"failures = CASE WHEN {TABLE}.window_end <= ? THEN 1 ELSE {TABLE}.failures + 1 END, "
        f"window_end = CASE WHEN {TABLE}.window_end <= ? THEN ? ELSE {TABLE}.window_end END",
        (_digest(key), ends, now, now, ends),
    )
    found = window(cursor, key)
    assert found is not None
    return found


def forget(cursor: Cursor, key: str) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE throttle_key = ?", (_digest(key),))


def prune(cursor: Cursor, now: float, max_rows: int) -> None:
    """Delete every window that has ended, then the oldest beyond max_rows."""
    cursor.execute(f"DELETE FROM {TABLE} WHERE window_end <= ?", (now,))
    cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
    excess = int(cursor.fetchone()[0]) - max_rows
    if excess > 0:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE throttle_key IN ("
            f"SELECT throttle_key FROM {TABLE} ORDER BY window_end, throttle_key LIMIT ?)",
            (excess,),
        )


def rows(cursor: Cursor) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
    return int(cursor.fetchone()[0])
