"""Where views live: tables beside the event store, on SQLite or PostgreSQL.

View SQL is written once with `?` placeholders; the PostgreSQL store translates them. View
tables are named `view_*` so they never collide with the library's own tables.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol


class Cursor(Protocol):
    rowcount: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


class ViewStore(Protocol):
    """A transactional home for view tables and their tracking positions."""

    def transaction(self) -> Any:
        """A context manager yielding a cursor; commits on success, rolls back on error."""

    def reading(self) -> Any:
        """A context manager yielding a cursor for a consistent read that writes nothing."""

    def close(self) -> None: ...


class SQLiteViewStore:
    """One connection per thread to the SQLite file of the events (WAL, busy timeout)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self._path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def transaction(self) -> Any:
        return self._begin("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlock

    def reading(self) -> Any:
        return self._begin("BEGIN DEFERRED")

    @contextmanager
    def _begin(self, statement: str) -> Iterator[sqlite3.Cursor]:
        conn = self._connection()
        cursor = conn.cursor()
        cursor.execute(statement)
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")
        finally:
            cursor.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


def postgres_placeholders(sql: str) -> str:
    """SQL written with `?` placeholders (SQLite's), as psycopg takes it (`%s`)."""
    return sql.replace("?", "%s")


class _PgCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(postgres_placeholders(sql), tuple(params))

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def fetchone(self) -> Any:
        return self._cursor.fetchone()


class PostgresViewStore:
    """A small psycopg pool on the events' database."""

    def __init__(self, conninfo: str, max_size: int = 4) -> None:
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(conninfo, min_size=1, max_size=max_size, open=True)

    @contextmanager
    def transaction(self) -> Iterator[_PgCursor]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            yield _PgCursor(cursor)

    def reading(self) -> Any:
        return self.transaction()

    def close(self) -> None:
        self._pool.close()
