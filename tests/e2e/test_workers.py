"""`caseledger serve` in worker processes: whichever worker answers, a request sees every
write before it (its own views caught up, by any worker or none) and the staff as they now
are (a member removed from the shell is refused by every worker at once), and they count
failed sign-ins together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.test_server import REPORT, Server, _cli

pytestmark = pytest.mark.e2e


def _pids_that_answered(log: str, path: str) -> set[str]:
    return set(re.findall(rf"\[(\d+)\] INFO caseledger\.api GET {re.escape(path)} ", log))


def test_every_worker_sees_every_write_and_every_removal(tmp_path: Path) -> None:
    workdir = tmp_path
    hub = _cli(workdir, "staff", "add", "hub.one", "--role", "hub").splitlines()[-1]
    manager = _cli(
        workdir, "staff", "add", "m.one", "--role", "manager", "--team", "north"
    ).splitlines()[-1]
    server = Server(workdir, "--workers", "2", "--threads", "2")
    server.start()
    try:
        for n in range(6):
            status, _, case = server.call("POST", "/api/v1/cases", REPORT, hub)
            assert status == 201
            for _ in range(4):  # each call a new connection: the workers share them out
                status, _, listing = server.call("GET", "/api/v1/cases", token=manager)
                assert status == 200 and listing["total"] == n + 1
                assert listing["items"][0]["case_id"] == case["case_id"]

        _cli(workdir, "staff", "remove", "m.one")
        refused = [server.call("GET", "/api/v1/cases", token=manager)[0] for _ in range(12)]
        # every worker refuses it; and they count failures together (the throttle is in the
        # database): past ten, 429, though each worker alone saw fewer than ten
        assert refused == [401] * 10 + [429] * 2, refused
    finally:
        server.stop()
    log = (workdir / "server.log").read_text()
    assert "2 workers of 2 threads" in log
    assert len(_pids_that_answered(log, "/api/v1/cases")) == 2, "one worker answered all"
