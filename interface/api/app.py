"""The Flask application: the staff API at `/api/v1` (authentication, routes and response
headers) and the staff screens at `/` (`interface.web`).

Routes only translate HTTP to ledger calls: every rule is in the application or domain.
"""

from __future__ import annotations

import logging
import time
from uuid import UUID

from flask import Blueprint, Flask, Response, g, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.middleware.proxy_fix import ProxyFix

from application.actors import Actor
from application.authorisation import authorise
from application.caseload import LIST_ORDERS, TIMER_FILTERS
from application.commands.catalogue import case_command
from application.commands.reporting import ReportCase
from application.errors import NotFound, Unauthenticated
from application.sign_in_throttle import token_account
from domain.vocabulary import CaseStatus, RiskLevel
from interface.api import hardening, problems
from interface.api.access_log_routes import install_access_log
from interface.api.audit_routes import audit_blueprint
from interface.api.complaint_routes import complaints_blueprint
from interface.api.evidence_pack_routes import evidence_packs_blueprint
from interface.api.files_routes import files_blueprint
from interface.api.openapi import build_spec
from interface.api.representations import (
    event_view,
    jsonable,
    reminder_view,
    summary_view,
    timer_view,
)
from interface.api.requests import json_body, page_size, page_start
from interface.api.schemas import StaffAccount, body_schema, instant
from interface.api.statistics_routes import statistics_blueprint
from interface.api.subject_routes import subjects_blueprint
from interface.api.writes import case_response, seen_version, written
from interface.config import Services
from interface.web import pages as web

log = logging.getLogger("caseledger.api")

MAX_BODY_BYTES = 256 * 1024

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The API's; the screens set their own (`interface.web.pages`) before this is applied."""


class SharingQuery(Schema):
    as_of = instant()


class RecipientQuery(SharingQuery):
    representative_id = fields.UUID()
    name = fields.String(validate=validate.Length(min=1, max=200))


class TimerQuery(Schema):
    state = fields.String(validate=validate.OneOf(TIMER_FILTERS))
    case_id = fields.UUID()


class CaseListQuery(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in CaseStatus]))
    officer = fields.String(validate=validate.Length(max=100))
    team = fields.String(validate=validate.Length(max=100))
    risk_level = fields.String(validate=validate.OneOf([r.value for r in RiskLevel]))
    overdue = fields.Boolean(load_default=False)
    order = fields.String(validate=validate.OneOf(LIST_ORDERS), load_default="newest")
    limit = page_size(50, 200)
    offset = page_start()


def _min_position() -> int:
    """The log position the caller's reads must see: `X-Min-Position`, from a command's
    `X-Ledger-Position` (read your writes when the views are kept by a worker process)."""
    header = request.headers.get("X-Min-Position", "0").strip()
    if not header.isdigit() or len(header) > 18:
        raise ValidationError({"X-Min-Position": ["must be a log position, e.g. 42"]})
    return int(header)


