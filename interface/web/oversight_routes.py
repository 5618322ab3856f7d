"""The screens of the roles that oversee rather than work cases: the manager's and
auditor's statistics, the auditor's (and DPO's) access log and integrity check, and the
admin's staff accounts. Each calls the service the API calls, which checks the role.

    GET  /statistics?year=2026      counts for a TSM year: a chart and its table, NM01
    GET  /audit/access?actor=&page= who read personal data, ids and purposes only
    GET  /audit/integrity, POST     verify the event log against its signed checkpoints
    GET  /staff, POST /staff        staff accounts; add one (its API token shown once)
    POST /staff/<username>/removal, /staff/<username>/second-factor-reset
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from application.authorisation import authorise
from application.integrity.verify import verify_log
from application.tsm_statistics import tsm_months
from domain.errors import InvalidCommand
from domain.vocabulary import StaffRole
from interface.config import Services
from interface.web.charts import Series, bar_chart
from interface.web.guard import current_actor, signed_in

ACCESS_PAGE = 50


def _month_label(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%b")


def install(bp: Blueprint, services: Services) -> None:
    @bp.get("/statistics")
    @signed_in
    def statistics() -> str:
        who = current_actor()
        asked = request.args.get("year", "")
        year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2999 else None
        figures = services.statistics.for_year(who, year)
        labels = [_month_label(m.month) for m in figures.months]
        chart = bar_chart(
            labels,
            [
                Series("Opened", "series-1", [m.cases.opened for m in figures.months]),
                Series("Closed", "series-2", [m.cases.closed for m in figures.months]),
            ],
        )
        return render_template(
            "statistics.html", figures=figures, chart=chart, months=tsm_months(figures.year)
        )

    @bp.get("/audit/access")
    @signed_in
    def access_log() -> str:
        who = current_actor()
        reader = request.args.get("actor", "").strip()[:100] or None
        number = int(request.args["page"]) if request.args.get("page", "").isdigit() else 1
        number = max(1, min(number, 10_000))
        entries = services.access_log.entries(
            who, reader=reader, limit=ACCESS_PAGE + 1, offset=(number - 1) * ACCESS_PAGE
        )
        return render_template(
            "access_log.html",
            entries=entries[:ACCESS_PAGE],
            more=len(entries) > ACCESS_PAGE,
            number=number,
            reader=reader or "",
        )

    @bp.route("/audit/integrity", methods=["GET", "POST"])
    @signed_in
    def integrity() -> str:
        authorise(current_actor(), "audit-verify")
        result = verify_log(services.integrity).to_json() if request.method == "POST" else None
        return render_template(
            "integrity.html",
            result=result,
            latest=services.integrity.recorder.latest_checkpoint(),
            origin=services.integrity.origin,
        )

    def staff_page(status: int = 200, **extra: Any) -> Response:
        members = services.staff.members(actor=current_actor())
        page = render_template("staff.html", members=members, roles=list(StaffRole), **extra)
        return make_response(page, status)

    @bp.get("/staff")
    @signed_in
    def staff() -> Response:
        return staff_page()

    @bp.post("/staff")
    @signed_in
    def add_staff() -> Response:
        form = {k: request.form.get(k, "").strip() for k in ("username", "role", "team", "name")}
        try:
            member, token = services.staff.add(
                username=form["username"],
                role=form["role"],
                team=form["team"] or "default",
                display_name=form["name"],
                actor=current_actor(),
            )
        except InvalidCommand as e:
            return staff_page(422, errors={e.field: e.message}, typed=form)
        return staff_page(201, added=member, token=token)

    @bp.post("/staff/<username>/removal")
    @signed_in
    def remove_staff(username: str) -> Response:
        services.staff.remove(username, reason="removed by an admin", actor=current_actor())
        return redirect(url_for("web.staff", done="removed"), 303)  # type: ignore[return-value]

    @bp.post("/staff/<username>/second-factor-reset")
    @signed_in
    def reset_second_factor(username: str) -> Response:
        services.staff.reset_second_factor(username, actor=current_actor())
        return redirect(url_for("web.staff", done="reset"), 303)  # type: ignore[return-value]
