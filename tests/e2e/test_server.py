"""End to end: the real `caseledger` console script and `caseledger serve` process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_MASTER_KEY

pytestmark = pytest.mark.e2e

CASELEDGER = str(Path(sys.executable).with_name("caseledger"))
REPORT = {
    "channel": "phone",
    "reporter_role": "victim",
    "description": "Abuse in the stairwell",
    "strands": ["race"],
    "forms": ["verbal_abuse"],
    "victim": {"name": "Test Person"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "SQLITE_"))}
    env.pop("PERSISTENCE_MODULE", None)
    env["CASELEDGER_MASTER_KEY"] = TEST_MASTER_KEY
    return env | extra


def _cli(workdir: Path, *args: str) -> str:
    done = subprocess.run(
        [CASELEDGER, *args], cwd=workdir, env=_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Server:
    def __init__(self, workdir: Path, *args: str, **env: str) -> None:
        self.workdir = workdir
        self.args = args  # more arguments for `caseledger serve`
        self.env = _env(**env)
        self.port = _free_port()
        self.log = (workdir / "server.log").open("ab")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [CASELEDGER, "serve", "--port", str(self.port), *self.args],
            cwd=self.workdir,
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60  # a worker per core, each opening the ledger
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/api/v1/health")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Message, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read() or b"null")


@pytest.fixture
def server(workdir: Path) -> Iterator[Server]:
    running = Server(workdir)
    yield running
    running.stop()


def test_report_allocate_assess_close_and_survive_a_restart(workdir: Path, server: Server) -> None:
    hub = _cli(workdir, "staff", "add", "hub.one", "--role", "hub").splitlines()[-1]
    officer = _cli(workdir, "staff", "add", "k.officer", "--role", "officer", "--team", "north")
    officer = officer.splitlines()[-1]
    manager = _cli(workdir, "staff", "add", "t.manager", "--role", "manager", "--team", "north")
    manager = manager.splitlines()[-1]
    server.start()

    status, headers, case = server.call("POST", "/api/v1/cases", REPORT, hub)
    assert status == 201 and headers["ETag"] == '"1"'
    path = f"/api/v1/cases/{case['case_id']}"

    def command(noun: str, body: dict[str, Any], token: str, version: int) -> dict[str, Any]:
        status, _, result = server.call(
            "POST", f"{path}/{noun}", body, token, {"If-Match": f'"{version}"'}
        )
        assert status == 201, result
        return dict(result)

    case = command("triage", {}, hub, 1)
    case = command("allocation", {"officer": "k.officer", "team": "north"}, hub, case["version"])
    answers = {
        k: 0
        for k in (
            "fear_for_safety",
            "violence_or_threats",
            "repeat_victimisation",
            "escalation",
            "targets_home",
            "perpetrator_nearby",
            "vulnerability",
            "children_affected",
            "isolation",
            "health_impact",
        )
    }
    case = command("risk-assessments", {"answers": answers}, officer, case["version"])
    status, _, refused = server.call(
        "POST",
        f"{path}/closure",
        {"grounds": ["all_action_taken"], "reasons": "done"},
        manager,
        {"If-Match": f'"{case["version"]}"'},
    )
    assert status == 409 and refused["policy_clause"] == "10.1"
    case = command(
        "closure-proposals",
        {"grounds": ["resolved_to_satisfaction"], "reasons": "No more incidents"},
        officer,
        case["version"],
    )
    case = command(
        "closure-discussions",
        {"method": "phone", "victim_agrees": True, "victim_view": "Content"},
        officer,
        case["version"],
    )
    case = command("case-review-right-notices", {"method": "phone"}, officer, case["version"])
    case = command(
        "closure",
        {"grounds": ["resolved_to_satisfaction"], "reasons": "Resolved"},
        manager,
        case["version"],
    )
    assert case["status"] == "closed"

    server.stop()
    server.start()
    status, headers, again = server.call("GET", path, token=manager)
    assert status == 200 and again["status"] == "closed" and headers["ETag"] == '"8"'
    status, _, listing = server.call("GET", "/api/v1/cases?status=closed", token=manager)
    assert listing["total"] == 1
    log = (workdir / "server.log").read_text()
    assert "Test Person" not in log and "Abuse in the stairwell" not in log


def test_demo_loads_and_serves(workdir: Path, server: Server) -> None:
    out = _cli(workdir, "demo", "--if-empty")
    assert "demo loaded" in out
    tokens = dict(
        line.split() for line in (workdir / "caseledger-demo-tokens.txt").read_text().splitlines()
    )
    assert oct((workdir / "caseledger-demo-tokens.txt").stat().st_mode & 0o777) == "0o600"
    assert "already holds events" in _cli(workdir, "demo", "--if-empty")
    server.start()
    status, _, listing = server.call("GET", "/api/v1/cases", token=tokens["t.manager"])
    assert status == 200 and listing["total"] == 5  # their team's four and the unallocated one
    status, _, listing = server.call("GET", "/api/v1/cases", token=tokens["hub.adviser"])
    assert listing["total"] == 1
    status, _, _ = server.call("GET", "/api/v1/cases", token=tokens["i.auditor"])
    assert status == 403
    projections = _cli(workdir, "projections", "status")
    assert "lag 0" in projections


def test_views_kept_by_their_own_process_and_reads_that_wait_for_their_writes(
    workdir: Path,
) -> None:
    hub = _cli(workdir, "staff", "add", "hub.one", "--role", "hub").splitlines()[-1]
    server = Server(workdir, CASELEDGER_PROJECTIONS="worker", CASELEDGER_VIEW_WAIT_S="1")

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [CASELEDGER, "projections", "run", "--poll-interval", "0.05"],
            cwd=workdir,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "worker.log").open("ab"),
        )

    def report() -> tuple[str, dict[str, str]]:
        status, headers, case = server.call("POST", "/api/v1/cases", REPORT, hub)
        assert status == 201
        return f"/api/v1/cases/{case['case_id']}", {"X-Min-Position": headers["X-Ledger-Position"]}

    def shown_once_caught_up(path: str, written: dict[str, str]) -> None:
        """A worker that is starting (a new Python process, slow on a busy machine) answers
        503 until it has caught up; then the write is shown."""
        deadline = time.monotonic() + 30
        while (status := server.call("GET", path, None, hub, written)[0]) == 503:
            assert time.monotonic() < deadline, "the worker never caught up"
            time.sleep(1)  # as Retry-After says
        assert status == 200

    worker = start_worker()
    server.start()
    try:
        shown_once_caught_up(*report())
        # the worker is running: a read waits (at most CASELEDGER_VIEW_WAIT_S) for its write
        path, written = report()
        status, headers, shown = server.call("GET", path, None, hub, written)
        assert status == 200 and shown["description"] == "Abuse in the stairwell"
        assert int(headers["X-Projection-Position"]) >= int(written["X-Min-Position"])

        worker.kill()  # no process keeps the views now: a read of a newer write must say so
        worker.wait(timeout=10)
        path, written = report()
        status, headers, problem = server.call("GET", path, None, hub, written)
        assert status == 503 and headers["Retry-After"] == "1", problem

        worker = start_worker()  # a restarted worker carries on from its tracked positions
        shown_once_caught_up(path, written)
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=10)
    assert "Test Person" not in (workdir / "worker.log").read_text()


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("CASELEDGER_PROJECTION_BATCH", "0", "a projection batch holds at least one event"),
        ("CASELEDGER_PROJECTIONS", "sometimes", "CASELEDGER_PROJECTIONS must be one of"),
        ("CASELEDGER_VIEW_WAIT_S", "-1", "CASELEDGER_VIEW_WAIT_S must be a number of seconds"),
        ("POSTGRES_REPLICA_HOST", "127.0.0.1", "POSTGRES_REPLICA_HOST needs PERSISTENCE_MODULE"),
    ],
)
def test_a_setting_out_of_range_is_named_without_a_traceback(
    workdir: Path, setting: str, value: str, said: str
) -> None:
    done = subprocess.run(
        [CASELEDGER, "projections", "status"],
        cwd=workdir,
        env=_env(**{setting: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 78
    assert said in done.stderr and "Traceback" not in done.stderr


def test_a_file_of_several_megabytes_goes_up_and_comes_back_through_the_server(
    workdir: Path, server: Server
) -> None:
    """Through waitress, not the test client: the body arrives in pieces as it would from a
    browser (a decoder limit once refused any file over 64 KiB here, and only here)."""
    hub = _cli(workdir, "staff", "add", "hub.one", "--role", "hub").splitlines()[-1]
    server.start()
    _, _, case = server.call("POST", "/api/v1/cases", REPORT, hub)
    recording = b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomisom" + os.urandom(3_000_000)
    boundary = "caseledger-e2e"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nrecording\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + recording
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/api/v1/cases/{case['case_id']}/files"
    upload = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", data=body)
    upload.add_header("Authorization", f"Bearer {hub}")
    upload.add_header("If-Match", '"1"')
    upload.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    with urllib.request.urlopen(upload, timeout=30) as answer:
        assert answer.status == 201 and json.loads(answer.read())["recorded"]["file_id"]
    download = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}/file-1")
    download.add_header("Authorization", f"Bearer {hub}")
    with urllib.request.urlopen(download, timeout=30) as answer:
        assert answer.read() == recording
