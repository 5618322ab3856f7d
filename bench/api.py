"""API latency and throughput against the real `caseledger serve` process.

A fresh store gets the bench's staff accounts (real scrypt cost) and `seed` reported cases;
then the server starts on a free port of 127.0.0.1 and, at each concurrency level, that many
client threads (one keep-alive connection each) send requests until `requests` have been
sent in all or `seconds` have passed:

* `list`: GET /api/v1/cases (the manager's caseload, first page of 50);
* `get`: GET /api/v1/cases/{id} (a case, its timers, and the access-log entry it writes);
* `contact`: POST /api/v1/cases/{id}/contacts with If-Match, each client on cases of its
  own (taken in turn, so no case grows by thousands of events).

Each client's first request is sent before the clock starts (its token's scrypt check).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from bench.common import (
    CONTACT_BODY,
    HUB,
    MANAGER,
    Client,
    Server,
    Store,
    add_staff,
    case_ids,
    fresh_store,
    latency_ms,
    report,
)

Request = Callable[[Client, int], int]


def get_list(client: Client, _: int) -> int:
    return client.call("GET", "/api/v1/cases")[0]


def get_case(ids: list[UUID]) -> Request:
    def run(client: Client, i: int) -> int:
        status, _, _ = client.call("GET", f"/api/v1/cases/{ids[i % len(ids)]}")
        return status

    return run


class Contacts:
    """POST contacts, If-Match from the case's last ETag. At `clients` clients, client n
    takes the cases ids[n::clients] in turn: no two clients ever write to the same case."""

    def __init__(self, ids: list[UUID], clients: int, versions: dict[UUID, int]) -> None:
        self._ids = ids
        self._clients = clients
        self._versions = versions
        self._lock = threading.Lock()

    def for_client(self, number: int) -> Request:
        mine = self._ids[number :: self._clients]

        def run(client: Client, i: int) -> int:
            case_id = mine[i % len(mine)]
            with self._lock:
                version = self._versions.get(case_id, 1)
            status, response, _ = client.call(
                "POST",
                f"/api/v1/cases/{case_id}/contacts",
                CONTACT_BODY,
                {"If-Match": f'"{version}"'},
            )
            etag = response.getheader("ETag")
            if etag:
                with self._lock:
                    self._versions[case_id] = int(etag.strip('"'))
            return status

        return run


def measure_level(
    port: int,
    token: str,
    clients: int,
    requests: int,
    seconds: float,
    make: Callable[[int], Request],
) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    connections = [Client(port, token) for _ in range(clients)]
    runs = [make(n) for n in range(clients)]
    for client, run in zip(connections, runs, strict=True):
        run(client, 0)  # warm-up: the token's first check, the connection
    budget = threading.Semaphore(requests)
    deadline = time.monotonic() + seconds
    start = threading.Barrier(clients + 1)

    def work(n: int) -> None:
        start.wait()
        i = 1
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            began = time.perf_counter()
            status = runs[n](connections[n], i)
            latencies[n].append(time.perf_counter() - began)
            if not 200 <= status < 300:
                failures[n] += 1
            i += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for client in connections:
        client.close()
    samples = [s for per_client in latencies for s in per_client]
    return {
        "clients": clients,
        "requests": len(samples),
        "errors": sum(failures),
        "per_s": round(len(samples) / elapsed, 1),
        **latency_ms(samples),
    }


def api_latency(
    engine: str, seed: int, levels: tuple[int, ...], requests: int, seconds: float
) -> dict[str, Any]:
    with fresh_store(engine) as store:
        tokens = prepare(store, max(seed, max(levels)))
        server = Server(store)
        try:
            hub, manager = tokens[HUB.username], tokens[MANAGER.username]
            ids = case_ids(server.port, manager, 200)
            versions: dict[UUID, int] = {}
            results: dict[str, list[dict[str, Any]]] = {"list": [], "get": [], "contact": []}
            for clients in levels:
                results["list"].append(
                    measure_level(
                        server.port, manager, clients, requests, seconds, lambda _: get_list
                    )
                )
                results["get"].append(
                    measure_level(
                        server.port, manager, clients, requests, seconds, lambda _: get_case(ids)
                    )
                )
                results["contact"].append(
                    measure_level(
                        server.port,
                        hub,
                        clients,
                        requests,
                        seconds,
                        Contacts(ids, clients, versions).for_client,
                    )
                )
            peak = server.peak_rss_kib()
        finally:
            server.stop()
    return {"engine": engine, "seeded_cases": seed, "server_peak_rss_kib": peak, **results}


def prepare(store: Store, seed: int) -> dict[str, str]:
    services = store.services()
    try:
        tokens = add_staff(services)
        for n in range(seed):
            report(services.ledger, n)
    finally:
        services.close()
    return tokens
