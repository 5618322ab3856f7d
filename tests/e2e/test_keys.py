"""End to end: `caseledger keys init`, and the real server refusing to start without its keys
(issue 13, item 5; issue 21). Each refusal is one line naming the file and the fix, exit 78.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_server import CASELEDGER, _env

pytestmark = pytest.mark.e2e

EX_CONFIG = 78


def run(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = _env(**env)
    if "CASELEDGER_MASTER_KEY" not in env:
        environment.pop("CASELEDGER_MASTER_KEY")  # the key files, as in production
    return subprocess.run(
        [CASELEDGER, *args],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def serve(workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Start the real server; it must stop by itself (a refusal) well within the timeout."""
    return run(workdir, "serve", "--port", "0", **env)


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start printed."""
    assert done.returncode == EX_CONFIG, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_keys_init_makes_the_keys_once_with_safe_modes_and_says_what_to_keep(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    made = run(tmp_path, "keys", "init", CASELEDGER_KEY_DIR=str(keys))
    assert made.returncode == 0, made.stderr
    master, signing = keys / "caseledger.master-key", keys / "caseledger-signing.pem"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert stat.S_IMODE(master.stat().st_mode) == stat.S_IMODE(signing.stat().st_mode) == 0o600
    assert f"made {master}" in made.stdout and f"made {signing}" in made.stdout
    assert "caseledger.example/log+" in made.stdout  # the verifier key to publish
    assert "store offline now" in made.stdout and str(master) in made.stdout.splitlines()[-1]
    before = master.read_bytes(), signing.read_bytes()

    again = run(tmp_path, "keys", "init", CASELEDGER_KEY_DIR=str(keys))
    assert again.returncode == 0 and f"kept {master}" in again.stdout
    assert (master.read_bytes(), signing.read_bytes()) == before

    added = run(tmp_path, "staff", "add", "hub.one", "--role", "hub", CASELEDGER_KEY_DIR=str(keys))
    assert added.returncode == 0, added.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if "key" in p.name or ".pem" in p.name) == [
        "keys"
    ]  # nothing made in the working directory


def test_no_keys_no_start_and_nothing_made_implicitly(tmp_path: Path) -> None:
    line = refused(run(tmp_path, "staff", "add", "hub.one", "--role", "hub"))
    assert "no master key" in line and "caseledger keys init" in line
    line = refused(serve(tmp_path))
    assert "caseledger.master-key" in line and "keys init" in line
    assert not list(tmp_path.glob("caseledger*key*")) and not list(tmp_path.glob("*.pem"))


def test_a_missing_signing_key_stops_the_server_and_verify_says_what_is_missing(
    tmp_path: Path,
) -> None:
    assert run(tmp_path, "demo").returncode == 0
    key = tmp_path / "caseledger-signing.pem"
    key.rename(tmp_path / "elsewhere.pem")
    line = refused(serve(tmp_path))
    assert f"CASELEDGER_SIGNING_KEY_FILE: {key} is missing" in line
    assert "restore that file" in line
    refused(run(tmp_path, "staff", "add", "x", "--role", "hub"))
    verified = run(tmp_path, "verify")
    assert verified.returncode == 1 and verified.stdout.startswith("FAILED")
    assert "no trusted key" in verified.stdout


def test_a_missing_master_key_with_wrapped_keys_stops_the_server_naming_what_to_restore(
    tmp_path: Path,
) -> None:
    assert run(tmp_path, "demo").returncode == 0
    master = tmp_path / "caseledger.master-key"
    kept = master.read_bytes()
    master.unlink()
    line = refused(serve(tmp_path))
    assert f"CASELEDGER_MASTER_KEY_FILE: {master} is missing" in line
    assert "restore that file" in line
    assert not master.exists()  # no new key made
    refused(run(tmp_path, "demo"))  # not even by the demo: the store holds wrapped keys
    refused(run(tmp_path, "keys", "init"))
    assert not master.exists()

    wrong = run(
        tmp_path, "serve", CASELEDGER_MASTER_KEY="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="
    )
    line = refused(wrong)
    assert "does not open the stored subject keys" in line

    master.write_bytes(kept)
    master.chmod(0o600)
    assert run(tmp_path, "projections", "status").returncode == 0


def test_environment_failures_are_one_line_naming_the_setting_with_their_exit_code(
    tmp_path: Path,
) -> None:
    postgres = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_CONNECT_TIMEOUT": "2",
    }
    line = refused(run(tmp_path, "projections", "status", POSTGRES_DBNAME="no_such_db", **postgres))
    assert "POSTGRES_DBNAME" in line and "createdb" in line
    down = run(
        tmp_path, "projections", "status", POSTGRES_DBNAME="test", POSTGRES_PORT="1", **postgres
    )
    assert down.returncode == 69 and len(down.stderr.strip().splitlines()) == 1
    assert "POSTGRES_HOST, POSTGRES_PORT" in down.stderr
    line = refused(run(tmp_path, "projections", "status", SQLITE_DBNAME="/no/such/dir/x.db"))
    assert line.startswith("configuration error: SQLITE_DBNAME")
    line = refused(run(tmp_path, "verify", CASELEDGER_WITNESSES="https://witness.example/"))
    assert "CASELEDGER_WITNESSES" in line and "directory" in line
