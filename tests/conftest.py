"""Shared fixtures: a controllable clock, and the ledger on SQLite and on PostgreSQL.

PostgreSQL is at 127.0.0.1:5432 on every machine of this project; each test gets a schema of
its own, dropped afterwards. If the server is down, the tests fail: they are never skipped.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

import psycopg
import pytest
from argon2 import PasswordHasher

import application.tokens
from application.actors import Actor
from application.sign_in import passwords
from domain.vocabulary import StaffRole
from interface.config import Services, build_services
from interface.keys import make_signing_key
from tests.s3 import moto_server


class PgParams(TypedDict):
    """Connection parameters for psycopg.connect(**PG)."""

    host: str
    port: int
    user: str
    dbname: str


PG: PgParams = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
TEST_MASTER_KEY = base64.b64encode(b"k" * 32).decode()


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def signing_key_file(directory: str | os.PathLike[str]) -> str:
    """`signing.pem` in the directory, made if absent (as `caseledger keys init` would):
    no command but the demo and `keys init` makes one."""
    path = os.path.join(directory, "signing.pem")
    if not os.path.exists(path):
        make_signing_key(Path(path))
    return path


def sqlite_env(directory: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": os.path.join(directory, "caseledger.db"),
        "CASELEDGER_SIGNING_KEY_FILE": signing_key_file(directory),
        "CASELEDGER_MASTER_KEY": TEST_MASTER_KEY,
        "CASELEDGER_FILES_DIR": os.path.join(directory, "files"),
        "CASELEDGER_WITNESSES": os.path.join(directory, "witness"),
    }


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def postgres_env(schema: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": str(PG["port"]),
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": schema,
        "CASELEDGER_MASTER_KEY": TEST_MASTER_KEY,
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_env(request: pytest.FixtureRequest, tmp_path: object) -> dict[str, str]:
    # The checkpoint signing key file goes in the test's directory, not the working one.
    key_file = {
        "CASELEDGER_SIGNING_KEY_FILE": signing_key_file(str(tmp_path)),
        "CASELEDGER_FILES_DIR": os.path.join(str(tmp_path), "files"),
        "CASELEDGER_WITNESSES": os.path.join(str(tmp_path), "witness"),
    }
    if request.param == "sqlite":
        return sqlite_env(str(tmp_path)) | key_file
    schema: str = request.getfixturevalue("postgres_schema")
    return postgres_env(schema) | key_file


HUB = Actor("h.adviser", StaffRole.HUB, "customer-hub")
OFFICER = Actor("k.officer", StaffRole.OFFICER, "north")
OTHER_OFFICER = Actor("s.officer", StaffRole.OFFICER, "north")
MANAGER = Actor("t.manager", StaffRole.MANAGER, "north")
COMPLAINTS = Actor("c.liaison", StaffRole.COMPLAINTS, "complaints")
ADMIN = Actor("sys.admin", StaffRole.ADMIN, "it")

# key -> (username, role, team): the staff accounts every ledger under test starts with.
STAFF: dict[str, tuple[str, str, str]] = {
    "hub": (HUB.username, "hub", HUB.team),
    "officer": (OFFICER.username, "officer", OFFICER.team),
    "other_officer": (OTHER_OFFICER.username, "officer", OTHER_OFFICER.team),
    "south_officer": ("p.south", "officer", "south"),
    "manager": (MANAGER.username, "manager", MANAGER.team),
    "south_manager": ("m.south", "manager", "south"),
    "complaints": (COMPLAINTS.username, "complaints", COMPLAINTS.team),
    "dpo": ("d.protection", "dpo", "governance"),
    "auditor": ("i.auditor", "auditor", "audit"),
    "admin": ("a.admin", "admin", "it"),
}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens hashed at a low scrypt cost: the stored hash names its cost, so verification
    runs the same code; the real cost is the unit tests' and the end-to-end tests' concern."""
    monkeypatch.setattr(application.tokens, "_N", 2**8)
    monkeypatch.setattr(passwords, "hasher", CHEAP_PASSWORDS)


CHEAP_PASSWORDS = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
"""Passwords hashed at a low argon2id cost in tests, for the same reason."""


def add_staff(services: Services) -> None:
    for username, role, team in STAFF.values():
        services.staff.add(username=username, role=role, team=team, actor=ADMIN)


@pytest.fixture
def services(engine_env: dict[str, str], clock: Clock) -> Iterator[Services]:
    built = build_services(engine_env, clock=clock)
    add_staff(built)
    yield built
    built.close()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real S3 API on loopback (moto's server mode), one per test process."""
    with moto_server() as endpoint:
        yield endpoint
