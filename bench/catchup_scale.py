"""Projection catch-up from zero on a large log: `python -m bench --only catchup [--large]`.

What is measured: `caseledger projections rebuild`, run as its own process on the store
(`bench.common.run_measured`: wall time and peak RSS). It drops every view, sets every
tracking position to zero and catches every view up from position zero in one pass over
the log (the views rebuilt are recorded with the figures), as an operator does after a new
view is deployed or a view store is lost.
The figure is events / wall seconds, start-up included; `caseledger projections status`
(the same start-up, no catch-up) is timed as a process too, so start-up can be told apart.
While the rebuild runs, the bench reads the views' tracking position every
`POLL_S` seconds from a connection of its own, which gives the rate through each tenth of
the log: a rate falling from the first tenth to the last would show catch-up growing worse
than linearly. Afterwards the views must be at the head and `view_case_summaries` must hold
every case, with the closed ones closed.

Sizes: SQLite at 10^5 events, and 10^5 then 10^6 with `--large` (one store grown through
both sizes, rebuilt from zero at each); PostgreSQL at 10^5 in both cases; `--quick`
divides every size by ten.

How the events are made. Every event comes from the ledger's own command methods
(`CaseLedger.report_case`, `.triage`, `.allocate`, ...: authorisation, the version check,
the named-officer check and the HateCase policy rules all run), with the default mapper
(personal fields encrypted under per-subject keys) and the integrity recorder (a Merkle
leaf per event, automatic signed checkpoints every 100 events). Only the transactions
differ from live use: `_BatchingLedger` keeps the cases of the current batch in memory
between commands (its `_load_case` returns the held case instead of replaying it) and
saves, once per step, every aggregate the step touched with one `CaseLedger.save(a, b,
...)` call, that is one transaction of about `BATCH_CASES` to 2 x `BATCH_CASES` events.
Live use commits each command alone (about 1,100 events/s on this machine: 877 s for 10^6
events of reports in `results/2026-11-26T132835-verify-large.json`); the stored events,
their leaves and their order are what live use would store if `BATCH_CASES` staff worked on
as many cases at once. `caseledger verify` must say OK over the generated log, which
checks the leaves of the multi-aggregate saves (and the signed checkpoints).

The mix: cases are made `BATCH_CASES` at a time and worked through their steps in rounds
(round k is step k of every case in the batch, one transaction), so the log interleaves
cases as concurrent staff would. Each case is:

* reported by the hub (`bench.common.report`: a new victim data subject and the case, two
  events), a first contact by the hub (`bench.common.update`), triage, and allocation to one
  of `OFFICERS` named officers of team north;
* two officer contacts (a failed attempt, then one made), a risk assessment (the demo's
  answer sets: high for one case in ten, medium for three, standard for the rest), an
  agreed contact arrangement, an action plan of two actions;
* a repair requested and completed for one case in four; consent to the police and a
  police report for one case in five;
* a contact between the completions of the two actions;
* for three cases in five (never a high-risk one): a standard reassessment, a closure
  proposal, the closure discussed with the victim, and closure by the team's manager; the
  others stay open with two more contacts.

That is 15 to 21 events a case (17.1 on average in the runs, counting the 11 staff
accounts made first). Event times come from a clock
that walks from two years ago to about now, one step per clock reading, so timers and
monthly statistics spread as they would in a two-year-old ledger.
"""

from __future__ import annotations

import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from application.actors import Actor
from application.commands.after_the_case import TellVictimOfCaseReviewRight
from application.commands.base import CaseCommand
from application.commands.closing import CloseCase, DiscussClosure, ProposeClosure
from application.commands.consent_and_sharing import GrantConsent, ReportToPolice
from application.commands.reporting import Allocate, Triage
from application.commands.victim_care import (
    AgreeActionPlan,
    AgreeContactArrangement,
    AssessRisk,
    CompleteAction,
    CompleteRepair,
    PlannedAction,
    RecordContact,
    RequestRepair,
)
from application.integrity.log import IntegrityLog
from application.ledger import CaseLedger
from application.staff_directory import StaffDirectory
from bench.common import (
    ADMIN,
    CASELEDGER,
    HUB,
    MANAGER,
    Store,
    fresh_store,
    report,
    run_measured,
    update,
)
from bench.costs import _ledger, _Variant
from domain.hate_case import HateCase
from domain.vocabulary import (
    ClosureGround,
    ConsentForm,
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    PoliceReportBasis,
    Recipient,
    RepairKind,
    StaffRole,
)
from interface.config import open_view_store
from interface.demo import ANSWERS_HIGH, ANSWERS_MEDIUM, ANSWERS_STANDARD, WalkingClock
from interface.settings import Settings

