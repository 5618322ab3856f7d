"""The sharing views over HTTP: every recipient, one recipient, and as of a past moment."""

from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import Api


def test_sharing_views_answer_per_recipient_with_the_clause(api: Api) -> None:
    case = api.allocated_case("officer")
    before = api.clock.now.isoformat()
    api.clock.advance(timedelta(minutes=5))
    case = api.step(
        case,
        "consents",
        {"recipient": "police", "recipient_name": "West Midlands Police", "form": "verbal"},
        "officer",
    )
    police = api.get(f"/cases/{case['case_id']}/sharing/police", "officer").get_json()
    assert police["bases"] == ["consent"] and police["refusal"] is None
    then = api.get(
        f"/cases/{case['case_id']}/sharing/police", "officer", query_string={"as_of": before}
    ).get_json()
    assert then["refusal"]["policy_clause"] == "9.2" and then["anonymous_intelligence_only"]
    panel = api.get(f"/cases/{case['case_id']}/sharing/multi_agency_panel", "officer").get_json()
    assert panel["refusal"]["policy_clause"] == "9.3"
    everyone = api.get(f"/cases/{case['case_id']}/sharing", "officer").get_json()
    assert {r["recipient"] for r in everyone["recipients"]} >= {"police", "local_authority"}
    assert api.get(f"/cases/{case['case_id']}/sharing/landlord", "officer").status_code == 422
    assert api.get(f"/cases/{case['case_id']}/sharing/police", "other_officer").status_code == 404
