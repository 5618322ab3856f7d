"""A process fed by the runner: each event once, its outbox written with its position, never
rebuilt; a sender takes what is due and marks it done once. On both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from domain import case_events as ev
from interface.config import Services
from processes.outbox import Entry, Outbox
from projections.runner import ProjectionRunner
from projections.store import Cursor
from tests.cases import allocated, contact
from tests.conftest import Clock


class CallBack:
    """A toy process: a reminder to call the victim back a day after each unanswered call."""

    name = "call_back"
    version = 1

    def __init__(self) -> None:
        self.outbox = Outbox(self.name)

    def create_tables(self, cursor: Cursor) -> None:
        self.outbox.create_tables(cursor)

    def drop_tables(self, cursor: Cursor) -> None:
        self.outbox.drop_tables(cursor)

    def process(self, cursor: Cursor, event: Any, position: int) -> None:
        if isinstance(event, ev.ContactMade) and event.outcome == "no_answer":
            case_id = str(event.originator_id)
            self.outbox.add(
                cursor,
                Entry(
                    key=f"{case_id}:{event.contact_id}",
                    kind="call_back",
                    payload={"case_id": case_id, "officer": event.actor},
                    due_at=event.occurred_at + timedelta(days=1),
                ),
            )


@pytest.fixture
def runner(services: Services) -> Iterator[ProjectionRunner]:
    fed = ProjectionRunner(
        services.runner.store,
        services.ledger.recorder,
        services.ledger.mapper.to_domain_event_unopened,
        [],
        processes=[CallBack()],
    )
    fed.setup()
    yield fed


def test_a_process_acts_once_on_each_event_and_is_never_rebuilt(
    services: Services, runner: ProjectionRunner, clock: Clock
) -> None:
    case = allocated(services)
    case = contact(services, case, outcome="no_answer")
    contact(services, case, outcome="made")
    outbox = CallBack().outbox
    head = runner.head()

    runner.catch_up()
    runner.catch_up()  # nothing new: nothing done twice
    with runner.store.reading() as c:
        assert outbox.due(c, clock.now) == []  # not yet due
        (entry,) = outbox.due(c, clock.now + timedelta(days=2))
    assert entry.kind == "call_back" and entry.payload["case_id"] == str(case.id)
    assert [s.position for s in runner.status()] == [head]

    runner.rebuild()  # the views only
    with pytest.raises(ValueError, match="is a process"):
        runner.rebuild("call_back")
    with runner.store.transaction() as c:
        assert outbox.done(c, entry.key, clock.now)
        assert not outbox.done(c, entry.key, clock.now)  # a second sender finds it done
    with runner.store.reading() as c:
        assert outbox.due(c, clock.now + timedelta(days=2)) == []
