"""Views kept up to date from a streaming replica while every write goes to the primary.

With `POSTGRES_REPLICA_HOST`, `caseledger projections run` reads the event log from a hot
standby and writes the views and their positions to the primary. These tests run a real
primary and a real standby (`tests/reliability/streaming_replica.py`) and make the standby lag
on purpose (`pg_wal_replay_pause`): the views must stop at what the replica holds, a read that
asks for a newer write must wait or be refused (never answered without it), and once replay
resumes the views must reach the primary's head and equal a rebuild from the primary itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from application.errors import ViewsBehind
from interface.config import Services, build_services
from tests.cases import report
from tests.conftest import HUB, Clock, add_staff
from tests.reliability.harness import (
    Server,
    ViewWorker,
    issue_tokens,
    report_body,
    view_snapshot,
    wait_for,
)
from tests.reliability.streaming_replica import StreamingReplica

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def replica() -> Iterator[StreamingReplica]:
    cluster = StreamingReplica()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def env(replica: StreamingReplica) -> dict[str, str]:
    return replica.new_schema()


@pytest.fixture
def services(env: dict[str, str], clock: Clock) -> Iterator[Services]:
    built = build_services(env | {"CASELEDGER_VIEW_WAIT_S": "0.2"}, clock=clock)
    add_staff(built)
    yield built
    built.close()


def primary_head(services: Services) -> int:
    return services.ledger.recorder.max_notification_id() or 0


def test_views_follow_the_replica_and_never_pass_what_it_holds(
    replica: StreamingReplica, env: dict[str, str], services: Services, clock: Clock
) -> None:
    assert services.replica is not None
    with services.replica.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery() AS standby")
        assert cursor.fetchone() == {"standby": True}  # the views' source is the standby

    for _ in range(3):
        report(services)
    head = primary_head(services)
    wait_for(lambda: services.runner.catch_up() >= head, 30, "the views to reach the head")

    replica.pause_replay()
    try:
        late = report(services)
        newer = primary_head(services)
        assert services.runner.catch_up() == head < newer  # the replica has not replayed it
        scope = services.views.begin(newer)
        try:
            with pytest.raises(ViewsBehind):
                services.cases.case_for(HUB, late.id)
        finally:
            services.views.end(scope)
    finally:
        replica.resume_replay()

    wait_for(lambda: services.runner.catch_up() >= newer, 30, "the views to reach the new head")
    scope = services.views.begin(newer)
    try:
        assert services.cases.case_for(HUB, late.id).version == late.version
    finally:
        services.views.end(scope)

    from_replica = view_snapshot(services)
    primary_only = {k: v for k, v in env.items() if not k.startswith("POSTGRES_REPLICA")}
    rebuilt = build_services(primary_only | {"CASELEDGER_PROJECTIONS": "inline"}, clock=clock)
    try:
        rebuilt.runner.rebuild()
        assert view_snapshot(rebuilt) == from_replica
    finally:
        rebuilt.close()


def test_inline_views_may_not_read_a_replica(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="needs CASELEDGER_PROJECTIONS=worker"):
        build_services(env | {"CASELEDGER_PROJECTIONS": "inline"})


@pytest.mark.parametrize("port", ["fivefourthreethree", "0", "70000", "-1"])
def test_a_replica_port_that_is_no_port_is_named(env: dict[str, str], port: str) -> None:
    with pytest.raises(ValueError, match="POSTGRES_REPLICA_PORT must be a port number"):
        build_services(env | {"POSTGRES_REPLICA_PORT": port})


def test_servers_on_the_primary_and_a_worker_on_the_replica(
    replica: StreamingReplica, env: dict[str, str], tmp_path: Path
) -> None:
    """As deployed: `serve` writes to the primary, `projections run` reads the standby."""
    env = env | {"CASELEDGER_VIEW_WAIT_S": "0.5"}
    hub = issue_tokens(env, "hub")["hub"]
    server, worker = Server(env, tmp_path), ViewWorker(env, tmp_path)
    server.start()
    worker.start()

    def new_case(marker: str) -> tuple[str, dict[str, str]]:
        """A new case's path, and the header that asks a read to include it."""
        created = server.call("POST", "/api/v1/cases", report_body(marker), hub)
        assert created.status == 201
        return f"/api/v1/cases/{created.body['case_id']}", {
            "X-Min-Position": created.headers["X-Ledger-Position"]
        }

    def shown(path: str, written: dict[str, str], what: str) -> None:
        wait_for(lambda: server.call("GET", path, None, hub, written).status == 200, 30, what)

    try:
        shown(*new_case("m-000000000001"), "the worker to apply the report from the replica")
        replica.pause_replay()
        try:
            path, written = new_case("m-000000000002")
            refused = server.call("GET", path, None, hub, written)
            assert refused.status == 503 and refused.headers["Retry-After"] == "1"
        finally:
            replica.resume_replay()
        shown(path, written, "the worker to apply the second report once the replica replays it")
    finally:
        server.stop()
        assert worker.stop() == 0
    assert "Test Person" not in worker.log() + server.log()
    assert "Traceback" not in worker.log()
