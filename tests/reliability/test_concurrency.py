"""Many HTTP clients writing at once, through one `caseledger serve` process or several.

Updates of one case: every client reads the case's ETag and posts a contact with it as
`If-Match`, all released together by a barrier. Each answer is 201 (applied) or 412 (someone
else got there first); afterwards the case's history is 1..n with n = 1 + the number of 201s,
every applied update's marker is in the log exactly once, and no refused update's marker is.
With several processes on the same store, each client writes through one process and reads
the ETag through each in turn, so a version seen in one process is used in another, and the
log must verify. CI: 1 and 2 processes, 16 clients x 6 attempts per engine;
`CASELEDGER_SOAK=1`: 1 and 3 processes, 64 x 20.

New reports through several processes at once (with a reader per process listing the
caseload meanwhile, so the processes also catch the same views up at the same time): every
report is answered 201 and stored exactly once, at the position its answer gave; notification
ids are unique and increasing, and on PostgreSQL 1..N with no gap (the library locks the
events table for each insert and nothing here is rolled back); `caseledger verify` says OK;
the views caught up from the log list every case exactly once, in the test process and in each
server, and equal a rebuild from position zero. CI: 2 processes x 4 writers x 25 reports per
engine; `CASELEDGER_SOAK=1`: 3 x 12 x 40.

Several processes are set to sign an automatic checkpoint every 10 events, so they race each
other to store checkpoints all the time; they must still use one signing key.

Several processes share one store, so they must share its keys: the engine environment holds
the master key itself (not a key file in each working directory), and the checkpoint signing
key file is an absolute path that exists before the servers start. No server's log may hold a
traceback or a failure (an automatic checkpoint that failed is logged, not answered).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from application.integrity.verify import verify_log
from interface.config import Services, build_services
from tests.conftest import HUB
from tests.reliability.harness import (
    Reply,
    Server,
    assert_clean_histories,
    cli,
    contact_body,
    cycles,
    issue_tokens,
    report_body,
    stored_events,
    view_snapshot,
)

pytestmark = pytest.mark.e2e

POSTGRES = "eventsourcing.postgres"


def _marker() -> str:
    return f"m-{uuid.uuid4().hex[:12]}"


@contextmanager
def serving(
    engine_env: Mapping[str, str],
    tmp_path: Path,
    count: int,
    threads: int,
    checkpoint_every: int | None = None,
) -> Iterator[list[Server]]:
    """`count` servers on the same store, each with a working directory, log and port of its
    own; stopped afterwards, and then (if the block succeeded) their logs must be clean.

    `checkpoint_every` sets the servers' `CASELEDGER_CHECKPOINT_EVERY_EVENTS`: a small one
    has them sign automatic checkpoints often, and so race each other to store them."""
    # Whatever a process would create for itself in its working directory must not differ:
    # the master key comes from the environment, the signing key from one shared file.
    assert engine_env.get("CASELEDGER_MASTER_KEY"), "each server would make its own master key"
    key_file = engine_env["CASELEDGER_SIGNING_KEY_FILE"]
    assert os.path.isabs(key_file), key_file
    # Made by the first commit (`issue_tokens`); servers starting together on a store without
    # one would each try to make it.
    assert os.path.exists(key_file), "create the signing key before starting the servers"
    if engine_env["PERSISTENCE_MODULE"] != POSTGRES:
        assert os.path.isabs(engine_env["SQLITE_DBNAME"]), engine_env["SQLITE_DBNAME"]
    key = Path(key_file).read_bytes()
    servers = []
    for i in range(count):
        workdir = tmp_path / f"server-{i}"
        workdir.mkdir()
        env = dict(engine_env)
        if checkpoint_every is not None:
            env["CASELEDGER_CHECKPOINT_EVERY_EVENTS"] = str(checkpoint_every)
        servers.append(Server(env, workdir, threads=threads))
    try:
        with ThreadPoolExecutor(count) as pool:  # started together, as a deployment would
            for started in [pool.submit(s.start) for s in servers]:
                started.result()
        yield servers
    finally:
        for s in servers:
            s.stop()
    for s in servers:
        bad = [
            line
            for line in s.log().splitlines()
            if "Traceback" in line or "failed" in line.lower() or " ERROR " in line
        ]
        assert not bad, f"{s.log_path}:\n" + "\n".join(bad[:20]) + "\n...\n" + s.log()[-3000:]
    assert Path(key_file).read_bytes() == key, "a server replaced the signing key"


# --- many clients, one case ----------------------------------------------------------------


@dataclass
class OneCaseRace:
    """What the answers said: the case, the count of each status, markers by outcome."""

    case_id: str
    answers: Counter[int] = field(default_factory=Counter)
    applied: dict[str, int] = field(default_factory=dict)  # marker -> version answered
    refused: set[str] = field(default_factory=set)


def race_on_one_case(
    servers: Sequence[Server], token: str, clients: int, attempts: int
) -> OneCaseRace:
    """Report a case, then let `clients` threads each try `attempts` conditional updates.

    Client i writes through server i mod n and reads the ETag through server (i + k) mod n
    on its k-th attempt. Every answer must be 201 or 412, and at least one 201."""
    created = servers[0].call("POST", "/api/v1/cases", report_body("m-000000000000"), token)
    assert created.status == 201, created.body
    race = OneCaseRace(created.body["case_id"])
    path = f"/api/v1/cases/{race.case_id}"
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(i: int) -> None:
        writer = servers[i % len(servers)]
        barrier.wait()
        for k in range(attempts):
            reader = servers[(i + k) % len(servers)]
            seen = reader.call("GET", path, token=token).headers["ETag"]
            marker = _marker()
            reply = writer.call(
                "POST", f"{path}/contacts", contact_body(marker), token, {"If-Match": seen}
            )
            with lock:
                race.answers[reply.status] += 1
                if reply.status == 201:
                    race.applied[marker] = reply.body["version"]
                else:
                    race.refused.add(marker)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(race.answers) <= {201, 412}, race.answers
    assert race.answers[201] + race.answers[412] == clients * attempts, race.answers
    assert race.answers[201] >= 1
    return race


def check_one_case(engine_env: Mapping[str, str], race: OneCaseRace) -> int:
    """The case's history is 1..n, with each applied update once and no refused one; the
    log verifies. Returns the number of checkpoints stored."""
    services = build_services(engine_env)
    try:
        events = [e for e in stored_events(services) if e.case_id == race.case_id]
        verified = verify_log(services.integrity)
        assert verified.ok, verified.summary()
        checkpoints = _checkpoints(services)
    finally:
        services.close()
    assert assert_clean_histories(events) == {race.case_id: 1 + race.answers[201]}
    logged = Counter(m for e in events for m in e.markers)
    assert {m: logged[m] for m in race.applied} == dict.fromkeys(race.applied, 1)
    assert sorted(race.applied.values()) == list(range(2, 2 + len(race.applied)))  # once each
    assert not race.refused & logged.keys()
    return checkpoints


def _checkpoints(services: Services) -> int:
    """How many checkpoints are stored (they are numbered 1, 2, ...); one signing key."""
    assert len(services.integrity.keys()) == 1, "the servers signed with different keys"
    latest = services.integrity.latest()
    return 0 if latest is None else latest.seq


def _one_case(engine_env: dict[str, str], tmp_path: Path, processes: int) -> None:
    clients, attempts = cycles(16, 64), cycles(6, 20)
    token = issue_tokens(engine_env, "hub")["hub"]
    # Several processes sign checkpoints often (every 10 events), racing each other.
    every = None if processes == 1 else 10
    with serving(engine_env, tmp_path, processes, 16, checkpoint_every=every) as servers:
        race = race_on_one_case(servers, token, clients, attempts)
    checkpoints = check_one_case(engine_env, race)
    print(
        f"{engine_env['PERSISTENCE_MODULE']}: {processes} process(es), {clients} clients, "
        f"{clients * attempts} updates: {race.answers[201]} applied (201), "
        f"{race.answers[412]} conflicts (412), none lost; {checkpoints} checkpoints"
    )


def test_concurrent_updates_are_applied_or_412_never_lost(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    _one_case(engine_env, tmp_path, processes=1)


def test_concurrent_updates_through_several_processes_are_applied_or_412_never_lost(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    _one_case(engine_env, tmp_path, processes=cycles(2, 3))


# --- many clients, new cases -----------------------------------------------------------------


@dataclass
class Reports:
    """Each answered report by marker: (case id, the log position its answer gave)."""

    acked: dict[str, tuple[str, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def _listed(server: Server, token: str) -> tuple[list[str], int]:
    """The case ids of the hub's caseload as `server` lists it, every page; and the total."""
    ids: list[str] = []
    while True:
        reply = server.call("GET", f"/api/v1/cases?limit=200&offset={len(ids)}", token=token)
        assert reply.status == 200, (reply.status, reply.body)
        ids += [item["case_id"] for item in reply.body["items"]]
        if not reply.body["items"] or len(ids) >= reply.body["total"]:
            return ids, int(reply.body["total"])


