"""What a `caseledger` command says when its settings or its environment are wrong.

One line naming the setting (or the file) and the fix, never a traceback, and an exit code
from sysexits.h that a process manager can act on:

| code | meaning |
|---|---|
| 1 | a check failed (`verify`, a backup that does not restore, ...) |
| 2 | refused by the policy or the ledger's rules |
| 69 `EX_UNAVAILABLE` | the database cannot be reached, or serve's address is taken: retry later |
| 70 `EX_SOFTWARE` | anything else: a bug; the traceback is in the log |
| 74 `EX_IOERR` | a file or directory the settings name cannot be read or written |
| 78 `EX_CONFIG` | a setting wrong or missing, a key missing or wrong, no such database |
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg
import psycopg_pool
from eventsourcing.persistence import PersistenceError

from application.integrity.log import IntegrityFailure
from application.vault.errors import MasterKeyError
from interface.settings import ConfigurationError

EX_FAILED, EX_UNAVAILABLE, EX_SOFTWARE, EX_IOERR, EX_CONFIG = 1, 69, 70, 74, 78
_ADDRESS_ERRORS = (errno.EADDRINUSE, errno.EADDRNOTAVAIL)


def _cause(error: BaseException) -> BaseException:
    """The error the library wrapped, if it wrapped one."""
    while error.__cause__ is not None or error.__context__ is not None:
        inner = error.__cause__ or error.__context__
        assert inner is not None
        if not isinstance(inner, psycopg.Error | sqlite3.Error | psycopg_pool.PoolTimeout):
            break
        error = inner
    return error


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def explain(error: BaseException) -> tuple[str, int] | None:
    """The one line and exit code for a failure of the settings or the environment; None
    for anything else (a bug, to be logged with its traceback)."""
    if isinstance(error, ConfigurationError):
        return f"configuration error: {error}", EX_CONFIG
    if isinstance(error, MasterKeyError):
        return f"configuration error: {error}", EX_CONFIG
    if isinstance(error, IntegrityFailure):
        return f"failed: {error}", EX_FAILED
    cause = _cause(error)
    if isinstance(cause, psycopg.OperationalError | psycopg_pool.PoolTimeout) or (
        isinstance(error, PersistenceError) and isinstance(cause, psycopg.Error)
    ):
        text = _first_line(cause)
        if "does not exist" in text and "database" in text:
            return (
                f"configuration error: POSTGRES_DBNAME: {text}: create it (createdb, or "
                "`caseledger restore FILE`, which creates it) or fix the setting",
                EX_CONFIG,
            )
        if "authentication" in text or "password" in text:
            return (
                f"configuration error: POSTGRES_USER or POSTGRES_PASSWORD: {text}",
                EX_CONFIG,
            )
        return (
            f"cannot reach the database (POSTGRES_HOST, POSTGRES_PORT): {text}; check that "
            "the server is up and the settings are right",
            EX_UNAVAILABLE,
        )
    if isinstance(cause, sqlite3.OperationalError):
        return (
            f"configuration error: SQLITE_DBNAME: {_first_line(cause)}: does its directory "
            "exist, and may this user write it?",
            EX_CONFIG,
        )
    if isinstance(error, OSError) and "environment value for key" in str(error):
        return f"configuration error: {_first_line(error)}", EX_CONFIG  # the library's
    if isinstance(error, OSError) and error.errno in _ADDRESS_ERRORS:
        return f"cannot listen there (--host, --port): {error.strerror}", EX_UNAVAILABLE
    if isinstance(error, OSError) and error.filename is not None:
        return f"cannot use {error.filename}: {error.strerror}", EX_IOERR
    return None
