"""`GET /api/v1/statistics`: a TSM year's counts, for managers and auditors.

`year` is the TSM year starting 1 April of that year (default: the current one). The answer
holds counts only (see `application.tsm_statistics`), so the read is not access-logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, fields, validate

from application.actors import Actor
from interface.config import Services


class StatisticsQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2999))


def statistics_blueprint(services: Services, actor: Callable[[], Actor]) -> Blueprint:
    """The statistics route; `actor` authenticates the request (as the app's other routes)."""
    bp = Blueprint("statistics", __name__, url_prefix="/api/v1")

    @bp.get("/statistics")
    def statistics() -> Response:
        who = actor()
        query = StatisticsQuery().load(request.args.to_dict())
        return jsonify(asdict(services.statistics.for_year(who, query.get("year"))))

    return bp
