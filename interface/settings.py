"""Every setting of a caseledger process, read from the environment once at start and checked.

`Settings.read(environ)` is the one place that reads the environment for the ledger, its
views and its calendar. A value that is missing or out of range is a `ConfigurationError`
naming the variable, before anything is opened; `caseledger` turns it into one line and exit
78 (EX_CONFIG). The composition root (`interface/config.py`) passes the parts down.

| variable | default | meaning |
|---|---|---|
| `PERSISTENCE_MODULE` | `eventsourcing.sqlite` | or `eventsourcing.postgres` |
| `SQLITE_DBNAME` | `caseledger.db` | the SQLite file (made absolute) |
| `POSTGRES_DBNAME`, `_HOST`, `_USER`, `_PASSWORD` | | required on PostgreSQL |
| `POSTGRES_PORT` | `5432` | |
| `POSTGRES_SCHEMA` | | the schema of every table; unset: the server's search path |
| `POSTGRES_CONNECT_TIMEOUT` | `30` (the library's); the replica: `5` | seconds |
| `POSTGRES_REPLICA_HOST`, `_PORT` | -, `POSTGRES_PORT` | a replica for `projections run` |
| `CASELEDGER_PROJECTIONS` | `inline` | `inline` or `worker` (`application.freshness`) |
| `CASELEDGER_VIEW_WAIT_S` | `5` | worker mode: how long a read waits for the views |
| `CASELEDGER_PROJECTION_BATCH` | `500` | events applied to the views per transaction |
| `CASELEDGER_KEY_DIR` | `.` | the one directory of the key files below (`caseledger keys init`) |
| `CASELEDGER_SIGNING_KEY_FILE` | `<key dir>/caseledger-signing.pem` | the checkpoint signing key |
| `CASELEDGER_MASTER_KEY_FILE` | `<key dir>/caseledger.master-key` | the master key, unless: |
| `CASELEDGER_MASTER_KEY` | | base64 of 32 bytes (from a secrets manager) |
| `CASELEDGER_LOG_ORIGIN` | `caseledger.example/log` | the log's name, also the signing key's name |
| `CASELEDGER_CHECKPOINT_EVERY_EVENTS`, `_MINUTES` | `100`, `15` | automatic checkpoints; 0: off |
| `CASELEDGER_WITNESSES` | `caseledger-witness` | witness directories, comma-separated |
| `CASELEDGER_BANK_HOLIDAYS` | `GB-ENG` | COUNTRY-REGION of the `holidays` package |
| `CASELEDGER_CLOSE_OF_BUSINESS` | `17:00` | when a working day ends |
| `CASELEDGER_TIMEZONE` | `Europe/London` | the local time of the working day |
| `CASELEDGER_HOMES_OWNED` | `10000` | the denominator of NM01 |
| `CASELEDGER_FILES_DIR` | `caseledger-files` | evidence files' blobs and staged uploads |
| `CASELEDGER_FILES_MAX_MB` | `25` | the largest evidence file, in megabytes |
| `CASELEDGER_FILES_S3_BUCKET`, `_PREFIX`, `_ENDPOINT` | | keep the blobs in an S3 bucket |
| `CASELEDGER_SMTP_HOST` | | the SMTP server for reminders; unset: none sent |
| `CASELEDGER_SMTP_PORT` | `25` | |
| `CASELEDGER_SMTP_USER`, `_PASSWORD` | | log in with these, if set |
| `CASELEDGER_SMTP_STARTTLS` | `false` | STARTTLS before logging in |
| `CASELEDGER_MAIL_FROM` | `caseledger@localhost` | sender and Message-ID domain |
| `CASELEDGER_SMTP_ATTEMPTS` | `5` | tries before a 4xx is a failure |
| `CASELEDGER_SMTP_BACKOFF_S` | `60` | before the second try, doubled each time |
| `CASELEDGER_DIGEST_AT` | `08:30` | each working day's digest |
| `CASELEDGER_ESCALATION_LADDER` | `manager:1d:1h,head_of_service:3d:3h` | the ladder |
| `CASELEDGER_HOUR_TIMERS` | `first_response,emergency_repair` | climb it in hours |
| `CASELEDGER_HEAD_OF_SERVICE_EMAIL` | | the ladder's last rung |
| `CASELEDGER_CASE_URL` | `http://127.0.0.1:8000/cases/{case_id}` | a case's link |
| `CASELEDGER_REMINDERS_LEASE_S` | `120` | a planner's or sender's hold on its work |
| `CASELEDGER_TRUSTED_PROXIES` | `0` | reverse proxies whose `X-Forwarded-For` is believed |
| `CASELEDGER_WEB_MFA` | `required` | the screens' second factor; `optional`: development, demo |

The eventsourcing library reads its own variables itself; `library_env` is the environment it
is given, with the defaults above and the integrity recorder filled in. The PostgreSQL
connection is described once (`PostgresSettings`) and every pool is opened from it; the keys
once (`KeySettings`), the integrity log's origin, checkpoints and witnesses once
(`IntegritySettings`), which hands the checked values to the integrity log through
`library_env` (the signing key file resolved in the key directory).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import make_conninfo

from application.freshness import MODES, WORKER
from application.integrity.evidence_verifier import NoteError, check_key_name
from application.integrity.log import (
    DEFAULT_EVERY_EVENTS,
    DEFAULT_EVERY_MINUTES,
    DEFAULT_ORIGIN,
    SIGNING_KEY_FILE_NAME,
    CheckpointPolicy,
)
from application.integrity.recorders import RECORDER_TOPICS
from application.reminders.mail import MailSettings
from application.reminders.planning import ReminderSettings
from domain.calendar import WorkingCalendar
from domain.errors import InvalidCommand
from domain.reminder_schedule import Audience, ReminderRules, Rung
from domain.service_levels import ServiceLevels, TimerKind
from domain.staff import email_address

SQLITE, POSTGRES = "eventsourcing.sqlite", "eventsourcing.postgres"
MASTER_KEY_FILE_NAME = "caseledger.master-key"

DEFAULTS = {
    "PERSISTENCE_MODULE": SQLITE,
    "SQLITE_DBNAME": "caseledger.db",
    "SQLITE_LOCK_TIMEOUT": "30",
    "CASELEDGER_BANK_HOLIDAYS": "GB-ENG",
    "CASELEDGER_CLOSE_OF_BUSINESS": "17:00",
    "CASELEDGER_TIMEZONE": "Europe/London",
    "CASELEDGER_HOMES_OWNED": "10000",
    "CASELEDGER_PROJECTIONS": "inline",
    "CASELEDGER_VIEW_WAIT_S": "5",
    "CASELEDGER_PROJECTION_BATCH": "500",
    "CASELEDGER_KEY_DIR": ".",
    "CASELEDGER_LOG_ORIGIN": DEFAULT_ORIGIN,
    "CASELEDGER_CHECKPOINT_EVERY_EVENTS": str(DEFAULT_EVERY_EVENTS),
    "CASELEDGER_CHECKPOINT_EVERY_MINUTES": str(DEFAULT_EVERY_MINUTES),
    "CASELEDGER_WITNESSES": "caseledger-witness",
    "CASELEDGER_FILES_DIR": "caseledger-files",
    "CASELEDGER_FILES_MAX_MB": "25",
    "CASELEDGER_SMTP_PORT": "25",
    "CASELEDGER_SMTP_STARTTLS": "false",
    "CASELEDGER_MAIL_FROM": "caseledger@localhost",
    "CASELEDGER_SMTP_ATTEMPTS": "5",
    "CASELEDGER_SMTP_BACKOFF_S": "60",
    "CASELEDGER_DIGEST_AT": "08:30",
    "CASELEDGER_ESCALATION_LADDER": "manager:1d:1h,head_of_service:3d:3h",
    "CASELEDGER_HOUR_TIMERS": "first_response,emergency_repair",
    "CASELEDGER_CASE_URL": "http://127.0.0.1:8000/cases/{case_id}",
    "CASELEDGER_REMINDERS_LEASE_S": "120",
    "CASELEDGER_TRUSTED_PROXIES": "0",
    "CASELEDGER_WEB_MFA": "required",
}

T = TypeVar("T")


class ConfigurationError(ValueError):
    """A setting is missing or wrong: the message names the variable."""


def _parsed(name: str, value: str, parse: Callable[[str], T], expected: str) -> T:
    try:
        return parse(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigurationError(f"{name} must be {expected}, not {value!r}") from None


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], T], expected: str) -> T:
    return _parsed(name, env[name], parse, expected)


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError(value)
    return port


def _at_least(least: float, parse: Callable[[str], T]) -> Callable[[str], T]:
    def checked(value: str) -> T:
        parsed = parse(value)
        if not parsed >= least:  # type: ignore[operator]
            raise ValueError(value)
        return parsed

    return checked


def _within(least: float, most: float, parse: Callable[[str], float]) -> Callable[[str], float]:
    def checked(value: str) -> float:
        parsed = parse(value)
        if not least <= parsed <= most:
            raise ValueError(value)
        return parsed

    return checked


@dataclass(frozen=True)
class PostgresSettings:
    """One PostgreSQL connection, as every pool of the process opens it."""

    dbname: str
    host: str
    port: int
    user: str
    password: str
    schema: str  # "": the server's search path
    connect_timeout: float

    @classmethod
    def read(cls, env: Mapping[str, str]) -> PostgresSettings:
        missing = [
            name
            for name in ("POSTGRES_DBNAME", "POSTGRES_HOST", "POSTGRES_USER", "POSTGRES_PASSWORD")
            if env.get(name) is None
        ]
        if missing:
            raise ConfigurationError(f"PostgreSQL needs {', '.join(missing)}")
        timeout = env.get("POSTGRES_CONNECT_TIMEOUT") or "30"
        return cls(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=_parsed("POSTGRES_PORT", env.get("POSTGRES_PORT") or "5432", _port, "a port"),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            schema=env.get("POSTGRES_SCHEMA") or "",
            connect_timeout=_parsed(
                "POSTGRES_CONNECT_TIMEOUT", timeout, _at_least(0, float), "a number of seconds"
            ),
        )

    def conninfo(self) -> str:
        """A libpq connection string, its search path set to the schema."""
        return make_conninfo(
            dbname=self.dbname,
            host=self.host,
            port=str(self.port),
            user=self.user,
            password=self.password,
            connect_timeout=str(int(self.connect_timeout)),
            **({"options": f"-c search_path={self.schema}"} if self.schema else {}),
        )

    def datastore(self) -> PostgresDatastore:
        """The library's datastore for the same connection (used for the replica)."""
        return PostgresDatastore(
            dbname=self.dbname,
            host=self.host,
            port=str(self.port),
            user=self.user,
            password=self.password,
            schema=self.schema,
            connect_timeout=self.connect_timeout,
            pre_ping=True,  # a replica restarted or promoted drops its connections
        )


