"""The audit routes: public key (public), checkpoints (any staff), verify (auditor only)."""

from __future__ import annotations

from application.integrity.evidence_verifier import open_checkpoint, parse_verifier_key
from tests.api.helpers import API, Api


def test_the_public_key_is_public_and_checks_the_checkpoints(api: Api) -> None:
    api.ok(api.report())
    key = api.client.get(f"{API}/audit/public-key")
    assert key.status_code == 200
    published = key.get_json()
    verifier = parse_verifier_key(published["verifier_key"])
    assert [k["verifier_key"] for k in published["keys"]] == [published["verifier_key"]]

    assert api.client.get(f"{API}/audit/checkpoints").status_code == 401
    listed = api.get("/audit/checkpoints", "officer")
    assert listed.status_code == 200
    notes = [c["note"] for c in listed.get_json()["checkpoints"]]
    assert notes and all(open_checkpoint(note, verifier).size > 0 for note in notes)


def test_only_the_auditor_may_run_verify(api: Api) -> None:
    api.ok(api.report())
    verified = api.get("/audit/verify", "auditor")
    assert verified.status_code == 200
    result = verified.get_json()
    assert result["ok"] is True
    assert result["summary"].startswith(f"OK: {api.head()} events, root ")
    refused = api.get("/audit/verify", "officer")
    assert refused.status_code == 403
