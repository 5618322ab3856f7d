"""Every command as a form: `GET /cases/<id>/<noun>` draws the command's fields, `POST`
carries it out through `CaseLedger.execute`, as the API's `POST /api/v1/cases/<id>/<noun>`
does; `/report` reports a new case. No command has a template of its own.

What the person sees when it is not done, with everything they typed kept:
- 422, the input is wrong: an error summary, and each message beside its field;
- 409, the policy does not allow it: the refusal in words with its clause, first;
- 412, someone changed the case since the form was opened: what changed, in words, and the
  form again on the new version, to send again after reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for
from marshmallow import ValidationError

from application.authorisation import authorise
from application.commands.base import CaseCommand, Command
from application.commands.catalogue import case_command, commands_for
from application.commands.fields import FieldKind
from application.commands.reporting import ReportCase
from application.errors import NotFound, StaleVersion
from domain.errors import InvalidCommand, PolicyViolation
from interface.api.schemas import body_schema
from interface.config import Services
from interface.web.case_page import history_of, people_on
from interface.web.forms import MANY_CHOICES, FormContext, body_of, field_errors, input_id, rows_of
from interface.web.guard import current_actor, signed_in

GROUPS = {
    "application.commands.reporting": "Report, triage and allocation",
    "application.commands.victim_care": "Victim care: risk, plan, contact and repairs",
    "application.commands.consent_and_sharing": "Consent and sharing",
    "application.commands.perpetrators": "Perpetrators",
    "application.commands.closing": "Closing",
    "application.commands.after_the_case": "Complaints, Case Reviews and evidence packs",
    "application.commands.evidence": "Evidence files",
}


def on_form(command: type[Command]) -> bool:
    """Whether the screens offer the command as a form (a file needs its own upload form)."""
    return all(spec.kind != FieldKind.FILE for spec in command.fields())


def case_forms(role: Any) -> list[tuple[str, list[type[Command]]]]:
    """The commands on a case the role may issue, grouped by the part of the policy."""
    grouped: dict[str, list[type[Command]]] = {}
    for command in commands_for(role):
        if issubclass(command, CaseCommand) and command.versioned and on_form(command):
            grouped.setdefault(GROUPS.get(command.__module__, "Other"), []).append(command)
    return list(grouped.items())


def install(bp: Blueprint, services: Services) -> None:
    def context(people: Sequence[tuple[str, str]], errors: dict[str, str]) -> FormContext:
        return FormContext(people, services.ledger.risk_matrix, request.form.copy(), errors)

    def draw(status: int, **page: Any) -> Response:
        return make_response(
            render_template(
                "command.html",
                input_id=input_id,
                rows_of=rows_of,
                many_choices=MANY_CHOICES,
                **page,
            ),
            status,
        )

    def attempt(
        chosen: type[Command],
        choices: Sequence[tuple[str, str]],
        page: dict[str, Any],
        run: Callable[[Any], str],
        stale: Callable[[StaleVersion], dict[str, Any]] | None = None,
    ) -> Response:
        """Load the typed values as the command and `run` it (it answers where to go next);
        if it is refused, the form again with what was typed and why."""
        try:
            typed = body_of(chosen.fields(), request.form, services.ledger.risk_matrix)
            target = run(body_schema(chosen)().load(typed))
        except ValidationError as e:
            errors = field_errors(chosen.fields(), e.normalized_messages())
            return draw(422, ctx=context(choices, errors), **page)
        except InvalidCommand as e:
            errors = field_errors(chosen.fields(), {e.field: [e.message]})
            return draw(422, ctx=context(choices, errors), **page)
        except PolicyViolation as e:
            return draw(409, ctx=context(choices, {}), refusal=e, **page)
        except StaleVersion as e:
            if stale is None:
                raise
            return draw(412, ctx=context(choices, {}), **(page | stale(e)))
        return redirect(target + "#main", 303)  # type: ignore[return-value]

    @bp.route("/cases/<uuid:case_id>/<noun>", methods=["GET", "POST"])
    @signed_in
    def command(case_id: UUID, noun: str) -> Response:
        chosen = case_command(noun)
        if chosen is None or not chosen.versioned or not on_form(chosen):
            raise NotFound(f"no command '{noun}'")
        who = current_actor()
        authorise(who, noun)
        case = services.cases.case_for(who, case_id)
        people = people_on(services, case.subjects)
        choices = [(str(p.subject_id), f"{p.name} ({p.parts})") for p in people]
        page: dict[str, Any] = {"command": chosen, "case": case, "version": case.version}
        if request.method == "GET":
            return draw(200, ctx=context(choices, {}), **page)
        sent = request.form.get("version", "")
        seen = int(sent) if sent.isdigit() and len(sent) < 10 else -1

        def run(loaded: Any) -> str:
            services.ledger.execute(case_id, loaded, actor=who, seen_version=seen)
            try:
                services.cases.check_visible(who, case_id)
            except NotFound:  # e.g. the hub, once it has named the officer
                return url_for("web.today", done=noun)
            return url_for("web.case", case_id=case_id, done=noun)

        def stale(e: StaleVersion) -> dict[str, Any]:
            changes = history_of(services, who, case_id, people, after_version=max(seen, 0))
            return {"version": e.current, "changes": changes}

        return attempt(chosen, choices, page, run, stale)

    @bp.route("/report", methods=["GET", "POST"])
    @signed_in
    def report() -> Response:
        who = current_actor()
        authorise(who, ReportCase.noun)
        page: dict[str, Any] = {"command": ReportCase, "case": None, "version": None}
        if request.method == "GET":
            return draw(200, ctx=context([], {}), **page)

        def run(loaded: Any) -> str:
            case = services.ledger.report(loaded, actor=who)
            return url_for("web.case", case_id=case.id, done=ReportCase.noun)

        return attempt(ReportCase, [], page, run)
