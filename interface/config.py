"""The composition root: reads the settings once (`interface.settings`) and wires the services.

Persistence is chosen by the eventsourcing library's own variables, never by code
(`PERSISTENCE_MODULE`, `SQLITE_DBNAME`, `POSTGRES_*`). `CASELEDGER_PROJECTIONS` is `inline`
(the default: each read catches its views up first) or `worker` (`caseledger projections
run` keeps them up; reads wait for the position their caller asks for): see
`application.freshness`. A streaming replica (`POSTGRES_REPLICA_HOST`) is where the worker
reads the event log from; the views and their positions are still written to the primary
(`projection_source`). Every setting and its default is in `interface.settings`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from application import reminders
from application.access_log import AccessLog
from application.case_screen import CaseScreen
from application.caseload import Caseload
from application.clock import Clock, system_clock
from application.evidence_packs import EvidencePacks
from application.files.blobs import BlobStore, DirectoryBlobStore, Staging
from application.files.s3_blobs import S3BlobStore
from application.files.service import EvidenceFiles
from application.freshness import ViewFreshness
from application.integrity.log import IntegrityLog, open_integrity_log
from application.ledger import CaseLedger
from application.people_known import PeopleKnown
from application.sharing_answers import SharingAnswers
from application.sign_in.service import SignIn
from application.sign_in.sessions import StaffSessions
from application.sign_in_throttle import SignInThrottle
from application.staff_directory import StaffDirectory
from application.subject_rights import SubjectRights
from application.tsm_statistics import Statistics
from application.vault.config import open_key_store
from application.vault.keystore import KeyStore
from interface.keys import (
    KeyUse,
    configured_master_key,
    settle_master_key,
    settle_signing_key,
)
from interface.settings import Settings
from processes.reminders import RemindersProcess
from projections.access_log_view import AccessLogView
from projections.case_states import CaseStates
from projections.case_summaries import CaseSummaries
from projections.reminders_view import RemindersView
from projections.runner import NotificationSource, ProjectionRunner
from projections.sharing_view import SharingView
from projections.staff_view import StaffView
from projections.statistics_view import StatisticsView
from projections.store import PostgresViewStore, SQLiteViewStore, ViewStore
from projections.subject_index import SubjectIndex
from projections.timers import Timers


def open_keys(settings: Settings, use: KeyUse = KeyUse.REQUIRE) -> KeyStore:
    """The store of every person's key, in the events' database, under the master key
    (checked against the stored keys, made only for `KeyUse.CREATE`: `interface.keys`)."""
    postgres = settings.postgres.conninfo() if settings.postgres else None
    master_key = configured_master_key(settings.keys)
    store = open_key_store(settings.library_env, master_key, postgres)
    settled = settle_master_key(settings.keys, master_key, store, use)
    if settled is master_key:
        return store
    store.close()  # a key was made for this empty store: open it under that key
    return open_key_store(settings.library_env, settled, postgres)


def open_view_store(settings: Settings) -> ViewStore:
    if settings.postgres is not None:
        return PostgresViewStore(settings.postgres.conninfo())
    assert settings.sqlite_path is not None
    return SQLiteViewStore(settings.sqlite_path)


def open_files(settings: Settings, ledger: CaseLedger) -> EvidenceFiles:
    """The evidence files' blob store (a directory, or an S3 bucket) and their size limit;
    uploads are staged, sealed, under the directory either way."""
    files = settings.files
    store: BlobStore = (
        S3BlobStore(files.s3_bucket, prefix=files.s3_prefix, endpoint_url=files.s3_endpoint)
        if files.s3_bucket
        else DirectoryBlobStore(files.directory)
    )
    return EvidenceFiles(ledger, store, Staging(files.directory / "staging"), files.max_bytes)


def projection_source(ledger: CaseLedger, replica: PostgresDatastore | None) -> NotificationSource:
    """Where the views read the event log: the ledger's recorder, or the same table on the
    replica. Notification ids there are a prefix of the primary's (the library commits them in
    id order under a table lock, and a replica replays commits in order), so the worker
    never passes over an event the replica has yet to receive: it reaches it later."""
    primary = ledger.recorder
    if replica is None:
        return primary
    assert isinstance(primary, PostgresApplicationRecorder)  # Settings checked that
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
    files: EvidenceFiles
    reminders: reminders.Reminders
    sign_in: SignInThrottle
    screen_sign_in: SignIn
    replica: PostgresDatastore | None = None
    trusted_proxies: int = 0  # reverse proxies whose X-Forwarded-For the API believes

    def close(self) -> None:
        self.integrity.close()
        if self.replica is not None:
            self.replica.close()
        self.runner.store.close()
        self.ledger.key_store.close()
        self.ledger.close()


@contextmanager
def one_setup_at_a_time(settings: Settings) -> Iterator[None]:
    """Processes starting at once on one PostgreSQL schema create its tables in turn.

    Two transactions running `CREATE TABLE IF NOT EXISTS` (or an index) of one name at once
    fail in PostgreSQL ("tuple concurrently updated", a duplicate type): the second does not
    wait to find the table there. A session advisory lock named after the schema makes each
    process's set-up wait for the one before; SQLite's file lock already serialises it."""
    if settings.postgres is None:
        yield
        return
    schema = settings.postgres.schema or "public"
    with psycopg.connect(settings.postgres.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (f"caseledger set-up {schema}",))
        yield  # the lock ends with the session


def build_services(
    environ: Mapping[str, str] | None = None,
    clock: Clock = system_clock,
    keys: KeyUse = KeyUse.REQUIRE,
) -> Services:
    """Every service, over the settings in `environ` (default: the process's). `keys` says
    whether the keys must be there (the default), may be made (the demo, `keys init`), or
    may be missing (commands that read no personal data and sign nothing)."""
    settings = Settings.read(environ)
    env = settings.library_env
    replica = settings.replica.datastore() if settings.replica else None
    levels = settings.service_levels
    with one_setup_at_a_time(settings):
        key_store = open_keys(settings, keys)
        ledger = CaseLedger(env, key_store=key_store, clock=clock)
        reminders_process = RemindersProcess()
        runner = ProjectionRunner(
            open_view_store(settings),
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
                StaffView(),
                RemindersView(),
            ],
            batch_size=settings.projection_batch,
            processes=[reminders_process],
        )
        runner.setup()
        sessions = StaffSessions(runner.store, clock)
        sessions.setup()
        integrity = open_integrity_log(env, ledger.recorder)
        sign_in = SignInThrottle(runner.store, clock)
        sign_in.setup()
    views = ViewFreshness(runner, settings.projections, settings.view_wait_s)
    settle_signing_key(settings.keys, integrity, keys)
    cases = CaseScreen(views, key_store, integrity.recorder.last_position_of)
    files = open_files(settings, ledger)
    ledger.reason_to_know = PeopleKnown(views).reason_to_know
    staff = StaffDirectory(ledger, clock)
    screen_sign_in = SignIn(
        staff,
        sessions,
        key_store,
        clock,
        sign_in,
        second_factor_required=settings.second_factor_required,
    )
    return Services(
        ledger=ledger,
        staff=staff,
        runner=runner,
        views=views,
        cases=cases,
        caseload=Caseload(views, levels, clock),
        sharing=SharingAnswers(cases, views, clock),
        subject_rights=SubjectRights(ledger, views, levels, clock, files),
        access_log=AccessLog(ledger, views, clock),
        integrity=integrity,
        evidence_packs=EvidencePacks(ledger, integrity, levels, files, views),
        statistics=Statistics(views, levels, clock, settings.homes_owned),
        files=files,
        reminders=reminders.Reminders(ledger, views, reminders_process, settings.reminders, clock),
        sign_in=sign_in,
        screen_sign_in=screen_sign_in,
        replica=replica,
        trusted_proxies=settings.trusted_proxies,
    )
