"""Consistent backups of the ledger's database and restores into an empty target.

Everything the ledger stores lives in one database: the events, the integrity leaves,
nodes, checkpoints and signing-key chain, the wrapped per-subject keys, the staff accounts
(as events) and the projection views. So one copy of that database is a whole backup:

* SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page under one
  read transaction, so the copy is a consistent snapshot even while the server writes. The
  copy is checked with `PRAGMA integrity_check` and written with mode 0600.
* PostgreSQL: `pg_dump --format=custom` of the ledger's schema; pg_dump reads under one
  snapshot and takes only ACCESS SHARE locks, so writers carry on.

What is *not* in the database, and is the operator's job to keep safe separately: the
master key (`CASELEDGER_MASTER_KEY` or its key file), without which every person's data is
unreadable, and the checkpoint signing key file (`CASELEDGER_SIGNING_KEY_FILE`). Keep the
master key out of the database backups (README, "Operations: backup and restore").

A restore goes only into an empty target (no SQLite file; no tables in the PostgreSQL
schema), so it can never merge two ledgers or overwrite a live one. A PostgreSQL database
that does not exist yet is created first (or, for a user who may not, the command to make
it is named).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from application.integrity.recorders import LEAVES

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Every stored event has exactly one integrity leaf (`caseledger verify` checks it), whatever
# the engine names its events table: the leaves count the events.
_LEAVES = LEAVES


class BackupError(Exception):
    """A backup or restore that was refused or failed; nothing was left half-done."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    events: int | None  # None: pg_dump's snapshot is not ours to count in
    created: str | None = None  # the database a restore created


def _create_private(path: Path) -> None:
    """Create `path` empty with mode 0600; refuse to overwrite anything."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupError(f"{path} exists: choose a new file") from None


def _count_events(conn: sqlite3.Connection) -> int:
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (_LEAVES,)
    ).fetchone()[0]
    if not found:
        raise BackupError(f"no ledger in this database (no {_LEAVES} table)")
    return int(conn.execute(f"SELECT count(*) FROM {_LEAVES}").fetchone()[0])


def _check_sqlite_copy(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check: {status}")
        return _count_events(conn)
    finally:
        conn.close()


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy the database at `source` into the new file `target` (mode 0600), consistently."""
    partial = target.with_name(f".{target.name}.partial")
    _create_private(partial)
    try:
        src = sqlite3.connect(source, timeout=30)
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)  # every page under one read transaction: a snapshot
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
            src.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def backup_sqlite(database: str | Path, destination: str | Path) -> BackupResult:
    """Copy the live SQLite ledger at `database` to the new file `destination`."""
    source, target = Path(database), Path(destination)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists: choose a new file")
    _sqlite_copy(source, target)
    try:
        events = _check_sqlite_copy(target)
    except BackupError:
        target.unlink()
        raise
    return BackupResult(target, events)


def restore_sqlite(backup: str | Path, database: str | Path) -> BackupResult:
    """Restore a backup file into `database`, which must not exist yet."""
    source, target = Path(backup), Path(database)
    with source.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite backup")
    events = _check_sqlite_copy(source)
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        if leftover.exists() and leftover.stat().st_size > 0:
            raise BackupError(f"{leftover} exists: restore only into an empty target")
    target.unlink(missing_ok=True)  # an empty file left by a failed start holds nothing
    _sqlite_copy(source, target)
    return BackupResult(target, events)


def _pg_env(password: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return env


def _run(command: list[str], password: str | None) -> str:
    try:
        done = subprocess.run(
            command, env=_pg_env(password), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
    return done.stdout


def _pg_event_count(conninfo: str, schema: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, _LEAVES))
        ).fetchone()
    return int(row[0]) if row else 0


def backup_postgres(
    conninfo: str, schema: str, destination: str | Path, password: str | None = None
) -> BackupResult:
    """`pg_dump` the ledger's schema, custom format, to the new file `destination`."""
    target = Path(destination)
    _create_private(target)
    try:
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--schema={schema}",
                f"--file={target}",
                f"--dbname={conninfo}",
            ],
            password,
        )
        tables = [line for line in _dump_list(target, password) if f" TABLE DATA {schema} " in line]
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if not tables:
        target.unlink()
        raise BackupError(f"schema {schema} holds no ledger tables")
    return BackupResult(target, None)


def _dump_list(path: Path, password: str | None) -> list[str]:
    return _run(["pg_restore", "--list", str(path)], password).splitlines()


_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) ")


def restore_postgres(
    conninfo: str, schema: str, backup: str | Path, password: str | None = None
) -> BackupResult:
    """`pg_restore` a dump into `schema`, which must hold no tables (or not exist)."""
    source = Path(backup)
    with source.open("rb") as f:
        if f.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
    listing = _dump_list(source, password)
    dumped = {m.group(1) for line in listing if (m := _SCHEMA_ENTRY.match(line))} or {"public"}
    if dumped != {schema}:
        raise BackupError(
            f"the backup holds schema {', '.join(sorted(dumped))}; set POSTGRES_SCHEMA to it"
        )
    created = _create_database_if_missing(conninfo)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S')",
            (schema,),
        ).fetchone()
    if tables and tables[0]:
        raise BackupError(f"schema {schema} is not empty: restore only into an empty target")
    with tempfile.TemporaryDirectory() as work:
        # An existing empty schema (always so for `public`) must not be created again.
        keep = [
            line for line in listing if not (exists and exists[0] and _SCHEMA_ENTRY.match(line))
        ]
        use_list = Path(work) / "restore.list"
        use_list.write_text("\n".join(keep) + "\n")
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={use_list}",
                f"--dbname={conninfo}",
                str(source),
            ],
            password,
        )
    return BackupResult(source, _pg_event_count(conninfo, schema), created)


def _create_database_if_missing(conninfo: str) -> str | None:
    """Create the target database if it does not exist (connecting to the server's
    `postgres` database to do so); its name if created. A user who may not create databases
    is told the command that would."""
    target = conninfo_to_dict(conninfo)
    name = str(target.get("dbname") or "")
    maintenance = make_conninfo(conninfo, dbname="postgres")
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if found.fetchone() is not None:
                return None
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise BackupError(
            f"POSTGRES_DBNAME {name} does not exist and could not be created ({first}): "
            f"create it (createdb -h {target.get('host', 'localhost')} -U "
            f"{target.get('user', 'postgres')} {name}), then restore again"
        ) from None
    return name