BATCH_CASES = 100
OFFICERS = tuple(Actor(f"bench.officer{i}", StaffRole.OFFICER, "north") for i in range(10))
SPAN = timedelta(days=730)
POLL_S = 0.25
NOTE = (
    "machine has 2 cores and other work (other engineers' tests and builds) may run at the "
    "same time: see load_average_before/after on each row"
)

Step = tuple[Actor, CaseCommand[object] | None]  # None: bench.common.update


class _BatchingLedger(CaseLedger):
    """`CaseLedger` whose commands run unchanged, but whose saves wait for `flush`.

    `save` only notes the aggregates; `flush` saves every one noted since the last flush
    with one `CaseLedger.save` call (one transaction). Cases are held in memory until
    `forget`, and `_load_case` returns the held case, which carries its pending events."""

    name = CaseLedger.name  # the library names the events table (PostgreSQL) after it

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: dict[UUID, HateCase] = {}
        self._touched: dict[UUID, Aggregate] = {}

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        for obj in objs:
            if not isinstance(obj, Aggregate) or kwargs:
                raise TypeError("the bench's ledger saves aggregates only")
            self._touched[obj.id] = obj
            if isinstance(obj, HateCase):
                self._held[obj.id] = obj
        return []

    def flush(self) -> int:
        """Save every aggregate touched since the last flush in one transaction."""
        touched = list(self._touched.values())
        self._touched.clear()
        if not touched:
            return 0
        return len(super().save(*touched))

    def forget(self) -> None:
        self._held.clear()

    def _load_case(self, case_id: UUID) -> HateCase:
        held = self._held.get(case_id)
        return held if held is not None else super()._load_case(case_id)


@contextmanager
def _batching_ledger(store: Store) -> Iterator[tuple[_BatchingLedger, IntegrityLog]]:
    """The ledger as `build_services` wires it (integrity log hooked to its commits)."""
    with _ledger(store, _Variant("batching", _BatchingLedger, None)) as (ledger, integrity):
        assert isinstance(ledger, _BatchingLedger) and integrity is not None
        yield ledger, integrity


def _plan(rng: random.Random, officer: Actor) -> tuple[list[Step], bool]:
    """The steps of one case after its report, and whether it ends closed."""
    risk = rng.random()
    answers = ANSWERS_HIGH if risk < 0.1 else ANSWERS_MEDIUM if risk < 0.4 else ANSWERS_STANDARD

    def contact(outcome: ContactOutcome, summary: str) -> Step:
        return officer, RecordContact(
            method=ContactMethod.PHONE,
            direction=ContactDirection.OUTBOUND,
            outcome=outcome,
            summary=summary,
        )

    steps: list[Step] = [
        (HUB, None),  # bench.common.update: the hub's first call back
        (HUB, Triage()),
        (HUB, Allocate(officer=officer.username, team=officer.team)),
        contact(ContactOutcome.NO_ANSWER, "No answer; left a voicemail asking them to call back."),
        contact(ContactOutcome.MADE, "Spoke to the victim; agreed a home visit next week."),
        (officer, AssessRisk(answers=answers, notes="Assessed on the home visit.")),
        (officer, AgreeContactArrangement(method=ContactMethod.PHONE, frequency_days=14)),
        (
            officer,
            AgreeActionPlan(
                actions=(
                    PlannedAction(
                        description="Visit the neighbours to gather evidence",
                        owner=officer.username,
                    ),
                    PlannedAction(description="Fit a door viewer", owner="repairs"),
                )
            ),
        ),
    ]
    repair = rng.random() < 0.25
    if repair:
        steps.append(
            (officer, RequestRepair(kind=RepairKind.EMERGENCY, description="Fit a door viewer."))
        )
    if rng.random() < 0.2:
        steps += [
            (
                officer,
                GrantConsent(
                    recipient=Recipient.POLICE,
                    recipient_name="West Midlands Police",
                    form=ConsentForm.WRITTEN,
                    evidence_reference="Signed consent form scanned",
                ),
            ),
            (
                officer,
                ReportToPolice(
                    basis=PoliceReportBasis.CONSENT,
                    consent_id="consent-1",
                    police_reference="20/123456/26",
                    details="Incident log handed over on request.",
                ),
            ),
        ]
    steps.append((officer, CompleteAction(action_id="plan-1.1")))
    if repair:
        steps.append((officer, CompleteRepair(repair_id="repair-1", notes="Viewer fitted.")))
    steps += [
        contact(ContactOutcome.MADE, "Called to check in; one more incident of shouting, logged."),
        (officer, CompleteAction(action_id="plan-1.2")),
    ]
    closed = answers is not ANSWERS_HIGH and rng.random() < 0.6 / 0.9
    if closed:
        steps += [
            (officer, AssessRisk(answers=ANSWERS_STANDARD)),
            (
                officer,
                ProposeClosure(
                    grounds=(ClosureGround.ALL_ACTION_TAKEN,),
                    reasons="No incidents for six weeks; all actions done.",
                ),
            ),
            (
                officer,
                DiscussClosure(
                    method=ContactMethod.PHONE,
                    victim_agrees=True,
                    victim_view="Happy for the case to close.",
                ),
            ),
            (officer, TellVictimOfCaseReviewRight(method=ContactMethod.PHONE)),
            (
                MANAGER,
                CloseCase(
                    grounds=(
                        ClosureGround.ALL_ACTION_TAKEN,
                        ClosureGround.RESOLVED_TO_SATISFACTION,
                    ),
                    reasons="All actions complete; the victim agrees.",
                ),
            ),
        ]
    else:
        steps += [
            contact(ContactOutcome.MADE, "Fortnightly call; no new incidents."),
            contact(
                ContactOutcome.MADE, "Fortnightly call; victim still worried about the neighbour."
            ),
        ]
    return steps, closed


