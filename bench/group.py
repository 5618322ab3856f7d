"""Many callers at once, group commit: `python -m bench --only group`.

On a fresh store per engine, `callers` threads each record contacts on cases of their own
(`bench.common.update`: load, decide, save) through `CaseLedger` in this process, for a fixed
number of updates in all; measured with group commit (the ledger's default: saves that arrive
while a transaction commits share the next) and without it (at most one caller per
transaction, as before), side by side. The anchor is the raw engine inserting rows as big as
the ledger's events, one row per transaction, from one connection (`bench.commands`), measured
in the same run. Reports are measured the same way (a person and a case each).

Through the HTTP API the same is done by `bench.cores` (POST contacts at 32 clients).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from application.group_commit import MAX_BATCH, GroupCommit
from bench.commands import _mean_event_bytes, _raw_postgres, _raw_sqlite, _sqlite_durability
from bench.common import fresh_store, report, update
from domain.hate_case import HateCase
from interface.config import Services


def _in_threads(callers: int, per_caller: int, work: Callable[[int, int], None]) -> float:
    """Run work(caller, i) per_caller times in each of `callers` threads; the rate per s."""
    start = threading.Barrier(callers + 1)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            for i in range(per_caller):
                work(n, i)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(callers)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return callers * per_caller / elapsed


def _measure(services: Services, callers: int, per_caller: int, batch: int) -> dict[str, Any]:
    ledger = services.ledger
    ledger.group_commit = GroupCommit(ledger._save_now, max_batch=batch)
    cases: list[list[HateCase]] = [[] for _ in range(callers)]

    def reporting(n: int, i: int) -> None:
        cases[n].append(report(ledger, n * per_caller + i))

    reports = _in_threads(callers, per_caller, reporting)
    transactions = ledger.group_commit.transactions

    def updating(n: int, i: int) -> None:
        mine = cases[n]
        mine[i % len(mine)] = update(ledger, mine[i % len(mine)])

    updates = _in_threads(callers, per_caller, updating)
    return {
        "max_batch": batch,
        "reports_per_s": round(reports, 1),
        "updates_per_s": round(updates, 1),
        "callers_per_transaction": round(
            2 * callers * per_caller / ledger.group_commit.transactions, 2
        ),
        "report_transactions": transactions,
    }


def many_callers(engine: str, callers: int, per_caller: int) -> dict[str, Any]:
    with fresh_store(engine) as store:
        services = store.services()
        try:
            load = [os.getloadavg()[0]]
            grouped = _measure(services, callers, per_caller, MAX_BATCH)
            alone = _measure(services, callers, per_caller, 1)
            size = _mean_event_bytes(services)
            n = callers * per_caller
            if engine == "sqlite":
                raw = _raw_sqlite(store, _sqlite_durability(services), size, n)
            else:
                raw, _ = _raw_postgres(store, size, n)
            load.append(os.getloadavg()[0])
        finally:
            services.close()
    return {
        "engine": engine,
        "callers": callers,
        "per_caller": per_caller,
        "raw_rows_per_s": round(raw, 1),
        "group_commit": grouped | _ratios(grouped, raw),
        "one_per_transaction": alone | _ratios(alone, raw),
        "load_average_1m": load,
    }


def _ratios(rates: dict[str, Any], raw: float) -> dict[str, float]:
    return {
        "reports_ratio": round(rates["reports_per_s"] / raw, 3),
        "updates_ratio": round(rates["updates_per_s"] / raw, 3),
    }


def table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "| many callers (in process) | engine | callers | reports/s (ratio to raw) "
        "| updates/s (ratio to raw) | callers per transaction | raw rows/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for key, label in (
            ("one_per_transaction", "one per transaction"),
            ("group_commit", "group commit"),
        ):
            g = r[key]
            lines.append(
                f"| {label} | {r['engine']} | {r['callers']} | {g['reports_per_s']} "
                f"({g['reports_ratio']}) | {g['updates_per_s']} ({g['updates_ratio']}) | "
                f"{g['callers_per_transaction']} | {r['raw_rows_per_s']} |"
            )
        lines.append(f"\n{r['engine']}: 1-minute load average {r['load_average_1m']}")
    return lines
