"""Crash safety: SIGKILL the real server under concurrent writers, restart, check the log.

Each cycle starts `caseledger serve`, lets eight writer threads report cases and record
contacts (plus deliberate stale-version writes that must be refused), kills the process
with SIGKILL at a random moment, and restarts it. Then, for every request sent so far:

* answered 2xx: its event is in the log, exactly once, at the version the answer gave;
* answered with an error: nothing of it is in the log;
* connection died (outcome unknown): either way, but never half-written, which the rest
  shows: every case's history is 1..n, `verify` recomputes every leaf and root, and the
  projections caught up from the log equal a rebuild from position zero.

CI runs 5 cycles per engine; `CASELEDGER_SOAK=1` runs 100.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import pytest

from application.integrity.verify import verify_log
from interface.config import Services, build_services
from tests.reliability.harness import (
    Server,
    assert_clean_histories,
    cli,
    contact_body,
    cycles,
    issue_tokens,
    report_body,
    stored_events,
    view_snapshot,
    wait_for,
)

pytestmark = pytest.mark.e2e

WRITERS = 8  # enough at once for saves to be committed together (group commit)


@dataclass
class Outcomes:
    """What each request's answer said, by its marker."""

    acked: dict[str, tuple[str, int]] = field(default_factory=dict)  # marker -> (case, version)
    refused: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, marker: str, case_id: str, version: int) -> None:
        with self.lock:
            self.acked[marker] = (case_id, version)

    def refuse(self, marker: str) -> None:
        with self.lock:
            self.refused.add(marker)

    def lose(self, marker: str) -> None:
        with self.lock:
            self.unknown.add(marker)


def _marker() -> str:
    return f"m-{uuid.uuid4().hex[:12]}"


def _writer(server: Server, token: str, outcomes: Outcomes, seed: int) -> None:
    """Write until the server dies under us: reports, contacts, and stale writes."""
    rng = random.Random(seed)
    case: tuple[str, int] | None = None
    while True:
        marker = _marker()
        try:
            if case is None or rng.random() < 0.1:
                reply = server.call("POST", "/api/v1/cases", report_body(marker), token)
                if reply.status == 201:
                    case = (reply.body["case_id"], reply.body["version"])
            else:
                stale = rng.random() < 0.15
                seen = case[1] - 1 if stale else case[1]
                reply = server.call(
                    "POST",
                    f"/api/v1/cases/{case[0]}/contacts",
                    contact_body(marker),
                    token,
                    {"If-Match": f'"{seen}"'},
                )
                assert reply.status == (412 if stale else 201), reply.body
                if reply.status == 201:
                    case = (case[0], reply.body["version"])
        except OSError:
            outcomes.lose(marker)  # the server died with the request in flight
            return
        if 200 <= reply.status < 300:
            outcomes.ack(marker, reply.body["case_id"], reply.body["version"])
        else:
            outcomes.refuse(marker)


def _check_after_restart(engine_env: Mapping[str, str], outcomes: Outcomes) -> int:
    """The log holds every acknowledged write and no refused one; returns the event count."""
    services = build_services(engine_env)
    try:
        events = stored_events(services)
        assert_clean_histories(events)
        where: dict[str, list[tuple[str, int]]] = {}
        for e in events:
            for marker in e.markers:
                where.setdefault(marker, []).append((e.case_id, e.version))
        duplicated = {m: at for m, at in where.items() if len(at) > 1}
        assert not duplicated, f"written twice: {duplicated}"
        lost = {m: at for m, at in outcomes.acked.items() if where.get(m) != [at]}
        assert not lost, f"acknowledged but not in the log as answered: {lost}"
        assert not outcomes.refused & where.keys(), "a refused request left an event"
        result = verify_log(services.integrity)
        assert result.ok, result.summary()
        _assert_every_person_has_their_key(services)
        services.runner.catch_up()
        caught_up = view_snapshot(services)
        services.runner.rebuild()
        assert view_snapshot(services) == caught_up, "caught-up views differ from a rebuild"
        return len(events)
    finally:
        services.close()


def _assert_every_person_has_their_key(services: Services) -> None:
    """Every person stored has the key their details were sealed under (a key is written in
    the transaction of the events it seals, however many callers' events that holds)."""
    log = services.ledger.recorder.select_notifications(start=1, limit=10**6)
    people = {UUID(str(n.originator_id)) for n in log if n.topic.endswith("SubjectRecorded")}
    assert people
    for person in people:
        subject = services.ledger.subject(person)
        assert subject.details and not subject.erased, person


def test_sigkill_under_concurrent_writers_loses_nothing(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    token = issue_tokens(engine_env, "hub")["hub"]
    server = Server(engine_env, tmp_path)
    outcomes = Outcomes()
    rng = random.Random(8)
    total = cycles(5, 100)
    try:
        for cycle in range(total):
            server.start()
            if cycle:
                _check_after_restart(engine_env, outcomes)
            acked_before = len(outcomes.acked)
            writers = [
                threading.Thread(
                    target=_writer, args=(server, token, outcomes, rng.random()), daemon=True
                )
                for _ in range(WRITERS)
            ]
            for w in writers:
                w.start()
            target = acked_before + 5
            wait_for(lambda: len(outcomes.acked) >= target, 30, "writes to succeed")  # noqa: B023
            threading.Event().wait(rng.uniform(0, 0.4))  # then die at a random moment
            server.kill()
            for w in writers:
                w.join(timeout=30)
                assert not w.is_alive()
        server.start()
        count = _check_after_restart(engine_env, outcomes)
    finally:
        server.stop()
    verified = cli(engine_env, tmp_path, "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout
    assert f"OK: {count} events" in verified.stdout
    print(
        f"{engine_env['PERSISTENCE_MODULE']}: {total} SIGKILL cycles, {count} events, "
        f"{len(outcomes.acked)} acknowledged writes all kept, {len(outcomes.refused)} refused "
        f"and absent, {len(outcomes.unknown)} cut off by the kill"
    )
