"""Group commit with a scripted save: no database. The first transaction is held open until
the test lets it go, so the callers arriving meanwhile queue for the next."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import pytest

from application.group_commit import GroupCommit

_who: ContextVar[str] = ContextVar("who", default="nobody")


@dataclass
class Recorded:
    domain_event: Any


class Refused(Exception):
    pass


class Store:
    """Records each transaction's events; refuses one with "bad" in it; holds the first."""

    def __init__(self) -> None:
        self.transactions: list[tuple[Any, ...]] = []
        self.contexts: list[str] = []
        self.first_open = threading.Event()
        self.let_first_go = threading.Event()

    def save(self, *events: Any) -> list[Any]:
        self.transactions.append(events)
        self.contexts.append(_who.get())
        if len(self.transactions) == 1:
            self.first_open.set()
            assert self.let_first_go.wait(30)
        if "bad" in events:
            raise Refused(events)
        return [Recorded(e) for e in events]


class Call(threading.Thread):
    def __init__(self, group: GroupCommit, event: str) -> None:
        super().__init__()
        self.group, self.event = group, event
        self.result: list[Any] | BaseException | None = None

    def run(self) -> None:
        _who.set(self.event)
        try:
            self.result = [r.domain_event for r in self.group.save([self.event])]
        except Exception as e:
            self.result = e


def until(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.001)


def run(events: list[str]) -> tuple[Store, GroupCommit, list[Call]]:
    """The first event's caller starts a transaction; the rest arrive while it is open."""
    store = Store()
    group = GroupCommit(store.save)
    first = Call(group, events[0])
    first.start()
    assert store.first_open.wait(30)
    rest = [Call(group, e) for e in events[1:]]
    for call in rest:
        call.start()
    until(lambda: group.waiting == len(rest))
    store.let_first_go.set()
    for call in [first, *rest]:
        call.join(30)
    return store, group, [first, *rest]


def test_callers_arriving_during_a_commit_share_the_next_transaction() -> None:
    store, group, calls = run(["a", "b", "c", "d"])
    assert store.transactions == [("a",), ("b", "c", "d")]
    assert [c.result for c in calls] == [["a"], ["b"], ["c"], ["d"]]  # each its own
    assert group.transactions == 2 and group.waiting == 0


def test_a_refused_save_fails_only_its_own_caller() -> None:
    store, _, calls = run(["a", "b", "bad", "d"])
    assert store.transactions == [("a",), ("b", "bad", "d"), ("b",), ("bad",), ("d",)]
    assert [c.result for c in calls if c.event != "bad"] == [["a"], ["b"], ["d"]]
    (refused,) = [c.result for c in calls if c.event == "bad"]
    assert isinstance(refused, Refused)


def test_a_caller_alone_saves_in_its_own_context_and_others_in_a_fresh_one() -> None:
    store, _, _ = run(["a", "b", "bad"])
    # "a" alone, in its own; it hands the queue to "b", which commits the shared transaction
    # (a fresh context), then after its refusal its own events (its own), then "bad" (fresh)
    assert store.contexts == ["a", "nobody", "b", "nobody"]


def test_a_caller_alone_is_committed_at_once() -> None:
    saved: list[tuple[Any, ...]] = []

    def save(*events: Any) -> list[Any]:
        saved.append(events)
        return [Recorded(e) for e in events]

    group = GroupCommit(save)
    for event in ["x", "y"]:
        assert [r.domain_event for r in group.save([event])] == [event]
    assert saved == [("x",), ("y",)] and group.waiting == 0


@pytest.mark.parametrize("size", [1, 3])
def test_an_error_reaches_the_caller_as_raised(size: int) -> None:
    def save(*events: Any) -> list[Any]:
        raise Refused(events)

    group = GroupCommit(save)
    with pytest.raises(Refused):
        group.save(["bad"] * size)
