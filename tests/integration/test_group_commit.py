"""Group commit on the real engines: commands saved while a transaction is open are committed
together in the next; a conflict among them fails only its own caller (no update lost); a
person reported in a shared transaction gets their key in it; and the integrity log verifies
after a shared transaction that failed half-way and one that committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from application.errors import StaleVersion
from application.integrity.recorders import IntegrityTables
from application.integrity.verify import verify_log
from domain.hate_case import HateCase
from interface.config import Services
from tests.cases import contact, report
from tests.conftest import HUB


def name_of(services: Services, case: HateCase) -> str:
    """The victim's name, opened with their key (KeyError-free only if the key is stored)."""
    assert case.victim_id is not None
    details = services.ledger.subject(case.victim_id).details
    assert details is not None and not details.erased
    return str(details.value["name"])


class HeldOpen:
    """Wraps the ledger's save: the first transaction waits until let go."""

    def __init__(self, services: Services) -> None:
        self.group = services.ledger.group_commit
        self.inner = self.group._save
        self.opened = threading.Event()
        self.go = threading.Event()
        self.group._save = self.save

    def save(self, *events: Any) -> Any:
        if not self.opened.is_set():
            self.opened.set()
            assert self.go.wait(30)
        return self.inner(*events)


class Call(threading.Thread):
    def __init__(self, work: Callable[[], HateCase]) -> None:
        super().__init__()
        self.work = work
        self.case: HateCase | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.case = self.work()
        except BaseException as e:
            self.error = e


def together(
    services: Services, first: Callable[[], HateCase], *rest: Callable[[], HateCase]
) -> tuple[list[Call], int]:
    """`first` starts a transaction, held open until the `rest` all wait for the next; the
    calls, and how many transactions were tried."""
    held = HeldOpen(services)
    before = held.group.transactions
    calls = [Call(first)]
    calls[0].start()
    assert held.opened.wait(30)
    calls += [Call(work) for work in rest]
    for call in calls[1:]:
        call.start()
    deadline = time.monotonic() + 30
    while held.group.waiting < len(rest):
        assert time.monotonic() < deadline
        time.sleep(0.001)
    held.go.set()
    for call in calls:
        call.join(30)
    return calls, held.group.transactions - before


def test_commands_arriving_together_share_one_transaction(services: Services) -> None:
    one, two = report(services), report(services)
    calls, transactions = together(
        services,
        lambda: contact(services, one, HUB),
        lambda: contact(services, two, HUB),
        lambda: report(services, "Ayo Brightwater"),
        lambda: report(services, "Mirela Castellane"),
    )
    assert [c.error for c in calls] == [None] * 4
    assert transactions == 2  # the first alone, the other three together
    for call in calls[2:]:  # each new person's key was stored with their events
        assert call.case is not None
        assert name_of(services, call.case) in {"Ayo Brightwater", "Mirela Castellane"}
    assert services.ledger.case_for(HUB, two.id).version == two.version + 1
    assert verify_log(services.integrity).ok


def test_a_conflict_in_a_shared_transaction_fails_only_its_caller(services: Services) -> None:
    one, two = report(services), report(services)
    calls, transactions = together(
        services,
        lambda: contact(services, two, HUB),
        lambda: contact(services, one, HUB),
        lambda: contact(services, one, HUB),  # decided on the same version: one must lose
        lambda: report(services, "Ayo Brightwater"),
    )
    errors = [type(c.error) for c in calls]
    assert errors.count(StaleVersion) == 1 and errors.count(type(None)) == 3
    assert transactions == 1 + 1 + 3  # alone; shared, refused whole; each tried alone
    stored = services.ledger.case_for(HUB, one.id)
    assert stored.version == one.version + 1  # one contact, the other refused: none lost
    reported = calls[3].case
    assert reported is not None
    assert name_of(services, reported) == "Ayo Brightwater"
    assert verify_log(services.integrity).ok


def test_a_shared_transaction_that_fails_after_writing_leaves_nothing(
    services: Services,
) -> None:
    """A crash inside the shared transaction, after its events, keys and leaves were
    written and before the commit: none of it is stored, and each caller, tried alone, is."""
    one = report(services)
    recorder = services.ledger.recorder
    assert isinstance(recorder, IntegrityTables)
    transactions: list[int] = []

    def crash_in_the_shared_one(cursor: Any) -> None:
        transactions.append(1)
        if len(transactions) == 2:
            raise RuntimeError("the process died before the commit")

    recorder.in_transaction.append(crash_in_the_shared_one)
    head = services.runner.head()
    calls, tried = together(
        services,
        lambda: contact(services, one, HUB),
        lambda: report(services, "Ayo Brightwater"),
        lambda: report(services, "Mirela Castellane"),
        lambda: report(services, "Iwan Prys"),
    )
    assert [c.error for c in calls] == [None] * 4
    assert tried == 1 + 1 + 3
    stored = services.ledger.recorder.select_notifications(
        start=head, limit=100, inclusive_of_start=False
    )
    assert len(stored) == 1 + 3 * 2  # a contact; three cases and three people, once each
    assert verify_log(services.integrity).ok
    names = set()
    for call in calls[1:]:
        assert call.case is not None
        names.add(name_of(services, call.case))
    assert names == {"Ayo Brightwater", "Mirela Castellane", "Iwan Prys"}
