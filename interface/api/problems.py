"""Every error as application/problem+json (RFC 9457); a broken policy rule names its clause."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, json
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from application.errors import (
    ConcurrentChange,
    Forbidden,
    NotFound,
    StaleVersion,
    Unauthenticated,
    ViewsBehind,
)
from application.files.receiving import FileTooLarge, UploadIncomplete
from application.files.service import StoredFileAltered
from application.vault.errors import KeyDestroyed
from domain.errors import InvalidCommand, PolicyViolation
from interface.failures import explain

log = logging.getLogger("caseledger.api")

PROBLEM = "application/problem+json"


class PreconditionRequired(Exception):
    """A command came without If-Match."""


class TooManyFailures(Exception):
    """Too many failed authentications from one address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="caseledger"'
    return response


def install(app: Flask) -> None:
    @app.errorhandler(Unauthenticated)
    def _401(e: Unauthenticated) -> Response:
        return problem(401, "Unauthorized", str(e))

    @app.errorhandler(Forbidden)
    def _403(e: Forbidden) -> Response:
        return problem(403, "Forbidden", str(e))

    @app.errorhandler(NotFound)
    def _404(e: NotFound) -> Response:
        return problem(404, "Not Found", str(e))

    @app.errorhandler(PolicyViolation)
    def _409(e: PolicyViolation) -> Response:
        return problem(
            409,
            "Refused by policy",
            e.message,
            policy_clause=e.clause,
            type="https://caseledger.example/problems/policy-violation",
        )

    @app.errorhandler(KeyDestroyed)
    def _410(e: KeyDestroyed) -> Response:
        return problem(410, "Gone", "the person's data has been erased")

    @app.errorhandler(ConcurrentChange)
    def _409_concurrent(e: ConcurrentChange) -> Response:
        return problem(409, "Conflict", f"{e}; nothing was saved: retry")

    @app.errorhandler(StaleVersion)
    def _412(e: StaleVersion) -> Response:
        return problem(
            412,
            "Precondition Failed",
            f"the case changed since you read it: it is at version {e.current}",
            current_version=e.current,
        )

    @app.errorhandler(PreconditionRequired)
    def _428(e: PreconditionRequired) -> Response:
        return problem(
            428,
            "Precondition Required",
            "send If-Match with the case version you acted on (its ETag)",
        )

    @app.errorhandler(ValidationError)
    def _422(e: ValidationError) -> Response:
        return problem(
            422,
            "Unprocessable Content",
            "the request is invalid (see errors: fields of the body, query or headers)",
            errors=e.normalized_messages(),
        )

    @app.errorhandler(InvalidCommand)
    def _422_domain(e: InvalidCommand) -> Response:
        return problem(422, "Unprocessable Content", str(e), errors={e.field: [e.message]})

    @app.errorhandler(FileTooLarge)
    def _413(e: FileTooLarge) -> Response:
        return problem(413, "Content Too Large", f"{e}; nothing was stored", limit=e.limit)

    @app.errorhandler(UploadIncomplete)
    def _400_upload(e: UploadIncomplete) -> Response:
        return problem(400, "Bad Request", f"{e}; nothing was stored")

    @app.errorhandler(StoredFileAltered)
    def _500_integrity(e: StoredFileAltered) -> Response:
        return problem(
            500,
            "Integrity failure",
            f"{e}: the file is not served; an auditor should run caseledger verify --files",
            type="https://caseledger.example/problems/integrity",
            file_id=e.file_id,
        )

    @app.errorhandler(TooManyFailures)
    def _429(e: TooManyFailures) -> Response:
        response = problem(429, "Too Many Requests", "too many failed sign-ins; wait and retry")
        response.headers["Retry-After"] = str(e.retry_after)
        return response

    @app.errorhandler(ViewsBehind)
    def _503(e: ViewsBehind) -> Response:
        response = problem(
            503,
            "Service Unavailable",
            f"{e}: the views have not caught up with your write yet; retry",
            projection_position=e.reached,
        )
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        return problem(e.code or 500, e.name, e.description)

    @app.errorhandler(Exception)
    def _500(e: Exception) -> Response:
        # A failure of the settings or the environment (a key file, the database) is logged
        # with its one-line cause and fix (`interface.failures`: those messages name settings
        # and files only). Any other message could carry data from the request: its type,
        # the types it was caused by, and where, not what.
        explained = explain(e)
        causes = []
        inner: BaseException | None = e
        while inner is not None:
            causes.append(type(inner).__name__)
            inner = inner.__cause__ or inner.__context__
        log.error(
            "unhandled %s: %s\n%s",
            " caused by ".join(causes),
            explained[0] if explained else "(message not logged: it may hold request data)",
            "".join(traceback.format_tb(e.__traceback__)),
        )
        return problem(500, "Internal Server Error", "something went wrong; it has been logged")
