"""Open the key store that sits beside the events, from the application's environment.

The keys go to the same database as the events (same `PERSISTENCE_MODULE`, `SQLITE_DBNAME`,
`POSTGRES_*` variables as the library reads), in their own `subject_keys` table, so one
backup holds both while the keys stay erasable on their own. The master key comes from
`CASELEDGER_MASTER_KEY` or its key file (see `keys`).
"""

from __future__ import annotations

from collections.abc import Mapping

from psycopg.conninfo import make_conninfo

from application.vault.keys import master_key_from_env
from application.vault.keystore import InMemoryKeyStore, KeyStore
from application.vault.postgres_keystore import PostgresKeyStore
from application.vault.sqlite_keystore import SQLiteKeyStore


def open_key_store(env: Mapping[str, str]) -> KeyStore:
    """A key store for the persistence module named in `env` (an Application's `env`
    resolves its name-prefixed variables): SQLite file, PostgreSQL, or in memory."""
    master_key = master_key_from_env(env)
    module = env.get("PERSISTENCE_MODULE") or "eventsourcing.popo"
    if module == "eventsourcing.sqlite":
        dbname = env.get("SQLITE_DBNAME") or ":memory:"
        if ":memory:" in dbname or "mode=memory" in dbname:  # as the library detects it
            return InMemoryKeyStore(master_key)
        return SQLiteKeyStore(dbname, master_key)
    if module == "eventsourcing.postgres":
        conninfo = make_conninfo(
            dbname=env.get("POSTGRES_DBNAME"),
            host=env.get("POSTGRES_HOST"),
            port=env.get("POSTGRES_PORT") or "5432",
            user=env.get("POSTGRES_USER"),
            password=env.get("POSTGRES_PASSWORD"),
        )
        return PostgresKeyStore(conninfo, master_key, schema=env.get("POSTGRES_SCHEMA") or "public")
    if module == "eventsourcing.popo":
        return InMemoryKeyStore(master_key)
    raise ValueError(f"no key store for persistence module {module!r}")
