"""The DPO's routes for data subjects' rights: access, rectification and erasure requests.

Every route is the `dpo` role's alone (403 for anyone else) and answers 404 for an unknown
person or request. Reads of personal data here (the subject's file and the exports) are
recorded in the access log by the hook in `interface.api.access_log_routes`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, Response, jsonify, request, url_for
from marshmallow import Schema, fields, validate

from application.actors import Actor
from application.authorisation import authorise
from application.commands.people import PersonDetails
from domain.data_subject import DataSubject
from domain.redaction import Passage
from domain.subject_requests import (
    GROUND_CLAUSES,
    ErasureGround,
    ErasureOutcome,
    Exemption,
    ResponseMethod,
    SubjectRequest,
)
from interface.api.representations import jsonable
from interface.api.requests import json_body
from interface.api.schemas import body_schema, instant, one_of, text
from interface.api.writes import written
from interface.config import Services

_GROUNDS = sorted(GROUND_CLAUSES)


class AccessRequestBody(Schema):
    received_at = instant(allow_none=True)


_ITEM = validate.Regexp(r"^[0-9a-f-]{36}:[0-9]{1,9}$", error="an item key from the review")
_PASSAGE = validate.Regexp(
    r"^[0-9a-f-]{36}:[0-9]{1,9}:[a-z_]{1,40}$", error="a passage key from the review"
)


class WithholdBody(Schema):
    """Withhold one item of the export under an exemption (DPA 2018 Sch 2)."""

    item = fields.String(required=True, validate=_ITEM)
    exemption = one_of(Exemption, required=True)
    reasons = text(max_length=2000)
    told = fields.Boolean(allow_none=True, load_default=None)


class ReleaseBody(Schema):
    item = fields.String(required=True, validate=_ITEM)
    reasons = text(max_length=2000)


class RedactionBody(Schema):
    """Remove words that name or identify someone else from one passage of free text."""

    passage = fields.String(required=True, validate=_PASSAGE)
    words = text(max_length=500)
    reasons = text(max_length=2000)
    about = fields.UUID(allow_none=True, load_default=None)


class ReviewBody(Schema):
    """The DPO has reviewed the export's free text: no fields."""


class ExtensionBody(Schema):
    reasons = text(max_length=2000)


class ResponseBody(Schema):
    method = one_of(ResponseMethod, required=True)
    sent_at = instant(allow_none=True)


class RectificationBody(Schema):
    details = fields.Nested(body_schema(PersonDetails), required=True)
    reason = text(max_length=2000)
    received_at = instant(allow_none=True)
    case_id = fields.UUID(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Record the details for this case alone (e.g. a new address only "
            "its staff may know); without it the correction applies to every case"
        },
    )


class ErasureBody(Schema):
    outcome = one_of(ErasureOutcome, required=True)
    ground = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(_GROUNDS))
    reasons = text(required=False, max_length=2000)
    ground_claimed = one_of(ErasureGround, allow_none=True)
    received_at = instant(allow_none=True)


def request_view(subject_request: SubjectRequest, now: datetime) -> dict[str, Any]:
    timer = subject_request.timer()
    return jsonable(
        {
            "request_id": subject_request.id,
            "subject_id": subject_request.subject_id,
            "kind": subject_request.kind,
            "version": subject_request.version,
            "received_at": subject_request.received_at,
            "due_on": subject_request.due_on,
            "extended": subject_request.extended,
            "withheld": sorted(subject_request.withheld),
            "reviewed_at": subject_request.reviewed_at,
            "completed_at": subject_request.completed_at,
            "response_method": subject_request.response_method,
            "outcome": subject_request.outcome,
            "ground": subject_request.ground,
            "ground_clause": GROUND_CLAUSES.get(subject_request.ground or ""),
            "timer": {
                "clause": timer.clause,
                "due_at": timer.due_at,
                "stopped_at": timer.stopped_at,
                "state": timer.state(now),
            },
        }
    )


def passage_view(passage: Passage) -> dict[str, Any]:
    return {
        "passage": passage.key,
        "label": passage.label,
        "text": passage.text,
        "names_removed": list(passage.names),
        "may_name_others": passage.may_name_others,
        "capitalised_words": list(passage.hints),
    }


def subject_view(subject: DataSubject) -> dict[str, Any]:
    return jsonable(
        {
            "subject_id": subject.id,
            "anonymous": subject.anonymous,
            "erased": subject.erased,
            "details": subject.details or {},
            "details_for_one_case": {str(k): v for k, v in subject.case_details.items()},
            "rectifications": subject.rectification_count,
        }
    )


