"""The OpenAPI description, the security headers on every response, and logs without
personal data."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from uuid import uuid4

import pytest

from application.commands.catalogue import case_commands
from application.commands.fields import FieldKind
from interface.api.app import SECURITY_HEADERS
from tests.api.helpers import (
    DESCRIPTION,
    PROBLEM,
    REPORTER,
    VICTIM,
    Api,
    assert_problem,
    report_body,
    walk_every_command,
)

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# --- OpenAPI ----------------------------------------------------------------------------------


def _spec(api: Api) -> dict[str, Any]:
    response = api.client.get("/api/v1/openapi.json")  # public: no token needed
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec: dict[str, Any] = response.get_json()
    return spec


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_is_a_valid_openapi_3_description(api: Api) -> None:
    spec = _spec(api)
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    json.dumps(spec)  # plain JSON all the way down
    for ref in _refs(spec):
        _resolve(spec, ref)
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/")
        templated = set(re.findall(r"{(\w+)}", path))
        assert item and set(item) <= HTTP_METHODS | {"parameters", "summary", "description"}
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            assert operation["responses"], (path, method)
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", code), (path, method, code)
                assert response["description"], (path, method, code)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == templated, (path, method)
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"path", "query", "header", "cookie"}
                if parameter["in"] == "path":
                    assert parameter["required"] is True


def test_the_openapi_document_describes_cases_and_every_command(api: Api) -> None:
    spec = _spec(api)
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/cases"])
    assert "get" in paths["/api/v1/cases/{case_id}"]
    assert "get" in paths["/api/v1/cases/{case_id}/events"]
    versioned = [c for c in case_commands() if c.versioned]
    for command in versioned:
        operation = paths[f"/api/v1/cases/{{case_id}}/{command.noun}"]["post"]
        assert operation["summary"] == command.headline()
        assert {"201", "401", "403", "404", "409", "412", "422", "428"} <= set(
            operation["responses"]
        )
        assert {p["name"] for p in operation["parameters"]} == {"case_id", "If-Match"}
        content = operation["requestBody"]["content"]
        if "multipart/form-data" in content:  # the fields, and the file's bytes beside them
            ref = content["multipart/form-data"]["schema"]["$ref"]
        else:
            ref = content["application/json"]["schema"]["$ref"]
        body = _resolve(spec, ref)
        files = [f.name for f in command.fields() if f.kind == FieldKind.FILE]
        for name in files:
            assert body["properties"].pop(name) == {"type": "string", "format": "binary"}
        in_body = [f for f in command.fields() if f.kind != FieldKind.FILE]
        assert set(body["properties"]) == {f.name for f in in_body}, command.noun
        required = {f.name for f in command.fields() if f.required}
        assert set(body.get("required", [])) == required, command.noun
        for field in command.fields():
            if field.choices:  # the enum values, straight from domain.vocabulary
                shown = body["properties"][field.name]
                values = [v for v in shown.get("enum") or shown["items"]["enum"] if v is not None]
                assert values == [c.value for c in field.choices], (command.noun, field.name)
        problem = operation["responses"]["409"]["content"][PROBLEM]["schema"]
        assert "policy_clause" in _resolve(spec, problem["$ref"])["properties"]
        assert operation["description"].endswith(
            "Who may: " + ", ".join(sorted(role.value for role in command.roles)) + "."
        )
        assert "(*," not in operation["description"]  # a docstring, not a dataclass signature
        answer = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert "recorded" in _resolve(spec, answer["$ref"])["properties"]
    documented = {p.rsplit("/", 1)[1] for p in paths if p.startswith("/api/v1/cases/{case_id}/")}
    assert {c.noun for c in versioned} <= documented


def test_the_openapi_document_describes_every_route(api: Api) -> None:
    spec = _spec(api)
    served = set()
    for rule in api.client.application.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert rule.methods is not None  # Flask gives every route its methods
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if path == "/api/v1/cases/{case_id}/{noun}":
                served |= {
                    (f"/api/v1/cases/{{case_id}}/{c.noun}", "post")
                    for c in case_commands()
                    if c.versioned
                }
            else:
                served.add((path, method.lower()))
    documented = {(p, m) for p, item in spec["paths"].items() for m in item}
    assert served - documented == set()


# --- security headers ------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(api: Api) -> None:
    case = api.allocated_case()
    api.token("admin")
    officer = api.auth("officer", **{"If-Match": '"3"'})
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/openapi.json", {}),
        ("GET", "/api/v1/health", {}),
        ("GET", "/api/v1/me", {"headers": api.auth("hub")}),
        ("GET", "/api/v1/cases", {"headers": api.auth("hub")}),
        ("GET", f"/api/v1/cases/{case['case_id']}", {"headers": api.auth("officer")}),
        ("GET", f"/api/v1/cases/{case['case_id']}/events", {"headers": api.auth("officer")}),
        ("POST", "/api/v1/cases", {"headers": api.auth("hub"), "json": report_body()}),
        ("POST", "/api/v1/cases", {}),  # 401
        ("POST", "/api/v1/cases", {"headers": api.auth("dpo"), "json": {}}),  # 403
        ("GET", f"/api/v1/cases/{uuid4()}", {"headers": api.auth("hub")}),  # 404
        ("GET", "/api/v1/nowhere", {}),  # 404 from routing
        ("DELETE", "/api/v1/cases", {}),  # 405
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/closure",
            {  # 409
                "headers": api.auth("manager", **{"If-Match": '"3"'}),
                "json": {"grounds": ["all_action_taken"], "reasons": "Done."},
            },
        ),
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/contacts",
            {  # 412
                "headers": api.auth("officer", **{"If-Match": '"1"'}),
                "json": {"method": "phone", "direction": "inbound"},
            },
        ),
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/contacts",
            {  # 428
                "headers": api.auth("officer"),
                "json": {"method": "phone", "direction": "inbound"},
            },
        ),
        ("POST", "/api/v1/cases", {"headers": api.auth("hub"), "json": {}}),  # 422
        ("POST", "/api/v1/cases", {"headers": api.auth("hub"), "data": "x"}),  # 415
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/contacts",
            {  # 400
                "headers": officer,
                "data": "{",
                "content_type": "application/json",
            },
        ),
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/contacts",
            {  # 413
                "headers": officer,
                "data": "x" * 300_000,
                "content_type": "application/json",
            },
        ),
        (
            "POST",
            f"/api/v1/cases/{case['case_id']}/contacts",
            {  # 201
                "headers": officer,
                "json": {"method": "phone", "direction": "inbound"},
            },
        ),
        ("DELETE", "/api/v1/staff/k.officer", {"headers": api.auth("admin")}),  # 204
    ]
    statuses = set()
    for method, path, kwargs in requests:
        response = api.client.open(path, method=method, **kwargs)
        statuses.add(response.status_code)
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (method, path, response.status_code)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.status_code >= 400:
            assert response.mimetype == PROBLEM, (method, path, response.status_code)
    assert statuses == {200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428}


# --- personal data stays out of the logs ------------------------------------------------------

PERSONAL = [
    VICTIM["name"],
    VICTIM["phone"],
    VICTIM["address"],
    VICTIM["email"],
    REPORTER["name"],
    REPORTER["phone"],
    DESCRIPTION,
    "Racist graffiti",
    "Amara",
    "Okafor",
    "Grace Okafor-Bell",
    "Gary Stone",
    "T-48213",
    "Spoke to Amara about the plan.",
    "The children are afraid to go to school.",
    "Happy for the case to close.",
]


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
    return "\n".join(parts) + caplog.text


def test_a_full_walk_logs_no_personal_data(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    case, steps = walk_every_command(api)
    assert api.get(f"/cases/{case['case_id']}/events", "other_officer").status_code == 200
    assert (
        api.get(f"/cases/{case['case_id']}/people/{case['victim_id']}", "other_officer").status_code
        == 200
    )
    # refusals that echo the caller's data back in the body do not log it either
    bad = report_body(channel="carrier_pigeon", colour=VICTIM["name"])
    assert api.client.post("/api/v1/cases", json=bad, headers=api.auth("hub")).status_code == 422
    api.client.post("/api/v1/cases", data=DESCRIPTION, headers=api.auth("hub"))
    assert api.get(f"/cases?officer={VICTIM['name']}", "manager").status_code == 200

    requests = [r for r in caplog.records if r.name == "caseledger.api"]
    assert len(requests) >= len(steps) + 5  # one line per request: the test saw the log
    assert any(case["case_id"] in r.getMessage() for r in requests)
    logged = _logged(caplog)
    for value in PERSONAL:
        assert value not in logged, value


def test_an_unhandled_error_is_a_500_problem_that_logs_no_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    case = api.new_case()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"cannot show {VICTIM['name']} at {VICTIM['address']}")

    monkeypatch.setattr(api.services.cases, "case_for", broken)
    response = api.get(f"/cases/{case['case_id']}", "hub")
    problem = assert_problem(response, 500)
    assert VICTIM["name"] not in response.get_data(as_text=True)
    assert problem["title"] == "Internal Server Error"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert any("unhandled ValueError" in r.getMessage() for r in caplog.records)
    logged = _logged(caplog)
    for value in PERSONAL:
        assert value not in logged, value
