"""The composition root: reads configuration from the environment and wires the services.

Persistence is chosen by the eventsourcing library's own variables, never by code:
`PERSISTENCE_MODULE` (default `eventsourcing.sqlite`), `SQLITE_DBNAME` (default
`caseledger.db` in the working directory), or `eventsourcing.postgres` with `POSTGRES_*`.

`CASELEDGER_PROJECTIONS` is `inline` (the default: each read catches its views up first) or
`worker` (`caseledger projections run` keeps them up; reads wait up to
`CASELEDGER_VIEW_WAIT_S`, default 5, for the position their caller asks for): see
`application.freshness`.

`CASELEDGER_PROJECTION_BATCH` (default 500) is how many notifications the projection runner
reads, applies to the views and commits with their tracking positions in one transaction.

`POSTGRES_REPLICA_HOST` (and `POSTGRES_REPLICA_PORT`, default `POSTGRES_PORT`) names a streaming
replica of the PostgreSQL primary for the views to read the event log from, in `worker` mode
only; the views and their positions are still written to the primary. See `projection_source`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.conninfo import make_conninfo

from application.access_log import AccessLog
from application.case_screen import CaseScreen
from application.caseload import Caseload
from application.clock import Clock, system_clock
from application.evidence_packs import EvidencePacks
from application.freshness import WORKER, ViewFreshness
from application.integrity.log import IntegrityLog, open_integrity_log
from application.integrity.recorders import RECORDER_TOPICS
from application.ledger import CaseLedger
from application.sharing_answers import SharingAnswers
from application.staff_directory import StaffDirectory
from application.subject_rights import SubjectRights
from application.tsm_statistics import Statistics
from application.vault.config import open_key_store
from domain.calendar import WorkingCalendar
from domain.service_levels import ServiceLevels
from projections.access_log_view import AccessLogView
from projections.case_states import CaseStates
from projections.case_summaries import CaseSummaries
from projections.runner import NotificationSource, ProjectionRunner
from projections.sharing_view import SharingView
from projections.statistics_view import StatisticsView
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.subject_index import SubjectIndex
from projections.timers import Timers

DEFAULTS = {
    "PERSISTENCE_MODULE": "eventsourcing.sqlite",
    "SQLITE_DBNAME": "caseledger.db",
    "SQLITE_LOCK_TIMEOUT": "30",
    "CASELEDGER_BANK_HOLIDAYS": "GB-ENG",
    "CASELEDGER_CLOSE_OF_BUSINESS": "17:00",
    "CASELEDGER_TIMEZONE": "Europe/London",
    # Homes owned, the denominator of the regulator's NM01 measure (per 1,000 homes).
    "CASELEDGER_HOMES_OWNED": "10000",
    "CASELEDGER_PROJECTIONS": "inline",
    "CASELEDGER_VIEW_WAIT_S": "5",
    "CASELEDGER_PROJECTION_BATCH": "500",
}


def settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(DEFAULTS)
    env.update(os.environ if environ is None else environ)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        env["SQLITE_DBNAME"] = os.path.abspath(env["SQLITE_DBNAME"])
    # The recorder that writes each event's integrity leaf in the event's transaction.
    env.setdefault("APPLICATION_RECORDER_TOPIC", RECORDER_TOPICS.get(env["PERSISTENCE_MODULE"], ""))
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


def service_levels(env: Mapping[str, str]) -> ServiceLevels:
    """Working days from the `holidays` package: `CASELEDGER_BANK_HOLIDAYS` is COUNTRY-REGION."""
    country, _, region = env["CASELEDGER_BANK_HOLIDAYS"].partition("-")
    calendar = WorkingCalendar(
        country=country,
        subdivision=region or None,
        zone=ZoneInfo(env["CASELEDGER_TIMEZONE"]),
        closes=time.fromisoformat(env["CASELEDGER_CLOSE_OF_BUSINESS"]),
    )
    return ServiceLevels(calendar=calendar)


def open_view_store(env: Mapping[str, str]) -> ViewStore:
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        return PostgresViewStore(postgres_conninfo(env))
    return SQLiteViewStore(env["SQLITE_DBNAME"])


def replica_datastore(env: Mapping[str, str]) -> PostgresDatastore | None:
    """The streaming replica named by `POSTGRES_REPLICA_HOST`, if any, checked for use.

    Only the view worker may read a replica: a replica lags its primary, so a server catching
    its views up inline from one would answer a read without the caller's own write. With
    `worker` mode the servers never read the log for their views, and a read that must see a
    write waits for the worker's position (`X-Min-Position`) whatever the replica's lag.
    """
    host = env.get("POSTGRES_REPLICA_HOST")
    if not host:
        return None
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        raise ValueError("POSTGRES_REPLICA_HOST needs PERSISTENCE_MODULE=eventsourcing.postgres")
    if env["CASELEDGER_PROJECTIONS"] != WORKER:
        raise ValueError(
            "POSTGRES_REPLICA_HOST needs CASELEDGER_PROJECTIONS=worker: a replica lags its "
            "primary, so views caught up inline from it would miss the reader's own writes"
        )
    port = env.get("POSTGRES_REPLICA_PORT") or env.get("POSTGRES_PORT") or "5432"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"POSTGRES_REPLICA_PORT must be a port number, not {port!r}")
    return PostgresDatastore(
        dbname=env.get("POSTGRES_DBNAME", ""),
        host=host,
        port=port,
        user=env.get("POSTGRES_USER", ""),
        password=env.get("POSTGRES_PASSWORD", ""),
        schema=env.get("POSTGRES_SCHEMA", ""),
        connect_timeout=float(env.get("POSTGRES_CONNECT_TIMEOUT") or 5),
        pre_ping=True,  # a replica restarted or promoted drops its connections
    )


def projection_source(ledger: CaseLedger, replica: PostgresDatastore | None) -> NotificationSource:
    """Where the views read the event log: the ledger's recorder, or the same table on the
    replica. Notification ids there are a prefix of the primary's (the library commits them in
    id order under a table lock, and a replica replays commits in order), so the worker
    never passes over an event the replica has yet to receive: it reaches it later."""
    primary = ledger.recorder
    if replica is None:
        return primary
    assert isinstance(primary, PostgresApplicationRecorder)  # replica_datastore checked that
    return PostgresApplicationRecorder(replica, events_table_name=primary.events_table_name)


@dataclass
class Services:
    ledger: CaseLedger
    staff: StaffDirectory
    runner: ProjectionRunner
    views: ViewFreshness
    cases: CaseScreen
    caseload: Caseload
    sharing: SharingAnswers
    subject_rights: SubjectRights
    access_log: AccessLog
    integrity: IntegrityLog
    evidence_packs: EvidencePacks
    statistics: Statistics
    replica: PostgresDatastore | None = None

    def close(self) -> None:
        self.integrity.close()
        if self.replica is not None:
            self.replica.close()
        self.runner.store.close()
        self.ledger.key_store.close()
        self.ledger.close()


@contextmanager
def one_setup_at_a_time(env: Mapping[str, str]) -> Iterator[None]:
    """Processes starting at once on one PostgreSQL schema create its tables in turn.

    Two transactions running `CREATE TABLE IF NOT EXISTS` (or an index) of one name at once
    fail in PostgreSQL ("tuple concurrently updated", a duplicate type): the second does not
    wait to find the table there. A session advisory lock named after the schema makes each
    process's set-up wait for the one before; SQLite's file lock already serialises it."""
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        yield
        return
    schema = env.get("POSTGRES_SCHEMA") or "public"
    with psycopg.connect(postgres_conninfo(env), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"caseledger set-up {schema}",))
        yield  # the lock ends with the session


def build_services(
    environ: Mapping[str, str] | None = None, clock: Clock = system_clock
) -> Services:
    env = settings(environ)
    replica = replica_datastore(env)
    levels = service_levels(env)
    with one_setup_at_a_time(env):
        key_store = open_key_store(env)
        ledger = CaseLedger(env, key_store=key_store, clock=clock)
        runner = ProjectionRunner(
            open_view_store(env),
            projection_source(ledger, replica),
            ledger.mapper.to_domain_event_unopened,  # views never see plaintext
            [
                CaseSummaries(),
                CaseStates(),
                Timers(levels),
                SharingView(),
                SubjectIndex(),
                AccessLogView(),
                StatisticsView(levels.calendar.zone),
            ],
            batch_size=int(env["CASELEDGER_PROJECTION_BATCH"]),
        )
        runner.setup()
        integrity = open_integrity_log(env, ledger.recorder)
    views = ViewFreshness(
        runner, env["CASELEDGER_PROJECTIONS"], float(env["CASELEDGER_VIEW_WAIT_S"])
    )
    cases = CaseScreen(views, key_store)
    return Services(
        ledger=ledger,
        staff=StaffDirectory(ledger, clock),
        runner=runner,
        views=views,
        cases=cases,
        caseload=Caseload(views, levels, clock),
        sharing=SharingAnswers(cases, views, clock),
        subject_rights=SubjectRights(ledger, views, levels, clock),
        access_log=AccessLog(ledger, views, clock),
        integrity=integrity,
        evidence_packs=EvidencePacks(ledger, integrity, levels),
        statistics=Statistics(views, levels, clock, int(env["CASELEDGER_HOMES_OWNED"])),
        replica=replica,
    )
