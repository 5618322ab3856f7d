"""The evidence-pack routes: who may produce and download a pack, and the refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

from application.integrity.evidence_verifier import PACK_PDF, check_pack
from tests.api.helpers import API, Api, assert_problem
from tests.pdf_text import pdf_text


def _complained_case(api: Api) -> dict[str, Any]:
    case = api.allocated_case()
    return api.step(case, "complaints", {"stage": "stage_1", "summary": "Too slow."}, "complaints")


def _produce(api: Api, case: dict[str, Any], who: str, body: Any) -> Any:
    return api.client.post(
        f"{API}/cases/{case['case_id']}/evidence-packs", json=body, headers=api.auth(who)
    )


def test_the_complaints_liaison_and_a_manager_produce_and_download_packs(api: Api) -> None:
    case = _complained_case(api)

    response = _produce(api, case, "complaints", {"purpose": "complaint"})
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["pack_number"] == 1 and made["purpose"] == "complaint"
    assert made["through_version"] == case["version"] + 1
    assert response.headers["Location"] == f"{API}/cases/{case['case_id']}/evidence-packs/1"

    download = api.client.get(response.headers["Location"], headers=api.auth("complaints"))
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert made["filename"] in download.headers["Content-Disposition"]
    key = api.client.get(f"{API}/audit/public-key").get_json()["verifier_key"]
    assert check_pack(download.data, key).ok

    by_manager = _produce(api, case, "manager", {"purpose": "complaint", "since_checkpoint": 1})
    assert by_manager.status_code == 201 and by_manager.get_json()["pack_number"] == 2
    events = api.get(f"/cases/{case['case_id']}/events", "manager").get_json()["events"]
    assert [e["actor"] for e in events if e["type"] == "EvidencePackProduced"] == [
        "c.liaison",
        "t.manager",
    ]
    log = api.get(f"/audit/access?case_id={case['case_id']}", "auditor").get_json()["items"]
    assert any(e["route"].endswith("/evidence-packs/<int:number>") for e in log)


def _cover(api: Api, case: dict[str, Any]) -> str:
    made = _produce(api, case, "complaints", {"purpose": "complaint"})
    assert made.status_code == 201, made.get_json()
    data = api.client.get(made.headers["Location"], headers=api.auth("complaints")).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = pdf_text(archive.read(PACK_PDF))
    return text.split("\f")[0]


def test_the_cover_says_whether_the_victim_needed_adjustments(api: Api) -> None:
    plain = _complained_case(api)
    assert "Reasonable adjustments: none recorded" in _cover(api, plain)

    case = _complained_case(api)
    review_on = (api.clock() + timedelta(days=14)).date().isoformat()
    considered = {"need": "Letters she can read.", "review_on": review_on}
    case = api.step(case, "reasonable-adjustment-considerations", considered, "officer")
    agreed = {"adjustment": "Letters in large print.", "adjustment_id": "adjustment-1"}
    case = api.step(case, "reasonable-adjustments", agreed, "officer")

    cover = _cover(api, case)
    assert "Reasonable adjustments: 1 agreed, 1 considered (section 3)" in cover
    assert "large print" not in cover  # what it is stays in its section, as redacted there


def test_packs_are_refused_to_other_roles_unseen_cases_and_bad_bodies(api: Api) -> None:
    case = _complained_case(api)
    path = f"/cases/{case['case_id']}/evidence-packs"
    api.refused(403, "POST", path, "officer", json={"purpose": "complaint"})
    api.refused(403, "GET", f"{path}/1", "officer")
    api.refused(404, "POST", path, "south_manager", json={"purpose": "complaint"})
    unseen = api.allocated_case()  # no complaint: not the complaints liaison's to see
    api.refused(
        404,
        "POST",
        f"/cases/{unseen['case_id']}/evidence-packs",
        "complaints",
        json={"purpose": "complaint"},
    )
    body = api.refused(422, "POST", path, "complaints", json={"purpose": "curiosity"})
    assert "purpose" in body["errors"]
    api.refused(409, "POST", path, "manager", json={"purpose": "case-review"})
    api.refused(404, "GET", f"{path}/1", "complaints")  # no pack produced yet
    assert_problem(api.get(f"{path}/1", "manager"), 404)
