"""The real `caseledger serve` process under test, driven over HTTP from many threads.

`Server` starts the console script on a free port with a test's engine environment
(tests/conftest.py's `engine_env`), can SIGKILL it, and keeps its stdout and stderr in one
log file. `ViewWorker` does the same for `caseledger projections run`; both are a `Child`.
`soak()` says whether the long mode (`CASELEDGER_SOAK=1`) is on.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.personal import Personal
from interface.config import Services, build_services
from tests.conftest import ADMIN, STAFF

CASELEDGER = str(Path(sys.executable).with_name("caseledger"))


def soak() -> bool:
    """The long mode: many more cycles, clients and examples (`CASELEDGER_SOAK=1`)."""
    return os.environ.get("CASELEDGER_SOAK") == "1"


def cycles(ci: int, long: int) -> int:
    return long if soak() else ci


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `predicate` until it holds, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def process_env(engine_env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment with the engine's variables instead of any of ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGRES_", "SQLITE_", "CASELEDGER_")) and k != "PERSISTENCE_MODULE"
    }
    return env | dict(engine_env)


def cli(engine_env: Mapping[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASELEDGER, *args],
        cwd=cwd,
        env=process_env(engine_env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def issue_tokens(engine_env: Mapping[str, str], *who: str) -> dict[str, str]:
    """Create the named staff accounts of tests/conftest.py's STAFF; their tokens by key."""
    services: Services = build_services(engine_env)
    try:
        tokens = {}
        for key in who:
            username, role, team = STAFF[key]
            _, tokens[key] = services.staff.add(
                username=username, role=role, team=team, actor=ADMIN
            )
        return tokens
    finally:
        services.close()


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: Any


class Child:
    """One `caseledger` process at a time, with a test's engine environment, logging to one
    file (stdout and stderr, appended across restarts)."""

    def __init__(
        self, engine_env: Mapping[str, str], workdir: Path, log_name: str, **extra_env: str
    ) -> None:
        self.env = process_env(engine_env) | extra_env
        self.workdir = workdir
        self.log_path = workdir / log_name
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self, *args: str) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [CASELEDGER, *args],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: the server and its workers
            )

    def kill(self) -> None:
        """SIGKILL to every process of it (a server's workers too): no shutdown code runs,
        as in a power cut of the machine."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> int | None:
        """SIGTERM, and wait: the exit status (None if nothing was running)."""
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout=30)
        self.process = None
        return status

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Server(Child):
    """One `caseledger serve` process at a time, on one port, logging to one file."""

    def __init__(self, engine_env: Mapping[str, str], workdir: Path, threads: int = 8) -> None:
        super().__init__(engine_env, workdir, "server.log")
        self.threads = threads
        self.port = _free_port()

    def start(self) -> None:
        self.spawn("serve", "--port", str(self.port), "--threads", str(self.threads))
        wait_for(self._healthy, 60, "the server to answer /health")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited: {self.log_path.read_text()[-2000:]}")
        try:
            return self.call("GET", "/api/v1/health").status == 200
        except OSError:
            return False

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10,
    ) -> Reply:
        """One request on a new connection; raises OSError if the connection dies."""
        sent = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            raw = response.read()
        except http.client.HTTPException as e:  # a reply cut short is a dead connection
            raise ConnectionError(str(e)) from e
        finally:
            conn.close()
        parsed = (
            json.loads(raw) if raw and "json" in (response.getheader("Content-Type") or "") else raw
        )
        return Reply(response.status, response.headers, parsed)


class ViewWorker(Child):
    """`caseledger projections run`: the views kept up to date by a process of their own.

    `batch` sets `CASELEDGER_PROJECTION_BATCH`, the notifications applied per transaction.
    """

    def __init__(
        self,
        engine_env: Mapping[str, str],
        workdir: Path,
        poll_interval: float = 0.01,
        batch: int | None = None,
    ) -> None:
        extra = {"CASELEDGER_PROJECTION_BATCH": str(batch)} if batch else {}
        super().__init__(engine_env, workdir, "worker.log", **extra)
        self.poll_interval = poll_interval

    def start(self) -> None:
        self.spawn("projections", "run", "--poll-interval", str(self.poll_interval))

    def exited(self) -> bool:
        """Whether the process ended by itself (a crash, not a kill or stop of ours)."""
        return self.process is not None and self.process.poll() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def report_body(marker: str) -> dict[str, Any]:
    """A report whose description carries `marker`, to find it in the log afterwards."""
    return {
        "channel": "phone",
        "reporter_role": "victim",
        "description": f"Abuse in the stairwell [{marker}]",
        "strands": ["race"],
        "forms": ["verbal_abuse"],
        "victim": {"name": "Test Person"},
    }


def contact_body(marker: str) -> dict[str, Any]:
    """A contact whose summary carries `marker`."""
    return {"method": "phone", "direction": "outbound", "summary": f"Called [{marker}]"}


MARKER = re.compile(r"\[(m-[0-9a-f]{12})\]")


@dataclass(frozen=True)
class Stored:
    """One stored event as the checks need it."""

    position: int
    case_id: str
    version: int
    markers: tuple[str, ...]


def stored_events(services: Services) -> list[Stored]:
    """Every stored event in notification order, with the markers its text carries."""
    recorder = services.ledger.recorder
    found: list[Stored] = []
    position = 0
    while batch := recorder.select_notifications(
        start=position, limit=500, inclusive_of_start=False
    ):
        for notification in batch:
            event = services.ledger.mapper.to_domain_event(notification)
            text = " ".join(
                str(v.value if isinstance(v, Personal) else v) for v in vars(event).values()
            )
            found.append(
                Stored(
                    notification.id,
                    str(notification.originator_id),
                    notification.originator_version,
                    tuple(MARKER.findall(text)),
                )
            )
        position = batch[-1].id
    return found


def assert_clean_histories(events: list[Stored]) -> dict[str, int]:
    """Each aggregate's versions are 1..n in notification order; returns n per aggregate."""
    versions: dict[str, list[int]] = {}
    for e in events:
        versions.setdefault(e.case_id, []).append(e.version)
    for aggregate, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), f"{aggregate} has versions {seen}"
    return {aggregate: len(seen) for aggregate, seen in versions.items()}


def view_snapshot(services: Services) -> dict[str, list[str]]:
    """Every row of every projection table, as sorted text, for comparing two states."""
    snapshot: dict[str, list[str]] = {}
    with services.runner.store.reading() as c:
        if services.ledger.env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
            c.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        else:
            c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = sorted(row[0] for row in c.fetchall() if row[0].startswith("view_"))
        for table in tables:
            c.execute(f"SELECT * FROM {table}")
            snapshot[table] = sorted(repr(tuple(row)) for row in c.fetchall())
    return snapshot
