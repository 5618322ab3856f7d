"""The view worker killed at random: no update lost, nothing counted twice.

`caseledger projections run` applies each batch of notifications to every view and advances
the views' tracking positions in one transaction. Killing the process between a view update
and the next batch (or in the middle of a batch) must therefore leave the views exactly as
some whole number of batches left them: a restarted worker carries on from the tracked
position, so nothing is skipped and nothing applied twice.

* The kill test runs the real worker with batches of three notifications and a 10 ms poll
  while two threads of this process write whole cases through the ledger (reports, triage,
  allocation, contacts, contact arrangements, risk assessments, repairs, reclassifications,
  closures and reopenings), SIGKILLs the worker at random moments while it has work to do,
  and restarts it. Then the worker catches up and stops on SIGTERM; the statistics and
  timers views must count exactly the cases, closures, reopenings and risk assessments
  written, and every view must equal a rebuild from position zero. Risk reviews and victim
  updates are numbered by incrementing counters, so an event applied twice would show as an
  extra timer row.
* The focused test crashes a runner in the middle of a batch, inside the last view's
  `process` after the other views have applied the whole batch, and checks that the batch
  left nothing behind: positions and views as whole batches left them, then catching up
  equals a rebuild.
* The sweep crashes a runner at every statement of every batch in turn (a kill's every
  possible moment, in process): before the commit nothing may change, after it nothing may
  be applied again.
* The last test runs the worker's catch-up of every view against an inline read's
  catch-up of ("statistics", "timers"), each holding its first view's tracking row until
  the other holds its own. It deadlocked on PostgreSQL until the runner took tracking rows
  in one order whatever order a caller names the views in.

CI kills the worker 5 times per engine; `CASELEDGER_SOAK=1` kills it 50 times.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from application.commands.closing import ReopenCase
from application.commands.reporting import ReviseClassification
from application.commands.victim_care import (
    AgreeContactArrangement,
    AssessRisk,
    CompleteRepair,
    RequestRepair,
)
from domain.hate_case import HateCase
from domain.vocabulary import ContactMethod, Form, RepairKind, Strand
from interface.config import Services
from projections.runner import NotificationSource, Projection, ProjectionRunner
from projections.statistics_view import ALL_STRANDS, MEASURES
from projections.store import Cursor, ViewStore
from tests.cases import LOW_RISK, act, close, contact, report
from tests.conftest import OFFICER, Clock
from tests.integration.test_statistics import answer
from tests.reliability.harness import ViewWorker, cycles, view_snapshot, wait_for

BATCH = 3  # notifications per transaction in the killed worker: many batch boundaries
WRITERS = 2  # threads writing cases while the worker is killed and restarted
STRANDS = (Strand.RACE, Strand.DISABILITY, Strand.RELIGION_OR_BELIEF, Strand.SEXUAL_ORIENTATION)
CLOCK = threading.Lock()  # writers share the test's clock: it must only move forward


@dataclass
class Written:
    """What the ledger was asked to write, and did: the counts the views must show."""

    cases: int = 0
    closed: int = 0
    reopened: int = 0
    risk_assessments: int = 0


def write_case(services: Services, clock: Clock, rng: random.Random, written: Written) -> None:
    """One case from report to (sometimes) closure and reopening, the clock moving on."""
    case: HateCase = report(services, strands=tuple(rng.sample(STRANDS, rng.randint(1, 2))))
    written.cases += 1
    with CLOCK:
        clock.advance(timedelta(hours=rng.choice([1, 20, 50])))  # first responses met or late
    case = answer(services, case)
    arrangement = AgreeContactArrangement(method=ContactMethod.PHONE, frequency_days=7)
    case = act(services, case, OFFICER, arrangement)
    case = act(services, case, OFFICER, AssessRisk(answers=LOW_RISK))
    written.risk_assessments += 1
    if rng.random() < 0.5:
        repair = RequestRepair(kind=RepairKind.EMERGENCY, description="door")
        case = act(services, case, OFFICER, repair)
        if rng.random() < 0.5:
            case = act(services, case, OFFICER, CompleteRepair(repair_id="repair-1"))
    if rng.random() < 0.3:
        revision = ReviseClassification(
            strands=(rng.choice(STRANDS),),
            forms=(Form.VERBAL_ABUSE,),
            victim_agrees=True,
            reason="Reclassified after a visit",
        )
        case = act(services, case, OFFICER, revision)
    case = contact(services, case)
    if rng.random() < 0.5:
        case = act(services, case, OFFICER, AssessRisk(answers=LOW_RISK))
        written.risk_assessments += 1
    with CLOCK:
        clock.advance(timedelta(days=rng.randint(0, 3)))
    if rng.random() < 0.6:
        case = close(services, case)
        written.closed += 1
        if rng.random() < 0.3:
            act(services, case, OFFICER, ReopenCase(reason="Another incident"))
            written.reopened += 1


def view_counts(services: Services) -> dict[str, int]:
    """The views' own counts, read from their tables as the worker left them."""
    counts = dict.fromkeys(MEASURES, 0)
    with services.runner.store.reading() as c:
        c.execute(
            "SELECT measure, SUM(n) FROM view_statistics_counts WHERE strand = ? GROUP BY measure",
            (ALL_STRANDS,),
        )
        counts.update({str(measure): int(n) for measure, n in c.fetchall()})
        c.execute("SELECT COUNT(*) FROM view_statistics_cases")
        counts["statistics cases"] = int(c.fetchone()[0])
        c.execute("SELECT COUNT(*) FROM view_case_summaries")
        counts["summaries"] = int(c.fetchone()[0])
        c.execute("SELECT COUNT(*) FROM view_timers WHERE timer_key LIKE ?", ("risk_review:%",))
        counts["risk review timers"] = int(c.fetchone()[0])
        c.execute("SELECT COALESCE(SUM(reviews), 0) FROM view_timer_cases")
        counts["reviews counted"] = int(c.fetchone()[0])
    return counts


