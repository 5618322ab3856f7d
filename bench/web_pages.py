"""The staff screens' render time beside the API's: `.venv/bin/python -m bench.web_pages
[--cases 10000 100000] [--samples 30]`.

On SQLite in a temporary directory, grown by reports through the real ledger to each size
in turn, with one case of 200 events (a report, triage, allocation and 197 contacts). At
each size, through Flask's test client (in process: the server's own work, no network):

* Today (a manager's: team timers, reports waiting for triage and allocation);
* the caseload, first page of 25 (the screen) against `GET /api/v1/cases?limit=25`;
* the case of 200 events (the screen: state, timers, people, sharing, the history read in
  words) against the API's `GET /cases/{id}` and `GET /cases/{id}/events` together, which a
  client would need to draw the same.

p50 and p95 of each; the first request of each (views caught up, caches warm) is left out.
Writes `bench/results/web-pages-<date>.json` and prints it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from application.commands.reporting import Allocate, Triage
from application.commands.victim_care import RecordContact
from application.sign_in import passwords
from bench.__main__ import machine
from bench.common import ADMIN, HUB, MANAGER, fresh_store, latency_ms, report
from domain.vocabulary import ContactDirection, ContactMethod
from interface.api.app import create_app
from interface.config import Services

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench password, long enough"


def _case_of_200(services: Services) -> str:
    ledger = services.ledger
    case = report(ledger, -1)
    case = ledger.execute(case.id, Triage(), actor=HUB, seen_version=case.version).case
    case = ledger.execute(
        case.id,
        Allocate(officer=MANAGER.username, team=MANAGER.team),
        actor=HUB,
        seen_version=case.version,
    ).case
    contact = RecordContact(
        method=ContactMethod.PHONE,
        direction=ContactDirection.OUTBOUND,
        summary="Called the victim; no further incidents since the last call.",
    )
    while case.version < 200:
        case = ledger.execute(case.id, contact, actor=MANAGER, seen_version=case.version).case
    return str(case.id)


def _timed(get: Callable[[], Any], samples: int) -> dict[str, float]:
    get()  # warm: views caught up, templates compiled
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        response = get()
        times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return latency_ms(times)


def _signed_in(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": MANAGER.username, "password": PASSWORD},
    )
    assert done.headers.get("Location", "").endswith("/today"), done.status_code


def measure(sizes: list[int], samples: int) -> dict[str, Any]:
    results = []
    with fresh_store("sqlite") as store:
        store.env["CASELEDGER_WEB_MFA"] = "optional"  # signed in by password alone
        services = store.services()
        try:
            services.staff.add(username=HUB.username, role="hub", team=HUB.team, actor=ADMIN)
            _, token = services.staff.add(
                username=MANAGER.username, role="manager", team=MANAGER.team, actor=ADMIN
            )
            services.staff.set_password(MANAGER.username, PASSWORD, actor=ADMIN)
            case_id = _case_of_200(services)
            app = create_app(services)
            screens, api = app.test_client(), app.test_client()
            _signed_in(screens)
            bearer = {"Authorization": f"Bearer {token}"}
            made = 1
            for target in sizes:
                began = time.perf_counter()
                while made < target:
                    report(services.ledger, made)
                    made += 1
                generated = time.perf_counter() - began
                began = time.perf_counter()
                services.runner.catch_up()
                caught_up = time.perf_counter() - began

                def case_by_api() -> Any:
                    api.get(f"/api/v1/cases/{case_id}", headers=bearer)
                    return api.get(f"/api/v1/cases/{case_id}/events", headers=bearer)

                results.append(
                    {
                        "cases": made,
                        "events": services.runner.head(),
                        "generate_s": round(generated, 1),
                        "views_catch_up_s": round(caught_up, 1),
                        "today": _timed(lambda: screens.get("/today"), samples),
                        "caseload_screen": _timed(lambda: screens.get("/cases"), samples),
                        "caseload_api": _timed(
                            lambda: api.get("/api/v1/cases?limit=25", headers=bearer), samples
                        ),
                        "case_200_events_screen": _timed(
                            lambda: screens.get(f"/cases/{case_id}"), samples
                        ),
                        "case_200_events_api_case_and_events": _timed(case_by_api, samples),
                    }
                )
                print(json.dumps(results[-1], indent=1), flush=True)
        finally:
            services.close()
    return {"engine": "sqlite", "samples": samples, "sizes": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000])
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    began = datetime.now(UTC)
    figures = {
        "bench": "web_pages",
        "started": began.isoformat(timespec="seconds"),
        "machine": machine(),
        "argon2": {"time_cost": passwords.hasher.time_cost},
        **measure(sorted(args.cases), args.samples),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"web-pages-{began.strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
