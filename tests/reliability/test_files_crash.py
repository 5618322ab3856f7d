"""Crash safety of evidence files: SIGKILL between a file's blob and its event, and in the
middle of an upload. After a restart no event lacks its bytes, and the sweep removes what the
dead process left (issue 18)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from interface.config import build_services
from tests import samples
from tests.cases import allocated, attach_file
from tests.conftest import OFFICER, Clock, add_staff
from tests.reliability.harness import cli, process_env

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(("mode", "left"), [("after-blob", "blob"), ("mid-upload", "staged")])
def test_a_killed_attach_leaves_no_event_and_its_bytes_are_swept(
    engine_env: dict[str, str], clock: Clock, tmp_path: Path, mode: str, left: str
) -> None:
    services = build_services(engine_env, clock=clock)
    add_staff(services)
    case = allocated(services)
    services.close()

    child = subprocess.run(
        [sys.executable, "-m", "tests.reliability.files_crash_child", str(case.id), mode],
        cwd=ROOT,
        env=process_env(engine_env),
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()

    services = build_services(engine_env, clock=clock)
    try:
        files = services.files
        assert services.ledger.case_for(OFFICER, case.id).files == {}  # no event
        blobs = [address for address, _ in files.store.addresses()]
        staged = list(files.staging.leftovers(older_than=-60))
        assert (len(blobs), len(staged)) == ((2, 0) if left == "blob" else (0, 1))
        assert files.verify().ok  # every event's bytes are there (there are none)

        assert files.sweep().orphans == 0  # an upload may still be on its way: left alone
        swept = cli(engine_env, tmp_path, "files", "sweep", "--grace-minutes", "0")
        assert swept.returncode == 0, swept.stderr
        assert f"removed {len(blobs)} blob(s) no event names" in swept.stdout
        assert f"{len(staged)} unfinished upload(s)" in swept.stdout
        assert list(files.store.addresses()) == []
        assert list(files.staging.leftovers(older_than=-60)) == []

        again = attach_file(services, services.ledger.case_for(OFFICER, case.id), samples.jpeg())
        assert list(again.files) == ["file-1"]
        verified = cli(engine_env, tmp_path, "verify", "--files")
        assert verified.returncode == 0, verified.stdout
        assert "OK: 1 stored files match the hashes their events recorded" in verified.stdout
    finally:
        services.close()
