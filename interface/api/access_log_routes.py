"""The access-log hook of the API and the `GET /api/v1/audit/access` route.

Every route that returns personal data is listed in `PERSONAL_DATA_READS` with its purpose.
(Case commands answer with the case too, but each is itself an event naming its actor.)
Before such a route runs, the reader's `X-Access-Reason` (a purpose word; see
`domain.access_record.AccessPurpose`) is checked, 422 if it is not one. After it has succeeded,
the read is stored in the access log before the response leaves; if that fails, the reader
gets a 500 and not the data (fail closed). Ids come from the route's path arguments, or for a
case named by its reference (`interface.api.complaint_routes`) from the route itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, Flask, Response, g, jsonify, request
from marshmallow import Schema, fields, validate

from application.access_log import AccessLog
from application.actors import Actor
from domain.access_record import AccessPurpose
from interface.api import problems
from interface.api.requests import page_size, page_start

log = logging.getLogger("caseledger.api")

REASON_HEADER = "X-Access-Reason"

PERSONAL_DATA_READS: dict[str, AccessPurpose] = {
    "api.get_case": AccessPurpose.CASE_WORK,
    "api.case_events": AccessPurpose.CASE_WORK,
    "api.case_person": AccessPurpose.CASE_WORK,
    "files.list_files": AccessPurpose.CASE_WORK,
    "files.read_file": AccessPurpose.CASE_WORK,
    "subjects.subject_file": AccessPurpose.SUBJECT_REQUEST,
    "subjects.export_json": AccessPurpose.SUBJECT_REQUEST,
    "subjects.export_pdf": AccessPurpose.SUBJECT_REQUEST,
    "subjects.export_files": AccessPurpose.SUBJECT_REQUEST,
    "subjects.review": AccessPurpose.SUBJECT_REQUEST,
    "subjects.redact": AccessPurpose.SUBJECT_REQUEST,
    # these two answer with the person's details as they now are
    "subjects.rectify": AccessPurpose.SUBJECT_REQUEST,
    "subjects.request_erasure": AccessPurpose.SUBJECT_REQUEST,
    # a complaint or case-review pack (say `case_review` in X-Access-Reason for the latter)
    "evidence_packs.download": AccessPurpose.COMPLAINT_HANDLING,
    # a complaint or review request on a case named by reference: answered with the case
    "complaints.complaints": AccessPurpose.COMPLAINT_HANDLING,
    "complaints.case_reviews": AccessPurpose.CASE_REVIEW,
    # the staff screens (interface/web): the same reads, logged the same way
    "web.case": AccessPurpose.CASE_WORK,
    "web.command": AccessPurpose.CASE_WORK,
    "web.subject": AccessPurpose.SUBJECT_REQUEST,
    "web.review": AccessPurpose.SUBJECT_REQUEST,
    "web.export_json": AccessPurpose.SUBJECT_REQUEST,
    "web.export_pdf": AccessPurpose.SUBJECT_REQUEST,
    "web.export_files": AccessPurpose.SUBJECT_REQUEST,
}


class AccessLogQuery(Schema):
    subject_id = fields.UUID()
    case_id = fields.UUID()
    actor = fields.String(validate=validate.Length(min=1, max=100))
    limit = page_size(100, 500)
    offset = page_start()


def _id(value: object) -> UUID | None:
    return value if isinstance(value, UUID) else None


def install_access_log(
    app: Flask, access_log: AccessLog, current_actor: Callable[[], Actor]
) -> None:
    """Register the hook and the route. Call it after the app's own `after_request`
    handlers, so this one runs first and theirs see the response it returns."""

    @app.before_request
    def _purpose() -> None:
        default = PERSONAL_DATA_READS.get(request.endpoint or "")
        if default is not None:
            g.access_purpose = AccessLog.purpose(request.headers.get(REASON_HEADER), default)

    @app.after_request
    def _record(response: Response) -> Response:
        purpose = g.get("access_purpose")
        if purpose is None or not 200 <= response.status_code < 300 or "actor" not in g:
            return response
        args = request.view_args or {}
        rule = request.url_rule.rule if request.url_rule else request.path
        try:
            access_log.record(
                g.actor,
                route=f"{request.method} {rule}",
                purpose=purpose[0],
                purpose_stated=purpose[1],
                case_id=_id(args.get("case_id")) or _id(g.get("case_named")),
                subject_id=_id(args.get("subject_id")),
                request_id=_id(args.get("request_id")),
            )
        except Exception as e:
            log.error("access log entry not stored (%s): the read was refused", type(e).__name__)
            return problems.problem(
                500, "Internal Server Error", "the read could not be logged, so it is not shown"
            )
        return response

    bp = Blueprint("access_log", __name__, url_prefix="/api/v1")

    @bp.get("/audit/access")
    def entries() -> Response:
        who = current_actor()
        query = AccessLogQuery().load(request.args.to_dict())
        found = access_log.entries(
            who,
            subject_id=query.get("subject_id"),
            case_id=query.get("case_id"),
            reader=query.get("actor"),
            limit=query["limit"],
            offset=query["offset"],
        )
        return jsonify({"items": found, "count": len(found)})

    app.register_blueprint(bp)
