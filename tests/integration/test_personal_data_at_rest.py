"""No personal data is readable in the stored events or views, on either engine."""

from __future__ import annotations

from pathlib import Path

import psycopg

from interface.config import Services
from tests.cases import DESCRIPTION, VICTIM_NAME, allocated
from tests.conftest import MANAGER, PG


def _raw_sqlite(path: str) -> bytes:
    return b"".join(p.read_bytes() for p in Path(path).parent.glob("caseledger.db*"))


def test_names_and_descriptions_are_not_in_the_database(
    services: Services, engine_env: dict[str, str]
) -> None:
    allocated(services)
    services.caseload.cases(MANAGER)  # the views are written too
    planted = [VICTIM_NAME.encode(), b"Quorindale", DESCRIPTION.encode()]
    if engine_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        raw = _raw_sqlite(engine_env["SQLITE_DBNAME"])
    else:
        schema = engine_env["POSTGRES_SCHEMA"]
        with psycopg.connect(**PG) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (schema,),
                )
            ]
            raw = b""
            for table in tables:
                for row in conn.execute(f'SELECT * FROM {schema}."{table}"'):
                    raw += repr(row).encode()
    assert raw, "nothing read from storage"
    for secret in planted:
        assert secret not in raw
