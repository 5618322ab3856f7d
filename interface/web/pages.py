"""The staff screens' blueprint: its hooks, error pages, and the Today and case pages.

Pages send the API's security headers with their own content security policy: scripts,
styles and images from this server only, nothing inline, forms posting only here, no
framing. A page showing personal data is in the API's access-log table
(`interface.api.access_log_routes.PERSONAL_DATA_READS`), so the read is logged with its
purpose exactly as the API's own is, and not shown if it cannot be logged.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from application.authorisation import COMMAND_ROLES, may_read_cases
from application.commands.catalogue import command
from application.commands.reporting import ReportCase
from application.errors import Forbidden, NotFound
from application.exports.reading import day, when
from domain import vocabulary
from domain.errors import DomainError
from domain.plain_words import basis, words
from domain.service_levels import TimerKind, TimerState
from domain.vocabulary import StaffRole
from interface.config import Services
from interface.web import command_routes, oversight_routes, sign_in_routes, subject_routes
from interface.web.case_page import read_case
from interface.web.caseload_page import ORDER_WORDS, read_caseload
from interface.web.guard import CsrfRefused, current_actor, current_session, load_session, signed_in
from interface.web.today import sections_for

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _error_page(status: int, title: str, message: str) -> Response:
    return make_response(
        render_template("error.html", title=title, message=message, status=status), status
    )


def _template_helpers() -> dict[str, Any]:
    return {
        "when": when,
        "day": day,
        "basis": basis,
        "words": words,
        "vocabulary": vocabulary,
        "TimerKind": TimerKind,
        "TimerState": TimerState,
    }


def install(app: Flask, services: Services) -> None:
    bp = Blueprint(
        "web",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/assets",
    )

    @bp.before_request
    def _who() -> None:
        load_session(services.screen_sign_in)

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    @bp.app_context_processor
    def _context() -> dict[str, Any]:
        session = current_session()
        actor = g.get("actor")
        return {
            **_template_helpers(),
            "actor": actor,
            "csrf": session.csrf if session is not None else "",
            "second_factor_optional": not services.screen_sign_in.second_factor_required,
            "works_cases": actor is not None and may_read_cases(actor),
            "may_report": actor is not None and actor.role in ReportCase.roles,
            "may": (lambda what: actor is not None and actor.role in COMMAND_ROLES[what]),
            "StaffRole": StaffRole,
        }

    @bp.errorhandler(CsrfRefused)
    def _csrf(_: CsrfRefused) -> Response:
        return _error_page(
            400,
            "Your session has ended",
            "The form could not be sent because your session ended or the page was out of "
            "date. Nothing was saved. Sign in again and repeat what you were doing.",
        )

    @bp.errorhandler(NotFound)
    def _not_found(_: NotFound) -> Response:
        return _error_page(404, "Page not found", "There is no such case, or you cannot see it.")

    @bp.errorhandler(Forbidden)
    def _forbidden(e: Forbidden) -> Response:
        return _error_page(403, "You cannot do this", f"Your role cannot do this: {e}.")

    @bp.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        return _error_page(e.code or 500, e.name, e.description or "")

    @bp.errorhandler(DomainError)
    def _domain(e: DomainError) -> Response:
        return _error_page(422, "This could not be done", str(e))

    @bp.get("/")
    def home() -> Response:
        target = "web.today" if "actor" in g else "web.sign_in_page"
        return redirect(url_for(target))  # type: ignore[return-value]

    @bp.get("/today")
    @signed_in
    def today() -> str:
        return render_template(
            "today.html",
            sections=sections_for(services, current_actor()),
            done=command(request.args.get("done", "")),
        )

    @bp.get("/cases")
    @signed_in
    def caseload() -> str:
        who = current_actor()
        return render_template(
            "caseload.html",
            list=read_caseload(services, who, request.args),
            order_words=ORDER_WORDS,
            may_report=who.role in ReportCase.roles,
        )

    @bp.get("/cases/<uuid:case_id>")
    @signed_in
    def case(case_id: UUID) -> str:
        who = current_actor()
        done = command(request.args.get("done", ""))
        return render_template(
            "case.html",
            page=read_case(services, who, case_id),
            forms=command_routes.case_forms(who.role),
            done=done,
        )

    sign_in_routes.install(bp, services.screen_sign_in)
    command_routes.install(bp, services)
    oversight_routes.install(bp, services)
    subject_routes.install(bp, services)
    app.register_blueprint(bp)
