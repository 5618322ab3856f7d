"""End to end: `caseledger checkpoint`, `verify`, `prove` and `rotate-signing-key` on a demo."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import application.integrity.evidence_verifier as evidence_verifier
from tests.e2e.test_server import CASELEDGER, _env

pytestmark = pytest.mark.e2e


def _run(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=workdir, env=_env(), capture_output=True, text=True, timeout=120
    )


def test_the_integrity_commands_on_a_demo_ledger(tmp_path: Path) -> None:
    assert _run(tmp_path, CASELEDGER, "demo").returncode == 0
    assert (tmp_path / "caseledger-signing.pem").stat().st_mode & 0o777 == 0o600

    made = _run(tmp_path, CASELEDGER, "checkpoint")
    assert made.returncode == 0 and made.stdout.startswith("checkpoint #")
    verified = _run(tmp_path, CASELEDGER, "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK: "), verified.stderr

    with sqlite3.connect(tmp_path / "caseledger.db") as db:
        (hex_id,) = db.execute(
            "SELECT originator_id FROM stored_events WHERE topic LIKE '%:CaseReported' LIMIT 1"
        ).fetchone()
    case_id = str(uuid.UUID(hex_id))
    proved = _run(tmp_path, CASELEDGER, "prove", case_id, "-o", "case.json")
    assert proved.returncode == 0, proved.stderr
    key = json.loads((tmp_path / "case.json").read_text())["verifier_key"]
    offline = _run(
        tmp_path,
        sys.executable,
        "-I",
        evidence_verifier.__file__,
        "case.json",
        "--trusted-key",
        key,
    )
    assert offline.returncode == 0 and f"events of case {case_id}" in offline.stdout

    assert _run(tmp_path, CASELEDGER, "rotate-signing-key").returncode == 0
    with sqlite3.connect(tmp_path / "caseledger.db") as db:
        db.execute("UPDATE stored_events SET topic = topic || 'x' WHERE rowid = 7")
    tampered = _run(tmp_path, CASELEDGER, "verify", "--trusted-key", key)
    assert tampered.returncode == 1
    assert tampered.stdout.startswith("FAILED at position 7: changed")


def test_verify_against_a_kept_checkpoint_and_the_witness_after_the_tail_is_cut(
    tmp_path: Path,
) -> None:
    """The newest checkpoint deleted and the events after the one before cut off: the
    database agrees with itself, the checkpoint kept outside it (a file, the witness) not."""
    assert _run(tmp_path, CASELEDGER, "demo").returncode == 0
    made = _run(tmp_path, CASELEDGER, "checkpoint")
    note = made.stdout.split("\n", 1)[1]
    (tmp_path / "kept.checkpoint").write_text(note)
    assert _run(tmp_path, CASELEDGER, "verify", "--checkpoint", "kept.checkpoint").returncode == 0
    with sqlite3.connect(tmp_path / "caseledger.db") as db:
        (seq, size) = db.execute(
            "SELECT seq, tree_size FROM integrity_checkpoints ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        (before,) = db.execute(
            "SELECT tree_size FROM integrity_checkpoints WHERE seq = ?", (seq - 1,)
        ).fetchone()
        (last,) = db.execute(
            "SELECT position FROM integrity_leaves WHERE leaf_index = ?", (before - 1,)
        ).fetchone()
        db.execute("DELETE FROM integrity_checkpoints WHERE seq = ?", (seq,))
        db.execute("DELETE FROM stored_events WHERE rowid > ?", (last,))
        db.execute("DELETE FROM integrity_leaves WHERE position > ?", (last,))
        db.execute("DELETE FROM integrity_nodes")
    kept = _run(tmp_path, CASELEDGER, "verify", "--checkpoint", "kept.checkpoint")
    assert kept.returncode == 1
    assert kept.stdout.startswith("FAILED: the checkpoint from ")
    assert f"covers {size} events, but the log has {before}" in kept.stdout
    witnessed = _run(tmp_path, CASELEDGER, "verify")
    assert witnessed.returncode == 1 and "witness" in witnessed.stdout
