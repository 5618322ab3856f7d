"""The OpenAPI 3 description of the staff API, built from what the routes themselves use.

The commands, their summaries, body schemas and roles come from the catalogue
(`application.commands.catalogue`), the answers' shapes from `representations`, and the
enumerations from `domain.vocabulary`: nothing here is a copy to keep in step. Operations are
made by three builders (`read`, `record`, `public`) so each route is one line of what is
particular to it: its summary, parameters, body and the errors it can answer.
"""

from __future__ import annotations

import inspect
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from application.caseload import LIST_ORDERS, TIMER_FILTERS
from application.commands.after_the_case import ProduceEvidencePack
from application.commands.base import Command
from application.commands.catalogue import by_reference_commands, case_commands
from application.commands.reporting import ReportCase
from domain.vocabulary import Recipient
from interface.api import representations, schemas, subject_routes
from interface.api.schemas import body_schema, by_reference_schema

Operation = dict[str, Any]

POSITION = {"type": "integer", "minimum": 0}
MIN_POSITION: dict[str, Any] = {
    "name": "X-Min-Position",
    "in": "header",
    "schema": POSITION,
    "description": "a write's X-Ledger-Position: wait until the views hold it (read your writes)",
}
PROJECTION_POSITION = {"schema": POSITION, "description": "the log position the views were at"}
LEDGER_POSITION = {"schema": POSITION, "description": "the log position of this write"}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
JSON = {"application/json": {"schema": {"type": "object"}}}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
UUID_SCHEMA = {"type": "string", "format": "uuid"}
BINARY = {"type": "string", "format": "binary"}
SECURED: list[dict[str, list[str]]] = [{"bearer": []}]
ERROR_TITLES = {
    400: "Malformed request",
    401: "No or bad token",
    403: "Role may not",
    404: "Unknown or not visible",
    409: "Refused by policy (names policy_clause)",
    412: "Stale version",
    410: "Erased: the person's data is gone",
    413: "Body too large",
    415: "Not JSON",
    422: "Invalid body (per-field errors)",
    428: "If-Match missing",
    503: "The views have not reached X-Min-Position yet (Retry-After)",
}
WRITE_ERRORS = (400, 401, 403, 404, 409, 415, 422)


def param(
    name: str, where: str = "query", schema: Any = "string", description: str = ""
) -> dict[str, Any]:
    """A parameter; `schema` is a JSON type name or a schema object."""
    out: dict[str, Any] = {
        "name": name,
        "in": where,
        "schema": {"type": schema} if isinstance(schema, str) else schema,
    }
    if where == "path":
        out["required"] = True
    if description:
        out["description"] = description
    return out


def errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": ERROR_TITLES[c], "content": PROBLEM} for c in codes}


