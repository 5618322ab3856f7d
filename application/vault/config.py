"""Open the key store that sits beside the events, from the application's environment.

The keys go to the same database as the events (the same `PERSISTENCE_MODULE` and
`SQLITE_DBNAME` as the library reads; on PostgreSQL the connection the composition root
describes once), in their own `subject_keys` table, so one backup holds both while the keys
stay erasable on their own. The master key is given by the composition root (`None`: the
store opens, and any use of a key is refused; see `interface.keys`).
"""

from __future__ import annotations

from collections.abc import Mapping

from application.vault.keystore import InMemoryKeyStore, KeyStore
from application.vault.postgres_keystore import PostgresKeyStore
from application.vault.sqlite_keystore import SQLiteKeyStore


def open_key_store(
    env: Mapping[str, str], master_key: bytes | None, postgres_conninfo: str | None = None
) -> KeyStore:
    """A key store for the persistence module named in `env` (an Application's `env`
    resolves its name-prefixed variables): SQLite file, PostgreSQL (at `postgres_conninfo`),
    or in memory."""
    module = env.get("PERSISTENCE_MODULE") or "eventsourcing.popo"
    if module == "eventsourcing.sqlite":
        dbname = env.get("SQLITE_DBNAME") or ":memory:"
        if ":memory:" in dbname or "mode=memory" in dbname:  # as the library detects it
            return InMemoryKeyStore(master_key)
        return SQLiteKeyStore(dbname, master_key)
    if module == "eventsourcing.postgres":
        if postgres_conninfo is None:
            raise ValueError("a PostgreSQL key store needs the connection to the events' database")
        schema = env.get("POSTGRES_SCHEMA") or "public"
        return PostgresKeyStore(postgres_conninfo, master_key, schema=schema)
    if module == "eventsourcing.popo":
        return InMemoryKeyStore(master_key)
    raise ValueError(f"no key store for persistence module {module!r}")
