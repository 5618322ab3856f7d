"""Subject keys in a `subject_keys` table of the SQLite file that holds the events.

The store has its own connection, shared by threads under a lock (each statement is a
microsecond-scale autocommit). `PRAGMA secure_delete=ON` makes SQLite overwrite freed cell
content with zeros, so a destroyed key does not survive in free space of the page; the
destroy then runs a TRUNCATE checkpoint so the page with the old key bytes does not remain
in the write-ahead log. If open readers keep the checkpoint from completing, a warning is
logged and the old WAL frames are overwritten by later checkpoints.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from application.vault.keystore import StoredKey, WrappedKeyStore

_log = logging.getLogger(__name__)

_CREATE = """
CREATE TABLE IF NOT EXISTS subject_keys (
    subject_id TEXT PRIMARY KEY,
    wrapped_key BLOB NULL,
    created_at TEXT NOT NULL,
    destroyed_at TEXT NULL
)
"""
_SELECT = "SELECT wrapped_key FROM subject_keys WHERE subject_id = ?"
_ANY = "SELECT subject_id, wrapped_key FROM subject_keys WHERE wrapped_key IS NOT NULL LIMIT 1"
_INSERT = """
INSERT INTO subject_keys (subject_id, wrapped_key, created_at) VALUES (?, ?, ?)
ON CONFLICT (subject_id) DO NOTHING RETURNING wrapped_key
"""
_DESTROY = """
INSERT INTO subject_keys (subject_id, wrapped_key, created_at, destroyed_at)
VALUES (?, NULL, ?, ?)
ON CONFLICT (subject_id) DO UPDATE
SET wrapped_key = NULL, destroyed_at = coalesce(destroyed_at, excluded.destroyed_at)
"""


class SQLiteKeyStore(WrappedKeyStore):
    """Keys in the SQLite database file at `path` (a path or `file:` URI, as the library
    takes `SQLITE_DBNAME`), in WAL mode with secure delete."""

    def __init__(
        self, path: str | Path, master_key: bytes | None, lock_timeout: float = 5.0
    ) -> None:
        super().__init__(master_key)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(
            path, timeout=lock_timeout, isolation_level=None, check_same_thread=False, uri=True
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA secure_delete=ON")
        self._connection.execute(_CREATE)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _select(self, subject_id: UUID) -> StoredKey | None:
        with self._lock:
            row: StoredKey | None = self._connection.execute(_SELECT, (str(subject_id),)).fetchone()
        return row

    def _a_wrapped_key(self) -> tuple[UUID, bytes] | None:
        with self._lock:
            row = self._connection.execute(_ANY).fetchone()
        return None if row is None else (UUID(row[0]), bytes(row[1]))

    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> StoredKey | None:
        with self._lock:
            cursor = self._connection.execute(_INSERT, (str(subject_id), wrapped_key, _now()))
            row: StoredKey | None = cursor.fetchone()
            cursor.close()  # ends the statement, so the autocommit transaction commits
        return row

    def _insert_in(self, cursor: Any, subject_id: UUID, wrapped_key: bytes) -> bool:
        cursor.execute(_INSERT, (str(subject_id), wrapped_key, _now()))
        return cursor.fetchone() is not None

    def _mark_destroyed(self, subject_id: UUID) -> None:
        now = _now()
        with self._lock:
            self._connection.execute(_DESTROY, (str(subject_id), now, now))
            busy, _, _ = self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            _log.warning(
                "key of data subject %s destroyed, but open readers kept the write-ahead log "
                "from being truncated; its old frames are overwritten by later checkpoints",
                subject_id,
            )


def _now() -> str:
    return datetime.now(UTC).isoformat()
