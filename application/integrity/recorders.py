"""Application recorders that write each event's Merkle leaf in the event's own transaction.

`SQLiteIntegrityRecorder` and `PostgresIntegrityRecorder` extend the library's application
recorders (chosen with `APPLICATION_RECORDER_TOPIC`, see `interface.config`). After the
library has inserted a batch of stored events, and before the transaction commits, they
insert one `integrity_leaves` row per event: its position (notification id), its index in
the Merkle tree, its originator and version, and its `event_leaf_hash` over the bytes just
inserted, chained to the leaf of the originator's previous version. An event therefore
never exists without its leaf, and a failed save writes neither.

Leaf indexes are 0, 1, 2, ... in position order. They differ from positions because
PostgreSQL's notification id sequence keeps the numbers a rolled-back insert took, so
positions can have gaps; the tree has none.

The leaves cost one query per save, whatever the batch: it reads the last leaf index and
position and, for each originator whose first event in the batch is not its version 1, the
leaf of the version before, all by index (never a scan: the table grows with the log).

The same classes hold the SQL over the integrity tables (leaves, cached tree nodes,
checkpoints, signing keys) that `log`, `verify` and `prove` use. It is written once, with
`?` placeholders and `{leaves}`-style table names, which each engine fills in (and each
recorder keeps the result). A read is one statement on a connection in autocommit mode,
so it sees one consistent snapshot without the BEGIN and ROLLBACK of an explicit
transaction (which on PostgreSQL are two more round trips, after every commit, for the
checkpoint policy's leaf count).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
)
from psycopg import Cursor as PgCursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.integrity.evidence_verifier import (
    HASH_SIZE,
    ZERO_HASH,
    EventBytes,
    event_leaf_hash,
)
from projections.store import postgres_placeholders

LEAVES = "integrity_leaves"
NODES = "integrity_nodes"
CHECKPOINTS = "integrity_checkpoints"
KEYS = "integrity_keys"

ADOPTION_BATCH = 1000


class Cursor(Protocol):
    """The part of a DB-API cursor used here (sqlite3 and psycopg both fit)."""

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@dataclass(frozen=True)
class LeafRow:
    """A stored leaf."""

    position: int
    leaf_index: int
    originator_id: UUID
    originator_version: int
    leaf_hash: bytes


@dataclass(frozen=True)
class EventRow(EventBytes):
    """A stored event as read from the library's table, with the stored leaf of its
    originator's previous version (None if there is no such leaf)."""

    previous_leaf_hash: bytes | None
    previous_position: int | None


@dataclass(frozen=True)
class CheckpointRow:
    """A stored signed checkpoint, with the consistency proof from the one before."""

    seq: int
    key_seq: int
    tree_size: int
    note: str
    consistency_proof: tuple[bytes, ...]


@dataclass(frozen=True)
class KeyRow:
    """A checkpoint signing key: the first has no rotation note, each later one has a
    note signed by the key before it that names it."""

    seq: int
    verifier_key: str
    rotation_note: str | None


def _split_hashes(blob: bytes) -> tuple[bytes, ...]:
    return tuple(blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE))


_EVENT_COLUMNS = (
    "e.{pos} AS position, e.originator_id AS originator_id, "
    "e.originator_version AS originator_version, e.topic AS topic, e.state AS state, "
    "p.leaf_hash AS previous_leaf_hash, p.position AS previous_position "
    "FROM {events} e LEFT JOIN {leaves} p ON p.originator_id = e.originator_id "
    "AND p.originator_version = e.originator_version - 1 "
)
_LEAF_COLUMNS = "position, leaf_index, originator_id, originator_version, leaf_hash FROM {leaves} "


