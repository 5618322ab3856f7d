"""People across cases: naming a known person needs a reason to know them (else the answer an
unknown id gets), and details recorded for one case never reach the staff of another."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.api.helpers import API, Api

OLD_ADDRESS = "Flat 3, Elm Court, Birmingham B5"
REFUGE = "Refuge room 7, Sycamore House, Coventry CV1"


def _link(api: Api, case: dict[str, Any], noun: str, subject_id: str, who: str) -> Any:
    body: dict[str, Any] = {"subject_id": subject_id}
    body |= {"role": "witness"} if noun == "subjects" else {"link": "tenant"}
    return api.command(case, noun, body, who)


@pytest.mark.parametrize("noun", ["subjects", "perpetrators"])
def test_a_person_on_someone_elses_case_answers_as_an_unknown_id(api: Api, noun: str) -> None:
    theirs = api.allocated_case("south_officer")  # another team's victim
    mine = api.allocated_case("officer")
    api.token("officer")  # issued before counting what is stored
    before = api.head()

    stranger = _link(api, mine, noun, theirs["victim_id"], "officer")
    nobody = _link(api, mine, noun, str(uuid.uuid4()), "officer")

    assert stranger.status_code == nobody.status_code == 422
    assert stranger.get_json() == nobody.get_json()
    assert list(stranger.get_json()["errors"]) == ["subject_id"]
    assert api.head() == before


def test_a_report_naming_a_victim_the_hub_cannot_see_answers_as_an_unknown_id(api: Api) -> None:
    theirs = api.allocated_case("officer")  # allocated: the hub no longer sees it
    known = api.report("hub", victim_id=theirs["victim_id"], victim=None)
    unknown = api.report("hub", victim_id=str(uuid.uuid4()), victim=None)
    assert known.status_code == unknown.status_code == 422
    assert known.get_json() == unknown.get_json()


def test_a_person_on_a_case_of_ones_own_may_be_named_on_another(api: Api) -> None:
    first = api.allocated_case("officer")
    second = api.allocated_case("officer")
    linked = api.ok(_link(api, second, "subjects", first["victim_id"], "officer"))
    assert linked["recorded"]["subject_id"] == first["victim_id"]
    again = api.ok(api.report("hub", victim_id=api.new_case()["victim_id"], victim=None))
    assert again["victim_id"]


def _everything_read(api: Api, case_id: str, victim: str, who: str) -> str:
    reads = [
        api.get(f"/cases/{case_id}", who),
        api.get(f"/cases/{case_id}/events", who),
        api.get(f"/cases/{case_id}/people/{victim}", who),
    ]
    assert all(r.status_code == 200 for r in reads), [r.get_json() for r in reads]
    return json.dumps([r.get_json() for r in reads])


def test_a_refuge_address_recorded_on_one_case_reaches_no_other(api: Api) -> None:
    """The victim is on case A (north) and case B (south). The DPO records her new refuge
    address for case B. B's officer reads it; the hub and north's officer, on case A, never
    do, and neither does a new case the hub links her to. A correction for every case (her
    name) reaches all of them."""
    case_a = api.new_case()
    victim = case_a["victim_id"]
    case_b = api.ok(api.report("hub", victim_id=victim, victim=None))  # the hub sees A
    case_b = api.step(case_b, "triage", {}, "hub")
    case_b = api.step(case_b, "allocation", {"officer": "p.south", "team": "south"}, "hub")

    response = api.client.post(
        f"{API}/subjects/{victim}/rectifications",
        json={
            "details": {"address": REFUGE},
            "reason": "Moved to a refuge; only case B's officer may know where",
            "case_id": case_b["case_id"],
        },
        headers=api.auth("dpo"),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["subject"]["details"]["address"] == OLD_ADDRESS

    on_b = api.get(f"/cases/{case_b['case_id']}/people/{victim}", "south_officer").get_json()
    assert on_b["details"]["address"] == REFUGE
    assert on_b["details"]["name"] == "Amara Okafor"

    seen_by_hub = _everything_read(api, case_a["case_id"], victim, "hub")
    assert REFUGE not in seen_by_hub and "Sycamore" not in seen_by_hub
    case_c = api.ok(api.report("hub", victim_id=victim, victim=None))
    on_c = _everything_read(api, case_c["case_id"], victim, "hub")
    assert "Sycamore" not in on_c and OLD_ADDRESS in on_c

    case_a = api.step(case_a, "triage", {}, "hub")
    case_a = api.step(case_a, "allocation", {"officer": "k.officer", "team": "north"}, "hub")
    seen_by_north = _everything_read(api, case_a["case_id"], victim, "officer")
    assert "Sycamore" not in seen_by_north and OLD_ADDRESS in seen_by_north
    # North's officer cannot reach her through another case of theirs either.
    mine = api.allocated_case("officer")
    on_mine = api.ok(_link(api, mine, "subjects", victim, "officer"))  # she is on A: theirs
    assert "Sycamore" not in _everything_read(api, on_mine["case_id"], victim, "officer")

    corrected = {"details": {"name": "Amara Okafor-Bell"}, "reason": "Married name"}
    api.ok(
        api.client.post(
            f"{API}/subjects/{victim}/rectifications", json=corrected, headers=api.auth("dpo")
        )
    )
    for case_id, who in ((case_a["case_id"], "officer"), (case_b["case_id"], "south_officer")):
        details = api.get(f"/cases/{case_id}/people/{victim}", who).get_json()["details"]
        assert details["name"] == "Amara Okafor-Bell"
        assert details["address"] == (REFUGE if who == "south_officer" else OLD_ADDRESS)


def test_details_for_one_case_need_the_person_on_it(api: Api) -> None:
    case = api.new_case()
    other = api.new_case()
    problem = api.refused(
        422,
        "POST",
        f"/subjects/{case['victim_id']}/rectifications",
        "dpo",
        json={"details": {"address": REFUGE}, "reason": "x", "case_id": other["case_id"]},
    )
    assert list(problem["errors"]) == ["case_id"]
