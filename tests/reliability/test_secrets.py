"""Secrets and transport hygiene: token storage and comparison, security headers on every
response, and no personal data or tokens in the server's logs (the sign-in throttle is
tests/api/test_sign_in_throttle.py).

The dependency audit (`pip-audit`) is not run here: its vulnerability services are not
reachable from the CI machine (README, "Security"); it is a documented manual step.
"""

from __future__ import annotations

import hmac
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

import application.tokens
from interface.api.app import SECURITY_HEADERS
from interface.config import Services
from tests.api.helpers import DESCRIPTION, REPORTER, VICTIM, Api, report_body
from tests.conftest import PG
from tests.reliability.harness import Server, issue_tokens


def _stored_text(services: Services, engine_env: dict[str, str]) -> bytes:
    """Every byte the database holds, as the file (SQLite) or every row as text (PostgreSQL)."""
    if engine_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        db = Path(engine_env["SQLITE_DBNAME"])
        return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
    schema = engine_env["POSTGRES_SCHEMA"]
    chunks: list[bytes] = []
    with psycopg.connect(**PG) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            rows = conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()
            chunks.extend(row[0].encode() for row in rows)
    return b"\n".join(chunks)


def test_raw_tokens_never_reach_the_database(
    api: Api, services: Services, engine_env: dict[str, str]
) -> None:
    tokens = [api.token(who) for who in ("hub", "officer", "manager", "admin")]
    api.ok(api.report("hub"))
    assert api.get("/me", "officer").status_code == 200
    stored = _stored_text(services, engine_env)
    assert stored  # there is something to search
    for token in tokens:
        secret = token.split("_", 2)[2]
        for form in (token.encode(), secret.encode(), secret.encode().hex().encode()):
            assert form not in stored


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(application.tokens.hmac, "compare_digest", spy)
    token = application.tokens.new_token(uuid.uuid4())
    stored = application.tokens.hash_token(token)
    assert application.tokens.token_matches(token, stored)
    assert not application.tokens.token_matches(token + "x", stored)
    assert len(calls) == 2


def test_security_headers_on_every_kind_of_response(api: Api) -> None:
    case = api.allocated_case("officer")
    path = f"/api/v1/cases/{case['case_id']}"
    responses: list[Any] = [
        api.client.get("/api/v1/health"),
        api.client.get("/api/v1/openapi.json"),
        api.get(f"/cases/{case['case_id']}", "officer"),
        api.report("hub"),
        api.client.get("/api/v1/me"),
        api.get("/cases", "auditor"),
        api.get(f"/cases/{case['case_id']}", "south_officer"),
        api.client.get("/api/v1/nowhere"),
        api.client.put(path, headers=api.auth("officer")),
        api.command(case, "contacts", {"method": "phone", "direction": "inbound"}, "officer", 1),
        api.client.post(f"{path}/contacts", json={}, headers=api.auth("officer")),
        api.client.post(
            "/api/v1/cases",
            data="x" * 300_000,
            headers=api.auth("hub"),
            content_type="application/json",
        ),
        api.client.post("/api/v1/cases", data="{}", headers=api.auth("hub")),
        api.client.post("/api/v1/cases", json={}, headers=api.auth("hub")),
    ]
    statuses = {r.status_code for r in responses}
    assert statuses == {200, 201, 401, 403, 404, 405, 412, 413, 415, 422, 428}
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.status_code, name)


@pytest.mark.e2e
def test_server_logs_hold_no_personal_data_or_tokens(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    tokens = issue_tokens(engine_env, "hub", "officer", "manager", "auditor")
    server = Server(engine_env, tmp_path, threads=2)
    server.start()
    try:
        hub, officer = tokens["hub"], tokens["officer"]
        case = server.call("POST", "/api/v1/cases", report_body(), hub).body
        path = f"/api/v1/cases/{case['case_id']}"
        steps = [
            ("triage", {}, hub),
            ("allocation", {"officer": "k.officer", "team": "north"}, hub),
            (
                "contacts",
                {"method": "phone", "direction": "outbound", "summary": DESCRIPTION},
                officer,
            ),
        ]
        for version, (noun, body, token) in enumerate(steps, start=1):
            reply = server.call("POST", f"{path}/{noun}", body, token, {"If-Match": f'"{version}"'})
            assert reply.status == 201, reply.body
        for token in (officer, tokens["manager"]):
            assert server.call("GET", path, token=token).status == 200
            assert server.call("GET", f"{path}/events", token=token).status == 200
        victim = case["victim_id"]
        assert server.call("GET", f"{path}/people/{victim}", token=officer).status == 200
        refused = server.call("POST", f"{path}/closure", {"reasons": VICTIM["name"]}, officer)
        assert refused.status == 403
        bad = server.call("POST", "/api/v1/cases", {"victim": {"name": VICTIM["name"]}}, hub)
        assert bad.status == 422
        assert server.call("GET", "/api/v1/me", token=hub + "tampered").status == 401
        query = urllib.parse.quote(VICTIM["name"])
        assert server.call("GET", f"/api/v1/cases?officer={query}", token=hub).status == 200
    finally:
        server.stop()
    log = server.log()
    assert "POST /api/v1/cases" in log  # the requests were logged, by id and status only
    planted = [*VICTIM.values(), *REPORTER.values(), DESCRIPTION]
    secrets = [*tokens.values(), *(t.split("_", 2)[2] for t in tokens.values())]
    assert [s for s in planted if s in log] == []
    assert [s for s in secrets if s in log] == []
    assert "Bearer" not in log
