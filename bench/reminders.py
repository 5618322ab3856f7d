"""One reminders pass at scale: `.venv/bin/python -m bench.reminders [--cases N] [--due N]`.

What is measured: `Reminders.send()`, one pass as `caseledger reminders send` makes it (catch
the views up, read the timers due and the staff, decide with `domain.reminder_schedule`,
record each reminder on the log, let the reminders process put them in its outbox, send each
by SMTP to a real server on loopback (aiosmtpd) and record its delivery), over a store of
10^5 cases of which 10^4 have a timer due, at a fixed instant (Wednesday 25 November 2026,
12:00, a working day after the digest and when both rungs of the ladder are due). Then a
second pass at the same instant, which finds everything decided already: the cost of each
idle wake of `caseledger reminders run`. Each pass runs in a fresh process of its own
(multiprocessing, spawned), which reports its wall time and its own peak RSS.

How the store is made. The staff (one hub adviser, 20 teams of a manager and 10 officers,
all with addresses) are added through `StaffDirectory`, so the pass reads their accounts as
in live use. The cases are written straight into the views a pass reads
(`view_case_summaries` and `view_timers`), in bulk, as the timers view would hold them:
every case allocated to one of the officers with a risk review running and due in 2027 and a
first response met; the first `--due` cases also have a timer due: half a first response
overdue since Monday 17:00 (an hour timer: manager and head of service both due), half an
update to the victim due today at 17:00. Making 10^5 cases through the commands instead
takes tens of minutes here and measures the commands, not the pass (`bench.catchup_scale`
does that). `bench/results/reminders-<date>.json`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.__main__ import code, machine
from bench.common import ADMIN, ENGINES, fresh_store
from domain.service_levels import CLAUSES, TimerKind
from interface.config import build_services
from projections.store import Cursor
from tests.smtp import smtp_env, smtp_server

RESULTS = Path(__file__).with_name("results")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday, London = UTC in November
TEAMS, OFFICERS = 20, 10
BATCH = 5_000
FIRST, UPDATE = TimerKind.FIRST_RESPONSE, TimerKind.VICTIM_UPDATE


class FixedClock:
    def __call__(self) -> datetime:
        return NOW


def _staff(env: dict[str, str]) -> None:
    services = build_services(env, clock=FixedClock())
    try:
        add = services.staff.add
        add(username="b.hub", role="hub", team="hub", email="b.hub@bench.example", actor=ADMIN)
        for t in range(TEAMS):
            team = f"team{t}"
            for name, role in [(f"m{t}", "manager")] + [
                (f"o{t}x{o}", "officer") for o in range(OFFICERS)
            ]:
                add(
                    username=name,
                    role=role,
                    team=team,
                    email=f"{name}@bench.example",
                    actor=ADMIN,
                )
        services.runner.catch_up()
    finally:
        services.close()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _timer(
    case_id: str, key: str, kind: TimerKind, due: datetime, seq: int, running: bool = True
) -> tuple[Any, ...]:
    started = due - timedelta(days=1)
    stopped = None if running else _iso(started + timedelta(hours=2))
    return (case_id, key, kind.value, CLAUSES[kind], "", _iso(started), _iso(due), stopped, seq)


def _cases(env: dict[str, str], cases: int, due: int) -> None:
    """Every case's summary and timers, as the views would hold them (see the docstring)."""
    services = build_services(env, clock=FixedClock())
    overdue = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    today = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    later = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
    try:
        for start in range(0, cases, BATCH):
            summaries, timers = [], []
            for n in range(start, min(start + BATCH, cases)):
                case_id = f"00000000-0000-4000-8000-{n:012d}"
                t, o = (n // 2) % TEAMS, (n // (2 * TEAMS)) % OFFICERS
                summaries.append(
                    (case_id, f"HC-2026-{n:06d}", "allocated", f"o{t}x{o}", f"team{t}",
                     "phone", '["race"]', _iso(overdue - timedelta(days=2)), _iso(NOW), 3)
                )  # fmt: skip
                overdue_now = n < due and n % 2 == 0
                timers += [
                    _timer(case_id, "first_response", FIRST, overdue, 1, running=overdue_now),
                    _timer(case_id, "risk_review:1", TimerKind.RISK_REVIEW, later, 2),
                ]
                if n < due and not overdue_now:
                    timers.append(_timer(case_id, "victim_update:1", UPDATE, today, 3))
            with services.runner.store.transaction() as c:
                _insert(c, summaries, timers)
    finally:
        services.close()


def _insert(c: Cursor, summaries: list[tuple[Any, ...]], timers: list[tuple[Any, ...]]) -> None:
    for row in summaries:
        c.execute(
            "INSERT INTO view_case_summaries (case_id, reference, status, officer, team, "
            "channel, strands, received_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    for row in timers:
        c.execute(
            "INSERT INTO view_timers (case_id, timer_key, kind, clause, subject, started_at, "
            "due_at, stopped_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )


def _one_pass(env: dict[str, str], out: Any) -> None:
    """In a fresh process: one pass, timed, with this process's own peak RSS."""
    services = build_services(env, clock=FixedClock())
    try:
        began = time.perf_counter()
        done = services.reminders.send()
        elapsed = time.perf_counter() - began
    finally:
        services.close()
    kinds: dict[str, int] = {}
    for reminder in done.recorded:
        kinds[reminder.kind] = kinds.get(reminder.kind, 0) + 1
    lines = sum(len(r.lines) for r in done.recorded)
    out.put(
        {
            "seconds": round(elapsed, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "recorded": kinds,
            "lines": lines,
            "delivered": sum(1 for s in done.settled if s.outcome == "delivered"),
        }
    )


def _measured_pass(env: dict[str, str]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_one_pass, args=(env, queue))
    process.start()
    result: dict[str, Any] = queue.get(timeout=3600)
    process.join()
    return result


def bench(engine: str, cases: int, due: int) -> dict[str, Any]:
    with fresh_store(engine) as store, smtp_server() as inbox:
        env = store.env | smtp_env(inbox)
        began = time.perf_counter()
        _staff(env)
        _cases(env, cases, due)
        made = round(time.perf_counter() - began, 1)
        first = _measured_pass(env)
        received = len(inbox.received)
        second = _measured_pass(env)
        return {
            "engine": engine,
            "cases": cases,
            "cases_with_a_timer_due": due,
            "staff": 1 + TEAMS * (1 + OFFICERS),
            "store_made_s": made,
            "first_pass": first,
            "messages_received": received,
            "received_bytes": sum(len(r.data) for r in inbox.received),
            "second_pass_nothing_new": second,
        }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders")
    parser.add_argument("--cases", type=int, default=10**5)
    parser.add_argument("--due", type=int, default=10**4)
    parser.add_argument("--engine", choices=ENGINES, action="append")
    args = parser.parse_args(argv)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code(),
        "runs": [bench(e, args.cases, args.due) for e in args.engine or ENGINES],
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
    path = RESULTS / f"reminders-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results["runs"], indent=2))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
