"""The view worker's loop with a scripted runner and an injected sleep: no database, no waiting.

Each test scripts what successive `catch_up` calls do (reach a position, or raise) and
records every sleep; the fake sleep stops the worker once the script has run out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import cast

import pytest

from projections.runner import ProjectionRunner
from projections.worker import MAX_BACKOFF_S, MIN_BACKOFF_S, ProjectionWorker


class EngineDown(Exception):
    """What a database outage looks like to the worker: an ordinary exception."""


class ScriptedRunner:
    """`catch_up` returns or raises the next scripted outcome."""

    def __init__(self, script: Sequence[int | BaseException]) -> None:
        self.script = list(script)
        self.calls = 0

    def catch_up(self) -> int:
        outcome = self.script[self.calls]
        self.calls += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def run(
    script: Sequence[int | BaseException], poll_interval_s: float = 0.2
) -> tuple[ScriptedRunner, list[float]]:
    """Run a worker until the script is used up; the runner and every sleep it asked for."""
    runner = ScriptedRunner(script)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if runner.calls == len(runner.script):
            worker.stop()

    worker = ProjectionWorker(
        cast(ProjectionRunner, runner), poll_interval_s=poll_interval_s, sleep=sleep
    )
    worker.run_forever()
    return runner, slept


def test_it_polls_and_sleeps_the_poll_interval_between_catch_ups() -> None:
    runner, slept = run([0, 3, 3, 9], poll_interval_s=0.25)
    assert runner.calls == 4
    assert slept == [0.25] * 4


def test_errors_back_off_doubling_up_to_the_maximum() -> None:
    runner, slept = run([EngineDown()] * 12 + [5], poll_interval_s=0.2)
    assert runner.calls == 13  # it carried on after every error
    doubling = [0.2, 0.4, 0.8, 1.6, 3.2, 6.4]
    assert slept[:6] == pytest.approx(doubling)
    assert slept[6:12] == [MAX_BACKOFF_S] * 6
    assert slept[12] == 0.2  # caught up: back to polling


def test_the_back_off_starts_again_after_a_success() -> None:
    _, slept = run([EngineDown(), EngineDown(), EngineDown(), 4, EngineDown(), 4])
    assert slept == pytest.approx([0.2, 0.4, 0.8, 0.2, 0.2, 0.2])


def test_a_zero_poll_interval_still_backs_off() -> None:
    _, slept = run([EngineDown()] * 3 + [1], poll_interval_s=0)
    assert slept == pytest.approx([MIN_BACKOFF_S, 2 * MIN_BACKOFF_S, 4 * MIN_BACKOFF_S, 0])


def test_a_poll_interval_above_the_maximum_backs_off_no_longer_than_the_maximum() -> None:
    _, slept = run([EngineDown(), EngineDown(), 1], poll_interval_s=60)
    assert slept == [MAX_BACKOFF_S, MAX_BACKOFF_S, 60]


def test_stop_before_running_catches_nothing_up() -> None:
    runner = ScriptedRunner([])
    worker = ProjectionWorker(cast(ProjectionRunner, runner), sleep=lambda _: None)
    worker.stop()
    worker.run_forever()
    assert runner.calls == 0


def test_stop_ends_the_loop_after_the_current_catch_up() -> None:
    class StopsAtTwo(ScriptedRunner):
        def catch_up(self) -> int:
            reached = super().catch_up()
            if reached == 2:
                worker.stop()  # as the SIGTERM handler does, in the middle of a catch-up
            return reached

    runner = StopsAtTwo([1, 2, 3, 4, 5])
    slept: list[float] = []
    worker = ProjectionWorker(cast(ProjectionRunner, runner), sleep=slept.append)
    worker.run_forever()
    assert runner.calls == 2
    assert slept == [0.2, 0.2]


def test_stop_wakes_a_worker_sleeping_between_polls() -> None:
    runner = ScriptedRunner([7] * 1000)
    worker = ProjectionWorker(cast(ProjectionRunner, runner), poll_interval_s=3600)
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    try:
        while runner.calls == 0:
            threading.Event().wait(0.001)
    finally:
        worker.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert runner.calls == 1


def test_a_crash_that_is_not_an_error_is_not_retried() -> None:
    with pytest.raises(KeyboardInterrupt):
        run([1, KeyboardInterrupt(), 2])


def test_it_logs_positions_only_when_they_move_and_errors_without_stopping(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="caseledger.projections"):
        run([3, 3, EngineDown("connection refused"), 3, 8])
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "views caught up to position 3",
        "projection catch-up failed; retrying in 0.2s",
        "views caught up to position 8",
        "projection worker stopped at position 8",
    ]
    failed = caplog.records[1]
    assert failed.levelno == logging.ERROR and failed.exc_info is not None
