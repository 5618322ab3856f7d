"""`caseledger subjects export`, run in-process against a SQLite ledger."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import uuid4

import pytest

from application.exports.reading import when
from interface.cli import main
from interface.config import build_services
from tests.cases import VICTIM_NAME, report
from tests.conftest import add_staff, sqlite_env
from tests.integration.test_subject_rights import DPO


def test_the_cli_writes_the_json_and_pdf_exports_and_logs_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # files made by default (signing key) land here
    env = sqlite_env(str(tmp_path))  # its signing key made, as `keys init` would
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    services = build_services(env)
    add_staff(services)
    victim = report(services).victim_id
    assert victim is not None
    request = services.subject_rights.receive_access_request(DPO, victim)
    services.close()
    out, pdf = tmp_path / "export.json", tmp_path / "export.pdf"
    out.write_text("an older export, readable by all")
    out.chmod(0o644)
    export_as = ["subjects", "export", str(victim), "-o", str(out), "--pdf", str(pdf), "--as"]

    assert main([*export_as, "c.liaison"]) == 1  # not the data protection officer
    assert "c.liaison may not answer subject access requests" in capsys.readouterr().err
    assert main([*export_as, DPO.username]) == 0
    export = json.loads(out.read_text(encoding="utf-8"))
    assert f"Name: {VICTIM_NAME}" in export["your details"]["details"]
    assert export["your request"]["received"] == when(request.received_at)  # the latest
    assert pdf.read_bytes().startswith(b"%PDF")
    assert os.stat(out).st_mode & 0o777 == 0o600 and os.stat(pdf).st_mode & 0o777 == 0o600

    assert main(["subjects", "export", str(uuid4()), "--as", DPO.username]) == 1
    assert "not found" in capsys.readouterr().err
    services = build_services(env)
    try:
        [entry] = services.access_log.entries(DPO, subject_id=victim)
    finally:
        services.close()
    assert entry["route"] == "cli subjects export" and entry["actor"] == DPO.username
    assert VICTIM_NAME not in json.dumps(entry)
