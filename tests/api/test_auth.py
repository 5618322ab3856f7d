"""401 and 403: who is calling, and whether their role may do it. Refusals store nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from interface.demo import ANSWERS_MEDIUM
from tests.api.helpers import STAFF, Api, assert_problem, report_body
from tests.conftest import ADMIN


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/me"),
        ("GET", "/cases"),
        ("POST", "/cases"),
        ("GET", "/cases/{case}"),
        ("GET", "/cases/{case}/events"),
        ("POST", "/cases/{case}/triage"),
        ("POST", "/staff"),
        ("DELETE", "/staff/k.officer"),
    ],
)
def test_no_token_is_401_with_a_bearer_challenge(api: Api, method: str, path: str) -> None:
    case = api.new_case()
    before = api.head()
    response = api.client.open(
        f"/api/v1{path.format(case=case['case_id'])}",
        method=method,
        json={},
        headers={"If-Match": '"1"'},
    )
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert body["title"] == "Unauthorized"
    assert api.head() == before


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic aDphZHZpc2Vy",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Bearer cl_nothex_secret",
        "Bearer cl_" + "0" * 32 + "_secret",  # no such staff member
    ],
)
def test_bad_credentials_are_401(api: Api, authorization: str) -> None:
    case = api.new_case()
    api.refused(401, "GET", "/cases", headers={"Authorization": authorization})
    api.refused_command(401, case, "triage", {}, None, headers={"Authorization": authorization})


def test_a_real_staff_id_with_the_wrong_secret_is_401(api: Api) -> None:
    token = api.token("hub")
    forged = token.rsplit("_", 1)[0] + "_" + "A" * 43
    api.refused(401, "GET", "/cases", headers={"Authorization": f"Bearer {forged}"})
    assert api.client.get("/api/v1/me", headers=api.auth("hub")).status_code == 200


def test_me_says_who_the_token_belongs_to(api: Api) -> None:
    response = api.get("/me", "manager")
    assert response.status_code == 200
    assert response.get_json() == {"username": "t.manager", "role": "manager", "team": "north"}


def test_a_removed_staff_members_token_stops_working_at_once(api: Api) -> None:
    case = api.new_case()
    assert api.get("/cases", "hub").status_code == 200  # verified, so remembered
    api.token("admin")

    response = api.client.delete(f"/api/v1/staff/{STAFF['hub'][0]}", headers=api.auth("admin"))
    assert response.status_code == 204

    api.refused(401, "GET", "/cases", "hub")
    api.refused(401, "GET", f"/cases/{case['case_id']}", "hub")
    api.refused_command(401, case, "triage", {}, "hub")
    api.refused(401, "POST", "/cases", "hub", json={})


def test_removal_through_the_directory_takes_effect_at_once(api: Api) -> None:
    case = api.allocated_case()
    assert api.get(f"/cases/{case['case_id']}", "officer").status_code == 200
    api.services.staff.remove(STAFF["officer"][0], reason="left the landlord", actor=ADMIN)
    api.refused(401, "GET", f"/cases/{case['case_id']}", "officer")
    api.refused_command(
        401, case, "contacts", {"method": "phone", "direction": "inbound"}, "officer"
    )


def test_only_an_admin_manages_staff(api: Api) -> None:
    body = {"username": "new.adviser", "role": "hub", "team": "customer-hub"}
    api.refused(403, "POST", "/staff", "manager", json=body)
    api.refused(403, "DELETE", f"/staff/{STAFF['hub'][0]}", "manager")
    api.refused(404, "DELETE", "/staff/nobody.here", "admin")

    response = api.client.post("/api/v1/staff", json=body, headers=api.auth("admin"))
    assert response.status_code == 201
    added = response.get_json()
    assert (added["username"], added["role"], added["team"]) == (
        "new.adviser",
        "hub",
        "customer-hub",
    )
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {added['token']}"})
    assert me.get_json()["username"] == "new.adviser"


@pytest.mark.parametrize("body", [{}, {"role": "wizard"}, {"username": 7}])
def test_a_role_that_may_not_manage_staff_gets_403_before_its_body_is_read(
    api: Api, body: dict[str, object]
) -> None:
    for who in ("manager", "dpo", "hub"):
        api.refused(403, "POST", "/staff", who, json=body)
    api.refused(403, "POST", "/staff", "manager", data="not json", content_type="text/plain")


def test_staff_account_errors_are_422(api: Api) -> None:
    errors = api.refused(422, "POST", "/staff", "admin", json={"role": "hub"})["errors"]
    assert "username" in errors
    errors = api.refused(
        422, "POST", "/staff", "admin", json={"username": "x.y", "role": "wizard"}
    )["errors"]
    assert "role" in errors
    api.refused(422, "POST", "/staff", "admin", json={"username": STAFF["admin"][0], "role": "hub"})


@pytest.mark.parametrize("field", ["team", "display_name"])
def test_a_null_optional_staff_field_is_not_a_500(api: Api, field: str) -> None:
    api.token("admin")
    response = api.client.post(
        "/api/v1/staff",
        json={"username": "n.null", "role": "hub", field: None},
        headers=api.auth("admin"),
    )
    assert response.status_code in (201, 422)


# --- 403: the role may not -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "noun", "body"),
    [
        ("hub", "closure", {"grounds": ["all_action_taken"], "reasons": "Done."}),
        ("hub", "risk-assessments", {"answers": ANSWERS_MEDIUM}),
        ("officer", "reassignment", {"officer": "s.officer", "team": "north", "reason": "Leave"}),
        ("officer", "hate-definition-disputes", {"decision": "unreasonable", "reasons": "No."}),
        ("officer", "closure", {"grounds": ["all_action_taken"], "reasons": "Done."}),
        (
            "officer",
            "panel-recommendation-answers",
            {"recommendation_id": "review-1.rec-1", "answer": "accepted", "reasons": "Yes."},
        ),
        ("complaints", "contacts", {"method": "phone", "direction": "inbound"}),
        ("dpo", "contacts", {"method": "phone", "direction": "inbound"}),
        ("auditor", "triage", {}),
        (
            "admin",
            "further-incidents",
            {
                "reporter_role": "victim",
                "description": "Again.",
                "strands": ["race"],
                "forms": ["graffiti"],
            },
        ),
    ],
)
def test_a_role_that_may_not_run_a_command_is_403(
    api: Api, who: str, noun: str, body: dict[str, object]
) -> None:
    case = api.allocated_case()
    problem = api.refused_command(403, case, noun, body, who)
    assert problem["title"] == "Forbidden"
    assert noun in problem["detail"]


def test_403_comes_before_the_case_is_looked_up(api: Api) -> None:
    ghost = {"case_id": str(uuid4()), "version": 1}
    api.refused_command(403, ghost, "closure", {"grounds": [], "reasons": "x"}, "hub")


@pytest.mark.parametrize("who", ["dpo", "auditor", "admin", "complaints"])
def test_only_intake_roles_report_cases(api: Api, who: str) -> None:
    api.refused(403, "POST", "/cases", who, json=report_body())


@pytest.mark.parametrize("who", ["dpo", "auditor", "admin"])
def test_roles_without_case_work_may_not_list_cases(api: Api, who: str) -> None:
    api.new_case()
    api.refused(403, "GET", "/cases", who)


@pytest.mark.parametrize("who", ["dpo", "auditor", "admin"])
def test_roles_without_case_work_may_not_read_a_case(api: Api, who: str) -> None:
    case = api.new_case()
    api.refused(403, "GET", f"/cases/{case['case_id']}", who)
    api.refused(403, "GET", f"/cases/{case['case_id']}/events", who)


def test_tenancy_enforcement_is_a_managers_decision(api: Api) -> None:
    case = api.allocated_case()
    response = api.command(
        case, "perpetrators", {"link": "tenant", "details": {"name": "Gary Stone"}}, "officer"
    )
    case = api.ok(response)
    tenant = response.get_json()["recorded"]["subject_id"]
    enforcement = {
        "subject_id": tenant,
        "kind": "notice_of_seeking_possession",
        "legal_power": "Housing Act 1985, Schedule 2, Ground 2",
    }
    problem = api.refused_command(403, case, "interventions", enforcement, "officer")
    assert "manager" in problem["detail"]

    case = api.step(case, "interventions", {"subject_id": tenant, "kind": "mediation"}, "officer")
    case = api.step(case, "interventions", enforcement, "manager")
    assert case["version"] == 6
