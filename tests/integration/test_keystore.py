"""Subject key stores on a real database (a SQLite file, and PostgreSQL), and an application
that seals personal data with them.

The PostgreSQL cases are never skipped: if the server at 127.0.0.1:5432 is down they fail.
Each uses its own schema, dropped afterwards.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, Mapper
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

from application.errors import ConcurrentChange
from application.vault import (
    KeyDestroyed,
    KeyStore,
    MasterKeyError,
    PersonalDataMapper,
    PostgresKeyStore,
    SQLiteKeyStore,
    register_transcodings,
)
from application.vault.keystore import WrappedKeyStore, key_scope
from domain.personal import Personal
from interface.config import open_keys
from interface.settings import Settings

PLANTED = "Zebedee Quartermaine-Okonkwo"
POSTGRES = {"host": "127.0.0.1", "port": "5432", "user": "postgres", "dbname": "test"}
CONNINFO = make_conninfo(**POSTGRES)


class Backend:
    """One database holding events and keys, with raw access for the tests."""

    name: str

    def __init__(self) -> None:
        self._stores: list[WrappedKeyStore] = []

    def open(self, master_key: bytes) -> WrappedKeyStore:
        store = self._open(master_key)
        self._stores.append(store)
        return store

    def close(self) -> None:
        for store in self._stores:
            store.close()

    def _open(self, master_key: bytes) -> WrappedKeyStore:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        raise NotImplementedError

    def query(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def raw_key_storage(self) -> bytes:
        """Every byte the database holds for the key table, live or dead."""
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[Any]:
        """A cursor in a transaction of the database, as the events' recorder has one."""
        raise NotImplementedError