def _run_step(ledger: _BatchingLedger, case: HateCase, step: Step) -> None:
    actor, command = step
    if command is None:
        update(ledger, case)
        return
    ledger.execute(case.id, command, actor=actor, seen_version=case.version)


def _generate(
    ledger: _BatchingLedger, rng: random.Random, target: int, made: dict[str, int]
) -> None:
    """Make and work cases, `BATCH_CASES` at a time, until the log holds `target` events."""
    while (ledger.recorder.max_notification_id() or 0) < target:
        first = made["cases"]
        cases = [report(ledger, first + i) for i in range(BATCH_CASES)]
        made["transactions"] += bool(ledger.flush())
        plans = []
        for i in range(BATCH_CASES):
            steps, closed = _plan(rng, OFFICERS[(first + i) % len(OFFICERS)])
            plans.append(steps)
            made["closed"] += closed
        for k in range(max(len(steps) for steps in plans)):
            for case, steps in zip(cases, plans, strict=True):
                if k < len(steps):
                    _run_step(ledger, case, steps[k])
            made["transactions"] += bool(ledger.flush())
        ledger.forget()
        made["cases"] += BATCH_CASES


class _Progress:
    """Reads the views' lowest tracking position every `POLL_S` seconds, in a thread of its
    own with its own connection, while the rebuild process runs."""

    def __init__(self, store: Store) -> None:
        self._settings = Settings.read(store.env)
        self._stop = threading.Event()
        self.samples: list[tuple[float, int]] = []
        self._thread = threading.Thread(target=self._run, name="bench-progress", daemon=True)

    def __enter__(self) -> _Progress:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        views = open_view_store(self._settings)
        try:
            while True:
                stopping = self._stop.is_set()  # the process has ended: one last sample
                try:
                    with views.reading() as c:
                        c.execute("SELECT MIN(position) FROM view_tracking")
                        row = c.fetchone()
                    self.samples.append((time.perf_counter(), int(row[0] or 0)))
                except Exception:  # the table is being dropped or not yet made: try again
                    pass
                if stopping:
                    return
                self._stop.wait(POLL_S)
        finally:
            views.close()


def _tenths(samples: list[tuple[float, int]], before: int, events: int) -> list[int] | None:
    """Events/s through each tenth of the log, from the positions sampled during the run.

    Samples before the rebuild reset the positions (still at `before`) are skipped; the first
    tenth is timed from the last sample at zero (or else the first after the reset), the
    others between the times the position passed each tenth (linear between samples)."""
    if before:
        after = [i for i, (_, position) in enumerate(samples) if position < before]
        if not after:
            return None
        samples = samples[after[0] :]
    zeros = [i for i, (_, position) in enumerate(samples) if position == 0]
    if zeros:  # still starting up: time from the last sample before the first batch
        samples = samples[zeros[-1] :]
    if len(samples) < 3 or samples[-1][1] < events:
        return None

    def passed(mark: float) -> float:
        for (t0, p0), (t1, p1) in itertools.pairwise(samples):
            if p1 >= mark:
                return t1 if p1 == p0 else t0 + (t1 - t0) * (max(mark, p0) - p0) / (p1 - p0)
        return samples[-1][0]

    start_time, start_position = samples[0]
    marks = [events * k / 10 for k in range(11)]
    times = [passed(m) for m in marks]
    rates = []
    for k in range(1, 11):
        first = max(marks[k - 1], start_position) if k == 1 else marks[k - 1]
        began = start_time if k == 1 else times[k - 1]
        took = times[k] - began
        rates.append(round((marks[k] - first) / took) if took > 0 else 0)
    return rates


