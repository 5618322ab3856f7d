"""The DPO's subject-rights routes and the access log, through the Flask test client."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest

from domain.personal import ERASED_MARK
from tests.api.helpers import API, DESCRIPTION, REPORTER, VICTIM, Api

SUBJECTS = f"{API}/subjects"


def post(api: Api, path: str, body: Any, who: str = "dpo") -> Any:
    return api.client.post(f"{SUBJECTS}{path}", json=body, headers=api.auth(who))


def access_request(api: Api, subject_id: str, **body: Any) -> dict[str, Any]:
    return api.ok(post(api, f"/{subject_id}/access-requests", body))


def test_the_dpo_answers_an_access_request(api: Api) -> None:
    case = api.allocated_case()
    victim = case["victim_id"]
    response = post(api, f"/{victim}/access-requests", {"received_at": "2026-11-20T09:00:00Z"})
    request = api.ok(response)
    assert request["due_on"] == "2026-12-21"  # 20 Dec 2026 is a Sunday
    assert request["timer"]["state"] == "running" and request["withheld"] == []
    base = f"/subjects/{victim}/access-requests/{request['request_id']}"
    assert response.headers["Location"] == f"{API}{base}"  # the documented path (issue 21)
    assert int(response.headers["X-Ledger-Position"]) == api.head()
    assert api.get(base, "dpo").get_json()["request_id"] == request["request_id"]

    export = api.get(f"{base}/export", "dpo").get_json()
    text = json.dumps(export)
    assert f"Name: {VICTIM['name']}" in export["your details"]["details"]
    assert DESCRIPTION in text and REPORTER["name"] not in text
    assert export["draft"] is True
    pdf = api.get(f"{base}/export.pdf", "dpo")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert (
        pdf.data.startswith(b"%PDF")
        and b"attachment" in pdf.headers["Content-Disposition"].encode()
    )

    extended = api.ok(
        post(api, f"{base.removeprefix('/subjects')}/extensions", {"reasons": "Five cases"})
    )
    assert extended["extended"] and extended["due_on"] == "2027-02-22"  # 20 Feb is a Saturday
    again = post(api, f"{base.removeprefix('/subjects')}/extensions", {"reasons": "More"})
    assert again.status_code == 409 and again.get_json()["policy_clause"] == "UK GDPR art. 12(3)"

    short = base.removeprefix("/subjects")
    early = post(api, f"{short}/responses", {"method": "email"})
    assert early.status_code == 409 and early.get_json()["policy_clause"] == "UK GDPR art. 15(4)"
    review = api.get(f"{base}/review", "dpo").get_json()
    [description] = [p for p in review["passages"] if p["text"] == DESCRIPTION]
    removed = api.ok(
        post(
            api,
            f"{short}/redactions",
            {"passage": description["passage"], "words": "the family", "reasons": "Household"},
        )
    )
    assert removed["text"] == DESCRIPTION.replace("the family", "[removed]")
    items = {i["what"]: i["item"] for i in review["items"]}
    withheld = api.ok(
        post(
            api,
            f"{short}/withheld-items",
            {"item": items["Officer allocated"], "exemption": "crime", "reasons": "Test"},
        )
    )
    assert withheld["withheld"] == [items["Officer allocated"]]
    reviewed = api.ok(post(api, f"{short}/reviews", {}))
    assert reviewed["reviewed_at"]
    final = api.get(f"{base}/export", "dpo").get_json()
    assert final["draft"] is False and "Officer allocated" not in json.dumps(final)
    assert final["information about other people"]["items removed"] == 1
    sent = api.ok(post(api, f"{short}/responses", {"method": "email"}))
    assert sent["timer"]["state"] == "met" and sent["response_method"] == "email"
    file = api.get(f"/subjects/{victim}", "dpo").get_json()
    assert file["details"]["name"] == VICTIM["name"]
    assert [r["request_id"] for r in file["requests"]] == [request["request_id"]]


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_only_the_dpo_may_use_the_subject_routes(api: Api, who: str) -> None:
    case = api.allocated_case()
    victim = case["victim_id"]
    request = access_request(api, victim)
    base = f"/subjects/{victim}/access-requests/{request['request_id']}"
    for method, path, body in [
        ("GET", f"/subjects/{victim}", None),
        ("POST", f"/subjects/{victim}/access-requests", {}),
        ("GET", f"{base}/export", None),
        ("GET", f"{base}/export.pdf", None),
        ("POST", f"{base}/extensions", {"reasons": "x"}),
        ("POST", f"{base}/responses", {"method": "email"}),
        ("GET", f"{base}/review", None),
        ("POST", f"{base}/withheld-items", {}),
        ("POST", f"{base}/released-items", {}),
        ("POST", f"{base}/redactions", {}),
        ("POST", f"{base}/reviews", {}),
        ("POST", f"/subjects/{victim}/rectifications", {"details": {"name": "X"}, "reason": "x"}),
        ("POST", f"/subjects/{victim}/erasure-requests", {"outcome": "refused"}),
    ]:
        api.refused(403, method, path, who, json=body)


def test_an_unknown_person_or_request_is_not_found(api: Api) -> None:
    nobody = uuid4()
    case = api.allocated_case()
    victim = case["victim_id"]
    api.refused(404, "GET", f"/subjects/{nobody}", "dpo")
    api.refused(404, "POST", f"/subjects/{nobody}/access-requests", "dpo", json={})
    api.refused(404, "GET", f"/subjects/{victim}/access-requests/{uuid4()}/export", "dpo")
    body = {"details": {"name": "X"}, "reason": "Misspelt"}
    api.refused(404, "POST", f"/subjects/{nobody}/rectifications", "dpo", json=body)
    body = {"outcome": "carried_out", "ground": "objection"}
    api.refused(404, "POST", f"/subjects/{nobody}/erasure-requests", "dpo", json=body)
    # another person's request is not found under this person
    other = access_request(api, case["reporter_id"])
    path = f"/subjects/{victim}/access-requests/{other['request_id']}/export"
    api.refused(404, "GET", path, "dpo")


def test_bad_bodies_are_refused_with_field_errors(api: Api) -> None:
    victim = api.allocated_case()["victim_id"]
    request = access_request(api, victim)
    base = f"/subjects/{victim}/access-requests/{request['request_id']}"
    for path, body, field in [
        (f"/subjects/{victim}/access-requests", {"withheld": ["police_reports"]}, "withheld"),
        (f"{base}/withheld-items", {"item": "x", "exemption": "crime", "reasons": "x"}, "item"),
        (f"{base}/withheld-items", {"item": f"{victim}:1", "exemption": "no"}, "exemption"),
        (f"{base}/redactions", {"passage": f"{victim}:1", "words": "x", "reasons": "x"}, "passage"),
        (f"/subjects/{victim}/access-requests", {"received_at": "2026-11-20T09:00"}, "received_at"),
        (f"{base}/extensions", {}, "reasons"),
        (f"{base}/responses", {"method": "pigeon"}, "method"),
        (
            f"/subjects/{victim}/rectifications",
            {"details": {"shoe": "9"}, "reason": "x"},
            "details",
        ),
        (f"/subjects/{victim}/erasure-requests", {"outcome": "refused", "reasons": "x"}, "ground"),
        (
            f"/subjects/{victim}/erasure-requests",
            {"outcome": "refused", "ground": "objection", "reasons": "x"},
            "ground",
        ),
    ]:
        problem = api.refused(422, "POST", path, "dpo", json=body)
        assert field in problem["errors"], (path, problem)


def test_rectification_and_erasure_show_in_every_view(api: Api) -> None:
    case = api.allocated_case()
    victim = case["victim_id"]
    person = f"/cases/{case['case_id']}/people/{victim}"
    body = {"details": {"name": "Amara Okafor-Bell"}, "reason": "Married name"}
    rectified = api.ok(post(api, f"/{victim}/rectifications", body))
    assert rectified["kind"] == "rectification" and rectified["timer"]["state"] == "met"
    assert api.get(person, "officer").get_json()["details"]["name"] == "Amara Okafor-Bell"

    body = {"outcome": "carried_out", "ground": "consent_withdrawn"}
    erased = api.ok(post(api, f"/{victim}/erasure-requests", body))
    assert erased["ground_clause"] == "UK GDPR art. 17(1)(b)"
    assert erased["subject"] == {
        "subject_id": victim,
        "anonymous": False,
        "erased": True,
        "details": ERASED_MARK,
        "details_for_one_case": {},
        "rectifications": 1,
    }
    shown = api.get(person, "officer").get_json()
    assert shown["erased"] is True and shown["details"] == ERASED_MARK
    assert api.get(f"/cases/{case['case_id']}", "officer").get_json()["description"] == ERASED_MARK
    events = api.get(f"/cases/{case['case_id']}/events", "officer").get_json()["events"]
    assert events[0]["data"]["description"] == ERASED_MARK
    request = access_request(api, victim)
    export = api.get(
        f"/subjects/{victim}/access-requests/{request['request_id']}/export", "dpo"
    ).get_json()
    assert export["your details"]["erased"] is True and "Amara" not in json.dumps(export)
    again = post(api, f"/{victim}/erasure-requests", body)
    assert again.status_code == 409
    logged = api.get(f"/audit/access?subject_id={victim}&actor=d.protection", "dpo").get_json()
    assert {e["route"].rsplit("/", 1)[-1] for e in logged["items"]} == {
        "rectifications",  # these answer with the person's details
        "erasure-requests",
        "export",
    }


def test_reads_of_personal_data_are_logged_and_the_auditor_sees_ids_only(api: Api) -> None:
    case = api.allocated_case()
    victim, case_id = case["victim_id"], case["case_id"]
    reason = {"X-Access-Reason": "safeguarding"}
    assert (
        api.client.get(f"{API}/cases/{case_id}", headers=api.auth("officer", **reason)).status_code
        == 200
    )
    api.get(f"/cases/{case_id}/events", "officer")
    api.get(f"/cases/{case_id}/people/{victim}", "officer")
    api.get("/cases", "officer")  # a list holds no personal data: not logged
    request = access_request(api, victim)
    api.get(f"/subjects/{victim}/access-requests/{request['request_id']}/export", "dpo")

    before = api.head()
    bad = api.client.get(
        f"{API}/cases/{case_id}", headers=api.auth("officer", **{"X-Access-Reason": "nosy"})
    )
    assert bad.status_code == 422 and "X-Access-Reason" in bad.get_json()["errors"]
    api.refused(404, "GET", f"/cases/{uuid4()}", "officer")
    assert api.head() == before  # refusals read nothing and log nothing

    by_case = api.get(f"/audit/access?case_id={case_id}", "auditor")
    assert by_case.status_code == 200
    entries = by_case.get_json()["items"]
    assert [(e["route"], e["purpose"], e["purpose_stated"]) for e in entries] == [
        ("GET /api/v1/cases/<uuid:case_id>/people/<uuid:subject_id>", "case_work", False),
        ("GET /api/v1/cases/<uuid:case_id>/events", "case_work", False),
        ("GET /api/v1/cases/<uuid:case_id>", "safeguarding", True),
    ]
    assert {e["actor"] for e in entries} == {"k.officer"}
    assert {e["role"] for e in entries} == {"officer"}

    by_person = api.get(f"/audit/access?subject_id={victim}", "auditor").get_json()["items"]
    assert len(by_person) == 4  # the three case reads (through the index) and the export
    assert by_person[0]["request_id"] == request["request_id"]
    assert by_person[0]["actor"] == "d.protection"
    by_reader = api.get("/audit/access?actor=d.protection", "dpo").get_json()["items"]
    assert [e["purpose"] for e in by_reader] == ["subject_request"]

    text = by_case.get_data(as_text=True) + json.dumps(by_person)
    for secret in (VICTIM["name"], VICTIM["phone"], VICTIM["address"], DESCRIPTION):
        assert secret not in text
    api.refused(403, "GET", "/audit/access", "officer")
    api.refused(422, "GET", "/audit/access?subject_id=nope", "auditor")
