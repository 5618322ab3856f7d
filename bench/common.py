"""What every part of the benchmark shares: a throw-away ledger per engine, the workload's
commands, timing helpers, and the real `caseledger serve` process.

Each engine gets a fresh store: a SQLite file in a temporary directory, or a PostgreSQL
schema of its own in database `test` at 127.0.0.1:5432 (dropped afterwards), with the
library's default durability (SQLite WAL, PostgreSQL `synchronous_commit` on).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from application.actors import Actor
from application.commands.people import PersonDetails
from application.commands.reporting import ReportCase
from application.commands.victim_care import RecordContact
from application.ledger import CaseLedger
from domain.hate_case import HateCase
from domain.vocabulary import (
    Channel,
    ContactDirection,
    ContactMethod,
    Form,
    ReporterRole,
    StaffRole,
    Strand,
)
from interface.config import Services, build_services
from interface.settings import Settings

ENGINES = ("sqlite", "postgres")
PG_HOST, PG_PORT, PG_USER, PG_DB = "127.0.0.1", "5432", "postgres", "test"
PG_ADMIN = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_DB}"
MASTER_KEY = base64.b64encode(b"b" * 32).decode()
CASELEDGER = str(Path(sys.executable).with_name("caseledger"))
ROOT = Path(__file__).resolve().parent.parent  # for `python -m bench.peak_rss` elsewhere

HUB = Actor("bench.hub", StaffRole.HUB, "customer-hub")
MANAGER = Actor("bench.manager", StaffRole.MANAGER, "north")
DPO = Actor("bench.dpo", StaffRole.DPO, "governance")
ADMIN = Actor("bench.admin", StaffRole.ADMIN, "it")


@dataclass
class Store:
    """A fresh ledger store: its engine, its environment and its directory."""

    engine: str
    env: dict[str, str]
    directory: Path

    def services(self) -> Services:
        return build_services(self.env)

    def process_env(self) -> dict[str, str]:
        """The environment for a `caseledger` subprocess on this store."""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("POSTGRES_", "SQLITE_", "CASELEDGER_", "PERSISTENCE_"))
        }
        return inherited | self.env


@contextmanager
def fresh_store(engine: str) -> Iterator[Store]:
    with tempfile.TemporaryDirectory(prefix=f"caseledger-bench-{engine}-") as directory:
        env = {
            "CASELEDGER_MASTER_KEY": MASTER_KEY,
            "CASELEDGER_SIGNING_KEY_FILE": os.path.join(directory, "signing.pem"),
        }
        if engine == "sqlite":
            env |= {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": os.path.join(directory, "caseledger.db"),
            }
            yield Store(engine, env, Path(directory))
            return
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env |= {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": PG_DB,
            "POSTGRES_HOST": PG_HOST,
            "POSTGRES_PORT": PG_PORT,
            "POSTGRES_USER": PG_USER,
            "POSTGRES_PASSWORD": "",
            "POSTGRES_SCHEMA": schema,
        }
        try:
            yield Store(engine, env, Path(directory))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def pg_conninfo(store: Store) -> str:
    postgres = Settings.read(store.env).postgres
    assert postgres is not None, "a PostgreSQL store"
    return postgres.conninfo()


# --- the workload ----------------------------------------------------------------------


def report(ledger: CaseLedger, n: int) -> HateCase:
    """One report as the hub takes it by phone: a victim (one data subject) and a case."""
    return ledger.report(
        ReportCase(
            channel=Channel.PHONE,
            reporter_role=ReporterRole.VICTIM,
            description=f"Bench report {n}: abuse shouted in the stairwell again this evening.",
            strands=(Strand.RACE,),
            forms=(Form.VERBAL_ABUSE,),
            location="Stairwell, Elm Court",
            victim=PersonDetails(
                name=f"Resident {n}", phone="07700 900123", address="Flat 3, Elm Court"
            ),
        ),
        actor=HUB,
    )


def update(ledger: CaseLedger, case: HateCase) -> HateCase:
    """One case update: the hub logs a phone call with the victim."""
    command = RecordContact(
        method=ContactMethod.PHONE,
        direction=ContactDirection.OUTBOUND,
        summary="Called the victim; no further incidents since the last call.",
    )
    return ledger.execute(case.id, command, actor=HUB, seen_version=case.version).case


CONTACT_BODY = json.dumps(
    {"method": "phone", "direction": "outbound", "summary": "Called the victim back."}
).encode()


def add_staff(services: Services) -> dict[str, str]:
    """The bench's accounts (real scrypt cost); username -> token."""
    tokens = {}
    for actor in (HUB, MANAGER, DPO):
        _, token = services.staff.add(
            username=actor.username, role=actor.role.value, team=actor.team, actor=ADMIN
        )
        tokens[actor.username] = token
    return tokens


# --- timing ------------------------------------------------------------------------------


def percentile(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of samples in seconds."""
    return {f"p{p}_ms": round(percentile(samples, p) * 1000, 2) for p in (50, 95, 99)}


def median_ms(samples: Sequence[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def run_measured(args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Run a subprocess; its wall time (s), its own peak RSS (KiB, see `bench.peak_rss`) and
    its stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as peak:
        launcher = [sys.executable, "-m", "bench.peak_rss", peak.name, *args]
        started = time.perf_counter()
        done = subprocess.run(
            launcher,
            env=env | {"PYTHONPATH": str(ROOT)},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {done.returncode}: {done.stdout}")
        return elapsed, int(peak.read()), done.stdout


# --- the real server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`caseledger serve` on a free port of 127.0.0.1, in the store's directory, with its
    default number of workers unless told (or, with `command`, another server taking `--port`
    and `--threads`: `bench.ceiling`)."""

    def __init__(
        self,
        store: Store,
        threads: int = 8,
        command: Sequence[str] = (CASELEDGER, "serve"),
        workers: int | None = None,
    ) -> None:
        self.port = free_port()
        self._log = (store.directory / "server.log").open("ab")
        chosen = [] if workers is None else ["--workers", str(workers)]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), "--threads", str(threads), *chosen],
            cwd=store.directory,
            env=store.process_env() | {"PYTHONPATH": str(ROOT)},
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = Client(self.port, "").call("GET", "/api/v1/health")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("caseledger serve did not start")

    def peak_rss_kib(self) -> int:
        """The server's peak resident set (VmHWM) so far: of its largest process (the one,
        or the largest of its workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [self.process.pid, *map(int, children.read_text().split())]
        return max(_peak_kib(pid) for pid in pids)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        self._log.close()


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


class Client:
    """One keep-alive HTTP/1.1 connection with one bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._token = token

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPResponse, Any]:
        sent = {"Authorization": f"Bearer {self._token}"} | (headers or {})
        if body is not None:
            sent["Content-Type"] = "application/json"
        self._conn.request(method, path, body=body, headers=sent)
        response = self._conn.getresponse()
        data = response.read()
        return response.status, response, json.loads(data) if data else None

    def close(self) -> None:
        self._conn.close()


def case_ids(port: int, token: str, limit: int) -> list[UUID]:
    client = Client(port, token)
    try:
        status, _, page = client.call("GET", f"/api/v1/cases?limit={limit}")
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"GET /api/v1/cases: {status}")
    return [UUID(item["case_id"]) for item in page["items"]]
