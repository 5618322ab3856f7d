"""Subject keys in a `subject_keys` table of the PostgreSQL database that holds the events.

Destroying a key sets `wrapped_key` to NULL and then runs `VACUUM FULL` on the table.
PostgreSQL keeps the old row version until vacuumed, and a plain VACUUM only defragments
the page: fragments of the old wrapped key can stay in its free space (checked with
pageinspect). VACUUM FULL rewrites the table into a new file, briefly locking it; the table
is small (one row per person) and erasure is rare. What remains out of reach here: the WAL
segments and base backups taken before the destroy hold the wrapped key until they are
recycled or expire, and a transaction open since before the destroy keeps the old row
version alive through the vacuum; backup retention bounds how long an erasure takes to
become complete. If the VACUUM fails, the key is already destroyed and `destroy` raises;
calling it again repeats the vacuum.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from psycopg import Connection, sql
from psycopg_pool import ConnectionPool

from application.vault.keystore import StoredKey, WrappedKeyStore

_CREATE = """
CREATE TABLE IF NOT EXISTS {table} (
    subject_id UUID PRIMARY KEY,
    wrapped_key BYTEA NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    destroyed_at TIMESTAMPTZ NULL
)
"""
_SELECT = "SELECT wrapped_key FROM {table} WHERE subject_id = %s"
_ANY = "SELECT subject_id, wrapped_key FROM {table} WHERE wrapped_key IS NOT NULL LIMIT 1"
_INSERT = """
INSERT INTO {table} (subject_id, wrapped_key) VALUES (%s, %s)
ON CONFLICT (subject_id) DO NOTHING RETURNING wrapped_key
"""
_DESTROY = """
INSERT INTO {table} AS k (subject_id, wrapped_key, destroyed_at) VALUES (%s, NULL, now())
ON CONFLICT (subject_id) DO UPDATE
SET wrapped_key = NULL, destroyed_at = coalesce(k.destroyed_at, excluded.destroyed_at)
"""
_VACUUM = "VACUUM FULL {table}"


class PostgresKeyStore(WrappedKeyStore):
    """Keys in `{schema}.subject_keys`, reached through a conninfo string or a shared pool.

    The schema must exist (as for the library's own tables). Statements run in autocommit
    mode; a pool passed in has each borrowed connection's autocommit restored on return,
    and is not closed by `close()`.
    """

    def __init__(
        self,
        database: str | ConnectionPool[Any],
        master_key: bytes | None,
        *,
        schema: str = "public",
        pool_size: int = 4,
        connect_timeout: float = 10.0,
    ) -> None:
        super().__init__(master_key)
        self._owns_pool = isinstance(database, str)
        if isinstance(database, str):
            self._pool: ConnectionPool[Any] = ConnectionPool(
                database, min_size=1, max_size=pool_size, open=False
            )
            self._pool.open(wait=True, timeout=connect_timeout)
        else:
            self._pool = database
        self._table = sql.Identifier(schema, "subject_keys")
        self._select_sql = self._sql(_SELECT)
        self._insert_sql = self._sql(_INSERT)
        self._run(_CREATE)

    def close(self) -> None:
        if self._owns_pool:
            self._pool.close()

    def _select(self, subject_id: UUID) -> StoredKey | None:
        return self._row(self._select_sql, subject_id)

    def _a_wrapped_key(self) -> tuple[UUID, bytes] | None:
        with self._connection() as connection:
            row = connection.execute(self._sql(_ANY)).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> StoredKey | None:
        return self._row(self._insert_sql, subject_id, wrapped_key)

    def _insert_in(self, cursor: Any, subject_id: UUID, wrapped_key: bytes) -> bool:
        cursor.execute(self._insert_sql, (subject_id, wrapped_key))
        return cursor.fetchone() is not None

    def _mark_destroyed(self, subject_id: UUID) -> None:
        self._run(_DESTROY, subject_id)
        self._run(_VACUUM)

    def _row(self, statement: sql.Composed, *params: object) -> StoredKey | None:
        with self._connection() as connection:
            row = connection.execute(statement, params).fetchone()
        return None if row is None else (None if row[0] is None else bytes(row[0]),)

    def _run(self, statement: str, *params: object) -> None:
        with self._connection() as connection:
            connection.execute(self._sql(statement), params or None)

    def _sql(self, statement: str) -> sql.Composed:
        return sql.SQL(statement).format(table=self._table)

    @contextmanager
    def _connection(self) -> Iterator[Connection[Any]]:
        with self._pool.connection() as connection:
            autocommit = connection.autocommit
            connection.autocommit = True
            try:
                yield connection
            finally:
                connection.autocommit = autocommit