def create_app(services: Services) -> Flask:
    app = Flask("caseledger")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    hardening.install(app)  # before anything else sets app.json options
    app.json.sort_keys = False  # type: ignore[attr-defined]
    problems.install(app)
    ledger = services.ledger
    api = Blueprint("api", __name__, url_prefix="/api/v1")

    if services.trusted_proxies:  # the client's address as the last trusted proxy saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=services.trusted_proxies)  # type: ignore[method-assign]
    throttle = services.sign_in

    def actor() -> Actor:
        """The member of staff the bearer token names; failures are throttled
        (`application.sign_in_throttle`: a valid token is never refused)."""
        if "actor" not in g:
            address = request.remote_addr or "unknown"
            scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
            token = presented.strip() if scheme.lower() == "bearer" else ""
            account = token_account(token)
            wait = throttle.check(account, address)
            if wait:
                raise problems.TooManyFailures(wait)
            try:
                if not token:
                    raise Unauthenticated("send Authorization: Bearer <token>")
                g.actor = services.staff.authenticate(token)
            except Unauthenticated:
                wait = throttle.record_failure(account, address)
                if wait:
                    raise problems.TooManyFailures(wait) from None
                raise
            if account is not None:
                throttle.record_success(account, address)
        found: Actor = g.actor
        return found

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        g.view_scope = services.views.begin(_min_position())

    @app.teardown_request
    def _end(_: BaseException | None) -> None:
        if "view_scope" in g:
            services.views.end(g.view_scope)

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        seen = services.views.seen()
        if seen is not None:  # how fresh the views this response was read from are
            response.headers["X-Projection-Position"] = str(seen)
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        who = g.actor.username if "actor" in g else "-"
        # Paths hold only ids; bodies and query strings are never logged.
        log.info(
            "%s %s %s %.1fms %s", request.method, request.path, response.status_code, elapsed, who
        )
        return response

    @api.get("/health")
    def health() -> Response:
        return jsonify(
            {
                "status": "ok",
                "projection_lag": [
                    {"name": s.name, "lag": s.lag} for s in services.runner.status()
                ],
            }
        )

    @api.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(build_spec())

    @api.get("/me")
    def me() -> Response:
        who = actor()
        return jsonify({"username": who.username, "role": who.role.value, "team": who.team})

    @api.post("/cases")
    def report_case() -> Response:
        who = actor()
        authorise(who, ReportCase.noun)
        case = ledger.report(json_body(body_schema(ReportCase)()), actor=who)
        return written(case_response(case, 201))

    @api.get("/cases")
    def list_cases() -> Response:
        who = actor()
        query = CaseListQuery().load(request.args.to_dict())
        page = services.caseload.cases(who, **query)
        response = jsonify(
            {
                "items": [summary_view(item) for item in page.items],
                "total": page.total,
                "limit": page.limit,
                "offset": page.offset,
                "projection_position": page.position,
            }
        )
        return response

    @api.get("/cases/<uuid:case_id>")
    def get_case(case_id: UUID) -> Response:
        who = actor()
        case = services.cases.case_for(who, case_id)
        timers = services.caseload.timers(who, case_id=str(case_id))
        reminders = services.reminders.about_case(str(case_id))
        return case_response(
            case,
            timers=[timer_view(t) for t in timers],
            reminders=[reminder_view(r) for r in reminders],
        )

    @api.get("/cases/<uuid:case_id>/sharing")
    def case_sharing(case_id: UUID) -> Response:
        who = actor()
        query = SharingQuery().load(request.args.to_dict())
        return jsonify(services.sharing.for_case(who, case_id, query.get("as_of")))

    @api.get("/cases/<uuid:case_id>/sharing/<recipient>")
    def case_sharing_with(case_id: UUID, recipient: str) -> Response:
        who = actor()
        query = RecipientQuery().load(request.args.to_dict())
        return jsonify(
            services.sharing.for_recipient(
                who,
                case_id,
                recipient,
                as_of=query.get("as_of"),
                representative_id=query.get("representative_id"),
                name=query.get("name"),
            )
        )

    @api.get("/timers")
    def list_timers() -> Response:
        who = actor()
        query = TimerQuery().load(request.args.to_dict())
        case_id = query.get("case_id")
        timers = services.caseload.timers(
            who, state=query.get("state"), case_id=str(case_id) if case_id else None
        )
        return jsonify({"items": [timer_view(t) for t in timers], "total": len(timers)})

    @api.get("/cases/<uuid:case_id>/events")
    def case_events(case_id: UUID) -> Response:
        events = ledger.case_events(actor(), case_id)
        return jsonify({"case_id": str(case_id), "events": [event_view(e) for e in events]})

    @api.get("/cases/<uuid:case_id>/people/<uuid:subject_id>")
    def case_person(case_id: UUID, subject_id: UUID) -> Response:
        case = services.cases.case_for(actor(), case_id)
        if subject_id not in case.subjects:
            raise NotFound("no such person on this case")
        subject = ledger.subject(subject_id)
        return jsonify(
            {
                "subject_id": str(subject_id),
                "roles": sorted(case.subjects[subject_id]),
                "anonymous": subject.anonymous,
                "erased": subject.erased,
                "details": jsonable(subject.details_on(case_id)),
            }
        )

    @api.post("/cases/<uuid:case_id>/<noun>")
    def command_on_case(case_id: UUID, noun: str) -> Response:
        """Every versioned command of the catalogue (`application.commands.catalogue`)."""
        command = case_command(noun)
        if command is None or not command.versioned:
            raise NotFound(f"no command '{noun}'")
        who = actor()
        authorise(who, noun)  # before the case is looked up or the body read
        done = ledger.execute_request(
            case_id,
            command,
            lambda: json_body(body_schema(command)()),
            actor=who,
            seen_version=seen_version,  # read once the case is known to be the caller's
        )
        name = command.recorded_as
        recorded = {} if name is None else {name: jsonable(done.result)}
        return written(case_response(done.case, 201, recorded=recorded))

    @api.post("/staff")
    def add_staff() -> Response:
        who = actor()
        services.staff.require_admin(who)  # 403 before the body is read, as for every command
        member, token = services.staff.add(actor=who, **json_body(StaffAccount()))
        return jsonify(
            {"username": member.username, "role": member.role, "team": member.team, "token": token}
        ), 201  # type: ignore[return-value]

    @api.delete("/staff/<username>")
    def remove_staff(username: str) -> Response:
        services.staff.remove(username, reason="removed through the API", actor=actor())
        return Response(status=204)

    app.register_blueprint(api)
    app.register_blueprint(subjects_blueprint(services, actor))
    app.register_blueprint(audit_blueprint(services, actor))
    app.register_blueprint(evidence_packs_blueprint(services, actor))
    app.register_blueprint(files_blueprint(services, actor))
    app.register_blueprint(statistics_blueprint(services, actor))
    app.register_blueprint(complaints_blueprint(services, actor))
    web.install(app, services)
    install_access_log(app, services.access_log, actor)  # after the app's own after_request
    return app
