"""Signing in and out of the screens: the forms over `application.sign_in.SignIn`.

GET/POST /sign-in         username and password
GET/POST /sign-in/code    the code of the member's authenticator app
GET/POST /sign-in/enrol   a first second factor: a QR code, then a code from it
POST     /sign-out        this session ends
POST     /sign-out/everywhere   every session of the member ends
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from application.sign_in.service import SignIn, SignInRefused
from application.sign_in.sessions import Session, Stage
from interface.web.guard import (
    clear_session_cookie,
    current_session,
    set_session_cookie,
)


def _page(template: str, session: Session, status: int = 200, **context: object) -> Response:
    response = make_response(render_template(template, csrf=session.csrf, **context), status)
    return set_session_cookie(response, session)


def _moved_on(session: Session) -> Response:
    """After a step: the next page, with the new session's cookie."""
    target = {
        Stage.SECOND_FACTOR: "web.second_factor",
        Stage.ENROLMENT: "web.enrol",
        Stage.SIGNED_IN: "web.today",
    }[session.stage]
    return set_session_cookie(make_response(redirect(url_for(target), 303)), session)


def _address() -> str:
    """The client's address (as the trusted proxies say: `CASELEDGER_TRUSTED_PROXIES`)."""
    return request.remote_addr or "unknown"


def _at(stage: Stage) -> Session | None:
    session = current_session()
    return session if session is not None and session.stage == stage else None


def install(bp: Blueprint, sign_in: SignIn) -> None:
    @bp.route("/sign-in", methods=["GET", "POST"])
    def sign_in_page() -> Response:
        session = current_session()
        if session is not None and session.stage == Stage.SIGNED_IN and request.method == "GET":
            return redirect(url_for("web.today"))  # type: ignore[return-value]
        if session is None or session.stage != Stage.ANONYMOUS:
            session = sign_in.begin()
        if request.method == "GET":
            return _page("sign_in.html", session, username="")
        username = request.form.get("username", "").strip()[:100]
        password = request.form.get("password", "")
        errors = {}
        if not username:
            errors["username"] = "Enter your username"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            try:
                return _moved_on(sign_in.password(session, username, password, _address()))
            except SignInRefused as e:
                errors["password"] = str(e)
        return _page(
            "sign_in.html", session, 422 if errors else 200, username=username, errors=errors
        )

    @bp.route("/sign-in/code", methods=["GET", "POST"])
    def second_factor() -> Response:
        session = _at(Stage.SECOND_FACTOR)
        if session is None:
            return redirect(url_for("web.sign_in_page"))  # type: ignore[return-value]
        if request.method == "GET":
            return _page("second_factor.html", session)
        try:
            return _moved_on(
                sign_in.second_factor(session, request.form.get("code", ""), _address())
            )
        except SignInRefused as e:
            return _page("second_factor.html", session, 422, errors={"code": str(e)})

    @bp.route("/sign-in/enrol", methods=["GET", "POST"])
    def enrol() -> Response:
        session = _at(Stage.ENROLMENT)
        if session is None:
            return redirect(url_for("web.sign_in_page"))  # type: ignore[return-value]
        errors = {}
        if request.method == "POST":
            try:
                return _moved_on(sign_in.enrol(session, request.form.get("code", ""), _address()))
            except SignInRefused as e:
                errors["code"] = str(e)
        qr, secret = sign_in.enrolment(session)
        return _page(
            "enrol.html", session, 422 if errors else 200, qr=qr, secret=secret, errors=errors
        )

    @bp.post("/sign-out")
    def sign_out() -> Response:
        session = current_session()
        if session is not None:
            sign_in.sign_out(session)
        response = make_response(redirect(url_for("web.sign_in_page", out=1), 303))
        return clear_session_cookie(response)

    @bp.post("/sign-out/everywhere")
    def sign_out_everywhere() -> Response:
        session = current_session()
        if session is not None:
            sign_in.sign_out_everywhere(session)
        response = make_response(redirect(url_for("web.sign_in_page", out="all"), 303))
        return clear_session_cookie(response)
