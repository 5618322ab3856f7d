"""One resource, one shape: a case (and a timer) is named and shaped the same in every answer,
and a command's answer says what it recorded. Also the command added through the catalogue
alone: telling the victim of their right to an ASB Case Review (policy 12.1)."""

from __future__ import annotations

from interface.api.representations import CASE_FIELDS, SUMMARY_FIELDS, TIMER_FIELDS
from tests.api.helpers import Api, assert_problem


def test_a_case_has_one_shape_in_its_answers_and_in_lists(api: Api) -> None:
    reported = api.report().get_json()
    assert list(reported) == list(CASE_FIELDS)
    case = api.allocated_case()
    shown = api.get(f"/cases/{case['case_id']}", "officer").get_json()
    assert list(shown) == [*CASE_FIELDS, "timers", "reminders"]
    assert {k: shown[k] for k in CASE_FIELDS} == {k: case[k] for k in CASE_FIELDS}

    (item,) = api.get("/cases", "officer").get_json()["items"]
    assert list(item) == list(SUMMARY_FIELDS)
    assert set(SUMMARY_FIELDS) < set(CASE_FIELDS)  # a summary is the first part of the case
    assert item == {k: shown[k] for k in SUMMARY_FIELDS}

    (timer, *_) = shown["timers"]
    assert list(timer) == list(TIMER_FIELDS) and timer["case_id"] == case["case_id"]
    listed = api.get(f"/timers?case_id={case['case_id']}", "officer").get_json()["items"]
    assert timer in listed


def test_a_commands_answer_names_what_it_recorded(api: Api) -> None:
    case = api.allocated_case()
    consent = api.ok(
        api.command(
            case,
            "consents",
            {"recipient": "police", "recipient_name": "West Midlands Police", "form": "verbal"},
            "officer",
        )
    )
    assert consent["recorded"] == {"consent_id": "consent-1"}
    repair = api.ok(
        api.command(
            consent, "repairs", {"kind": "emergency", "description": "Door kicked in"}, "officer"
        )
    )
    assert repair["recorded"] == {"repair_id": "repair-1"}
    person = api.ok(api.command(repair, "subjects", {"role": "witness"}, "officer"))
    (subject_id,) = person["recorded"].values()
    assert {"subject_id": subject_id, "roles": ["witness"]} in person["people"]
    contact = {"method": "phone", "direction": "outbound"}
    contacted = api.ok(api.command(person, "contacts", contact, "officer"))
    assert contacted["recorded"] == {"contact_id": "contact-1"}
    concern = api.ok(
        api.command(
            contacted,
            "safeguarding-concerns",
            {"about": "child", "referred_to": ["local_authority"], "details": "Frightened"},
            "officer",
        )
    )
    assert concern["recorded"] == {"concern_id": "safeguarding-1"}
    disclosed = api.ok(
        api.command(
            concern,
            "disclosures",
            {
                "recipient": "support_agency",
                "recipient_name": "Victim Support",
                "basis": "safeguarding",
                "concern_id": "safeguarding-1",
                "what": "The risk to the child",
            },
            "officer",
        )
    )
    assert disclosed["recorded"] == {"disclosure_id": "disclosure-1"}  # 9.4: any agency


def test_the_victim_is_told_of_the_case_review_right(api: Api) -> None:
    case = api.allocated_case()
    assert case["closure"]["case_review_right_told_at"] is None
    api.refused_command(403, case, "case-review-right-notices", {"method": "phone"}, "hub")
    refused = api.refused_command(
        409,
        case,
        "case-review-right-notices",
        {"method": "social_media_public_reply"},
        "officer",
    )
    assert refused["policy_clause"] == "6.1"

    told = api.step(
        case, "case-review-right-notices", {"method": "letter", "notes": "Leaflet sent"}, "officer"
    )
    assert told["closure"]["case_review_right_told_at"] == api.clock().isoformat()
    events = api.get(f"/cases/{case['case_id']}/events", "officer").get_json()["events"]
    assert events[-1]["type"] == "VictimToldOfCaseReviewRight"
    assert events[-1]["data"] == {"method": "letter", "notes": "Leaflet sent"}
    invalid = api.refused_command(422, told, "case-review-right-notices", {}, "officer")
    assert "method" in invalid["errors"]
    assert_problem(
        api.command(told, "case-review-right-notices", {"method": "pigeon"}, "officer"), 422
    )
