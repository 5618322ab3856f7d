"""Reminders across processes and crashes, with real `caseledger reminders` processes and a
real SMTP server on loopback: a sender killed (SIGKILL) after recording a reminder and before
recording its delivery leaves it to the next, which sends it with the same Message-ID; two
`reminders run` processes at once send each message once. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.actors import Actor
from domain.vocabulary import StaffRole
from interface.config import build_services
from projections.reminders_view import ReminderRecord
from tests.cases import allocated
from tests.conftest import Clock
from tests.integration.test_reminders import with_addresses
from tests.reliability.harness import Child, cli, wait_for
from tests.smtp import Inbox, smtp_env, smtp_server

pytestmark = pytest.mark.e2e


AUDITOR = Actor("i.auditor", StaffRole.AUDITOR, "audit")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def overdue_cases(engine_env: Mapping[str, str], cases: int = 2) -> None:
    """Cases allocated ten days ago and ignored since: both rungs of the ladder are due."""
    services = build_services(engine_env, clock=Clock(datetime.now(UTC) - timedelta(days=10)))
    try:
        with_addresses(services)
        for _ in range(cases):
            allocated(services)
    finally:
        services.close()


def records(engine_env: Mapping[str, str]) -> list[ReminderRecord]:
    services = build_services(engine_env)
    try:
        services.runner.catch_up()
        outcomes = ("", "delivered", "failed", "undeliverable")
        return services.reminders.deliveries(AUDITOR, outcomes, limit=1000)
    finally:
        services.close()


@pytest.mark.parametrize("step", ["before sending", "after sending"])
def test_a_sender_killed_between_recording_and_delivery_is_finished_by_the_next(
    engine_env: dict[str, str], tmp_path: Path, inbox: Inbox, step: str
) -> None:
    env = engine_env | smtp_env(inbox) | {"CASELEDGER_REMINDERS_LEASE_S": "1"}
    overdue_cases(env)
    sender = Child(env, tmp_path, "sender.log")
    killed: list[int] = []

    def kill() -> None:
        if not killed and sender.process is not None:
            killed.append(sender.process.pid)
            os.kill(sender.process.pid, signal.SIGKILL)

    if step == "before sending":
        inbox.on_mail = kill
    else:
        inbox.on_data = kill
    sender.spawn("reminders", "send")
    assert sender.process is not None
    assert sender.process.wait(timeout=60) == -signal.SIGKILL, sender.log()
    inbox.on_mail = inbox.on_data = None
    recorded = records(env)
    assert recorded and all(r.outcome == "" for r in recorded)  # recorded, none settled
    assert len(inbox.received) == (0 if step == "before sending" else 1)

    time.sleep(1.1)  # the dead sender's claim runs out
    done = cli(env, tmp_path, "reminders", "send")
    assert done.returncode == 0, done.stderr

    settled = records(env)
    assert {r.outcome for r in settled} == {"delivered"}
    assert len(settled) == len(recorded)
    ids = [r.message_id for r in inbox.received]
    assert set(ids) == {r.message_id for r in settled}  # every one delivered, once in effect
    assert len(ids) == len(settled) + (0 if step == "before sending" else 1)  # the same id again


def test_two_reminders_run_processes_at_once_send_each_message_once(
    engine_env: dict[str, str], tmp_path: Path, inbox: Inbox
) -> None:
    env = engine_env | smtp_env(inbox)
    overdue_cases(env, cases=3)
    runners = [Child(env, tmp_path, f"run-{n}.log") for n in range(2)]
    for runner in runners:
        runner.spawn("reminders", "run", "--longest-sleep", "0.2")
    try:

        def all_settled() -> bool:
            found = records(env)
            return bool(found) and all(r.outcome for r in found)

        wait_for(all_settled, 90, "every reminder settled")
        time.sleep(1)  # a few more passes of both: nothing more goes
    finally:
        statuses = [runner.stop() for runner in runners]
    assert statuses == [0, 0], [runner.log() for runner in runners]

    settled = records(env)
    assert {r.outcome for r in settled} == {"delivered"}
    ids = [r.message_id for r in inbox.received]
    assert sorted(ids) == sorted(r.message_id for r in settled)  # each message exactly once
    assert {r.kind for r in settled} >= {"escalation"}
