"""One resource, one shape: a case (and a timer) is named and shaped the same in every answer,
and a command's answer says what it recorded."""

from __future__ import annotations

from interface.api.representations import CASE_FIELDS, SUMMARY_FIELDS, TIMER_FIELDS
from tests.api.helpers import Api


def test_a_case_has_one_shape_in_its_answers_and_in_lists(api: Api) -> None:
    reported = api.report().get_json()
    assert list(reported) == list(CASE_FIELDS)
    case = api.allocated_case()
    shown = api.get(f"/cases/{case['case_id']}", "officer").get_json()
    assert list(shown) == [*CASE_FIELDS, "timers"]
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
    assert api.ok(api.command(person, "contacts", contact, "officer"))["recorded"] == {}
