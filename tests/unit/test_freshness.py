"""How reads make the views fit to read: catch up inline, or wait for a worker's position."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pytest

from application.errors import ViewsBehind
from application.freshness import ViewFreshness
from projections.runner import ProjectionRunner


class FakeRunner:
    """Positions that move on only when the test (the 'worker') moves them."""

    def __init__(self) -> None:
        self.projections = {"case_states": None, "timers": None}
        self.at = {"case_states": 0, "timers": 0}
        self.caught_up: list[tuple[str | None, ...]] = []

    def catch_up(self, *names: str | None, reading: bool = False) -> int:
        assert reading, "a read catches up as a read"
        self.caught_up.append(names)
        return 9

    def positions(self, names: Sequence[str]) -> dict[str, int]:
        return {n: self.at[n] for n in names}


class FakeTime:
    def __init__(self, runner: FakeRunner, moves: dict[float, int]) -> None:
        self.now = 0.0
        self.runner = runner
        self.moves = moves

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        for when, position in self.moves.items():
            if self.now >= when:
                self.runner.at["case_states"] = position


def _views(runner: FakeRunner, mode: str, clock: FakeTime | None = None) -> ViewFreshness:
    clock = clock or FakeTime(runner, {})
    return ViewFreshness(
        cast(ProjectionRunner, runner),
        mode,
        wait_s=1.0,
        sleep=clock.sleep,
        monotonic=lambda: clock.now,
    )


def test_inline_reads_catch_their_views_up_and_remember_the_lowest_position() -> None:
    runner = FakeRunner()
    views = _views(runner, "inline")
    scope = views.begin()
    try:
        assert views.ready("case_states") == 9
        assert runner.caught_up == [("case_states",)]
        assert views.seen() == 9
    finally:
        views.end(scope)
    assert views.seen() is None


def test_a_worker_mode_read_waits_until_the_views_reach_the_asked_position() -> None:
    runner = FakeRunner()
    clock = FakeTime(runner, {0.05: 3, 0.2: 7})
    views = _views(runner, "worker", clock)
    scope = views.begin(min_position=7)
    try:
        assert views.ready("case_states") == 7
        assert runner.caught_up == []  # a worker-mode read never writes views
        assert 0.2 <= clock.now < 0.5
    finally:
        views.end(scope)


def test_a_worker_mode_read_gives_up_after_the_wait_and_says_where_the_views_are() -> None:
    runner = FakeRunner()
    runner.at["case_states"] = 4
    views = _views(runner, "worker")
    scope = views.begin(min_position=5)
    try:
        with pytest.raises(ViewsBehind) as refused:
            views.ready("case_states")
        assert (refused.value.wanted, refused.value.reached) == (5, 4)
    finally:
        views.end(scope)


def test_without_a_position_asked_for_a_worker_mode_read_takes_the_views_as_they_are() -> None:
    runner = FakeRunner()
    runner.at.update(case_states=2, timers=1)
    views = _views(runner, "worker")
    scope = views.begin()
    try:
        assert views.ready() == 1  # every view, the lowest position
        assert views.ready("case_states") == 2
        assert views.seen() == 1
    finally:
        views.end(scope)


def test_an_unknown_mode_is_a_configuration_error() -> None:
    runner: Any = FakeRunner()
    with pytest.raises(ValueError, match="CASELEDGER_PROJECTIONS"):
        ViewFreshness(runner, "sometimes")