class IntegrityTables:
    """Engine-neutral SQL over the integrity tables; mixed into the engine's recorder."""

    events_table_name: str
    position_column: str
    # Called after each commit of events with the tree size that commit made (others may
    # since have made it larger): a listener needs no query to know it.
    after_commit: list[Callable[[int], None]]
    # Called inside each events' transaction, after the leaves, with its cursor: other rows
    # that must be stored with these events or not at all.
    in_transaction: list[Callable[[Any], None]]
    _statements: dict[str, str]
    _written = threading.local()  # the tree size this thread's last leaves made

    # --- engine specifics --------------------------------------------------------------

    def _table(self, name: str) -> str:
        raise NotImplementedError

    def _placeholders(self, sql: str) -> str:
        raise NotImplementedError

    def _db_id(self, originator_id: UUID) -> object:
        raise NotImplementedError

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Cursor]:
        """A cursor on a connection in autocommit mode, outside any explicit transaction."""
        raise NotImplementedError

    def _sql(self, template: str) -> str:
        statement = self._statements.get(template)
        if statement is None:
            names = {
                "leaves": self._table(LEAVES),
                "nodes": self._table(NODES),
                "checkpoints": self._table(CHECKPOINTS),
                "keys": self._table(KEYS),
                "events": self._table(self.events_table_name),
                "pos": self.position_column,
            }
            statement = self._statements[template] = self._placeholders(template.format(**names))
        return statement

    def _read(self, template: str, params: Sequence[object] = ()) -> list[Any]:
        """The rows of one statement (one statement: one snapshot, see the module docstring)."""
        with self._reading() as cursor:
            cursor.execute(self._sql(template), params)
            return cursor.fetchall()

    def _notify_committed(self) -> None:
        size = int(getattr(self._written, "size", 0))
        for listener in self.after_commit:
            listener(size)

    # --- writing leaves (inside the events' transaction) ---------------------------------

    def _insert_leaves(
        self, cursor: Cursor, events: Sequence[StoredEvent], positions: Sequence[int] | None
    ) -> None:
        if positions is None or len(positions) != len(events):
            raise ProgrammingError("the recorder did not return a position for every event")
        ordered = [
            (position, _uuid(event.originator_id), event)
            for position, event in sorted(zip(positions, events, strict=True), key=_first)
        ]
        in_batch = {(oid, event.originator_version) for _, oid, event in ordered}
        wanted = {  # the previous versions' leaves that are stored (a dict keeps the order)
            (oid, event.originator_version - 1): None
            for _, oid, event in ordered
            if event.originator_version > 1 and (oid, event.originator_version - 1) not in in_batch
        }
        next_index, last_position, batch = self._leaf_state(cursor, list(wanted))
        rows = []
        for position, originator_id, event in ordered:
            if position <= last_position:
                raise ProgrammingError(f"position {position} is not after the last leaf")
            version = event.originator_version
            previous = ZERO_HASH if version == 1 else batch.get((originator_id, version - 1))
            if previous is None:
                raise ProgrammingError(
                    f"no leaf for version {version - 1} of {originator_id}: the integrity "
                    "tables do not match the events"
                )
            leaf = event_leaf_hash(
                position, originator_id, version, event.topic, event.state, previous
            )
            batch[(originator_id, version)] = leaf
            next_index += 1
            rows.append((position, next_index, self._db_id(originator_id), version, leaf))
        cursor.executemany(
            self._sql(
                "INSERT INTO {leaves} (position, leaf_index, originator_id, originator_version, "
                "leaf_hash) VALUES (?, ?, ?, ?, ?)"
            ),
            rows,
        )
        self._written.size = next_index + 1

    def _write_with_events(
        self, cursor: Cursor, events: Sequence[StoredEvent], positions: Sequence[int] | None
    ) -> None:
        """What the events' own transaction writes besides them: leaves, then the rest."""
        self._insert_leaves(cursor, events, positions)
        for write in self.in_transaction:
            write(cursor)

    def _leaf_state(
        self, cursor: Cursor, wanted: Sequence[tuple[UUID, int]]
    ) -> tuple[int, int, dict[tuple[UUID, int], bytes]]:
        """In one query: the last leaf index and position (-1 if none) and the stored leaves
        of the `wanted` (originator, version) pairs that have one."""
        # Two subqueries, not two aggregates over one scan: SQLite answers a lone MAX from
        # the index, but MAX(a), MAX(b) together read the whole table on every commit. The
        # wanted pairs are joined from a CTE: SQLite scans the whole table for a row-value
        # IN (VALUES ...), but looks each joined pair up in the unique index.
        statement = self._sql(
            "SELECT NULL AS originator_id, NULL AS originator_version, NULL AS leaf_hash, "
            "(SELECT MAX(leaf_index) FROM {leaves}) AS last_index, "
            "(SELECT MAX(position) FROM {leaves}) AS last_position"
        )
        params: list[object] = []
        if wanted:
            pairs = ", ".join([self._placeholders("(?, ?)")] * len(wanted))
            statement = (
                f"WITH wanted (originator_id, originator_version) AS (VALUES {pairs}) "
                f"{statement} UNION ALL "
                + self._sql(
                    "SELECT p.originator_id, p.originator_version, p.leaf_hash, NULL, NULL "
                    "FROM wanted w JOIN {leaves} p ON p.originator_id = w.originator_id "
                    "AND p.originator_version = w.originator_version"
                )
            )
            for originator_id, version in wanted:
                params += (self._db_id(originator_id), version)
        cursor.execute(statement, params)
        next_index = last_position = -1
        leaves: dict[tuple[UUID, int], bytes] = {}
        for row in cursor.fetchall():
            if row["originator_id"] is None:
                next_index = _or_minus_one(row["last_index"])
                last_position = _or_minus_one(row["last_position"])
            else:
                key = (_uuid(row["originator_id"]), row["originator_version"])
                leaves[key] = bytes(row["leaf_hash"])
        return next_index, last_position, leaves

    def _adopt_existing_events(self, cursor: Cursor) -> None:
        """Give leaves to the events of a ledger that had none (first start with integrity:
        only when the leaf table is created, never when it exists and is empty, so emptying
        the integrity tables is not repaired by the next start but found by `verify`).

        Hashing them now cannot vouch for what they were before; it makes every later
        change detectable, like any other leaf.
        """
        cursor.execute(self._sql("SELECT 1 AS found FROM {leaves} LIMIT 1"))
        if cursor.fetchone() is not None:
            return
        after = 0
        while True:
            cursor.execute(
                self._sql(
                    "SELECT {pos} AS position, originator_id, originator_version, topic, state "
                    "FROM {events} WHERE {pos} > ? ORDER BY {pos} LIMIT ?"
                ),
                (after, ADOPTION_BATCH),
            )
            rows = cursor.fetchall()
            if not rows:
                return
            events = [
                StoredEvent(
                    originator_id=UUID(str(r["originator_id"])),
                    originator_version=r["originator_version"],
                    topic=r["topic"],
                    state=bytes(r["state"]),
                )
                for r in rows
            ]
            self._insert_leaves(cursor, events, [r["position"] for r in rows])
            after = rows[-1]["position"]

    # --- reading leaves and events --------------------------------------------------------

    def leaf_count(self) -> int:
        """The number of committed leaves (the tree size)."""
        rows = self._read("SELECT MAX(leaf_index) AS last_index FROM {leaves}")
        last = rows[0]["last_index"]
        return 0 if last is None else int(last) + 1

    def leaf_hashes(self, start: int, stop: int) -> list[bytes]:
        """The leaf hashes with start <= leaf index < stop, in order."""
        rows = self._read(
            "SELECT leaf_hash FROM {leaves} WHERE leaf_index >= ? AND leaf_index < ? "
            "ORDER BY leaf_index",
            (start, stop),
        )
        return [bytes(r["leaf_hash"]) for r in rows]

    def last_position(self) -> int:
        """The highest position of any event or leaf (0 if there is none)."""
        rows = self._read(
            "SELECT (SELECT MAX({pos}) FROM {events}) AS last_event, "
            "(SELECT MAX(position) FROM {leaves}) AS last_leaf"
        )
        return max(rows[0]["last_event"] or 0, rows[0]["last_leaf"] or 0)

    def last_position_of(self, originator_id: UUID) -> int | None:
        """The log position of the aggregate's latest event (None: it has none)."""
        rows = self._read(
            "SELECT MAX(position) AS last FROM {leaves} WHERE originator_id = ?",
            (self._db_id(originator_id),),
        )
        last = rows[0]["last"]
        return None if last is None else int(last)

    def leaves_page(self, after: int, upto: int, limit: int) -> list[LeafRow]:
        """Leaves with after < position <= upto, in position order, at most `limit`."""
        rows = self._read(
            "SELECT " + _LEAF_COLUMNS + "WHERE position > ? AND position <= ? "
            "ORDER BY position LIMIT ?",
            (after, upto, limit),
        )
        return [_leaf(r) for r in rows]

    def events_page(self, after: int, upto: int, limit: int) -> list[EventRow]:
        """Stored events with after < position <= upto, in position order, at most `limit`."""
        rows = self._read(
            "SELECT " + _EVENT_COLUMNS + "WHERE e.{pos} > ? AND e.{pos} <= ? "
            "ORDER BY e.{pos} LIMIT ?",
            (after, upto, limit),
        )
        return [_event(r) for r in rows]

    def events_of(self, originator_id: UUID) -> list[tuple[EventRow, LeafRow | None]]:
        """An originator's stored events in version order, each with its leaf if any."""
        rows = self._read(
            "SELECT l.leaf_index AS leaf_index, l.leaf_hash AS leaf_hash, "
            + _EVENT_COLUMNS
            + "LEFT JOIN {leaves} l ON l.position = e.{pos} "
            "WHERE e.originator_id = ? ORDER BY e.originator_version",
            (self._db_id(originator_id),),
        )
        return [
            (
                _event(r),
                None
                if r["leaf_index"] is None
                else LeafRow(
                    r["position"],
                    r["leaf_index"],
                    originator_id,
                    r["originator_version"],
                    bytes(r["leaf_hash"]),
                ),
            )
            for r in rows
        ]

    # --- tree node cache -----------------------------------------------------------------

    def node(self, level: int, index: int) -> bytes | None:
        """A cached perfect subtree hash."""
        rows = self._read("SELECT hash FROM {nodes} WHERE level = ? AND idx = ?", (level, index))
        return bytes(rows[0]["hash"]) if rows else None

    def put_nodes(self, nodes: dict[tuple[int, int], bytes]) -> None:
        """Cache perfect subtree hashes; ones already cached are kept."""
        with self._transaction(commit=True) as cursor:
            cursor.executemany(
                self._sql(
                    "INSERT INTO {nodes} (level, idx, hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
                ),
                [(level, index, value) for (level, index), value in sorted(nodes.items())],
            )

    # --- checkpoints and keys ------------------------------------------------------------

    def checkpoints_page(self, after: int, limit: int) -> list[CheckpointRow]:
        """Checkpoints with seq > after, oldest first, at most `limit`."""
        rows = self._read(
            "SELECT seq, key_seq, tree_size, note, consistency_proof FROM {checkpoints} "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        )
        return [_checkpoint(r) for r in rows]

    def latest_checkpoint(self) -> CheckpointRow | None:
        """The newest checkpoint."""
        rows = self._read(
            "SELECT seq, key_seq, tree_size, note, consistency_proof FROM {checkpoints} "
            "ORDER BY seq DESC LIMIT 1"
        )
        return _checkpoint(rows[0]) if rows else None

    def insert_checkpoint(self, row: CheckpointRow) -> bool:
        """Store a checkpoint; False if another writer stored one with its seq first."""
        try:
            with self._transaction(commit=True) as cursor:
                cursor.execute(
                    self._sql(
                        "INSERT INTO {checkpoints} (seq, key_seq, tree_size, note, "
                        "consistency_proof) VALUES (?, ?, ?, ?, ?)"
                    ),
                    (
                        row.seq,
                        row.key_seq,
                        row.tree_size,
                        row.note,
                        b"".join(row.consistency_proof),
                    ),
                )
        except IntegrityError:
            return False
        return True

    def keys(self) -> list[KeyRow]:
        """Every signing key, first to current."""
        rows = self._read("SELECT seq, verifier_key, rotation_note FROM {keys} ORDER BY seq")
        return [KeyRow(r["seq"], r["verifier_key"], r["rotation_note"]) for r in rows]

    def insert_key(self, row: KeyRow) -> bool:
        """Store a signing key; False if another writer stored one with its seq first."""
        try:
            with self._transaction(commit=True) as cursor:
                cursor.execute(
                    self._sql(
                        "INSERT INTO {keys} (seq, verifier_key, rotation_note) VALUES (?, ?, ?)"
                    ),
                    (row.seq, row.verifier_key, row.rotation_note),
                )
        except IntegrityError:
            return False
        return True


