"""GET /api/v1/cases: visibility per role, filters, pagination, read-your-writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from interface.demo import ANSWERS_HIGH, ANSWERS_MEDIUM
from tests.api.helpers import STAFF, Api, assert_problem


def _caseload(api: Api) -> dict[str, dict[str, Any]]:
    """Six cases at different stages, each reported an hour after the one before."""
    cases: dict[str, dict[str, Any]] = {}
    cases["reported"] = api.new_case()
    api.clock.advance(timedelta(hours=1))
    cases["triaged"] = api.step(api.new_case(), "triage", {}, "hub")
    api.clock.advance(timedelta(hours=1))
    mine = api.allocated_case("officer")
    cases["mine_high"] = api.step(mine, "risk-assessments", {"answers": ANSWERS_HIGH}, "officer")
    api.clock.advance(timedelta(hours=1))
    theirs = api.allocated_case("other_officer")
    theirs = api.step(theirs, "risk-assessments", {"answers": ANSWERS_MEDIUM}, "other_officer")
    cases["theirs_complained"] = api.step(
        theirs, "complaints", {"stage": "stage_1", "summary": "No call back."}, "complaints"
    )
    api.clock.advance(timedelta(hours=1))
    cases["south"] = api.allocated_case("south_officer")
    api.clock.advance(timedelta(hours=1))
    cases["mine_reviewed"] = api.step(
        api.allocated_case("officer"), "case-reviews", {"local_authority": "BCC"}, "complaints"
    )
    return cases


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["case_id"] for item in response.get_json()["items"]}


def _expect(cases: dict[str, dict[str, Any]], *names: str) -> set[str]:
    return {cases[n]["case_id"] for n in names}


VISIBLE = {
    "hub": ("reported", "triaged"),
    "officer": ("mine_high", "mine_reviewed"),
    "other_officer": ("theirs_complained",),
    "south_officer": ("south",),
    "manager": ("reported", "triaged", "mine_high", "theirs_complained", "mine_reviewed"),
    "south_manager": ("reported", "triaged", "south"),
    "complaints": ("theirs_complained", "mine_reviewed"),
}

FILTERS = {
    "status=reported": ("reported",),
    "status=triaged": ("triaged",),
    "status=allocated": ("mine_high", "theirs_complained", "mine_reviewed"),
    "status=closed": (),
    "officer=k.officer": ("mine_high", "mine_reviewed"),
    "officer=s.officer": ("theirs_complained",),
    "officer=p.south": (),  # a filter never widens what the caller sees
    "team=north": ("mine_high", "theirs_complained", "mine_reviewed"),
    "team=south": (),
    "risk_level=high": ("mine_high",),
    "risk_level=medium": ("theirs_complained",),
    "risk_level=standard": (),
    "status=allocated&officer=k.officer&risk_level=high": ("mine_high",),
}


def test_each_role_lists_only_the_cases_it_may_see(api: Api, subtests: pytest.Subtests) -> None:
    cases = _caseload(api)
    for who, visible in VISIBLE.items():
        with subtests.test(who=who):
            response = api.get("/cases", who)
            assert _ids(response) == _expect(cases, *visible)
            assert response.get_json()["total"] == len(visible)
            for item in response.get_json()["items"]:  # each case it lists, it may open
                assert api.get(f"/cases/{item['case_id']}", who).status_code == 200


def test_filters_narrow_the_managers_caseload(api: Api, subtests: pytest.Subtests) -> None:
    cases = _caseload(api)
    for query, expected in FILTERS.items():
        with subtests.test(query=query):
            response = api.get(f"/cases?{query}", "manager")
            assert _ids(response) == _expect(cases, *expected)
            assert response.get_json()["total"] == len(expected)


def test_items_carry_the_summary_and_no_personal_data(api: Api) -> None:
    cases = _caseload(api)
    items = api.get("/cases?risk_level=high", "manager").get_json()["items"]
    assert len(items) == 1
    item = items[0]
    mine = cases["mine_high"]
    assert item["case_id"] == mine["case_id"]
    assert item["reference"] == mine["reference"]
    assert item["status"] == "allocated"
    assert (item["officer"], item["team"], item["risk_level"]) == ("k.officer", "north", "high")
    assert item["version"] == mine["version"]
    assert item["strands"] == ["race"]
    assert "description" not in item and "victim_id" not in item
    text = str(item)
    assert "Amara" not in text and "graffiti" not in text.lower()


def test_pages_are_newest_first_with_limit_offset_and_total(api: Api) -> None:
    cases = _caseload(api)
    everything = api.get("/cases", "manager").get_json()
    order = [i["case_id"] for i in everything["items"]]
    received = [i["received_at"] for i in everything["items"]]
    assert received == sorted(received, reverse=True)
    assert set(order) == _expect(
        cases, "reported", "triaged", "mine_high", "theirs_complained", "mine_reviewed"
    )

    seen: list[str] = []
    for offset in (0, 2, 4):
        page = api.get(f"/cases?limit=2&offset={offset}", "manager").get_json()
        assert (page["limit"], page["offset"], page["total"]) == (2, offset, 5)
        seen += [i["case_id"] for i in page["items"]]
    assert seen == order
    past = api.get("/cases?limit=2&offset=10", "manager").get_json()
    assert (past["items"], past["total"]) == ([], 5)
    default = api.get("/cases", "manager").get_json()
    assert (default["limit"], default["offset"]) == (50, 0)
    most = api.get("/cases?limit=200", "manager").get_json()
    assert most["limit"] == 200 and len(most["items"]) == 5


def test_a_case_just_reported_is_in_the_next_list(api: Api) -> None:
    assert api.get("/cases", "hub").get_json()["total"] == 0
    for n in range(1, 4):
        case = api.new_case()
        response = api.get("/cases", "hub")
        assert case["case_id"] in _ids(response)
        assert response.get_json()["total"] == n
        position = int(response.headers["X-Projection-Position"])
        assert position == response.get_json()["projection_position"] == api.head()


def test_a_command_is_seen_by_the_next_list(api: Api) -> None:
    case = api.new_case()
    case = api.step(case, "triage", {}, "hub")
    assert _ids(api.get("/cases?status=triaged", "hub")) == {case["case_id"]}
    assert _ids(api.get("/cases", "officer")) == set()

    username, _, team = STAFF["officer"]
    case = api.step(case, "allocation", {"officer": username, "team": team}, "hub")
    assert _ids(api.get("/cases", "hub")) == set()
    listed = api.get("/cases", "officer").get_json()["items"]
    assert [(i["case_id"], i["status"], i["version"]) for i in listed] == [
        (case["case_id"], "allocated", 3)
    ]

    other, _, _ = STAFF["other_officer"]
    reassign = {"officer": other, "team": team, "reason": "Leave."}
    case = api.step(case, "reassignment", reassign, "manager")
    assert _ids(api.get("/cases", "officer")) == set()
    assert _ids(api.get("/cases", "other_officer")) == {case["case_id"]}


def test_a_bad_query_without_a_token_is_401(api: Api) -> None:
    assert_problem(api.client.get("/api/v1/cases?limit=0"), 401)


def test_newest_first_holds_across_utc_offsets(api: Api) -> None:
    later = api.new_case(received_at="2026-11-23T04:30:00-05:00")  # 09:30 UTC
    earlier = api.new_case(received_at="2026-11-23T09:00:00+00:00")
    items = api.get("/cases", "hub").get_json()["items"]
    assert [i["case_id"] for i in items] == [later["case_id"], earlier["case_id"]]