def expected_counts(written: Written) -> dict[str, int]:
    return {
        "opened": written.cases,
        "closed": written.closed,
        "reopened": written.reopened,
        "statistics cases": written.cases,
        "summaries": written.cases,
        "risk review timers": written.risk_assessments,
        "reviews counted": written.risk_assessments,
    }


def assert_equal_to_rebuild(services: Services) -> dict[str, list[str]]:
    """The views as caught up equal the views rebuilt from position zero; returns them."""
    caught_up = view_snapshot(services)
    services.runner.rebuild()
    rebuilt = view_snapshot(services)
    differ = {t for t in caught_up.keys() | rebuilt.keys() if caught_up.get(t) != rebuilt.get(t)}
    assert not differ, f"caught-up views differ from a rebuild in {sorted(differ)}"
    return rebuilt


def positions(runner: ProjectionRunner) -> dict[str, int]:
    """The views' positions (the processes fed beside them are not under test here)."""
    return {s.name: s.position for s in runner.status() if s.name in runner.projections}


def lowest_position(runner: ProjectionRunner) -> int:
    return min(positions(runner).values())


def test_sigkilled_worker_loses_no_update_and_counts_nothing_twice(
    engine_env: dict[str, str], services: Services, clock: Clock, tmp_path: Path
) -> None:
    worker = ViewWorker(engine_env, tmp_path, poll_interval=0.01, batch=BATCH)
    rng = random.Random(20261123)
    tallies = [Written() for _ in range(WRITERS)]
    stop_writing = threading.Event()
    failures: list[BaseException] = []

    def writer(written: Written, seed: float) -> None:
        own = random.Random(seed)
        try:
            while not stop_writing.wait(0.15):  # a steady trickle, not a flood
                write_case(services, clock, own, written)
        except BaseException as e:  # reported by the test thread
            failures.append(e)

    kills: list[tuple[int, int]] = []  # (position, head) just after each kill
    total = cycles(5, 50)
    writing = [
        threading.Thread(target=writer, args=(tally, rng.random()), daemon=True)
        for tally in tallies
    ]
    for thread in writing:
        thread.start()
    try:
        for _ in range(total):
            worker.start()
            started_at = lowest_position(services.runner)
            # Kill only a worker that is applying batches and still has some to apply.
            wait_for(
                lambda: (
                    (
                        lowest_position(services.runner) > started_at  # noqa: B023
                        and services.runner.head() > lowest_position(services.runner)
                    )
                    or bool(failures)
                ),
                30,
                "the worker to apply a batch with more to come",
            )
            assert not failures, failures
            assert not worker.exited(), worker.log()[-2000:]
            time.sleep(rng.uniform(0, 0.2))  # then die at a random moment
            worker.kill()
            kills.append((lowest_position(services.runner), services.runner.head()))
        stop_writing.set()
        for thread in writing:
            thread.join(timeout=60)
            assert not thread.is_alive()
        assert not failures, failures
        earlier = len(worker.log())
        worker.start()
        head = services.runner.head()
        wait_for(  # said by this worker, not merely left so by the one killed last
            lambda: f"views caught up to position {head}" in worker.log()[earlier:],
            cycles(60, 600),  # the backlog grows with the cycles
            "the worker to catch up",
        )
        assert worker.stop() == 0, worker.log()[-2000:]
    finally:
        stop_writing.set()
        worker.kill()

    assert "catch-up failed" not in worker.log(), worker.log()[-2000:]
    assert all(s.position == head for s in services.runner.status())
    written = Written(*(sum(counts) for counts in zip(*map(astuple, tallies), strict=True)))
    assert view_counts(services) == expected_counts(written)  # as the worker left them
    assert_equal_to_rebuild(services)
    assert view_counts(services) == expected_counts(written)  # and as rebuilt
    print(
        f"{engine_env['PERSISTENCE_MODULE']}: {len(kills)} SIGKILLs at (position, head) {kills}; "
        f"{head} notifications, {written}"
    )