@dataclass(frozen=True)
class FileSettings:
    """Where evidence files are kept (`application.files`) and how large one may be."""

    directory: Path  # the blobs (unless in a bucket) and the staged uploads
    max_bytes: int
    s3_bucket: str  # "": the directory keeps the blobs
    s3_prefix: str
    s3_endpoint: str | None  # None: AWS itself

    @classmethod
    def read(cls, env: Mapping[str, str]) -> FileSettings:
        megabytes = _read(
            env,
            "CASELEDGER_FILES_MAX_MB",
            _within(0.001, 100_000, float),
            "a number of megabytes (at most 100000)",
        )
        return cls(
            directory=Path(env["CASELEDGER_FILES_DIR"]).absolute(),
            max_bytes=int(megabytes * 1_000_000),
            s3_bucket=env.get("CASELEDGER_FILES_S3_BUCKET") or "",
            s3_prefix=env.get("CASELEDGER_FILES_S3_PREFIX") or "",
            s3_endpoint=env.get("CASELEDGER_FILES_S3_ENDPOINT") or None,
        )


@dataclass(frozen=True)
class KeySettings:
    """Where the keys are: one directory (`CASELEDGER_KEY_DIR`), each file placeable on its
    own, and the master key given through the environment instead of its file if need be.
    Nothing here reads or makes a key file: `interface.keys` does, when a process starts."""

    directory: Path
    signing_key_file: Path
    master_key_file: Path
    master_key: str | None  # CASELEDGER_MASTER_KEY (base64, decoded by `interface.keys`)

    @classmethod
    def read(cls, env: Mapping[str, str]) -> KeySettings:
        directory = Path(env["CASELEDGER_KEY_DIR"]).absolute()
        return cls(
            directory=directory,
            signing_key_file=Path(
                env.get("CASELEDGER_SIGNING_KEY_FILE") or directory / SIGNING_KEY_FILE_NAME
            ).absolute(),
            master_key_file=Path(
                env.get("CASELEDGER_MASTER_KEY_FILE") or directory / MASTER_KEY_FILE_NAME
            ).absolute(),
            master_key=env.get("CASELEDGER_MASTER_KEY") or None,
        )