def _report(servers: Sequence[Server], token: str, writers: int, reports: int) -> Reports:
    """`writers` threads per server each report `reports` new cases through it, while one
    reader per server lists the caseload over and over (its total may never shrink)."""
    outcome = Reports()
    done = threading.Event()
    barrier = threading.Barrier(writers * len(servers))

    def answered(
        server: Server, what: str, expected: int, method: str, path: str, body: Any = None
    ) -> Reply | None:
        """The reply if it has the expected status; else the failure is kept."""
        try:
            reply = server.call(method, path, body, token)
        except OSError as e:
            outcome.fail(f"port {server.port}: {what}: {e!r}")
            return None
        if reply.status != expected:
            outcome.fail(f"port {server.port}: {what}: {reply.status} {reply.body}")
            return None
        return reply

    def writer(server: Server) -> None:
        barrier.wait()
        for _ in range(reports):
            marker = _marker()
            reply = answered(server, marker, 201, "POST", "/api/v1/cases", report_body(marker))
            if reply is None:
                continue
            position = int(reply.headers["X-Ledger-Position"])
            with outcome.lock:
                outcome.acked[marker] = (reply.body["case_id"], position)

    def reader(server: Server) -> None:
        before = 0
        while not done.is_set():
            reply = answered(server, "list", 200, "GET", "/api/v1/cases?limit=1")
            if reply is None:
                return
            total = int(reply.body["total"])
            if total < before:
                outcome.fail(f"port {server.port}: list total went from {before} to {total}")
            before = total

    writing = [threading.Thread(target=writer, args=(s,)) for s in servers for _ in range(writers)]
    reading = [threading.Thread(target=reader, args=(s,)) for s in servers]
    for t in [*reading, *writing]:
        t.start()
    for t in writing:
        t.join(timeout=300)
    done.set()
    for t in reading:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in [*writing, *reading]), "a client is stuck"
    return outcome


