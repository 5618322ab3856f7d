"""Reads against their ceiling, side by side: `python -m bench --only reads`.

One store per engine gets the bench's staff and `seed` reported cases; `caseledger serve` and
the ceiling (`bench.ceiling`: Flask + waitress over the same view rows, nothing else) run on
it at once, each with the same thread count. At each concurrency level, each read is measured
on the API and then straight away on the ceiling, so the ratio of the two comes from the same
minute of a shared machine; the load average before and after is kept with the figures.

* `list`: GET /api/v1/cases as a manager (first page of 50);
* `get`: GET /api/v1/cases/{id} as a manager (the API also writes its access-log entry).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from bench.api import get_case, get_list, measure_level, prepare
from bench.common import MANAGER, Server, case_ids, fresh_store

CEILING = (sys.executable, "-m", "bench.ceiling")


def reads_against_ceiling(
    engine: str, seed: int, levels: tuple[int, ...], requests: int, seconds: float
) -> dict[str, Any]:
    with fresh_store(engine) as store:
        tokens = prepare(store, seed)
        api, ceiling = Server(store, workers=1), Server(store, command=CEILING)
        try:
            manager = tokens[MANAGER.username]
            ids = case_ids(api.port, manager, seed)
            rows: dict[str, list[dict[str, Any]]] = {"list": [], "get": []}
            load = [os.getloadavg()[0]]
            for clients in levels:
                for op, make in (("list", lambda _: get_list), ("get", lambda _: get_case(ids))):
                    ours = measure_level(api.port, manager, clients, requests, seconds, make)
                    bare = measure_level(ceiling.port, manager, clients, requests, seconds, make)
                    rows[op].append(
                        {
                            "clients": clients,
                            "api": ours,
                            "ceiling": bare,
                            "ratio": round(ours["per_s"] / bare["per_s"], 2),
                        }
                    )
                load.append(os.getloadavg()[0])
        finally:
            api.stop()
            ceiling.stop()
    return {"engine": engine, "seeded_cases": seed, "load_average_1m": load, **rows}


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "| read | engine | clients | API req/s (p50 ms) | ceiling req/s (p50 ms) | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for op, label in (("list", "GET /cases"), ("get", "GET /cases/{id}")):
            for row in r[op]:
                a, c = row["api"], row["ceiling"]
                lines.append(
                    f"| {label} | {r['engine']} | {row['clients']} | {a['per_s']} "
                    f"({a['p50_ms']}) | {c['per_s']} ({c['p50_ms']}) | {row['ratio']} |"
                )
        lines.append(f"\n{r['engine']}: 1-minute load average {r['load_average_1m']}")
    return lines