def json_of(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def who_may(command: type[Command]) -> str:
    """The command's docstring (its title if it has none) and the roles that may issue it."""
    doc = command.__doc__ or ""
    if doc.startswith(f"{command.__name__}("):  # the signature @dataclass writes, no docstring
        doc = command.title
    roles = ", ".join(sorted(role.value for role in command.roles))
    return f"{inspect.cleandoc(doc)}\n\nWho may: {roles}."


def read(
    summary: str,
    *parameters: dict[str, Any],
    codes: tuple[int, ...] = (401, 403),
    content: Any = JSON,
    ok: str = "OK",
    views: bool = False,
) -> Operation:
    """A GET for an authenticated caller; `views`: answered from the projections."""
    success: dict[str, Any] = {"description": ok, "content": content}
    if views:
        parameters = (*parameters, MIN_POSITION)
        codes = (*codes, 503)
        success["headers"] = {"X-Projection-Position": PROJECTION_POSITION}
    return {
        "get": {
            "summary": summary,
            "security": SECURED,
            "parameters": list(parameters),
            "responses": {"200": success, **errors(*codes)},
        }
    }


def record(
    summary: str,
    body: Any,
    *parameters: dict[str, Any],
    codes: tuple[int, ...] = WRITE_ERRORS,
    ok: str = "Recorded",
    positioned: bool = False,
    content: Any = JSON,
    description: str = "",
) -> Operation:
    """A POST with a JSON body for an authenticated caller; `positioned`: it answers with
    the log position of its write."""
    success: dict[str, Any] = {"description": ok, "content": content}
    if positioned:
        success["headers"] = {"X-Ledger-Position": LEDGER_POSITION}
    operation: dict[str, Any] = {
        "summary": summary,
        "security": SECURED,
        "parameters": list(parameters),
        "requestBody": {"required": True, "content": json_of(body)},
        "responses": {"201": success, **errors(*codes)},
    }
    if description:
        operation["description"] = description
    return {"post": operation}


def multipart_of(body: type[Schema]) -> dict[str, Any]:
    """A command whose file travels beside its fields: the fields of `body` and a `file`."""
    file = fields.Raw(required=True, metadata=BINARY)
    form = type(f"{body.__name__}Form", (body,), {"file": file})
    return {"multipart/form-data": {"schema": form}}


def public(summary: str, content: dict[str, Any] = JSON) -> Operation:
    """A GET anyone may make: no token, no personal data."""
    return {
        "get": {"summary": summary, "responses": {"200": {"description": "OK", "content": content}}}
    }


CASE_ID = param("case_id", "path", UUID_SCHEMA)
IF_MATCH = param("If-Match", "header", description="the case version (ETag) you saw")
IF_MATCH["required"] = True
ACCESS_REASON = param(
    "X-Access-Reason",
    "header",
    description="why you read it: a purpose word (case_work, safeguarding, ...)",
)
PAGE = (param("limit", schema="integer"), param("offset", schema="integer"))


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
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _paths() -> dict[str, Operation]:
    return {
        **_case_paths(),
        **_audit_paths(),
        **_subject_paths(),
        **_evidence_pack_paths(),
        "/api/v1/statistics": read(
            "A TSM year's case and timer counts and NM01 (manager, auditor)",
            param(
                "year",
                schema={"type": "integer", "minimum": 2000, "maximum": 2999},
                description="the TSM year starting 1 April (default: current)",
            ),
            codes=(401, 403, 422),
            ok="Counts only: no personal data",
            views=True,
        ),
        "/api/v1/health": public("Liveness and projection lag (no authentication)"),
        "/api/v1/me": read("Who the token belongs to", codes=(401,)),
        "/api/v1/staff": record(
            "Add a staff member (admin); the token is shown once",
            schemas.StaffAccount,
            codes=(401, 403, 422),
            ok="Added",
        ),
        "/api/v1/staff/{username}": {
            "delete": {
                "summary": "Remove a staff member (admin); their token stops working at once",
                "security": SECURED,
                "parameters": [param("username", "path")],
                "responses": {"204": {"description": "Removed"}, **errors(401, 403, 404)},
            }
        },
    }


def _case_paths() -> dict[str, Operation]:
    recipients = [r.value for r in Recipient]
    as_of = param("as_of", schema={"type": "string", "format": "date-time"})
    paths: dict[str, Operation] = {
        "/api/v1/cases": {
            **record(
                ReportCase.headline(),
                body_schema(ReportCase),
                codes=(400, 401, 403, 415, 422),
                ok="Reported: the case",
                positioned=True,
                content=json_of(representations.Case),
                description=who_may(ReportCase),
            ),
            **read(
                "The caller's caseload, filtered and paginated",
                *(param(n) for n in ("status", "officer", "team", "risk_level")),
                param("overdue", schema="boolean"),
                param(
                    "order",
                    schema={"type": "string", "enum": list(LIST_ORDERS)},
                    description="newest (received) first unless said",
                ),
                *PAGE,
                codes=(401, 403, 422),
                views=True,
                content=json_of(representations.CaseList),
            ),
        },
        "/api/v1/cases/{case_id}": read(
            "The case's current state and its timers",
            CASE_ID,
            codes=(401, 403, 404),
            views=True,
            content=json_of(representations.CaseWithTimers),
        ),
        "/api/v1/cases/{case_id}/events": read(
            "The case's events in order", CASE_ID, codes=(401, 403, 404)
        ),
        "/api/v1/cases/{case_id}/people/{subject_id}": read(
            "A person on the case: roles and details (or that they were erased)",
            CASE_ID,
            param("subject_id", "path", UUID_SCHEMA),
            codes=(401, 403, 404),
            views=True,
        ),
        "/api/v1/cases/{case_id}/sharing": read(
            "What each recipient may be told, now or as_of a past moment (9.2-9.4)",
            CASE_ID,
            as_of,
            codes=(401, 403, 404, 422),
            views=True,
        ),
        "/api/v1/cases/{case_id}/sharing/{recipient}": read(
            "What one recipient may be told and why, or the refusal and its clause",
            CASE_ID,
            param("recipient", "path", {"type": "string", "enum": recipients}),
            as_of,
            param("representative_id", schema=UUID_SCHEMA),
            param("name", description="the support agency named in the consent"),
            codes=(401, 403, 404, 422),
            views=True,
        ),
        "/api/v1/timers": read(
            "Service-level timers on the caller's caseload",
            param("state", schema={"type": "string", "enum": list(TIMER_FILTERS)}),
            param("case_id", schema=UUID_SCHEMA),
            codes=(401, 403, 422),
            views=True,
            content=json_of(representations.TimerList),
        ),
    }
    for command in case_commands():
        if command.versioned:
            operation = record(
                command.headline(),
                body_schema(command),
                CASE_ID,
                IF_MATCH,
                codes=(400, 401, 403, 404, 409, 412, 413, 415, 422, 428),
                ok="Recorded; the case as it now is",
                positioned=True,
                content=json_of(representations.CaseAfterCommand),
                description=who_may(command),
            )
            if body_schema(command).awaits_files:  # type: ignore[attr-defined]
                operation["post"]["requestBody"]["content"] = multipart_of(body_schema(command))
            paths[f"/api/v1/cases/{{case_id}}/{command.noun}"] = operation
    for command in by_reference_commands():
        paths[f"/api/v1/{command.noun}"] = record(
            f"{command.headline()}, on the case named by its reference",
            by_reference_schema(command),
            codes=(400, 401, 403, 404, 409, 413, 415, 422),
            ok="Recorded; the case as it now is",
            positioned=True,
            content=json_of(representations.CaseAfterCommand),
            description=who_may(command),
        )
    for path, operations in _file_paths().items():
        paths[path] = paths.get(path, {}) | operations
    return paths


def _file_paths() -> dict[str, Operation]:
    files = "/api/v1/cases/{case_id}/files"
    return {
        files: read(
            "The case's evidence files, in the order attached",
            CASE_ID,
            ACCESS_REASON,
            codes=(401, 403, 404),
            content=json_of(representations.EvidenceFileList),
        ),
        f"{files}/{{file_id}}": read(
            "One file's bytes as uploaded, once proven unaltered (500 integrity problem if not)",
            CASE_ID,
            param("file_id", "path"),
            ACCESS_REASON,
            codes=(401, 403, 404, 410),
            content={"application/octet-stream": {"schema": BINARY}},
        ),
    }


def _audit_paths() -> dict[str, Operation]:
    """The integrity routes (interface/api/audit_routes.py) and the access log."""
    uuid = UUID_SCHEMA
    return {
        "/api/v1/audit/public-key": public(
            "The checkpoint verifier key and its rotation chain (public)"
        ),
        "/api/v1/audit/latest-checkpoint": public(
            "The newest signed checkpoint, a C2SP signed note (public)",
            {"text/plain": {"schema": {"type": "string"}}},
        ),
        "/api/v1/audit/checkpoints": read(
            "Signed checkpoints, oldest first (any staff role)",
            param("after", schema="integer"),
            param("limit", schema="integer"),
            codes=(401, 422),
        ),
        "/api/v1/audit/verify": read("Recompute the integrity log from storage (auditor)"),
        "/api/v1/audit/public-key.txt": public(
            "The current verifier key alone, to paste after --trusted-key (public)",
            {"text/plain": {"schema": {"type": "string"}}},
        ),
        "/api/v1/audit/reminders": read(
            "Reminders by outcome, newest first: by default the failed and undeliverable "
            "(auditor, admin; references and ids only)",
            param(
                "outcome",
                schema={
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": ["pending", "delivered", "failed", "undeliverable"],
                    },
                },
                description="repeat for several",
            ),
            *PAGE,
            codes=(401, 403, 422),
            views=True,
            content=json_of(representations.ReminderList),
        ),
        "/api/v1/audit/access": read(
            "Who read whose personal data, newest first (auditor, DPO; ids only)",
            param("subject_id", schema=uuid),
            param("case_id", schema=uuid),
            param("actor"),
            *PAGE,
            codes=(401, 403, 422),
            views=True,
        ),
    }


