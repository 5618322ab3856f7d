"""Reads come from the views, say how fresh they are, and can wait for the caller's own write.

With `CASELEDGER_PROJECTIONS=worker` nothing in the server writes views: a
`ProjectionWorker` (what `caseledger projections run` runs) keeps them up, and a read that
sends `X-Min-Position` waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest

from interface.api.app import create_app
from interface.config import Services, build_services
from projections.worker import ProjectionWorker
from tests.api.helpers import STAFF, Api, assert_problem
from tests.conftest import Clock, add_staff


@pytest.fixture
def worker_api(engine_env: dict[str, str], clock: Clock) -> Iterator[Api]:
    env = engine_env | {"CASELEDGER_PROJECTIONS": "worker", "CASELEDGER_VIEW_WAIT_S": "10"}
    services = build_services(env, clock=clock)
    add_staff(services)
    yield Api(client=create_app(services).test_client(), services=services, clock=clock)
    services.close()


@contextmanager
def _worker(services: Services) -> Iterator[None]:
    worker = ProjectionWorker(services.runner, poll_interval_s=0.01)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        worker.stop()
        thread.join(timeout=10)


def _position(response: Any, header: str) -> int:
    return int(response.headers[header])


def test_a_command_answers_with_the_log_position_of_its_write(api: Api) -> None:
    report = api.report()
    assert _position(report, "X-Ledger-Position") == api.head()
    case = report.get_json()
    triaged = api.command(case, "triage", {"priority": "highest"}, "hub")
    assert (
        _position(triaged, "X-Ledger-Position")
        == api.head()
        > _position(report, "X-Ledger-Position")
    )


def test_inline_reads_see_every_earlier_write_and_say_how_fresh_they_are(api: Api) -> None:
    report = api.report()
    response = api.get(f"/cases/{report.get_json()['case_id']}", "hub")
    assert response.status_code == 200
    assert _position(response, "X-Projection-Position") >= _position(report, "X-Ledger-Position")
    listed = api.get("/cases", "hub")
    assert _position(listed, "X-Projection-Position") == api.head()


def test_a_case_is_read_from_its_view_without_replaying_its_events(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = api.ok(api.report())
    api.ok(api.command(case, "triage", {"priority": "highest"}, "hub"))

    def replay(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a read replayed the case")

    monkeypatch.setattr(api.services.ledger, "_load_case", replay)
    shown = api.get(f"/cases/{case['case_id']}", "hub")
    assert shown.status_code == 200
    assert shown.get_json()["priority"] == "highest" and shown.headers["ETag"] == '"2"'
    assert shown.get_json()["description"] == case["description"]


def test_with_a_worker_a_read_waits_for_the_callers_own_write(worker_api: Api) -> None:
    with _worker(worker_api.services):
        report = worker_api.report()
        case = report.get_json()
        written = report.headers["X-Ledger-Position"]
        shown = worker_api.client.get(
            f"/api/v1/cases/{case['case_id']}",
            headers=worker_api.auth("hub", **{"X-Min-Position": written}),
        )
        assert shown.status_code == 200, shown.get_json()
        assert _position(shown, "X-Projection-Position") >= int(written)


def test_without_a_worker_a_read_that_needs_a_newer_position_is_refused_not_stale(
    worker_api: Api,
) -> None:
    worker_api.services.views.wait_s = 0.2
    report = worker_api.report()
    case = report.get_json()
    listed = worker_api.get("/cases", "hub")  # no position asked for: the view as it is
    assert listed.status_code == 200 and listed.get_json()["total"] == 0
    assert _position(listed, "X-Projection-Position") < int(report.headers["X-Ledger-Position"])
    late = worker_api.client.get(
        f"/api/v1/cases/{case['case_id']}",
        headers=worker_api.auth("hub", **{"X-Min-Position": report.headers["X-Ledger-Position"]}),
    )
    problem = assert_problem(late, 503)
    assert late.headers["Retry-After"] == "1"
    assert problem["projection_position"] < int(report.headers["X-Ledger-Position"])
    worker_api.services.runner.catch_up()
    assert worker_api.get(f"/cases/{case['case_id']}", "hub").status_code == 200


@pytest.mark.parametrize("value", ["-1", "abc", "1" * 19, "1.5"])
def test_a_malformed_minimum_position_is_a_422(api: Api, value: str) -> None:
    response = api.client.get("/api/v1/cases", headers=api.auth("hub", **{"X-Min-Position": value}))
    problem = assert_problem(response, 422)
    assert "X-Min-Position" in problem["errors"]


def test_an_officer_opening_a_case_just_allocated_to_them_is_never_told_404(
    worker_api: Api,
) -> None:
    """The officer has no position of their own to send: the allocation was the hub's write.
    While the view lags the allocation, the read waits for it or answers 503, not 404."""
    api = worker_api
    api.services.views.wait_s = 0.2
    case = api.step(api.new_case(), "triage", {}, "hub")
    api.services.runner.catch_up()  # the view: triaged, unallocated (the officer's not)
    username, _, team = STAFF["officer"]
    case = api.step(case, "allocation", {"officer": username, "team": team}, "hub")
    path = f"/cases/{case['case_id']}"

    early = api.get(path, "officer")
    problem = assert_problem(early, 503)
    assert early.headers["Retry-After"] == "1"
    assert problem["projection_position"] < api.head()
    assert_problem(api.get(f"/cases/{uuid4()}", "officer"), 404)  # no such case: no wait

    with _worker(api.services):
        shown = api.get(path, "officer")  # waits for the worker to apply the allocation
        assert shown.status_code == 200 and shown.get_json()["officer"] == username
        assert_problem(api.get(path, "south_officer"), 404)  # caught up: not theirs
