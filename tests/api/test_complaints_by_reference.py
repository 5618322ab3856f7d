"""The complaints liaison reaches a case named in a complaint by its reference, logged with
its purpose; a case the caller cannot see is 404 before any If-Match or version check."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import API, Api, assert_problem

COMPLAINT = {"stage": "stage_1", "summary": "Nobody called back."}


@pytest.mark.parametrize("if_match", ['"999"', '"1"', None, "garbage"])
@pytest.mark.parametrize("who", ["complaints", "south_officer", "hub"])
def test_a_case_the_caller_cannot_see_is_404_before_any_version_check(
    api: Api, who: str, if_match: str | None
) -> None:
    case = api.allocated_case("officer")
    noun, body = ("complaints", COMPLAINT) if who == "complaints" else ("contacts", {})
    problem = api.refused_command(404, case, noun, body, who, if_match=if_match)
    assert "current_version" not in problem
    assert str(case["version"]) not in problem["detail"]


def test_a_case_the_caller_cannot_see_is_404_before_an_upload_is_read(api: Api) -> None:
    case = api.allocated_case("officer")
    for headers in ({}, {"If-Match": '"999"'}):
        response = api.client.post(
            f"{API}/cases/{case['case_id']}/files",
            data={"kind": "photo"},
            content_type="multipart/form-data",
            headers=api.auth("south_officer", **headers),
        )
        assert_problem(response, 404)


def _log(api: Api, case: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.get(f"/audit/access?case_id={case['case_id']}", "auditor")
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


@pytest.mark.parametrize(
    ("noun", "body", "purpose", "recorded"),
    [
        ("complaints", COMPLAINT, "complaint_handling", "complaint_id"),
        ("case-reviews", {"local_authority": "Birmingham CC"}, "case_review", "review_id"),
    ],
)
def test_the_liaison_records_a_complaint_naming_the_case_by_its_reference(
    api: Api, noun: str, body: dict[str, Any], purpose: str, recorded: str
) -> None:
    case = api.allocated_case("officer")
    api.refused(404, "GET", f"/cases/{case['case_id']}", "complaints")

    response = api.client.post(
        f"{API}/{noun}",
        json={"case_reference": f"  {case['reference'].lower()} ", **body},
        headers=api.auth("complaints"),
    )

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["case_id"] == case["case_id"] and answer["recorded"][recorded]
    assert response.headers["X-Ledger-Position"]
    assert api.get(f"/cases/{case['case_id']}", "complaints").status_code == 200
    [entry] = [e for e in _log(api, case) if e["route"] == f"POST /api/v1/{noun}"]
    assert (entry["actor"], entry["role"], entry["purpose"]) == (
        "c.liaison",
        "complaints",
        purpose,
    )


def test_a_reference_route_refuses_like_any_write(api: Api) -> None:
    case = api.allocated_case("officer")
    named = {"case_reference": case["reference"], **COMPLAINT}
    api.refused(403, "POST", "/complaints", "officer", json={})  # the role, before the body
    api.refused(403, "POST", "/complaints", "dpo", json=named)
    problem = api.refused(
        404, "POST", "/complaints", "complaints", json=named | {"case_reference": "HC-2026-AAAAAA"}
    )
    assert "reference" in problem["detail"]
    errors = api.refused(422, "POST", "/complaints", "complaints", json=COMPLAINT)["errors"]
    assert list(errors) == ["case_reference"]
    errors = api.refused(
        422, "POST", "/complaints", "complaints", json=named | {"stage": "stage_9"}
    )["errors"]
    assert list(errors) == ["stage"]


def test_a_manager_names_by_reference_only_a_case_they_see(api: Api) -> None:
    """The reference opens a case to the complaints liaison only: another team's manager who
    names it is told it does not exist, as by its id."""
    theirs = api.allocated_case("south_officer")
    named = {"case_reference": theirs["reference"], **COMPLAINT}
    api.refused(404, "POST", "/complaints", "manager", json=named)
    own = api.allocated_case("officer")
    response = api.client.post(
        f"{API}/complaints",
        json={"case_reference": own["reference"], **COMPLAINT},
        headers=api.auth("manager"),
    )
    assert response.status_code == 201
