"""Many HTTP clients updating the same case at once: each update is applied or refused.

Every client reads the case's ETag and posts a contact with it as `If-Match`, all released
together by a barrier. Each answer is 201 (applied) or 412 (someone else got there first);
afterwards the case's history is 1..n with n = 1 + the number of 201s, every applied
update's marker is in the log exactly once, and no refused update's marker is.
CI: 16 clients x 6 attempts per engine; `CASELEDGER_SOAK=1`: 64 x 20.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest

from interface.config import build_services
from tests.reliability.harness import (
    Server,
    assert_clean_histories,
    contact_body,
    cycles,
    issue_tokens,
    report_body,
    stored_events,
)

pytestmark = pytest.mark.e2e


def test_concurrent_updates_are_applied_or_412_never_lost(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    clients, attempts = cycles(16, 64), cycles(6, 20)
    token = issue_tokens(engine_env, "hub")["hub"]
    server = Server(engine_env, tmp_path, threads=16)
    server.start()
    try:
        created = server.call("POST", "/api/v1/cases", report_body("m-000000000000"), token)
        assert created.status == 201
        path = f"/api/v1/cases/{created.body['id']}"
        answers: Counter[int] = Counter()
        applied: dict[str, int] = {}
        refused: set[str] = set()
        lock = threading.Lock()
        barrier = threading.Barrier(clients)

        def client() -> None:
            barrier.wait()
            for _ in range(attempts):
                seen = server.call("GET", path, token=token).headers["ETag"]
                marker = f"m-{uuid.uuid4().hex[:12]}"
                reply = server.call(
                    "POST", f"{path}/contacts", contact_body(marker), token, {"If-Match": seen}
                )
                with lock:
                    answers[reply.status] += 1
                    if reply.status == 201:
                        applied[marker] = reply.body["version"]
                    else:
                        refused.add(marker)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert set(answers) <= {201, 412}, answers
        assert answers[201] + answers[412] == clients * attempts
        assert answers[201] >= 1
    finally:
        server.stop()

    services = build_services(engine_env)
    try:
        events = [e for e in stored_events(services) if e.case_id == created.body["id"]]
    finally:
        services.close()
    assert assert_clean_histories(events) == {created.body["id"]: 1 + answers[201]}
    logged = Counter(m for e in events for m in e.markers)
    assert {m: logged[m] for m in applied} == dict.fromkeys(applied, 1)
    assert sorted(applied.values()) == list(range(2, 2 + len(applied)))  # each version once
    assert not refused & logged.keys()
    print(
        f"{engine_env['PERSISTENCE_MODULE']}: {clients} clients, {clients * attempts} updates: "
        f"{answers[201]} applied (201), {answers[412]} conflicts (412), none lost"
    )
