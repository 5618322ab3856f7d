"""The whole API fuzzed from its own OpenAPI description (schemathesis, in process via WSGI).

For every operation in `/api/v1/openapi.json`, Hypothesis generates valid and invalid
requests (path, query, headers, body), sent with a valid token of the role the route is
for, half of them aimed at a real case (and half of those with its current ETag, so bodies
reach the ledger). Every answer must be below 500; every error must be
application/problem+json with the security headers; and a refused request (4xx) must not
change the position of the last stored event. CI: 6 examples per operation and mode;
`CASELEDGER_SOAK=1`: 200.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from application.sign_in_throttle import Limit
from domain.hate_case import HateCase
from interface.api.app import SECURITY_HEADERS, create_app
from interface.api.openapi import build_spec
from interface.config import Services, build_services
from tests.conftest import ADMIN, STAFF, sqlite_env
from tests.reliability.harness import cycles

PROBLEM = "application/problem+json"
OPERATIONS = sorted(
    (path, method.upper(), bool(spec.get("parameters") or spec.get("requestBody")))
    for path, item in build_spec()["paths"].items()
    for method, spec in item.items()
    if method in ("get", "post", "put", "delete", "patch")
)
# Invalid requests need something to make invalid: an operation without inputs gets valid ones.
RUNS = [
    (path, method, mode)
    for path, method, has_inputs in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if has_inputs or mode == GenerationMode.POSITIVE
]
SENT: list[int] = []  # one entry per request, for the figure the report quotes


@dataclass
class Target:
    services: Services
    schema: Any
    tokens: dict[str, str]
    case_id: str
    subject_id: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = Path(tmp_path_factory.mktemp("fuzz"))
    env = sqlite_env(str(directory)) | {
        "CASELEDGER_SIGNING_KEY_FILE": str(directory / "signing.pem")
    }
    services = build_services(env)
    tokens = {}
    for key in ("hub", "manager", "dpo", "auditor", "admin"):
        username, role, team = STAFF[key]
        tokens[key] = services.staff.add(username=username, role=role, team=team, actor=ADMIN)[1]
    # Negative cases include bad tokens; the sign-in throttle (tests/api/test_sign_in_throttle.py)
    # would soon answer 429 to them and hide the routes' own answers from the fuzzer.
    services.sign_in.address_limit = services.sign_in.account_limit = Limit(1_000_000, 60)
    app = create_app(services)
    client = app.test_client()
    hub = {"Authorization": f"Bearer {tokens['hub']}"}
    created = client.post(
        "/api/v1/cases",
        json={
            "channel": "phone",
            "reporter_role": "victim",
            "description": "Fuzz target",
            "strands": ["race"],
            "forms": ["verbal_abuse"],
            "victim": {"name": "Fuzz Person"},
        },
        headers=hub,
    ).get_json()
    yield Target(
        services,
        schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app),
        tokens,
        created["case_id"],
        created["victim_id"],
    )
    services.close()
    answers = Counter(SENT)
    print(f"fuzzed {len(SENT)} requests, answers {sorted(answers.items())}, 0 server errors")


def _role_for(path: str) -> str:
    if "/subjects/" in path:
        return "dpo"
    if path.startswith(("/api/v1/audit", "/api/v1/audit/access")):
        return "auditor"
    if path.startswith("/api/v1/staff"):
        return "admin"
    return "manager"


def _check(target: Target, case: Any, aim: bool, current: bool) -> None:
    head = target.services.ledger.recorder.max_notification_id
    if aim and "case_id" in (case.path_parameters or {}):
        case.path_parameters["case_id"] = target.case_id
        if current:
            aimed: HateCase = target.services.ledger.repository.get(UUID(target.case_id))
            case.headers = {**(case.headers or {}), "If-Match": f'"{aimed.version}"'}
    if aim and "subject_id" in (case.path_parameters or {}):
        case.path_parameters["subject_id"] = target.subject_id
    before = head()
    token = target.tokens[_role_for(case.operation.path)]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    SENT.append(response.status_code)
    where = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:500]}"
    headers = {name.lower(): values[0] for name, values in response.headers.items()}
    for name in SECURITY_HEADERS:
        assert name.lower() in headers, f"{where}: no {name}"
    if response.status_code >= 400:
        assert headers["content-type"].startswith(PROBLEM), where
        problem = response.json()
        assert problem["status"] == response.status_code and problem["title"], where
        assert head() == before, f"{where}: a refused request stored an event"


@pytest.mark.parametrize(("path", "method", "mode"), RUNS)
def test_fuzzed_requests_get_no_server_error(
    target: Target, path: str, method: str, mode: GenerationMode
) -> None:
    operation = target.schema[path][method]

    @settings(
        max_examples=cycles(6, 200),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # bounded time: no shrinking
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans(), now=st.booleans())
    def fuzz(case: Any, aim: bool, now: bool) -> None:
        _check(target, case, aim, now)

    fuzz()


def test_every_operation_is_fuzzed() -> None:
    """The list above is the spec's, so a new route is fuzzed without editing this file."""
    assert len(OPERATIONS) >= 60