@dataclass(frozen=True)
class IntegritySettings:
    """The Merkle log's name, when it signs checkpoints, and the witnesses it publishes to."""

    origin: str
    policy: CheckpointPolicy
    witnesses: tuple[Path, ...]

    @classmethod
    def read(cls, env: Mapping[str, str]) -> IntegritySettings:
        origin = env["CASELEDGER_LOG_ORIGIN"]
        try:
            check_key_name(origin)
        except NoteError as e:
            raise ConfigurationError(f"CASELEDGER_LOG_ORIGIN: {e}") from None
        witnesses = []
        for item in env["CASELEDGER_WITNESSES"].split(","):
            if "://" in item:
                raise ConfigurationError(
                    f"CASELEDGER_WITNESSES: {item.strip()!r}: only witness directories are "
                    "built (no HTTP witnesses yet); give a directory path"
                )
            if item.strip():
                witnesses.append(Path(item.strip()).absolute())
        return cls(
            origin=origin,
            policy=CheckpointPolicy(
                every_events=_read(
                    env, "CASELEDGER_CHECKPOINT_EVERY_EVENTS", _at_least(0, int), "a whole number"
                ),
                every_minutes=_read(
                    env,
                    "CASELEDGER_CHECKPOINT_EVERY_MINUTES",
                    _at_least(0, float),
                    "a number of minutes",
                ),
            ),
            witnesses=tuple(witnesses),
        )


