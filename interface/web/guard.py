"""Who is at the browser: the session cookie, the signed-in actor, and every form's CSRF token.

The cookie holds only the session's random id (`application.sign_in.sessions`): HttpOnly,
SameSite=Lax, Secure when the page came over HTTPS, no expiry of its own (the database
decides when a session ends). Every POST to the screens must carry the session's CSRF token
in its `csrf_token` field (a synchroniser token): without it, nothing is done (400).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, redirect, request, url_for

from application.actors import Actor
from application.sign_in.service import SignIn
from application.sign_in.sessions import Session

COOKIE = "caseledger_session"

F = TypeVar("F", bound=Callable[..., Any])


class CsrfRefused(Exception):
    """A form came without the session's CSRF token (or with no session at all)."""


def load_session(sign_in: SignIn) -> None:
    """Before every request: the live session of the cookie, if any, and its actor."""
    token = request.cookies.get(COOKIE, "")
    session = sign_in.sessions.find(token) if token else None
    g.web_session = session
    if session is not None:
        actor = sign_in.actor(session)
        if actor is not None:
            g.actor = actor  # the same name the API's hooks (the access log) read
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if session is None or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            raise CsrfRefused()


def current_session() -> Session | None:
    found: Session | None = g.get("web_session")
    return found


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def signed_in(view: F) -> F:
    """The page is for signed-in staff: anyone else is sent to sign in (no data shown)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "actor" not in g:
            return redirect(url_for("web.sign_in_page"))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def set_session_cookie(response: Response, session: Session) -> Response:
    response.set_cookie(
        COOKIE,
        session.token,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        path="/",
    )
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax")
    return response