class SimulatedCrash(BaseException):
    """The process dying mid-batch: not an Exception, so nothing on the way catches it."""


class WrappedView:
    """A view that behaves as `inner`, for a test to add something to how it processes."""

    def __init__(self, inner: Projection) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version

    def create_tables(self, cursor: Cursor) -> None:
        self.inner.create_tables(cursor)

    def drop_tables(self, cursor: Cursor) -> None:
        self.inner.drop_tables(cursor)

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        self.inner.process(cursor, event, position)


class CrashingView(WrappedView):
    """A view that applies its first `survive` events of a run, then crashes."""

    def __init__(self, inner: Projection, survive: int) -> None:
        super().__init__(inner)
        self.survive = survive
        self.applied = 0

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if self.applied == self.survive:
            raise SimulatedCrash(position)
        self.inner.process(cursor, event, position)
        self.applied += 1


class UpTo:
    """The notification log as it stood at position `last`: what a rebuild to there reads."""

    def __init__(self, source: NotificationSource, last: int) -> None:
        self.source = source
        self.last = last

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Any]:
        found = self.source.select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        return [n for n in found if n.id <= self.last]

    def max_notification_id(self) -> int | None:
        return self.last


@pytest.mark.parametrize("crash_in_batch", [1, 2])
def test_a_crash_in_the_middle_of_a_batch_applies_none_of_it(
    services: Services, clock: Clock, crash_in_batch: int
) -> None:
    runner = services.runner
    rng = random.Random(crash_in_batch)
    written = Written()
    write_case(services, clock, rng, written)
    runner.catch_up()
    before_views = view_snapshot(services)
    before = runner.head()
    while runner.head() - before < 3 * BATCH:
        write_case(services, clock, rng, written)

    # The last view crashes in the middle of batch `crash_in_batch`, after the views before
    # it in the same transaction have applied the whole batch.
    real = list(runner.projections.values())
    crashing = ProjectionRunner(
        runner.store,
        runner.source,
        runner.to_event,
        [*real[:-1], CrashingView(real[-1], survive=(crash_in_batch - 1) * BATCH + BATCH // 2)],
        batch_size=BATCH,
    )
    with pytest.raises(SimulatedCrash):
        crashing.catch_up()

    # Every view stands at the end of the last whole batch, as that batch left it.
    whole = runner.source.select_notifications(
        start=before, limit=(crash_in_batch - 1) * BATCH, inclusive_of_start=False
    )
    committed = whole[-1].id if whole else before
    assert positions(runner) == dict.fromkeys(runner.projections, committed)
    after_crash = view_snapshot(services)
    if crash_in_batch == 1:
        assert after_crash == before_views, "a crashed batch left rows behind"
    ProjectionRunner(runner.store, UpTo(runner.source, committed), runner.to_event, real).rebuild()
    assert view_snapshot(services) == after_crash, "the views are not those of whole batches"

    runner.catch_up()
    assert lowest_position(runner) == runner.head()
    assert view_counts(services) == expected_counts(written)
    assert_equal_to_rebuild(services)


class CrashingStore:
    """A view store whose `crash_at`-th statement (counting every transaction's) crashes."""

    def __init__(self, store: ViewStore, crash_at: int) -> None:
        self.store = store
        self.crash_at = crash_at
        self.executed = 0

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self.store.transaction() as cursor:
            yield CrashingCursor(cursor, self)

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        with self.store.reading() as cursor:
            yield CrashingCursor(cursor, self)

    def close(self) -> None:
        """The real store belongs to the test's services."""


class CrashingCursor:
    def __init__(self, cursor: Cursor, store: CrashingStore) -> None:
        self.cursor = cursor
        self.store = store
        self.rowcount = -1

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self.store.executed += 1
        if self.store.executed == self.store.crash_at:
            raise SimulatedCrash(sql)
        result = self.cursor.execute(sql, params)
        self.rowcount = self.cursor.rowcount
        return result

    def fetchall(self) -> list[Any]:
        return self.cursor.fetchall()

    def fetchone(self) -> Any:
        return self.cursor.fetchone()


def test_a_crash_at_any_statement_loses_nothing_and_repeats_nothing(
    services: Services, clock: Clock
) -> None:
    """For every batch, crash a restarted runner at its 1st statement, then its 2nd, and so
    on until the batch commits: each offset into the batch, up to the gap between its commit
    and the next batch. A crash before the commit must leave positions and views untouched."""
    runner = services.runner
    rng = random.Random(7)
    written = Written()
    for _ in range(2):
        write_case(services, clock, rng, written)
    crashes = batches = 0
    offset = 1
    committed = (positions(runner), view_snapshot(services))
    while True:
        crashing = ProjectionRunner(
            CrashingStore(runner.store, offset),
            runner.source,
            runner.to_event,
            list(runner.projections.values()),
            batch_size=BATCH,
        )
        try:
            crashing.catch_up()
        except SimulatedCrash:
            crashes += 1
        else:
            break
        now = (positions(runner), view_snapshot(services))
        if now[0] == committed[0]:
            assert now[1] == committed[1], f"a crash at statement {offset} left rows behind"
            offset += 1
        else:  # the batch committed before the crash: sweep the next one from its start
            batches += 1
            committed = now
            offset = 1
    assert batches > 5 and crashes > batches * len(runner.projections)
    assert lowest_position(runner) == runner.head()
    assert view_counts(services) == expected_counts(written)
    assert_equal_to_rebuild(services)


class Holding(WrappedView):
    """A view that, on its first event, says it holds its tracking row's lock and waits
    (at most `patience` seconds) for the other runner to hold its own."""

    def __init__(
        self, inner: Projection, mine: threading.Event, theirs: threading.Event, patience: float
    ) -> None:
        super().__init__(inner)
        self.mine = mine
        self.theirs = theirs
        self.patience = patience

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if not self.mine.is_set():
            self.mine.set()
            self.theirs.wait(self.patience)
        self.inner.process(cursor, event, position)


def test_the_worker_and_an_inline_read_catching_up_together_neither_deadlock_nor_repeat(
    services: Services, clock: Clock
) -> None:
    """The worker catches every view up in the runner's order; an inline statistics read
    catches up ("statistics", "timers"). Each batch transaction takes the tracking rows of
    its views one by one, so on PostgreSQL the two orders can wait on each other."""
    runner = services.runner
    written = Written()
    write_case(services, clock, random.Random(3), written)
    worker_holds, read_holds = threading.Event(), threading.Event()
    views = list(runner.projections.values())
    worker = ProjectionRunner(
        runner.store,
        runner.source,
        runner.to_event,
        [Holding(v, worker_holds, read_holds, 2) if v.name == "timers" else v for v in views],
    )
    read = ProjectionRunner(
        runner.store,
        runner.source,
        runner.to_event,
        [Holding(v, read_holds, worker_holds, 2) if v.name == "statistics" else v for v in views],
    )
    failures: list[BaseException] = []

    def catch_up(chosen: ProjectionRunner, *names: str) -> None:
        try:
            chosen.catch_up(*names)
        except Exception as e:  # a deadlock victim: psycopg.errors.DeadlockDetected
            failures.append(e)

    threads = [
        threading.Thread(target=catch_up, args=(worker,)),
        threading.Thread(target=catch_up, args=(read, "statistics", "timers")),
    ]
    threads[0].start()
    worker_holds.wait(10)
    threads[1].start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert lowest_position(runner) == runner.head()
    assert view_counts(services) == expected_counts(written)
    assert_equal_to_rebuild(services)
