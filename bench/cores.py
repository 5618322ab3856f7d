"""Every core: `caseledger serve` with one worker process against two, side by side:
`python -m bench --only cores`.

One store per engine gets the bench's staff and `seed` reported cases; a server with one
worker and one with two (8 threads each) run on it at once, and at each concurrency level
each workload is measured on the one and straight after on the other:

* `list`: GET /api/v1/cases as a manager; `get`: GET /api/v1/cases/{id} (with its
  access-log entry); `contact`: POST contacts with If-Match, each client on cases of its own
  (as in `bench.api`).

The ratio two workers / one is what a second core adds; on a machine whose two cores are
shared with other work, it is the share of them this server could get.
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

from bench.api import Contacts, get_case, get_list, measure_level, prepare
from bench.common import HUB, MANAGER, Server, case_ids, fresh_store


def one_against_two_workers(
    engine: str, seed: int, levels: tuple[int, ...], requests: int, seconds: float
) -> dict[str, Any]:
    with fresh_store(engine) as store:
        tokens = prepare(store, seed)
        servers = {1: Server(store, workers=1), 2: Server(store, workers=2)}
        try:
            manager, hub = tokens[MANAGER.username], tokens[HUB.username]
            ids = case_ids(servers[1].port, manager, seed)
            versions: dict[UUID, int] = {}
            rows: dict[str, list[dict[str, Any]]] = {"list": [], "get": [], "contact": []}
            load = [os.getloadavg()[0]]
            for clients in levels:
                for op, token, make in (
                    ("list", manager, lambda _: get_list),
                    ("get", manager, lambda _: get_case(ids)),
                    ("contact", hub, Contacts(ids, clients, versions).for_client),
                ):
                    measured = {
                        n: measure_level(s.port, token, clients, requests, seconds, make)
                        for n, s in servers.items()
                    }
                    rows[op].append(
                        {
                            "clients": clients,
                            "one_worker": measured[1],
                            "two_workers": measured[2],
                            "ratio": round(measured[2]["per_s"] / measured[1]["per_s"], 2),
                        }
                    )
                load.append(os.getloadavg()[0])
        finally:
            for server in servers.values():
                server.stop()
    return {"engine": engine, "seeded_cases": seed, "load_average_1m": load, **rows}


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "| workload | engine | clients | 1 worker req/s (p50 ms) | 2 workers req/s (p50 ms) "
        "| ratio |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for op, label in (
            ("list", "GET /cases"),
            ("get", "GET /cases/{id}"),
            ("contact", "POST contacts"),
        ):
            for row in r[op]:
                a, b = row["one_worker"], row["two_workers"]
                lines.append(
                    f"| {label} | {r['engine']} | {row['clients']} | {a['per_s']} ({a['p50_ms']})"
                    f" | {b['per_s']} ({b['p50_ms']}) | {row['ratio']} |"
                )
        lines.append(f"\n{r['engine']}: 1-minute load average {r['load_average_1m']}")
    return lines
