"""What every write route reads and answers: the case version the caller acted on
(`If-Match`) and where the write is in the log (`X-Ledger-Position`)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, request, url_for
from marshmallow import ValidationError

from application.ledger import CaseLedger
from domain.hate_case import HateCase
from interface.api import problems
from interface.api.representations import case_view

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def written(response: Response) -> Response:
    """Tell the caller where its write is in the log, to wait for in its next read."""
    response.headers["X-Ledger-Position"] = str(CaseLedger.written_position())
    return response


def seen_version() -> int:
    """The case version in `If-Match`: 428 if missing, 422 if it is not one."""
    header = request.headers.get("If-Match")
    if header is None:
        raise problems.PreconditionRequired()
    match = _ETAG.match(header.strip())
    if match is None:
        raise ValidationError({"If-Match": ['must be the case ETag, e.g. "3"']})
    return int(match.group(1))


def case_response(case: HateCase, status: int = 200, **extra: Any) -> Response:
    """The case in its one shape, with its `ETag` and `Location`."""
    response = jsonify(case_view(case) | extra)
    response.status_code = status
    response.headers["ETag"] = f'"{case.version}"'
    response.headers["Location"] = url_for("api.get_case", case_id=case.id)
    return response
