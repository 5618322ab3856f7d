"""The systemd units shipped in deploy/systemd/: valid for systemd, and running commands
the `caseledger` parser accepts with the settings the example environment file names."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from interface.cli import parser
from interface.settings import Settings
from tests.e2e.test_server import CASELEDGER

pytestmark = pytest.mark.e2e

DEPLOY = Path(__file__).parents[2] / "deploy" / "systemd"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED = "/opt/caseledger/.venv/bin/caseledger"


def exec_start(unit: Path) -> list[str]:
    (line,) = [x for x in unit.read_text().splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_the_units_run_serve_and_the_view_worker_as_the_cli_parses_them() -> None:
    assert [u.name for u in UNITS] == ["caseledger-projections.service", "caseledger-serve.service"]
    commands = {}
    for unit in UNITS:
        command = exec_start(unit)
        assert command[0] == INSTALLED
        args = parser().parse_args(command[1:])
        commands[args.command] = args
        assert "RestartPreventExitStatus=78" in unit.read_text()  # EX_CONFIG: fix, not retry
    assert commands["projections"].action == "run"
    assert commands["serve"].threads == 8


def test_the_example_environment_file_is_valid_settings() -> None:
    env = {}
    for line in (DEPLOY / "caseledger.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    settings = Settings.read(env)
    assert settings.postgres is not None and settings.projections == "worker"
    assert str(settings.keys.signing_key_file) == "/etc/caseledger/keys/caseledger-signing.pem"
    assert int(env["POSTGRES_POOL_SIZE"]) >= 8  # serve's --threads


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine"
)
def test_systemd_analyze_verify_finds_nothing_wrong_in_the_units(tmp_path: Path) -> None:
    """As installed, but with this checkout's `caseledger` (systemd checks it is there)."""
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, CASELEDGER))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
