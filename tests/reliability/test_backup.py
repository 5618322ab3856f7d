"""`caseledger backup` while the real server takes writes; `restore` elsewhere; verify; read.

The backup is taken while a writer keeps reporting cases. It is restored into an empty
target somewhere else (a new SQLite file in another directory; a new PostgreSQL database),
with the master key and the signing key copied by hand, as the operator would. There,
`caseledger verify` passes, every case acknowledged before the backup began reads back
with its (decrypted) details, and a second restore onto the now full target is refused.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from domain.hate_case import HateCase
from interface.config import build_services
from tests.conftest import PG
from tests.reliability.harness import Server, cli, issue_tokens, report_body, wait_for

pytestmark = pytest.mark.e2e


def _restored_env(engine_env: dict[str, str], there: Path, database: str) -> dict[str, str]:
    """The same ledger's settings, pointing at the empty target."""
    shutil.copy(engine_env["CASELEDGER_SIGNING_KEY_FILE"], there / "signing.pem")
    env = engine_env | {
        "CASELEDGER_SIGNING_KEY_FILE": str(there / "signing.pem"),
        # A new witness: the old one may hold checkpoints of events written after the backup,
        # which the restored log has lost (verify against it says so: README, restore).
        "CASELEDGER_WITNESSES": str(there / "witness"),
    }
    if engine_env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        return env | {"POSTGRES_DBNAME": database}
    return env | {"SQLITE_DBNAME": str(there / "restored.db")}


def test_backup_while_writing_then_restore_verify_and_read(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    token = issue_tokens(engine_env, "hub")["hub"]
    server = Server(engine_env, tmp_path)
    server.start()
    acked: dict[str, str] = {}  # case id -> marker
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            marker = f"m-{uuid.uuid4().hex[:12]}"
            reply = server.call("POST", "/api/v1/cases", report_body(marker), token)
            assert reply.status == 201, reply.body
            acked[reply.body["case_id"]] = marker

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: len(acked) >= 5, 30, "cases to be reported")
        before = dict(acked)
        backup = tmp_path / "ledger.backup"
        done = cli(engine_env, tmp_path, "backup", str(backup))
        during = len(acked) - len(before)
    finally:
        stop.set()
        thread.join(timeout=30)
        server.stop()
    assert done.returncode == 0, done.stderr
    assert "master key" in done.stdout  # the operator is told what is not in the file
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    assert during > 0, "the writer was not writing while the backup ran"

    there = tmp_path / "elsewhere"
    there.mkdir()
    database = f"restore_{uuid.uuid4().hex[:12]}"
    restored = _restored_env(engine_env, there, database)
    pg = engine_env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    try:
        done = cli(restored, there, "restore", str(backup))  # into a database not made yet
        assert done.returncode == 0, done.stderr
        assert (f"created database {database}" in done.stdout) == pg
        verified = cli(restored, there, "verify")
        assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout
        again = cli(restored, there, "restore", str(backup))
        assert again.returncode == 1 and "empty target" in again.stderr
        services = build_services(restored)
        try:
            for case_id, marker in before.items():
                case: HateCase = services.ledger.repository.get(UUID(case_id))
                assert case.description is not None
                assert marker in case.description.value
            services.runner.catch_up()
            listed = {s.name: s.lag for s in services.runner.status()}
            assert set(listed.values()) == {0}
        finally:
            services.close()
    finally:
        if pg:
            with psycopg.connect(**PG, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
