"""404, 409, 412, 428, 422, 415, 400, 413: each a problem+json, none of them storing an event."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from interface.demo import ANSWERS_HIGH, ANSWERS_MEDIUM
from tests.api.helpers import API, STAFF, Api, assert_problem, report_body

# --- 404: unknown, or not yours ----------------------------------------------------------------


def test_an_unknown_case_is_404(api: Api) -> None:
    ghost = {"case_id": str(uuid4()), "version": 1}
    for who in ("hub", "officer", "manager"):
        problem = api.refused(404, "GET", f"/cases/{ghost['case_id']}", who)
        assert problem["title"] == "Not Found"
        api.refused(404, "GET", f"/cases/{ghost['case_id']}/events", who)
    api.refused_command(404, ghost, "triage", {}, "hub")
    contact = {"method": "phone", "direction": "inbound"}
    api.refused_command(404, ghost, "contacts", contact, "officer")


def test_the_id_of_a_person_is_not_a_case(api: Api) -> None:
    case = api.new_case()
    victim = {"case_id": case["victim_id"], "version": 1}
    api.refused(404, "GET", f"/cases/{victim['case_id']}", "hub")
    api.refused_command(404, victim, "triage", {}, "hub")


def test_a_person_not_on_the_case_is_404(api: Api) -> None:
    case = api.new_case()
    other = api.new_case()
    api.refused(404, "GET", f"/cases/{case['case_id']}/people/{other['victim_id']}", "hub")
    assert api.get(f"/cases/{case['case_id']}/people/{case['victim_id']}", "hub").status_code == 200


def test_the_hub_loses_sight_of_a_case_once_it_is_allocated(api: Api) -> None:
    case = api.new_case()
    assert api.get(f"/cases/{case['case_id']}", "hub").status_code == 200
    case = api.allocated_case()
    api.refused(404, "GET", f"/cases/{case['case_id']}", "hub")
    api.refused(404, "GET", f"/cases/{case['case_id']}/events", "hub")
    api.refused(404, "GET", f"/cases/{case['case_id']}/people/{case['victim_id']}", "hub")
    api.refused_command(404, case, "contacts", {"method": "phone", "direction": "inbound"}, "hub")
    api.refused_command(404, case, "allocation", {"officer": "x.y", "team": "north"}, "hub")


def test_another_officers_case_is_404(api: Api) -> None:
    case = api.allocated_case("officer")
    api.refused(404, "GET", f"/cases/{case['case_id']}", "other_officer")
    api.refused(404, "GET", f"/cases/{case['case_id']}/events", "other_officer")
    api.refused_command(
        404, case, "contacts", {"method": "phone", "direction": "inbound"}, "other_officer"
    )
    assert api.get(f"/cases/{case['case_id']}", "officer").status_code == 200


def test_another_teams_case_is_404_to_a_manager(api: Api) -> None:
    case = api.allocated_case("officer")
    api.refused(404, "GET", f"/cases/{case['case_id']}", "south_manager")
    api.refused_command(
        404,
        case,
        "reassignment",
        {"officer": STAFF["south_officer"][0], "team": "south", "reason": "Moved"},
        "south_manager",
    )
    assert api.get(f"/cases/{case['case_id']}", "manager").status_code == 200


def test_the_complaints_liaison_sees_only_cases_under_complaint_or_review(api: Api) -> None:
    case = api.allocated_case()
    api.refused(404, "GET", f"/cases/{case['case_id']}", "complaints")
    api.refused_command(
        404,
        case,
        "complaint-responses",
        {"complaint_id": "complaint-1", "outcome": "upheld", "response": "Sorry."},
        "complaints",
    )
    case = api.step(case, "complaints", {"stage": "stage_1", "summary": "Slow."}, "complaints")
    assert api.get(f"/cases/{case['case_id']}", "complaints").status_code == 200


def test_an_unknown_command_noun_is_404(api: Api) -> None:
    case = api.new_case()
    problem = api.refused_command(404, case, "teleportation", {}, "hub")
    assert "teleportation" in problem["detail"]


def test_routing_errors_are_problems_too(api: Api, subtests: pytest.Subtests) -> None:
    case = api.new_case()
    for method, path, status in [
        ("GET", "/nowhere", 404),
        ("GET", "/cases/not-a-uuid", 404),
        ("POST", "/cases/not-a-uuid/triage", 404),
        ("DELETE", "/cases", 405),
        ("PUT", f"/cases/{case['case_id']}", 405),
        ("GET", f"/cases/{case['case_id']}/triage", 405),
    ]:
        with subtests.test(method=method, path=path):
            api.refused(status, method, path, "hub")


# --- 409: refused by policy, naming the clause --------------------------------------------------


def _propose(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    case = api.step(case, "risk-assessments", {"answers": ANSWERS_MEDIUM}, "officer")
    return api.step(
        case, "closure-proposals", {"grounds": ["all_action_taken"], "reasons": "Done."}, "officer"
    )


def _discussed(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    return api.step(
        _propose(api, case),
        "closure-discussions",
        {"method": "phone", "victim_agrees": True, "victim_view": "Fine."},
        "officer",
    )


def _closed(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    case = api.step(
        _discussed(api, case), "case-review-right-notices", {"method": "phone"}, "officer"
    )
    return api.step(
        case, "closure", {"grounds": ["all_action_taken"], "reasons": "Done."}, "manager"
    )


Prepare = Callable[[Api, dict[str, Any]], dict[str, Any]]

POLICY_CASES: list[tuple[str, Prepare | str | None, str, str, dict[str, Any], str]] = [
    # (name, prepare, who, noun, body, clause)
    (
        "closure before any proposal",
        None,
        "manager",
        "closure",
        {"grounds": ["all_action_taken"], "reasons": "Nothing more to do."},
        "10.1",
    ),
    (
        "closure proposed but not discussed with the victim",
        _propose,
        "manager",
        "closure",
        {"grounds": ["all_action_taken"], "reasons": "Nothing more to do."},
        "10.1",
    ),
    (
        "closure before the victim is told of their right to an ASB Case Review",
        _discussed,
        "manager",
        "closure",
        {"grounds": ["all_action_taken"], "reasons": "Nothing more to do."},
        "12.1",
    ),
    (
        "the victim found unreachable without the attempts",
        _propose,
        "officer",
        "victim-unreachable-findings",
        {},
        "10.1",
    ),
    (
        "anonymous intelligence naming the victim",
        None,
        "officer",
        "police-reports",
        {"basis": "anonymous_intelligence", "details": "Abuse shouted at Amara Okafor"},
        "9.2",
    ),
    (
        "closure without a 10.1 ground",
        None,
        "officer",
        "closure-proposals",
        {"grounds": [], "reasons": "Quiet."},
        "10.1",
    ),
    (
        "a closed case takes no new actions",
        _closed,
        "officer",
        "contacts",
        {"method": "phone", "direction": "inbound"},
        "10.1",
    ),
    (
        "action plan before a risk assessment",
        None,
        "officer",
        "action-plans",
        {"actions": [{"description": "Fit a camera", "owner": "repairs"}]},
        "5.5, 8.1",
    ),
    (
        "multi-agency referral without the victim's consent",
        None,
        "officer",
        "referrals",
        {"panel": "Birmingham MARAC", "consent_id": "consent-1", "reason": "Repeat victim."},
        "9.3",
    ),
    (
        "a public reply on social media",
        None,
        "officer",
        "contacts",
        {"method": "social_media_public_reply", "direction": "outbound", "summary": "Hi"},
        "6.1",
    ),
    (
        "a public social media contact arrangement",
        None,
        "officer",
        "contact-arrangements",
        {"method": "social_media_public_reply", "frequency_days": 7},
        "6.1",
    ),
    ("triage twice", None, "manager", "triage", {}, "5.1"),
    (
        "a lower priority at triage",
        "untriaged",
        "hub",
        "triage",
        {"priority": "standard"},
        "5.1, 8.1",
    ),
    (
        "police report on consent never given",
        None,
        "officer",
        "police-reports",
        {"basis": "consent", "consent_id": "consent-9"},
        "9.2",
    ),
    (
        "disclosure on safeguarding with no concern recorded",
        None,
        "officer",
        "disclosures",
        {
            "recipient": "local_authority",
            "recipient_name": "Adult Social Care",
            "basis": "safeguarding",
            "what": "The risk assessment.",
        },
        "9.4",
    ),
    (
        "reopening a case that is open",
        None,
        "officer",
        "reopening",
        {"reason": "Again."},
        "10.1",
    ),
    (
        "overriding the risk band without a reason",
        None,
        "officer",
        "risk-assessments",
        {"answers": ANSWERS_HIGH, "level": "standard"},
        "5.5",
    ),
]


def test_a_broken_policy_rule_is_409_naming_its_clause(api: Api, subtests: pytest.Subtests) -> None:
    allocated = api.allocated_case()
    prepared: dict[Any, dict[str, Any]] = {None: allocated, "untriaged": api.new_case()}
    for name, prepare, who, noun, body, clause in POLICY_CASES:
        with subtests.test(name):
            if prepare not in prepared:
                assert callable(prepare)  # None and "untriaged" are prepared above
                prepared[prepare] = prepare(api, api.allocated_case())
            problem = api.refused_command(409, prepared[prepare], noun, body, who)
            assert problem["policy_clause"] == clause
            assert problem["title"] == "Refused by policy"
            assert problem["type"].endswith("/policy-violation")
            assert problem["detail"]
    after = api.get(f"/cases/{allocated['case_id']}", "officer")
    assert after.headers["ETag"] == '"3"'  # refused again and again, the case never changed
    assert after.get_json()["version"] == allocated["version"] == 3


def test_a_referral_with_no_consent_named_is_409_not_500(api: Api) -> None:
    case = api.allocated_case()
    body = {"panel": "Birmingham MARAC", "reason": "Repeat victim."}
    problem = api.refused_command(409, case, "referrals", body, "officer")
    assert problem["policy_clause"] == "9.3"


def test_a_referral_on_a_withdrawn_consent_is_409(api: Api) -> None:
    case = api.allocated_case()
    consent = {"recipient": "multi_agency_panel", "recipient_name": "MARAC", "form": "verbal"}
    case = api.step(case, "consents", consent, "officer")
    case = api.step(case, "consent-withdrawals", {"consent_id": "consent-1"}, "officer")
    body = {"panel": "Birmingham MARAC", "consent_id": "consent-1", "reason": "Repeat victim."}
    problem = api.refused_command(409, case, "referrals", body, "officer")
    assert problem["policy_clause"] == "9.3"


def test_allocation_to_someone_who_is_not_an_officer_is_refused(api: Api) -> None:
    case = api.step(api.new_case(), "triage", {}, "hub")
    problem = api.refused_command(
        422, case, "allocation", {"officer": "k.oficer", "team": "nrth"}, "hub"
    )
    assert "officer" in problem["errors"]


# --- 412 and 428: the version the caller saw ----------------------------------------------------


def test_a_stale_if_match_is_412_with_the_current_version(api: Api) -> None:
    case = api.new_case()
    api.ok(api.command(case, "triage", {}, "hub"))  # now at version 2
    problem = api.refused_command(
        412, case, "allocation", {"officer": "k.officer", "team": "north"}, "hub"
    )
    assert problem["current_version"] == 2
    assert "version 2" in problem["detail"]
    problem = api.refused_command(
        412, case, "allocation", {"officer": "k.officer", "team": "north"}, "hub", if_match='"7"'
    )
    assert problem["current_version"] == 2


def test_a_missing_if_match_is_428(api: Api) -> None:
    case = api.new_case()
    problem = api.refused_command(428, case, "triage", {}, "hub", if_match=None)
    assert "If-Match" in problem["detail"]


def test_an_if_match_that_is_not_a_version_is_422(api: Api, subtests: pytest.Subtests) -> None:
    case = api.new_case()
    for if_match in ["*", "abc", '"1a"', "", '"-1"', '"1", "2"']:
        with subtests.test(if_match=if_match):
            problem = api.refused_command(422, case, "triage", {}, "hub", if_match=if_match)
            assert "If-Match" in problem["errors"]


# --- 422: per-field errors ------------------------------------------------------------------------


def _without(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != name}


REPORT_ERRORS = [
    ("missing description", _without(report_body(), "description"), "description"),
    ("missing channel", _without(report_body(), "channel"), "channel"),
    ("unknown channel", report_body(channel="carrier_pigeon"), "channel"),
    ("unknown strand", report_body(strands=["race", "football_club"]), "strands"),
    ("no strand at all", report_body(strands=[]), "strands"),
    ("unknown field", report_body(colour="red"), "colour"),
    ("naive incident time", report_body(incident_at="2026-11-20T22:00:00"), "incident_at"),
    ("not a time", report_body(received_at="last tuesday"), "received_at"),
    ("future received time", report_body(received_at="2027-01-01T00:00:00+00:00"), "received_at"),
    ("blank description", report_body(description=""), "description"),
    ("description too long", report_body(description="x" * 10_001), "description"),
    ("bad e-mail", report_body(victim={"email": "not-an-email"}), "victim"),
    ("unknown person field", report_body(victim={"shoe_size": 9}), "victim"),
    ("wrong type", report_body(victim_perceives_hate="perhaps"), "victim_perceives_hate"),
]


def test_a_bad_report_is_422_naming_the_field(api: Api, subtests: pytest.Subtests) -> None:
    for name, body, field in REPORT_ERRORS:
        with subtests.test(name):
            problem = api.refused(422, "POST", "/cases", "hub", json=body)
            assert field in problem["errors"], problem["errors"]
            assert problem["title"] == "Unprocessable Content"


def test_a_body_that_is_not_an_object_is_422(api: Api, subtests: pytest.Subtests) -> None:
    case = api.new_case()
    for body in [[], [1, 2], "a string", 42, None, True]:
        with subtests.test(body=body):
            data = json.dumps(body)
            problem = api.refused(
                422, "POST", "/cases", "hub", data=data, content_type="application/json"
            )
            assert problem["errors"] == {"_schema": ["the body must be a JSON object"]}
            problem = api.refused_command(
                422, case, "triage", None, "hub", data=data, content_type="application/json"
            )
            assert problem["errors"] == {"_schema": ["the body must be a JSON object"]}


COMMAND_ERRORS = [
    ("unknown priority", "hub", "triage", {"priority": "urgent"}, "priority"),
    ("unknown field", "hub", "triage", {"priority": "highest", "urgency": 1}, "urgency"),
    ("missing officer", "manager", "reassignment", {"team": "north", "reason": "x"}, "officer"),
    ("risk answer not a number", "officer", "risk-assessments", {"answers": {"a": "x"}}, "answers"),
    ("unknown risk question", "officer", "risk-assessments", {"answers": {"shoe": 1}}, "answers"),
    ("unknown repair", "officer", "repair-completions", {"repair_id": "repair-9"}, "repair_id"),
    (
        "bad due date",
        "officer",
        "action-plans",
        {"actions": [{"description": "x", "owner": "y", "due_on": "soon"}]},
        "actions",
    ),
    (
        "frequency out of range",
        "officer",
        "contact-arrangements",
        {"method": "phone", "frequency_days": 0},
        "frequency_days",
    ),
    (
        "subject id not a uuid",
        "officer",
        "interventions",
        {"subject_id": "gary", "kind": "mediation"},
        "subject_id",
    ),
    (
        "perpetrator not identified",
        "officer",
        "interventions",
        {"subject_id": str(uuid4()), "kind": "mediation"},
        "subject_id",
    ),
    (
        "unknown intervention",
        "officer",
        "interventions",
        {"subject_id": str(uuid4()), "kind": "banishment"},
        "kind",
    ),
    (
        "naive incident time",
        "officer",
        "further-incidents",
        {
            "reporter_role": "victim",
            "description": "x",
            "strands": ["race"],
            "forms": ["other"],
            "incident_at": "2026-11-20T22:00:00",
        },
        "incident_at",
    ),
]


def test_a_bad_command_is_422_naming_the_field(api: Api, subtests: pytest.Subtests) -> None:
    new, allocated = api.new_case(), api.allocated_case()
    for name, who, noun, body, field in COMMAND_ERRORS:
        with subtests.test(name):
            case = new if who == "hub" else allocated
            problem = api.refused_command(422, case, noun, body, who)
            assert field in problem["errors"], problem["errors"]


BAD_QUERIES = [
    "limit=0",
    "limit=201",
    "limit=ten",
    "offset=-1",
    "status=lost",
    "risk_level=extreme",
    "colour=red",
]


def test_a_bad_list_query_is_422_naming_the_parameter(api: Api, subtests: pytest.Subtests) -> None:
    for query in BAD_QUERIES:
        with subtests.test(query=query):
            problem = api.refused(422, "GET", f"/cases?{query}", "manager")
            assert query.split("=")[0] in problem["errors"]


# --- 415, 400, 413: what arrives is not a JSON object we will read --------------------------------


def test_a_body_that_is_not_json_is_415(api: Api, subtests: pytest.Subtests) -> None:
    case = api.new_case()
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "text/xml", None]:
        with subtests.test(content_type=content_type):
            kwargs: dict[str, Any] = {"content_type": content_type} if content_type else {}
            api.refused(415, "POST", "/cases", "hub", data=json.dumps(report_body()), **kwargs)
            api.refused_command(415, case, "triage", None, "hub", data="{}", **kwargs)


@pytest.mark.parametrize("data", ['{"channel": ', "{'channel': 'phone'}", "not json", "{}}"])
def test_malformed_json_is_400(api: Api, data: str) -> None:
    case = api.new_case()
    api.refused(400, "POST", "/cases", "hub", data=data, content_type="application/json")
    api.refused_command(
        400, case, "triage", None, "hub", data=data, content_type="application/json"
    )


def test_a_body_over_256_kib_is_413(api: Api) -> None:
    case = api.new_case()
    big = json.dumps(report_body(description="x" * (256 * 1024)))
    assert len(big) > 256 * 1024
    problem = api.refused(413, "POST", "/cases", "hub", data=big, content_type="application/json")
    assert problem["title"] == "Request Entity Too Large"
    big = json.dumps({"notes": "x" * (257 * 1024)})
    api.refused_command(413, case, "triage", None, "hub", data=big, content_type="application/json")


def test_a_body_just_under_the_limit_is_read(api: Api) -> None:
    case = api.new_case()
    body = json.dumps({"notes": "x" * (250 * 1024)})
    problem = api.refused_command(
        422, case, "triage", None, "hub", data=body, content_type="application/json"
    )
    assert "notes" in problem["errors"]  # read, then refused by its length


# --- nothing half-written ------------------------------------------------------------------------


def test_no_refused_command_stores_an_event(api: Api) -> None:
    """One case, every class of refusal in turn; the event log does not move."""
    case = api.allocated_case()
    contact = {"method": "phone", "direction": "inbound"}
    json_type: dict[str, Any] = {"content_type": "application/json"}  # for the test client
    api.token("dpo")
    before = api.head()
    events_before = api.get(f"/cases/{case['case_id']}/events", "officer").get_json()["events"]

    api.refused_command(401, case, "contacts", contact, None)
    api.refused_command(401, case, "contacts", contact, None, headers={"Authorization": "Bearer x"})
    api.refused_command(403, case, "contacts", contact, "dpo")
    api.refused_command(404, case, "contacts", contact, "other_officer")
    api.refused_command(404, case, "no-such-noun", contact, "officer")
    api.refused_command(
        409, case, "contacts", {**contact, "method": "social_media_public_reply"}, "officer"
    )
    api.refused_command(412, case, "contacts", contact, "officer", if_match='"2"')
    api.refused_command(428, case, "contacts", contact, "officer", if_match=None)
    api.refused_command(422, case, "contacts", {**contact, "mood": "calm"}, "officer")
    api.refused_command(422, case, "contacts", [contact], "officer")
    api.refused_command(415, case, "contacts", None, "officer", data=json.dumps(contact))
    api.refused_command(400, case, "contacts", None, "officer", data="{", **json_type)
    big = json.dumps({**contact, "summary": "x" * 300_000})
    api.refused_command(413, case, "contacts", None, "officer", data=big, **json_type)
    # a person added and a perpetrator identified are saved with the case, or not at all
    api.refused_command(
        409, _closed(api, api.allocated_case()), "subjects", {"role": "witness"}, "officer"
    )
    before = api.head()
    api.refused_command(
        422, case, "subjects", {"role": "witness", "details": {"shoe_size": 9}}, "officer"
    )
    api.refused_command(
        403, case, "perpetrators", {"link": "tenant", "details": {"name": "X"}}, "dpo"
    )

    assert api.head() == before
    events = api.get(f"/cases/{case['case_id']}/events", "officer").get_json()["events"]
    assert events == events_before


def test_of_two_writers_who_saw_the_same_version_the_second_gets_412(api: Api) -> None:
    case = api.allocated_case()
    api.token("manager")
    first = api.command(case, "contacts", {"method": "phone", "direction": "inbound"}, "officer")
    assert first.status_code == 201
    before = api.head()
    second = api.command(case, "risk-assessments", {"answers": ANSWERS_MEDIUM}, "manager")
    problem = assert_problem(second, 412)
    assert problem["current_version"] == case["version"] + 1
    assert api.head() == before
    retried = api.command(
        first.get_json(), "risk-assessments", {"answers": ANSWERS_MEDIUM}, "manager"
    )
    assert retried.status_code == 201
    assert retried.get_json()["version"] == case["version"] + 2


def test_the_log_of_a_500_names_its_cause_when_it_is_the_environment(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The signing key file gone while serving: the 500's log line says which file, so the
    operator can act (issue 21); a bug's message (which may hold request data) is not."""
    case = api.allocated_case()
    api.step(case, "complaints", {"stage": "stage_1", "summary": "Too slow."}, "complaints")
    integrity = api.services.integrity
    os.rename(integrity.key_file, integrity.key_file + ".away")
    integrity._key = None
    caplog.set_level(logging.ERROR, logger="caseledger")
    response = api.client.post(
        f"{API}/cases/{case['case_id']}/evidence-packs",
        json={"purpose": "complaint"},
        headers=api.auth("complaints"),
    )
    assert response.status_code == 500
    assert f"signing key file {integrity.key_file} is missing" in caplog.text
    assert "IntegrityFailure" in caplog.text and "Too slow" not in caplog.text
