"""The OpenAPI 3 description of the staff API, built from the same schemas the routes load."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from interface.api import schemas
from interface.api.commands import CASE_COMMANDS

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_CASE = {"application/json": {"schema": {"type": "object"}}}


def _errors(*codes: int) -> dict[str, Any]:
    titles = {
        400: "Malformed request",
        401: "No or bad token",
        403: "Role may not",
        404: "Unknown or not visible",
        409: "Refused by policy (names policy_clause)",
        412: "Stale version",
        415: "Not JSON",
        422: "Invalid body (per-field errors)",
        428: "If-Match missing",
    }
    return {str(c): {"description": titles[c], "content": _PROBLEM} for c in codes}


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="caseledger staff API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Hate case ledger for housing staff. Errors are RFC 9457."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema(
        "Problem",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "policy_clause": {"type": "string"},
                "errors": {"type": "object"},
            },
        },
    )
    secured: list[dict[str, list[str]]] = [{"bearer": []}]
    case_id = {
        "name": "case_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    if_match = {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "the case version (ETag) you saw",
    }
    spec.path(
        path="/api/v1/cases",
        operations={
            "post": {
                "summary": "Report a case (policy 5.2, 5.3)",
                "security": secured,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schemas.ReportCase}},
                },
                "responses": {
                    "201": {"description": "Reported", "content": _CASE},
                    **_errors(400, 401, 403, 415, 422),
                },
            },
            "get": {
                "summary": "The caller's caseload, filtered and paginated",
                "security": secured,
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "string"}}
                    for n in ("status", "officer", "team", "risk_level")
                ]
                + [
                    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {"description": "A page of cases", "content": _CASE},
                    **_errors(401, 403, 422),
                },
            },
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}",
        operations={
            "get": {
                "summary": "The case's current state",
                "security": secured,
                "parameters": [case_id],
                "responses": {
                    "200": {"description": "The case", "content": _CASE},
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/timers",
        operations={
            "get": {
                "summary": "Service-level timers on the caller's caseload",
                "security": secured,
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["running", "met", "breached", "overdue", "due-today"],
                        },
                    },
                    {
                        "name": "case_id",
                        "in": "query",
                        "schema": {"type": "string", "format": "uuid"},
                    },
                ],
                "responses": {
                    "200": {"description": "Timers", "content": _CASE},
                    **_errors(401, 403, 422),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}/sharing",
        operations={
            "get": {
                "summary": "What each recipient may be told, now or as_of a past moment (9.2-9.4)",
                "security": secured,
                "parameters": [
                    case_id,
                    {
                        "name": "as_of",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                ],
                "responses": {
                    "200": {"description": "Sharing view", "content": _CASE},
                    **_errors(401, 403, 404, 422),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}/events",
        operations={
            "get": {
                "summary": "The case's events in order",
                "security": secured,
                "parameters": [case_id],
                "responses": {
                    "200": {"description": "Events", "content": _CASE},
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    for command in CASE_COMMANDS:
        spec.path(
            path=f"/api/v1/cases/{{case_id}}/{command.noun}",
            operations={
                "post": {
                    "summary": command.summary,
                    "security": secured,
                    "parameters": [case_id, if_match],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": command.schema}},
                    },
                    "responses": {
                        "201": {"description": "Recorded; the case as it now is", "content": _CASE},
                        **_errors(400, 401, 403, 404, 409, 412, 415, 422, 428),
                    },
                }
            },
        )
    spec.path(
        path="/api/v1/staff",
        operations={
            "post": {
                "summary": "Add a staff member (admin); the token is shown once",
                "security": secured,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schemas.StaffAccount}},
                },
                "responses": {
                    "201": {"description": "Added", "content": _CASE},
                    **_errors(401, 403, 422),
                },
            }
        },
    )
    return spec.to_dict()