def _views_after(store: Store) -> tuple[int, int, int, int]:
    """(lowest position, highest position, cases, closed cases) in the rebuilt views."""
    views = open_view_store(Settings.read(store.env))
    try:
        with views.reading() as c:
            c.execute("SELECT MIN(position), MAX(position) FROM view_tracking")
            low, high = c.fetchone()
            c.execute(
                "SELECT COUNT(*), SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) "
                "FROM view_case_summaries"
            )
            cases, closed = c.fetchone()
    finally:
        views.close()
    return int(low), int(high), int(cases), int(closed or 0)


def _tracked(store: Store) -> int:
    views = open_view_store(Settings.read(store.env))
    try:
        with views.reading() as c:
            c.execute("SELECT MIN(position) FROM view_tracking")
            return int(c.fetchone()[0] or 0)
    finally:
        views.close()


def _rebuild(store: Store, events: int, made: dict[str, int]) -> dict[str, Any]:
    """`caseledger projections rebuild` as its own process, with its progress sampled."""
    env, cwd = store.process_env(), store.directory
    startup_s, startup_rss, _ = run_measured([CASELEDGER, "projections", "status"], env, cwd)
    before = _tracked(store)  # the status process made the view tables if they were missing
    load_before = os.getloadavg()
    with _Progress(store) as progress:
        wall, rss, out = run_measured([CASELEDGER, "projections", "rebuild"], env, cwd)
    load_after = os.getloadavg()
    low, high, cases, closed = _views_after(store)
    if (low, high) != (events, events) or (cases, closed) != (made["cases"], made["closed"]):
        raise RuntimeError(
            f"rebuilt views at {low}..{high} of {events}, {cases} cases ({closed} closed), "
            f"expected {made['cases']} ({made['closed']} closed): {out}"
        )
    views = [line.split(":", 1)[0] for line in out.splitlines() if ": position " in line]
    return {
        "views": views,
        "rebuild_s": round(wall, 2),
        "rebuild_events_per_s": round(events / wall),
        "rebuild_peak_rss_kib": rss,
        "startup_s": round(startup_s, 2),
        "startup_peak_rss_kib": startup_rss,
        "rebuild_less_startup_events_per_s": round(events / (wall - startup_s)),
        "tenths_events_per_s": _tenths(progress.samples, before, events),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def _engine(engine: str, targets: tuple[int, ...]) -> list[dict[str, Any]]:
    rows = []
    with fresh_store(engine) as store, _batching_ledger(store) as (ledger, _):
        # At most one clock reading per event, and the last batch may pass the largest
        # target by up to BATCH_CASES cases of at most 22 events: no event is dated after now.
        clock = WalkingClock(datetime.now(UTC) - SPAN, SPAN / (max(targets) + BATCH_CASES * 22))
        ledger.clock = clock
        directory = StaffDirectory(ledger, clock)
        for actor in (*OFFICERS, MANAGER):
            directory.add(
                username=actor.username, role=actor.role.value, team=actor.team, actor=ADMIN
            )
        ledger.flush()
        rng = random.Random(11)
        made = {"cases": 0, "closed": 0, "transactions": 0}
        for target in targets:
            head = ledger.recorder.max_notification_id() or 0
            transactions, began = made["transactions"], time.perf_counter()
            _generate(ledger, rng, target, made)
            generating = time.perf_counter() - began
            events = ledger.recorder.max_notification_id() or 0
            verifying, _, out = run_measured(
                [CASELEDGER, "verify"], store.process_env(), store.directory
            )
            if not out.startswith("OK"):
                raise RuntimeError(f"verify: {out}")
            print(
                f"[bench] catchup {engine}: {events} events generated in {generating:.0f} s; "
                "rebuilding",
                file=sys.stderr,
                flush=True,
            )
            rows.append(
                {
                    "engine": engine,
                    "events": events,
                    "cases": made["cases"],
                    "closed_cases": made["closed"],
                    "generate_s": round(generating, 1),
                    "generate_events_per_s": round((events - head) / generating),
                    "generate_events_per_transaction": round(
                        (events - head) / (made["transactions"] - transactions), 1
                    ),
                    "verify_s": round(verifying, 2),
                    **_rebuild(store, events, made),
                }
            )
            print(f"[bench] catchup {engine}: {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def catch_up_at_scale(sizes: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """Rebuild from zero, as a process, at each size of each engine's store."""
    runs = [row for engine, targets in sizes.items() for row in _engine(engine, targets)]
    return {"note": NOTE, "batch_cases": BATCH_CASES, "runs": runs}