class SQLiteBackend(Backend):
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _open(self, master_key: bytes) -> WrappedKeyStore:
        return SQLiteKeyStore(self.path, master_key)

    def env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.path)}

    def query(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as connection:
            return connection.execute(statement.replace("%s", "?"), params).fetchall()

    def raw_key_storage(self) -> bytes:
        return self.raw_file_bytes()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection.cursor()
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def raw_file_bytes(self) -> bytes:
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return b"".join(file.read_bytes() for file in files if file.exists())


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, schema: str) -> None:
        super().__init__()
        self.schema = schema

    def _open(self, master_key: bytes) -> WrappedKeyStore:
        return PostgresKeyStore(CONNINFO, master_key, schema=self.schema, pool_size=2)

    def env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": POSTGRES["dbname"],
            "POSTGRES_HOST": POSTGRES["host"],
            "POSTGRES_PORT": POSTGRES["port"],
            "POSTGRES_USER": POSTGRES["user"],
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": self.schema,
        }

    def query(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(CONNINFO, autocommit=True) as connection:
            connection.execute(SQL("SET search_path TO {}").format(Identifier(self.schema)))
            return connection.execute(statement.encode(), params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with psycopg.connect(CONNINFO) as connection, connection.transaction():
            yield connection.cursor()

    def raw_key_storage(self) -> bytes:
        """The table's pages as PostgreSQL holds them, free space and dead rows included."""
        table = f'"{self.schema}".subject_keys'
        with psycopg.connect(CONNINFO, autocommit=True) as connection:
            connection.execute(
                SQL("CREATE EXTENSION IF NOT EXISTS pageinspect WITH SCHEMA {}").format(
                    Identifier(self.schema)
                )
            )
            [(functions,)] = connection.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'"
            ).fetchall()
            [(pages,)] = connection.execute(
                "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
                (table,),
            ).fetchall()
            read_page = SQL("SELECT {}.get_raw_page(%s, %s)").format(Identifier(functions))
            return b"".join(
                connection.execute(read_page, (table, page)).fetchall()[0][0]
                for page in range(pages)
            )


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    schema = f"caseledger_test_{uuid4().hex[:12]}"
    with psycopg.connect(CONNINFO, autocommit=True, connect_timeout=5) as connection:
        connection.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(CONNINFO, autocommit=True, connect_timeout=5) as connection:
            connection.execute(SQL("DROP SCHEMA {} CASCADE").format(Identifier(schema)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    chosen: Backend
    if request.param == "sqlite":
        chosen = SQLiteBackend(tmp_path / "caseledger.db")
    else:
        chosen = PostgresBackend(request.getfixturevalue("postgres_schema"))
    try:
        yield chosen
    finally:
        chosen.close()


@pytest.fixture
def master_key() -> bytes:
    return os.urandom(32)


def leaks(secret: bytes, haystack: bytes) -> bool:
    """Whether any 8-byte stretch of `secret` appears in `haystack` (a plain VACUUM leaves
    15-byte fragments of a wrapped key in the page's free space)."""
    return any(secret[i : i + 8] in haystack for i in range(len(secret) - 7))


def test_key_survives_reopening_and_erasure_reaches_every_store_at_once(
    backend: Backend, master_key: bytes
) -> None:
    subject = uuid4()
    first, second = backend.open(master_key), backend.open(master_key)
    assert first.get(subject) is None
    key = first.get_or_create(subject)
    assert second.get(subject) == key
    assert backend.open(master_key).get_or_create(subject) == key

    first.destroy(subject)
    assert second.is_destroyed(subject)
    for read in (second.get, second.get_or_create):
        with pytest.raises(KeyDestroyed):
            read(subject)


def test_destroy_before_any_key_leaves_a_tombstone(backend: Backend, master_key: bytes) -> None:
    store, subject = backend.open(master_key), uuid4()
    store.destroy(subject)
    store.destroy(subject)
    with pytest.raises(KeyDestroyed):
        store.get_or_create(subject)
    [(wrapped, destroyed_at)] = backend.query(
        "SELECT wrapped_key, destroyed_at FROM subject_keys WHERE subject_id = %s",
        str(subject),
    )
    assert wrapped is None
    assert destroyed_at is not None


def test_wrong_master_key_is_a_clear_error(backend: Backend, master_key: bytes) -> None:
    subject = uuid4()
    backend.open(master_key).get_or_create(subject)
    with pytest.raises(MasterKeyError, match="master key is not the one"):
        backend.open(os.urandom(32)).get(subject)


def test_concurrent_get_or_create_from_separate_connections_yields_one_key(
    backend: Backend, master_key: bytes
) -> None:
    subject = uuid4()
    stores = [backend.open(master_key) for _ in range(6)]
    barrier, results = threading.Barrier(len(stores)), []

    def create(store: KeyStore) -> None:
        barrier.wait()
        results.append(store.get_or_create(subject))

    threads = [threading.Thread(target=create, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(stores)
    assert len(set(results)) == 1
    rows = backend.query("SELECT count(*) FROM subject_keys WHERE subject_id = %s", str(subject))
    assert rows == [(1,)]


def stored_keys(backend: Backend, subject: UUID) -> int:
    rows = backend.query("SELECT count(*) FROM subject_keys WHERE subject_id = %s", str(subject))
    return int(rows[0][0])


@pytest.fixture
def deferring(backend: Backend, master_key: bytes) -> WrappedKeyStore:
    """A store whose new keys wait for the events' transaction, as the ledger sets it up."""
    store = backend.open(master_key)
    store.store_new_keys_with_events()
    return store


def test_a_new_key_is_stored_by_the_transaction_of_its_events(
    backend: Backend, master_key: bytes, deferring: WrappedKeyStore
) -> None:
    store, subject = deferring, uuid4()
    with key_scope():
        key = store.get_or_create(subject)
        assert store.get(subject) == key and stored_keys(backend, subject) == 0
        with backend.transaction() as cursor:
            store.write_new_keys(cursor)
        store.new_keys_written()
        with backend.transaction() as cursor:
            store.write_new_keys(cursor)  # nothing left to write: no conflict with itself
    assert stored_keys(backend, subject) == 1
    assert backend.open(master_key).get(subject) == key


def test_a_new_key_rolled_back_with_its_events_is_not_stored(
    backend: Backend, deferring: WrappedKeyStore
) -> None:
    store, subject = deferring, uuid4()
    with key_scope():
        store.get_or_create(subject)
        with pytest.raises(ZeroDivisionError), backend.transaction() as cursor:
            store.write_new_keys(cursor)
            _ = 1 / 0  # the events' insert failing after the key row was written
    assert stored_keys(backend, subject) == 0
    assert store.get(subject) is None


def test_a_person_given_a_key_elsewhere_meanwhile_refuses_the_transaction(
    backend: Backend, master_key: bytes, deferring: WrappedKeyStore
) -> None:
    store, elsewhere, subject = deferring, backend.open(master_key), uuid4()
    with key_scope():
        ours = store.get_or_create(subject)
        theirs = elsewhere.get_or_create(subject)  # stored at once: no scope, no deferral
        with pytest.raises(ConcurrentChange), backend.transaction() as cursor:
            store.write_new_keys(cursor)
    assert ours != theirs and stored_keys(backend, subject) == 1
    assert backend.open(master_key).get(subject) == theirs


def test_destroyed_key_bytes_are_gone_from_storage(backend: Backend, master_key: bytes) -> None:
    store = backend.open(master_key)
    subjects = [uuid4() for _ in range(5)]
    for subject in subjects:
        store.get_or_create(subject)
    erased = subjects[-1]  # the last row written: its bytes sit next to the page's free space
    [(wrapped,)] = backend.query(
        "SELECT wrapped_key FROM subject_keys WHERE subject_id = %s", str(erased)
    )
    assert leaks(bytes(wrapped), backend.raw_key_storage())  # the check can see it

    store.destroy(erased)
    # A transaction open elsewhere in the database (another test, under xdist) keeps the old
    # row version alive through the vacuum; destroy again repeats it, as an operator would.
    # On a loaded machine such a transaction can last seconds: wait up to 30 s for it to end.
    for _ in range(300):
        if not leaks(bytes(wrapped), backend.raw_key_storage()):
            break
        time.sleep(0.1)
        store.destroy(erased)

    assert not leaks(bytes(wrapped), backend.raw_key_storage())
    assert all(store.get(subject) is not None for subject in subjects[:-1])


class Person(Aggregate):
    """A test aggregate with personal data."""

    @event("Registered")
    def __init__(self, name: Personal, details: dict[str, Any]) -> None:
        self.name = name
        self.details = details


class LedgerApp(Application[UUID]):
    """How an application wires the vault in."""

    def __init__(self, key_store: KeyStore, env: dict[str, str] | None = None) -> None:
        self.key_store = key_store
        super().__init__(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def construct_mapper(self) -> Mapper[UUID]:
        return PersonalDataMapper(
            transcoder=self.construct_transcoder(),
            key_store=self.key_store,
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )


def test_application_stores_personal_data_sealed_and_erases_it(backend: Backend) -> None:
    env = backend.env() | {"CASELEDGER_MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    key_store = open_keys(Settings.read(env))
    app = LedgerApp(key_store, env)
    try:
        victim, witness = uuid4(), uuid4()
        person = Person(
            name=Personal(victim, PLANTED),
            details={"seen_by": [Personal(witness, {"name": "Winifred Alabaster"})]},
        )
        app.save(person)
        events_table = "stored_events" if backend.name == "sqlite" else "ledgerapp_events"
        states_before = backend.query(f"SELECT state FROM {events_table}")

        assert app.repository.get(person.id).name == Personal(victim, PLANTED)
        key_store.destroy(victim)
        restored: Person = app.repository.get(person.id)
        assert restored.name == Personal.erased_for(victim)
        assert restored.details == {"seen_by": [Personal(witness, {"name": "Winifred Alabaster"})]}

        states_after = backend.query(f"SELECT state FROM {events_table}")
        assert states_after == states_before  # the events themselves never change
        for (state,) in states_after:
            assert PLANTED.encode() not in bytes(state)
            assert b"Winifred" not in bytes(state)
        if isinstance(backend, SQLiteBackend):
            assert PLANTED.encode() not in backend.raw_file_bytes()
    finally:
        app.close()
        key_store.close()