def _first(pair: tuple[int, StoredEvent]) -> int:
    return pair[0]


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _or_minus_one(value: int | None) -> int:
    return -1 if value is None else value


def _leaf(r: Any) -> LeafRow:
    return LeafRow(
        r["position"],
        r["leaf_index"],
        UUID(str(r["originator_id"])),
        r["originator_version"],
        bytes(r["leaf_hash"]),
    )


def _event(r: Any) -> EventRow:
    previous = r["previous_leaf_hash"]
    return EventRow(
        r["position"],
        UUID(str(r["originator_id"])),
        r["originator_version"],
        r["topic"],
        bytes(r["state"]),
        None if previous is None else bytes(previous),
        r["previous_position"],
    )


def _checkpoint(r: Any) -> CheckpointRow:
    return CheckpointRow(
        r["seq"],
        r["key_seq"],
        r["tree_size"],
        r["note"],
        _split_hashes(bytes(r["consistency_proof"])),
    )


# --- SQLite ------------------------------------------------------------------------------

_SQLITE_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {LEAVES} (position INTEGER PRIMARY KEY, "
    "leaf_index INTEGER NOT NULL UNIQUE, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, leaf_hash BLOB NOT NULL, "
    "UNIQUE (originator_id, originator_version))",
    f"CREATE TABLE IF NOT EXISTS {NODES} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx))",
    f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (seq INTEGER PRIMARY KEY, "
    "key_seq INTEGER NOT NULL, tree_size INTEGER NOT NULL, note TEXT NOT NULL, "
    "consistency_proof BLOB NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {KEYS} (seq INTEGER PRIMARY KEY, "
    "verifier_key TEXT NOT NULL UNIQUE, rotation_note TEXT)",
)


STATEMENT_CACHE_SIZE = 128  # sqlite3's default


class StatementCachingPool(SQLiteConnectionPool):
    """The library's SQLite connection pool, with a real prepared-statement cache.

    The library opens its connections with `cached_statements=True`, which sqlite3 takes as
    a cache of one statement: each of the dozen statements a command runs (BEGIN, read the
    case, insert the event, the leaf query and insert, the checkpoint policy's count) is
    parsed and planned again every time, about a fifth of a command's CPU time on SQLite.
    This opens each connection exactly as the library's `_create_connection` does, but
    with sqlite3's default cache.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # autocommit: the library issues BEGIN itself
                cached_statements=STATEMENT_CACHE_SIZE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            if c.execute("PRAGMA journal_mode;").fetchone()[0].lower() != "wal":
                c.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class SQLiteIntegrityRecorder(IntegrityTables, SQLiteApplicationRecorder):
    """The SQLite application recorder, writing a leaf with every event.

    It gives the datastore's pool the `StatementCachingPool` behaviour (the library builds
    the datastore, with no connection open yet, just before it builds the recorder).
    """

    position_column = "rowid"

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        if type(datastore.pool) is SQLiteConnectionPool:
            datastore.pool.__class__ = StatementCachingPool  # same state, new connections only
        super().__init__(datastore, events_table_name)
        self.after_commit = []
        self.in_transaction = []
        self._statements = {}

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *_SQLITE_TABLES]

    def create_table(self) -> None:
        with self._reading() as c:
            c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (LEAVES,))
            new = c.fetchone() is None
        super().create_table()
        if new:
            with self.datastore.transaction(commit=True) as c:
                self._adopt_existing_events(c)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super().insert_events(stored_events, **kwargs)
        self._notify_committed()
        return positions

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        self._write_with_events(c, stored_events, positions)
        return positions

    def _table(self, name: str) -> str:
        return name

    def _placeholders(self, sql: str) -> str:
        return sql

    def _db_id(self, originator_id: UUID) -> object:
        return originator_id.hex

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Cursor]:
        return self.datastore.transaction(commit=commit)

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        with self.datastore.get_connection(commit=False) as connection, connection.cursor() as c:
            yield c


# --- PostgreSQL ----------------------------------------------------------------------------

_POSTGRES_TABLES = (
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{LEAVES} (position bigint PRIMARY KEY, "
    "leaf_index bigint NOT NULL UNIQUE, originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, leaf_hash bytea NOT NULL, "
    "UNIQUE (originator_id, originator_version))",
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{NODES} (level integer NOT NULL, "
    "idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx))",
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{CHECKPOINTS} (seq bigint PRIMARY KEY, "
    "key_seq bigint NOT NULL, tree_size bigint NOT NULL, note text NOT NULL, "
    "consistency_proof bytea NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{KEYS} (seq bigint PRIMARY KEY, "
    "verifier_key text NOT NULL UNIQUE, rotation_note text)",
)


class _LeavesNotWritten(BaseException):
    """Carries a failure to write leaves past the library's `except Exception`.

    `PostgresApplicationRecorder.insert_events` catches any Exception raised after the
    insert, lets the transaction commit, and only then re-raises it: events would be
    committed without their leaves. A BaseException leaves the transaction's `with`
    block, so the transaction rolls back; `insert_events` unwraps it again.
    """

    def __init__(self, cause: Exception) -> None:
        super().__init__(cause)
        self.cause = cause


class PostgresIntegrityRecorder(IntegrityTables, PostgresApplicationRecorder):
    """The PostgreSQL application recorder, writing a leaf with every event.

    The library's `_insert_events` hook runs before the events are inserted, so the
    leaves are written from `_fetch_ids_after_insert_events`, which runs after the insert
    (with the events table locked in EXCLUSIVE mode, so writers are serialised and the
    previous leaves are stable) and before the commit.
    """

    position_column = "notification_id"

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        if datastore.enable_db_functions:
            raise ProgrammingError(
                "POSTGRES_ENABLE_DB_FUNCTIONS inserts events without the integrity leaves"
            )
        if datastore.originator_id_type != "uuid":
            raise ProgrammingError("the integrity leaves need UUID originator ids")
        super().__init__(datastore, events_table_name=events_table_name)
        self.after_commit = []
        self.in_transaction = []
        self._statements = {}
        schema = Identifier(datastore.schema)
        self.sql_create_statements.extend(
            SQL(statement).format(schema=schema) for statement in _POSTGRES_TABLES
        )

    def create_table(self) -> None:
        with self._reading() as c:
            c.execute("SELECT to_regclass(%s) AS found", (self._table(LEAVES),))
            new = c.fetchone()["found"] is None
        super().create_table()
        if new:
            with self.datastore.transaction(commit=True) as curs:
                for statement in self.lock_table_statements:
                    curs.execute(statement)
                self._adopt_existing_events(curs)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            positions = super().insert_events(stored_events, **kwargs)
        except _LeavesNotWritten as failed:
            raise failed.cause from None
        self._notify_committed()
        return positions

    def _fetch_ids_after_insert_events(
        self, curs: PgCursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        try:
            self._write_with_events(curs, stored_events, positions)
        except Exception as e:
            raise _LeavesNotWritten(e) from e
        return positions

    def _table(self, name: str) -> str:
        return ".".join(_quote(part) for part in (self.datastore.schema, name))

    def _placeholders(self, sql: str) -> str:
        return postgres_placeholders(sql)

    def _db_id(self, originator_id: UUID) -> object:
        return originator_id

    def _transaction(self, *, commit: bool) -> AbstractContextManager[Cursor]:
        return self.datastore.transaction(commit=commit)

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            yield cursor


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


RECORDER_TOPICS = {
    "eventsourcing.sqlite": f"{__name__}:{SQLiteIntegrityRecorder.__qualname__}",
    "eventsourcing.postgres": f"{__name__}:{PostgresIntegrityRecorder.__qualname__}",
}
"""APPLICATION_RECORDER_TOPIC for each persistence module."""