def check_reports(
    engine_env: Mapping[str, str], tmp_path: Path, outcome: Reports, listed: list[list[str]]
) -> tuple[int, int]:
    """Every acknowledged report once in the log, ids as the engine promises, the log
    verified, the views complete; returns the numbers of events and of checkpoints."""
    acked_cases = Counter(case_id for case_id, _ in outcome.acked.values())
    services = build_services(engine_env)
    try:
        events = stored_events(services)
        positions = [e.position for e in events]
        assert len(set(positions)) == len(positions), "a notification id is used twice"
        assert positions == sorted(positions), "notification ids out of order"
        if engine_env["PERSISTENCE_MODULE"] == POSTGRES:
            gaps = sorted(set(range(1, positions[-1] + 1)) - set(positions))
            assert positions == list(range(1, len(positions) + 1)), f"missing ids {gaps[:20]}"
        assert_clean_histories(events)
        checkpoints = _checkpoints(services)
        where: dict[str, list[tuple[str, int, int]]] = {}
        for e in events:
            for marker in e.markers:
                where.setdefault(marker, []).append((e.case_id, e.version, e.position))
        wrong = {
            m: where.get(m)
            for m, (case_id, at) in outcome.acked.items()
            if where.get(m) != [(case_id, 1, at)]
        }
        assert not wrong, f"acknowledged, but not once in the log as answered: {wrong}"
        assert where.keys() == outcome.acked.keys(), "the log has a report nobody was told of"

        services.runner.catch_up()
        with services.runner.store.reading() as c:
            c.execute("SELECT case_id FROM view_case_summaries")
            in_view = Counter(str(row[0]) for row in c.fetchall())
        assert in_view == acked_cases, "the caught-up case list differs from the reports"
        page = services.caseload.cases(HUB, limit=len(acked_cases) + 10)
        assert Counter(item["case_id"] for item in page.items) == acked_cases
        assert page.total == len(acked_cases)
        caught_up = view_snapshot(services)
        services.runner.rebuild()
        assert view_snapshot(services) == caught_up, "caught-up views differ from a rebuild"
    finally:
        services.close()
    for ids in listed:  # as each server listed them at the end
        assert Counter(ids) == acked_cases, "a server's case list differs from the reports"
    verified = cli(engine_env, tmp_path, "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), (
        verified.stdout + verified.stderr
    )
    assert f"OK: {len(events)} events" in verified.stdout, verified.stdout
    return len(events), checkpoints


def test_reports_through_several_processes_are_each_stored_once(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    processes, writers, reports = cycles(2, 3), cycles(4, 12), cycles(25, 40)
    token = issue_tokens(engine_env, "hub")["hub"]
    # The servers sign checkpoints often (every 10 events, 5 reports), racing each other.
    with serving(engine_env, tmp_path, processes, 8, checkpoint_every=10) as servers:
        outcome = _report(servers, token, writers, reports)
        assert not outcome.failures, outcome.failures[:20]
        assert len(outcome.acked) == processes * writers * reports
        listed = []
        for s in servers:
            ids, total = _listed(s, token)
            assert total == len(ids), (total, len(ids))
            listed.append(ids)
    count, checkpoints = check_reports(engine_env, tmp_path, outcome, listed)
    assert checkpoints >= 2, "the servers signed no checkpoint of the reports"
    print(
        f"{engine_env['PERSISTENCE_MODULE']}: {processes} processes x {writers} writers x "
        f"{reports} reports: {len(outcome.acked)} acknowledged, each stored once; {count} "
        f"events, ids as promised; {checkpoints} checkpoints, verified; views complete"
    )


def test_processes_starting_at_once_on_a_new_store_each_set_it_up(
    engine_env: dict[str, str],
) -> None:
    """Four set-ups released together on an empty store: every one succeeds (on PostgreSQL
    two concurrent `CREATE ... IF NOT EXISTS` of one table fail unless taken in turn)."""
    starting = threading.Barrier(4)

    def start() -> tuple[int, int]:
        starting.wait()
        services = build_services(engine_env)
        try:
            runner = services.runner
            return len(runner.status()), len(runner.projections) + len(runner.processes)
        finally:
            services.close()

    with ThreadPoolExecutor(4) as pool:
        started = list(pool.map(lambda _: start(), range(4)))
    assert all(tracked == fed >= 7 for tracked, fed in started), started
