"""`caseledger backup FILE` and `caseledger restore FILE`: the whole ledger in one file.

Both run without opening the ledger, so a restore finds its target exactly as it was (the
ledger would create its tables on opening) and a backup never writes to the live database.
The engine is the one configured (`PERSISTENCE_MODULE`, `SQLITE_DBNAME`, `POSTGRES_*`).
The master key and the checkpoint signing key are not in the database: copying them to a
safe place of their own is the operator's job (see `application.backup`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from application.backup import (
    BackupError,
    BackupResult,
    backup_postgres,
    backup_sqlite,
    restore_postgres,
    restore_sqlite,
)
from interface.failures import EX_IOERR
from interface.settings import PostgresSettings, Settings

_KEYS_REMINDER = (
    "not included: the master key (CASELEDGER_MASTER_KEY or its key file) and the signing key "
    "file; keep copies of them separately from this backup"
)


def _postgres(postgres: PostgresSettings) -> tuple[str, str, str | None]:
    return postgres.conninfo(), postgres.schema or "public", postgres.password or None


def _backup(args: argparse.Namespace) -> int:
    settings = Settings.read()
    try:
        result: BackupResult
        if settings.postgres is not None:
            conninfo, schema, password = _postgres(settings.postgres)
            result = backup_postgres(conninfo, schema, args.file, password)
        else:
            assert settings.sqlite_path is not None
            result = backup_sqlite(settings.sqlite_path, args.file)
    except BackupError as e:
        print(f"backup failed: {e}", file=sys.stderr)
        return 1
    counted = "" if result.events is None else f"{result.events} events "
    print(f"backed up {counted}to {result.path}")
    print(_KEYS_REMINDER)
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = Settings.read()
    try:
        result: BackupResult
        if settings.postgres is not None:
            conninfo, schema, password = _postgres(settings.postgres)
            result = restore_postgres(conninfo, schema, args.file, password)
        else:
            assert settings.sqlite_path is not None
            result = restore_sqlite(args.file, settings.sqlite_path)
    except BackupError as e:
        print(f"restore failed: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"restore failed: cannot read {e.filename}: {e.strerror}", file=sys.stderr)
        return EX_IOERR
    if result.created:
        print(f"created database {result.created}")
    print(f"restored {result.events} events from {result.path}; now run `caseledger verify`")
    return 0


def register(subparsers: Any) -> None:
    """Add `backup` and `restore` to the `caseledger` argument parser."""
    backup = subparsers.add_parser(
        "backup", help="write a consistent copy of the whole ledger (safe while serving)"
    )
    backup.add_argument("file", help="the new backup file (SQLite copy or pg_dump archive)")
    backup.set_defaults(standalone=_backup)
    restore = subparsers.add_parser("restore", help="restore a backup into an empty target")
    restore.add_argument("file", help="a file written by `caseledger backup`")
    restore.set_defaults(standalone=_restore)