def subjects_blueprint(services: Services, current_actor: Callable[[], Actor]) -> Blueprint:
    """The routes, authenticating through the app's `current_actor`."""
    rights = services.subject_rights
    clock = services.ledger.clock
    bp = Blueprint("subjects", __name__, url_prefix="/api/v1/subjects")

    def caller(command: str) -> Actor:
        """The authenticated caller, if their role may do `command` (before reading a body)."""
        who = current_actor()
        authorise(who, command)
        return who

    def created(
        subject_request: SubjectRequest, endpoint: str = "get_access_request", **extra: Any
    ) -> Response:
        """201 with the request, its `Location` (an access request's under
        `access-requests/`, as documented; others under `requests/`) and where the write is
        in the log (`X-Ledger-Position`), as every write answers."""
        response = jsonify(request_view(subject_request, clock()) | extra)
        response.status_code = 201
        response.headers["Location"] = url_for(
            f"subjects.{endpoint}",
            subject_id=subject_request.subject_id,
            request_id=subject_request.id,
        )
        return written(response)

    @bp.get("/<uuid:subject_id>")
    def subject_file(subject_id: UUID) -> Response:
        found = rights.subject_file(current_actor(), subject_id)
        now = clock()
        requests = [request_view(r, now) for r in found.requests]
        return jsonify(subject_view(found.subject) | {"requests": requests})

    @bp.post("/<uuid:subject_id>/access-requests")
    def receive_access_request(subject_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(AccessRequestBody())
        return created(rights.receive_access_request(who, subject_id, **body))

    @bp.get("/<uuid:subject_id>/requests/<uuid:request_id>")
    def get_request(subject_id: UUID, request_id: UUID) -> Response:
        found = rights.request(current_actor(), subject_id, request_id)
        return jsonify(request_view(found, clock()))

    bp.add_url_rule(
        "/<uuid:subject_id>/access-requests/<uuid:request_id>",
        "get_access_request",
        get_request,
        methods=["GET"],
    )

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/extensions")
    def extend_access_request(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(ExtensionBody())
        return created(rights.extend(who, subject_id, request_id, **body))

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/responses")
    def record_access_response(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(ResponseBody())
        return created(rights.record_response(who, subject_id, request_id, **body))

    @bp.get("/<uuid:subject_id>/access-requests/<uuid:request_id>/export")
    def export_json(subject_id: UUID, request_id: UUID) -> Response:
        return jsonify(rights.export(current_actor(), subject_id, request_id))

    @bp.get("/<uuid:subject_id>/access-requests/<uuid:request_id>/export.pdf")
    def export_pdf(subject_id: UUID, request_id: UUID) -> Response:
        pdf = rights.export_pdf(current_actor(), subject_id, request_id)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="subject-access-{request_id}.pdf"'
        )
        return response

    @bp.get("/<uuid:subject_id>/access-requests/<uuid:request_id>/files.zip")
    def export_files(subject_id: UUID, request_id: UUID) -> Response:
        """The files the export lists; `?metadata=include` lets photos keep theirs."""
        with_metadata = request.args.get("metadata") == "include"
        data = rights.export_files(current_actor(), subject_id, request_id, with_metadata)
        response = Response(data, mimetype="application/zip")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="subject-access-{request_id}-files.zip"'
        )
        return response

    @bp.get("/<uuid:subject_id>/access-requests/<uuid:request_id>/review")
    def review(subject_id: UUID, request_id: UUID) -> Response:
        found = rights.review(current_actor(), subject_id, request_id)
        return jsonify(
            jsonable(
                {
                    "reviewed_at": found.reviewed_at,
                    "items": found.items,
                    "withheld": found.withheld,
                    "passages": [passage_view(p) for p in found.passages],
                }
            )
        )

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/withheld-items")
    def withhold(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(WithholdBody())
        return created(rights.withhold(who, subject_id, request_id, **body))

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/released-items")
    def release(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(ReleaseBody())
        return created(rights.release(who, subject_id, request_id, **body))

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/redactions")
    def redact(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        body = json_body(RedactionBody())
        passage = rights.remove_words(who, subject_id, request_id, **body)
        response = jsonify(passage_view(passage))
        response.status_code = 201
        return written(response)

    @bp.post("/<uuid:subject_id>/access-requests/<uuid:request_id>/reviews")
    def record_review(subject_id: UUID, request_id: UUID) -> Response:
        who = caller("subject-access")
        json_body(ReviewBody())
        return created(rights.record_review(who, subject_id, request_id))

    @bp.post("/<uuid:subject_id>/rectifications")
    def rectify(subject_id: UUID) -> Response:
        who = caller("rectification")
        body = json_body(RectificationBody())
        body["details"] = body["details"].as_details()
        subject_request, subject = rights.rectify(who, subject_id, **body)
        return created(subject_request, "get_request", subject=subject_view(subject))

    @bp.post("/<uuid:subject_id>/erasure-requests")
    def request_erasure(subject_id: UUID) -> Response:
        who = caller("erasure")
        body = json_body(ErasureBody())
        subject_request, subject = rights.request_erasure(who, subject_id, **body)
        return created(subject_request, "get_request", subject=subject_view(subject))

    return bp
