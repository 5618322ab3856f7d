"""The audit routes: public key (public), checkpoints (any staff), verify (auditor only)."""

from __future__ import annotations

from pathlib import Path

from application.integrity.evidence_verifier import main, open_checkpoint, parse_verifier_key
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


def test_the_key_as_text_is_what_an_outsider_pastes_into_the_verifier(
    api: Api, tmp_path: Path
) -> None:
    case = api.allocated_case()
    case = api.step(case, "complaints", {"stage": "stage_1", "summary": "Too slow."}, "complaints")
    made = api.client.post(
        f"{API}/cases/{case['case_id']}/evidence-packs",
        json={"purpose": "complaint"},
        headers=api.auth("complaints"),
    )
    pack = tmp_path / "pack.zip"
    pack.write_bytes(api.client.get(made.headers["Location"], headers=api.auth("complaints")).data)

    text = api.client.get(f"{API}/audit/public-key.txt")  # no token
    assert text.status_code == 200 and text.mimetype == "text/plain"
    pasted = text.get_data(as_text=True).strip()
    assert pasted == api.client.get(f"{API}/audit/public-key").get_json()["verifier_key"]
    assert main([str(pack), "--trusted-key", pasted]) == 0
    assert main([str(pack)]) == 2  # unanchored: never a plain OK


def test_only_the_auditor_may_run_verify(api: Api) -> None:
    api.ok(api.report())
    verified = api.get("/audit/verify", "auditor")
    assert verified.status_code == 200
    result = verified.get_json()
    assert result["ok"] is True
    assert result["summary"].startswith(f"OK: {api.head()} events, root ")
    refused = api.get("/audit/verify", "officer")
    assert refused.status_code == 403
