"""Every instant a client can send is bounded where it enters: 422 naming the field, nothing
stored, never a 500 (issue 13.1: Go's zero time as `received_at` poisoned every read); and
a store that already holds such a report answers every read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.helpers import API, Api, report_body
from tests.integration.test_poison_instants import YEAR_1, poisoned

OUT_OF_RANGE = [
    "0001-01-01T00:00:00Z",  # Go's zero time
    "0001-01-01T00:00:00+14:00",  # overflowed when turned into UTC
    "9999-12-31T23:59:59-14:00",
    "1989-12-31T23:59:59Z",
    "1990-01-01T13:59:59+14:00",  # 1989 in UTC
    "2200-01-01T00:00:00Z",
]


def test_an_instant_out_of_range_or_in_the_future_is_422_naming_it(
    api: Api, subtests: pytest.Subtests
) -> None:
    case = api.allocated_case()
    victim = case["victim_id"]
    access = api.ok(
        api.client.post(
            f"{API}/subjects/{victim}/access-requests", json={}, headers=api.auth("dpo")
        )
    )
    future = (api.clock.now + timedelta(minutes=6)).isoformat()
    incident = {k: v for k, v in report_body().items() if k in ("description", "strands")}
    posts: list[tuple[str, str, dict[str, Any], str]] = [
        ("/cases", "received_at", report_body(), "hub"),
        ("/cases", "incident_at", report_body(), "hub"),
        (
            f"/subjects/{victim}/access-requests/{access['request_id']}/responses",
            "sent_at",
            {"method": "email"},
            "dpo",
        ),
        (f"/subjects/{victim}/access-requests", "received_at", {}, "dpo"),
        (
            f"/subjects/{victim}/rectifications",
            "received_at",
            {"details": {"phone": "07700 900999"}, "reason": "moved"},
            "dpo",
        ),
        (
            f"/subjects/{victim}/erasure-requests",
            "received_at",
            {"outcome": "refused", "ground": "legal_claims", "reasons": "claim"},
            "dpo",
        ),
    ]
    for sent in [*OUT_OF_RANGE, future]:
        for path, field, body, who in posts:
            with subtests.test(path=path, field=field, sent=sent):
                problem = api.refused(422, "POST", path, who, json=body | {field: sent})
                assert field in problem["errors"], problem
        with subtests.test("further incident", sent=sent):
            body = incident | {"reporter_role": "victim", "forms": ["graffiti"]}
            problem = api.refused_command(
                422, case, "further-incidents", body | {"incident_at": sent}, "officer"
            )
            assert "incident_at" in problem["errors"], problem
        for recipient in ("", "/police"):
            with subtests.test("as_of", recipient=recipient, sent=sent):
                response = api.client.get(
                    f"{API}/cases/{case['case_id']}/sharing{recipient}",
                    query_string={"as_of": sent},
                    headers=api.auth("officer"),
                )
                assert response.status_code == 422, response.get_json()
                assert "as_of" in response.get_json()["errors"]


def test_a_client_clock_a_little_fast_is_taken_as_the_ledgers_now(api: Api) -> None:
    ahead = (api.clock.now + timedelta(minutes=4)).isoformat()
    case = api.new_case(received_at=ahead, incident_at=ahead)
    assert case["received_at"] == api.clock.now.isoformat()


def test_a_store_holding_a_year_1_report_recovers(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = api.allocated_case()
    case = poisoned(api.services, monkeypatch)

    for path in [f"/cases/{other['case_id']}", "/timers", "/cases?overdue=true"]:
        assert api.get(path, "manager").status_code == 200, path
    assert api.get("/statistics?year=2026", "auditor").status_code == 200
    shown = api.get(f"/cases/{case.id}", "manager").get_json()
    assert shown["received_at"] == YEAR_1.isoformat()  # the record, as stored and signed
    # Counted from the ledger's earliest instant: overdue since then, never a stuck view.
    (timer,) = shown["timers"]
    assert (timer["started_at"], timer["state"]) == ("1990-01-01T00:00:00+00:00", "overdue")
    overdue = api.get("/cases?overdue=true", "manager").get_json()["items"]
    assert str(case.id) in {c["case_id"] for c in overdue}
    for view in ("timers", "statistics"):
        api.services.runner.rebuild(view)
        assert api.services.runner.position(view) == api.head()
