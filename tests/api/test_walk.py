"""One case through every command noun of the API, then its event history."""

from __future__ import annotations

from datetime import datetime, timedelta

from application.commands.catalogue import case_commands
from tests.api.helpers import STAFF, Api, walk_every_command


def test_every_command_noun_records_its_event_and_bumps_the_version(api: Api) -> None:
    start = api.clock()
    case, steps = walk_every_command(api)

    assert {s.noun for s in steps} == {c.noun for c in case_commands() if c.versioned}
    assert case["version"] == 1 + len(steps)
    assert case["status"] == "allocated"  # reopened, with its officer
    assert case["officer"] == STAFF["other_officer"][0]
    (adjustment,) = case["reasonable_adjustments"]  # 7.3: shown with the case
    assert (adjustment["adjustment_id"], adjustment["status"]) == ("adjustment-1", "agreed")
    assert adjustment["adjustment"] == "Letters in large print."

    response = api.get(f"/cases/{case['case_id']}/events", "other_officer")
    assert response.status_code == 200
    body = response.get_json()
    assert body["case_id"] == case["case_id"]
    events = body["events"]
    assert [e["type"] for e in events] == ["CaseReported", *(s.event for s in steps)]
    assert [e["version"] for e in events] == list(range(1, len(steps) + 2))
    assert [e["actor"] for e in events] == [STAFF[w][0] for w in ["hub", *(s.who for s in steps)]]
    occurred = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    waited = [sum((s.waited for s in steps[:n]), timedelta(0)) for n in range(len(events))]
    assert occurred == [start + timedelta(hours=n) + waited[n] for n in range(len(events))]
    for event in events:
        assert isinstance(event["data"], dict)
        assert event["policy_version"]
        assert "recorded_at" in event


def test_event_data_carries_what_the_command_said(api: Api) -> None:
    case, steps = walk_every_command(api)
    events = api.get(f"/cases/{case['case_id']}/events", "other_officer").get_json()["events"]

    reported = events[0]["data"]
    assert reported["description"].startswith("Racist graffiti")
    assert reported["channel"] == "partner_agency"
    assert reported["strands"] == ["race"]
    for step, event in zip(steps, events[1:], strict=True):
        for name, value in step.body.items():
            if name in event["data"] and not isinstance(value, list | dict):
                assert event["data"][name] == value, (step.noun, name)
    allocated = next(e for e in events if e["type"] == "OfficerAllocated")
    assert allocated["data"] == {"officer": STAFF["officer"][0], "team": "north"}
    closed = next(e for e in events if e["type"] == "CaseClosed")
    assert closed["data"]["grounds"] == ["all_action_taken"]
    assert closed["data"]["reasons"] == "Everything in the plan is done."


def test_each_201_carries_location_etag_and_the_case(api: Api) -> None:
    response = api.report()
    assert response.status_code == 201
    case = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['case_id']}")
    assert response.headers["ETag"] == '"1"'
    assert case["reference"].startswith("HC-2026-")
    assert (case["status"], case["version"]) == ("reported", 1)

    response = api.command(case, "triage", {}, "hub")
    assert response.status_code == 201
    triaged = response.get_json()
    assert response.headers["ETag"] == '"2"'
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['case_id']}")
    assert (triaged["case_id"], triaged["reference"]) == (case["case_id"], case["reference"])
    assert (triaged["status"], triaged["version"], triaged["priority"]) == (
        "triaged",
        2,
        "highest",
    )

    response = api.client.get(response.headers["Location"], headers=api.auth("hub"))
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    shown = response.get_json()
    assert triaged.pop("recorded") == {}  # triage records nothing with an id of its own
    assert {k: shown[k] for k in triaged} == triaged


def test_a_weak_etag_is_accepted_as_if_match(api: Api) -> None:
    case = api.new_case()
    response = api.client.post(
        f"/api/v1/cases/{case['case_id']}/triage",
        json={},
        headers=api.auth("hub", **{"If-Match": 'W/"1"'}),
    )
    assert response.status_code == 201
    assert response.get_json()["version"] == 2


def test_people_added_to_a_case_are_readable_by_its_officer(api: Api) -> None:
    case = api.allocated_case()
    response = api.command(
        case, "subjects", {"role": "witness", "details": {"name": "Priya Shah"}}, "officer"
    )
    assert response.status_code == 201
    subject_id = response.get_json()["recorded"]["subject_id"]
    assert {"subject_id": subject_id, "roles": ["witness"]} in response.get_json()["people"]

    person = api.get(f"/cases/{case['case_id']}/people/{subject_id}", "officer")
    assert person.status_code == 200
    assert person.get_json()["details"]["name"] == "Priya Shah"
    assert person.get_json()["roles"] == ["witness"]