@dataclass(frozen=True)
class Settings:
    library_env: Mapping[str, str]
    sqlite_path: str | None  # None on PostgreSQL
    postgres: PostgresSettings | None  # None on SQLite
    replica: PostgresSettings | None
    keys: KeySettings
    integrity: IntegritySettings
    projections: str
    view_wait_s: float
    projection_batch: int
    service_levels: ServiceLevels
    homes_owned: int
    files: FileSettings
    reminders: ReminderSettings
    trusted_proxies: int  # how many X-Forwarded-For entries (from the right) to believe
    second_factor_required: bool

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(DEFAULTS)
        env.update(os.environ if environ is None else environ)
        keys = KeySettings.read(env)
        env["CASELEDGER_SIGNING_KEY_FILE"] = str(keys.signing_key_file)  # resolved, for the log
        module = env["PERSISTENCE_MODULE"]
        if module not in (SQLITE, POSTGRES):
            raise ConfigurationError(f"PERSISTENCE_MODULE must be {SQLITE} or {POSTGRES}")
        sqlite_path, postgres = None, None
        if module == SQLITE:
            sqlite_path = env["SQLITE_DBNAME"] = os.path.abspath(env["SQLITE_DBNAME"])
        else:
            postgres = PostgresSettings.read(env)
        # The recorder that writes each event's integrity leaf in the event's transaction.
        env.setdefault("APPLICATION_RECORDER_TOPIC", RECORDER_TOPICS[module])
        mfa = env["CASELEDGER_WEB_MFA"]
        if mfa not in ("required", "optional"):
            raise ConfigurationError("CASELEDGER_WEB_MFA must be required or optional")
        projections = env["CASELEDGER_PROJECTIONS"]
        if projections not in MODES:
            raise ConfigurationError(f"CASELEDGER_PROJECTIONS must be one of {', '.join(MODES)}")
        levels = _service_levels(env)
        return cls(
            library_env=env,
            sqlite_path=sqlite_path,
            postgres=postgres,
            replica=_replica(env, postgres),
            keys=keys,
            integrity=IntegritySettings.read(env),
            projections=projections,
            view_wait_s=_read(
                env, "CASELEDGER_VIEW_WAIT_S", _at_least(0, float), "a number of seconds"
            ),
            projection_batch=_read(
                env,
                "CASELEDGER_PROJECTION_BATCH",
                _at_least(1, int),
                "a whole number: a projection batch holds at least one event",
            ),
            service_levels=levels,
            homes_owned=_read(
                env, "CASELEDGER_HOMES_OWNED", _at_least(1, int), "a number of homes"
            ),
            files=FileSettings.read(env),
            reminders=_reminders(env, levels),
            trusted_proxies=_read(
                env,
                "CASELEDGER_TRUSTED_PROXIES",
                _at_least(0, int),
                "a whole number of reverse proxies (0 when clients connect directly)",
            ),
            second_factor_required=mfa == "required",
        )

    @property
    def on_postgres(self) -> bool:
        return self.postgres is not None


