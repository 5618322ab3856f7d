"""The composition root: reads configuration from the environment and wires the services.

Persistence is chosen by the eventsourcing library's own variables, never by code:
`PERSISTENCE_MODULE` (default `eventsourcing.sqlite`), `SQLITE_DBNAME` (default
`caseledger.db` in the working directory), or `eventsourcing.postgres` with `POSTGRES_*`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from psycopg.conninfo import make_conninfo

from application.caseload import Caseload
from application.clock import Clock, system_clock
from application.ledger import CaseLedger
from application.staff_directory import StaffDirectory
from application.vault.config import open_key_store
from projections.case_summaries import CaseSummaries
from projections.runner import ProjectionRunner
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore

DEFAULTS = {
    "PERSISTENCE_MODULE": "eventsourcing.sqlite",
    "SQLITE_DBNAME": "caseledger.db",
    "SQLITE_LOCK_TIMEOUT": "30",
}


def settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(DEFAULTS)
    env.update(os.environ if environ is None else environ)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        env["SQLITE_DBNAME"] = os.path.abspath(env["SQLITE_DBNAME"])
    return env


def postgres_conninfo(env: Mapping[str, str]) -> str:
    schema = env.get("POSTGRES_SCHEMA")
    return make_conninfo(
        dbname=env.get("POSTGRES_DBNAME"),
        host=env.get("POSTGRES_HOST") or "127.0.0.1",
        port=env.get("POSTGRES_PORT") or "5432",
        user=env.get("POSTGRES_USER"),
        password=env.get("POSTGRES_PASSWORD"),
        **({"options": f"-c search_path={schema}"} if schema else {}),
    )


def open_view_store(env: Mapping[str, str]) -> ViewStore:
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        return PostgresViewStore(postgres_conninfo(env))
    return SQLiteViewStore(env["SQLITE_DBNAME"])


@dataclass
class Services:
    ledger: CaseLedger
    staff: StaffDirectory
    runner: ProjectionRunner
    caseload: Caseload

    def close(self) -> None:
        self.runner.store.close()
        self.ledger.key_store.close()
        self.ledger.close()


def build_services(
    environ: Mapping[str, str] | None = None, clock: Clock = system_clock
) -> Services:
    env = settings(environ)
    key_store = open_key_store(env)
    ledger = CaseLedger(env, key_store=key_store, clock=clock)
    runner = ProjectionRunner(
        open_view_store(env), ledger.recorder, ledger.mapper.to_domain_event, [CaseSummaries()]
    )
    runner.setup()
    return Services(
        ledger=ledger,
        staff=StaffDirectory(ledger, clock),
        runner=runner,
        caseload=Caseload(runner),
    )