def _evidence_pack_paths() -> dict[str, Operation]:
    """The complaint and case-review evidence packs (interface/api/evidence_pack_routes.py)."""
    return {
        "/api/v1/cases/{case_id}/evidence-packs": record(
            ProduceEvidencePack.headline(),
            body_schema(ProduceEvidencePack),
            CASE_ID,
            ok="Produced; Location is the download",
            description=who_may(ProduceEvidencePack)
            + " Recorded on the case (allowed when it is closed); no If-Match.",
        ),
        "/api/v1/cases/{case_id}/evidence-packs/{number}": read(
            "Download pack n (a zip: PDF, events.json, proofs, signed manifest, "
            "offline verifier), rebuilt from the ledger",
            CASE_ID,
            param("number", "path", "integer"),
            param("X-Access-Reason", "header"),
            codes=(401, 403, 404, 422),
            content=ZIP,
            ok="The pack",
        ),
    }


def _subject_paths() -> dict[str, Operation]:
    """The DPO's subject-rights routes (interface/api/subject_routes.py)."""
    subject = param("subject_id", "path", UUID_SCHEMA)
    request = param("request_id", "path", UUID_SCHEMA)
    base = "/api/v1/subjects/{subject_id}"
    access = f"{base}/access-requests/{{request_id}}"

    def dpo_read(summary: str, *parameters: dict[str, Any], content: Any = JSON) -> Operation:
        return read(
            summary,
            *parameters,
            ACCESS_REASON,
            codes=(401, 403, 404, 422),
            content=content,
            ok=summary,
        )

    return {
        base: dpo_read("The person's record and requests (DPO)", subject),
        f"{base}/requests/{{request_id}}": dpo_read(
            "A request and its timer (DPO)", subject, request
        ),
        access: dpo_read("An access request and its timer (DPO)", subject, request),
        f"{access}/export": dpo_read("Subject access export, JSON (DPO)", subject, request),
        f"{access}/export.pdf": dpo_read(
            "Subject access export, PDF (DPO)", subject, request, content=PDF
        ),
        f"{access}/files.zip": dpo_read(
            "Copies of the files the export lists, without location metadata unless "
            "metadata=include (DPO)",
            subject,
            request,
            param("metadata", schema={"type": "string", "enum": ["include"]}),
            content=ZIP,
        ),
        f"{base}/access-requests": record(
            "Record an access request and its due date (UK GDPR art. 15, 12(3))",
            subject_routes.AccessRequestBody,
            subject,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{access}/extensions": record(
            "Extend by two further months, with reasons (art. 12(3))",
            subject_routes.ExtensionBody,
            subject,
            request,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{access}/responses": record(
            "Record that the response was sent: stops the timer",
            subject_routes.ResponseBody,
            subject,
            request,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{access}/review": dpo_read(
            "What the DPO reviews before release: items, free-text passages, decisions",
            subject,
            request,
        ),
        f"{access}/withheld-items": record(
            "Withhold one item under an exemption, with reasons (DPA 2018 Sch 2)",
            subject_routes.WithholdBody,
            subject,
            request,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{access}/released-items": record(
            "Reverse a decision to withhold an item",
            subject_routes.ReleaseBody,
            subject,
            request,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{access}/redactions": record(
            "Remove words naming someone else from a passage (every document shows it so)",
            subject_routes.RedactionBody,
            subject,
            request,
            ok="Recorded; the passage as it now reads",
            positioned=True,
        ),
        f"{access}/reviews": record(
            "Record the review of the export's free text (needed before the response)",
            subject_routes.ReviewBody,
            subject,
            request,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{base}/rectifications": record(
            "Correct the person's details (art. 16)",
            subject_routes.RectificationBody,
            subject,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
        f"{base}/erasure-requests": record(
            "Record an erasure request and its decision (art. 17)",
            subject_routes.ErasureBody,
            subject,
            ok="Recorded; the request (Location: it)",
            positioned=True,
        ),
    }