def _replica(env: Mapping[str, str], primary: PostgresSettings | None) -> PostgresSettings | None:
    """The streaming replica named by `POSTGRES_REPLICA_HOST`, if any, checked for use.

    Only the view worker may read a replica: a replica lags its primary, so a server catching
    its views up inline from one would answer a read without the caller's own write. With
    `worker` mode the servers never read the log for their views, and a read that must see a
    write waits for the worker's position (`X-Min-Position`) whatever the replica's lag.
    """
    host = env.get("POSTGRES_REPLICA_HOST")
    if not host:
        return None
    if primary is None:
        raise ConfigurationError(
            "POSTGRES_REPLICA_HOST needs PERSISTENCE_MODULE=eventsourcing.postgres"
        )
    if env["CASELEDGER_PROJECTIONS"] != WORKER:
        raise ConfigurationError(
            "POSTGRES_REPLICA_HOST needs CASELEDGER_PROJECTIONS=worker: a replica lags its "
            "primary, so views caught up inline from it would miss the reader's own writes"
        )
    port = env.get("POSTGRES_REPLICA_PORT") or str(primary.port)
    return replace(
        primary,
        host=host,
        port=_parsed("POSTGRES_REPLICA_PORT", port, _port, "a port number"),
        connect_timeout=float(env.get("POSTGRES_CONNECT_TIMEOUT") or 5),
    )


def _service_levels(env: Mapping[str, str]) -> ServiceLevels:
    """Working days from the `holidays` package: `CASELEDGER_BANK_HOLIDAYS` is COUNTRY-REGION."""
    country, _, region = env["CASELEDGER_BANK_HOLIDAYS"].partition("-")
    zone = _read(env, "CASELEDGER_TIMEZONE", ZoneInfo, "a time zone such as Europe/London")
    closes = _read(env, "CASELEDGER_CLOSE_OF_BUSINESS", time.fromisoformat, "a time such as 17:00")
    try:
        calendar = WorkingCalendar(
            country=country, subdivision=region or None, zone=zone, closes=closes
        )
    except ValueError as e:
        raise ConfigurationError(
            f"CASELEDGER_BANK_HOLIDAYS or CASELEDGER_CLOSE_OF_BUSINESS: {e}"
        ) from None
    return ServiceLevels(calendar=calendar)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(value)


