"""The OpenAPI 3 description of the staff API, built from the same schemas the routes load."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from interface.api import schemas
from interface.api import subjects as subject_routes
from interface.api.commands import CASE_COMMANDS
from interface.api.evidence_packs import EvidencePackBody

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
        413: "Body too large",
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
        path="/api/v1/cases/{case_id}/sharing/{recipient}",
        operations={
            "get": {
                "summary": "What one recipient may be told and why, or the refusal and its clause",
                "security": secured,
                "parameters": [
                    case_id,
                    {
                        "name": "recipient",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "enum": [
                                "representative",
                                "police",
                                "local_authority",
                                "multi_agency_panel",
                                "support_agency",
                            ],
                        },
                    },
                    {
                        "name": "as_of",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "representative_id",
                        "in": "query",
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    {
                        "name": "name",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "the support agency named in the consent",
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
                        **_errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 428),
                    },
                }
            },
        )
    spec.path(
        path="/api/v1/health",
        operations={
            "get": {
                "summary": "Liveness and projection lag (no authentication)",
                "responses": {"200": {"description": "Up", "content": _CASE}},
            }
        },
    )
    spec.path(
        path="/api/v1/me",
        operations={
            "get": {
                "summary": "Who the token belongs to",
                "security": secured,
                "responses": {
                    "200": {"description": "The caller", "content": _CASE},
                    **_errors(401),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}/people/{subject_id}",
        operations={
            "get": {
                "summary": "A person on the case: roles and details (or that they were erased)",
                "security": secured,
                "parameters": [
                    case_id,
                    {
                        "name": "subject_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                ],
                "responses": {
                    "200": {"description": "The person", "content": _CASE},
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/staff/{username}",
        operations={
            "delete": {
                "summary": "Remove a staff member (admin); their token stops working at once",
                "security": secured,
                "parameters": [
                    {
                        "name": "username",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {"204": {"description": "Removed"}, **_errors(401, 403, 404)},
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
    _audit_paths(spec, secured)
    _subject_paths(spec, secured)
    _evidence_pack_paths(spec, secured)
    _statistics_path(spec, secured)
    return spec.to_dict()


def _audit_paths(spec: APISpec, secured: list[dict[str, list[str]]]) -> None:
    """The integrity routes (interface/api/audit.py)."""
    json_object = {"application/json": {"schema": {"type": "object"}}}
    spec.path(
        path="/api/v1/audit/public-key",
        operations={
            "get": {
                "summary": "The checkpoint verifier key and its rotation chain (public)",
                "responses": {"200": {"description": "Keys", "content": json_object}},
            }
        },
    )
    spec.path(
        path="/api/v1/audit/checkpoints",
        operations={
            "get": {
                "summary": "Signed checkpoints, oldest first (any staff role)",
                "security": secured,
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "integer"}}
                    for n in ("after", "limit")
                ],
                "responses": {
                    "200": {"description": "Checkpoints", "content": json_object},
                    **_errors(401, 422),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/audit/verify",
        operations={
            "get": {
                "summary": "Recompute the integrity log from storage (auditor)",
                "security": secured,
                "responses": {
                    "200": {"description": "Verification result", "content": json_object},
                    **_errors(401, 403),
                },
            }
        },
    )


def _evidence_pack_paths(spec: APISpec, secured: list[dict[str, list[str]]]) -> None:
    """The complaint and case-review evidence packs (interface/api/evidence_packs.py)."""
    uuid = {"type": "string", "format": "uuid"}
    case_id = {"name": "case_id", "in": "path", "required": True, "schema": uuid}
    number = {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(
        path="/api/v1/cases/{case_id}/evidence-packs",
        operations={
            "post": {
                "summary": "Produce a complaint (policy 11) or case-review (12.2) evidence pack "
                "(complaints, manager); recorded on the case, allowed when closed",
                "security": secured,
                "parameters": [case_id],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": EvidencePackBody}},
                },
                "responses": {
                    "201": {
                        "description": "Produced; Location is the download",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors(400, 401, 403, 404, 409, 415, 422),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/cases/{case_id}/evidence-packs/{number}",
        operations={
            "get": {
                "summary": "Download pack n (a zip: PDF, events.json, proofs, signed manifest, "
                "offline verifier), rebuilt from the ledger",
                "security": secured,
                "parameters": [
                    case_id,
                    number,
                    {"name": "X-Access-Reason", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "The pack",
                        "content": {
                            "application/zip": {"schema": {"type": "string", "format": "binary"}}
                        },
                    },
                    **_errors(401, 403, 404, 422),
                },
            }
        },
    )


def _subject_paths(spec: APISpec, secured: list[dict[str, list[str]]]) -> None:
    """The DPO's subject-rights routes (interface/api/subjects.py) and the access log."""
    json_object = {"application/json": {"schema": {"type": "object"}}}
    uuid = {"type": "string", "format": "uuid"}
    subject = {"name": "subject_id", "in": "path", "required": True, "schema": uuid}
    request = {"name": "request_id", "in": "path", "required": True, "schema": uuid}
    reason = {
        "name": "X-Access-Reason",
        "in": "header",
        "schema": {"type": "string"},
        "description": "why you read it: a purpose word (case_work, safeguarding, ...)",
    }

    def read(summary: str, *parameters: dict[str, Any], content: Any = json_object) -> Any:
        return {
            "get": {
                "summary": summary,
                "security": secured,
                "parameters": [*parameters, reason],
                "responses": {
                    "200": {"description": summary, "content": content},
                    **_errors(401, 403, 404, 422),
                },
            }
        }

    def record(summary: str, body: Any, *parameters: dict[str, Any]) -> Any:
        return {
            "post": {
                "summary": summary,
                "security": secured,
                "parameters": list(parameters),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {
                    "201": {"description": "Recorded; the request", "content": json_object},
                    **_errors(400, 401, 403, 404, 409, 415, 422),
                },
            }
        }

    base = "/api/v1/subjects/{subject_id}"
    access = f"{base}/access-requests/{{request_id}}"
    pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    paths = {
        base: read("The person's record and requests (DPO)", subject),
        f"{base}/requests/{{request_id}}": read("A request and its timer (DPO)", subject, request),
        access: read("An access request and its timer (DPO)", subject, request),
        f"{access}/export": read("Subject access export, JSON (DPO)", subject, request),
        f"{access}/export.pdf": read(
            "Subject access export, PDF (DPO)", subject, request, content=pdf
        ),
        f"{base}/access-requests": record(
            "Record an access request and its due date (UK GDPR art. 15, 12(3))",
            subject_routes.AccessRequestBody,
            subject,
        ),
        f"{access}/extensions": record(
            "Extend by two further months, with reasons (art. 12(3))",
            subject_routes.ExtensionBody,
            subject,
            request,
        ),
        f"{access}/responses": record(
            "Record that the response was sent: stops the timer",
            subject_routes.ResponseBody,
            subject,
            request,
        ),
        f"{base}/rectifications": record(
            "Correct the person's details (art. 16)", subject_routes.RectificationBody, subject
        ),
        f"{base}/erasure-requests": record(
            "Record an erasure request and its decision (art. 17)",
            subject_routes.ErasureBody,
            subject,
        ),
    }
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    spec.path(
        path="/api/v1/audit/access",
        operations={
            "get": {
                "summary": "Who read whose personal data, newest first (auditor, DPO; ids only)",
                "security": secured,
                "parameters": [
                    {"name": "subject_id", "in": "query", "schema": uuid},
                    {"name": "case_id", "in": "query", "schema": uuid},
                    {"name": "actor", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {"description": "Entries", "content": json_object},
                    **_errors(401, 403, 422),
                },
            }
        },
    )


def _statistics_path(spec: APISpec, secured: list[dict[str, list[str]]]) -> None:
    """The TSM year's counts (interface/api/statistics.py)."""
    spec.path(
        path="/api/v1/statistics",
        operations={
            "get": {
                "summary": "A TSM year's case and timer counts and NM01 (manager, auditor)",
                "security": secured,
                "parameters": [
                    {
                        "name": "year",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 2000, "maximum": 2999},
                        "description": "the TSM year starting 1 April (default: current)",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Counts only: no personal data",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors(401, 403, 422),
                },
            }
        },
    )
