"""`POST /api/v1/complaints` and `POST /api/v1/case-reviews`: a complaint or an ASB Case Review
request recorded on the case the complainant names by its reference.

The complaints liaison sees only the cases already under complaint or review, so it cannot
name a case by its id until then. A complainant names their case by the reference on their
letters (`HC-2026-7KQ4MZ`); these routes find the case by it and record the command there
(`application.authorisation.may_target`, `by_reference`), with no If-Match: the caller has
seen no version. Each write is access-logged with its purpose (complaint handling, case
review) and the case's id, since it answers with the case. Every other command, and these
nouns under `/cases/{case_id}/`, reach only a case the caller can see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g

from application.actors import Actor
from application.authorisation import authorise
from application.commands.base import CaseCommand
from application.commands.catalogue import by_reference_commands
from interface.api.representations import jsonable
from interface.api.requests import json_body
from interface.api.schemas import by_reference_schema
from interface.api.writes import case_response, written
from interface.config import Services


def complaints_blueprint(services: Services, actor: Callable[[], Actor]) -> Blueprint:
    bp = Blueprint("complaints", __name__, url_prefix="/api/v1")

    def route(command: type[CaseCommand[Any]]) -> Callable[[], Response]:
        def record() -> Response:
            who = actor()
            authorise(who, command.noun)  # 403 before the body is read
            reference, issued = json_body(by_reference_schema(command)())
            case_id = services.caseload.case_named(reference)
            g.case_named = case_id  # the access log's case
            done = services.ledger.execute(case_id, issued, actor=who, by_reference=True)
            name = command.recorded_as
            recorded = {} if name is None else {name: jsonable(done.result)}
            return written(case_response(done.case, 201, recorded=recorded))

        return record

    for command in by_reference_commands():
        name = command.noun.replace("-", "_")  # the endpoints complaints.complaints, ...
        bp.add_url_rule(f"/{command.noun}", name, route(command), methods=["POST"])
    return bp