def _ladder(value: str) -> tuple[Rung, ...]:
    """`manager:1d:1h,head_of_service:3d:3h`: to whom, after working days and working hours."""
    rungs = []
    for part in value.split(","):
        to, days, hours = part.strip().split(":")
        if not (days.endswith("d") and hours.endswith("h")):
            raise ValueError(part)
        rungs.append(Rung(Audience(to), int(days[:-1]), int(hours[:-1])))
    if not rungs:
        raise ValueError(value)
    return tuple(rungs)


def _hour_timers(value: str) -> frozenset[TimerKind]:
    return frozenset(TimerKind(v.strip()) for v in value.split(",") if v.strip())


def _case_url(value: str) -> str:
    if "{case_id}" not in value or value.format(case_id="x") == value:
        raise ValueError(value)
    return value


def _mail(env: Mapping[str, str]) -> MailSettings | None:
    host = env.get("CASELEDGER_SMTP_HOST") or ""
    if not host:
        return None
    sender = env["CASELEDGER_MAIL_FROM"]
    local, _, domain = sender.partition("@")
    if not local or not domain or any(c.isspace() or c in "<>," for c in sender):
        raise ConfigurationError(f"CASELEDGER_MAIL_FROM must be an email address, not {sender!r}")
    return MailSettings(
        host=host,
        port=_read(env, "CASELEDGER_SMTP_PORT", _port, "a port"),
        user=env.get("CASELEDGER_SMTP_USER") or "",
        password=env.get("CASELEDGER_SMTP_PASSWORD") or "",
        starttls=_read(env, "CASELEDGER_SMTP_STARTTLS", _flag, "true or false"),
        sender=sender,
    )


def _reminders(env: Mapping[str, str], levels: ServiceLevels) -> ReminderSettings:
    """Reminders and escalation (`application.reminders`): the digest's time, the ladder,
    the SMTP server and the head of service's address."""
    try:
        rules = ReminderRules(
            calendar=levels.calendar,
            digest_at=_read(
                env, "CASELEDGER_DIGEST_AT", time.fromisoformat, "a time such as 08:30"
            ),
            ladder=_read(
                env,
                "CASELEDGER_ESCALATION_LADDER",
                _ladder,
                "rungs such as manager:1d:1h,head_of_service:3d:3h",
            ),
            hour_timers=_read(
                env, "CASELEDGER_HOUR_TIMERS", _hour_timers, "timer kinds such as first_response"
            ),
        )
    except ValueError as e:
        if isinstance(e, ConfigurationError):
            raise
        raise ConfigurationError(f"CASELEDGER_ESCALATION_LADDER: {e}") from None
    head = env.get("CASELEDGER_HEAD_OF_SERVICE_EMAIL") or ""
    if head:
        try:
            email_address(head)
        except InvalidCommand:
            raise ConfigurationError(
                f"CASELEDGER_HEAD_OF_SERVICE_EMAIL must be an email address, not {head!r}"
            ) from None
    return ReminderSettings(
        rules=rules,
        mail=_mail(env),
        head_of_service=head,
        case_url=_read(env, "CASELEDGER_CASE_URL", _case_url, "a URL holding {case_id}"),
        attempts=_read(env, "CASELEDGER_SMTP_ATTEMPTS", _at_least(1, int), "a number of tries"),
        backoff=timedelta(
            seconds=_read(
                env, "CASELEDGER_SMTP_BACKOFF_S", _at_least(0, float), "a number of seconds"
            )
        ),
        lease=timedelta(
            seconds=_read(
                env, "CASELEDGER_REMINDERS_LEASE_S", _at_least(1, float), "a number of seconds"
            )
        ),
    )
