"""Forms made from the command catalogue: a command's `fields()` drawn as inputs, and what a
person typed turned back into the body the API would have received.

Nothing here knows any one command. An input is named by the field's path in the body
(`victim.name`, `actions.0.description`, `answers.fear_for_safety`) and identified by the
same path with dashes, which the error summary links to. The typed values are read into the
body's JSON shape (`body_of`) and loaded with the API's own schema
(`interface.api.schemas.body_schema`), so a form and a JSON body are held to exactly the same
rules; the schema's messages are put into words a person can act on (`field_errors`).

How each kind is drawn (`templates/_fields.html`): text in an input (free text in a text
area), texts one per line, a choice as radios (a select when it has many), choices as
checkboxes, yes/no as radios, whole numbers and dates as inputs, an instant as a local date
and time (Europe/London), a person as a choice of the people on the case, a group as a
fieldset, a list of groups as a few numbered fieldsets (empty ones are left out), scores as
one row of radios per question of the risk matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from application.commands.fields import FieldKind, FieldSpec
from domain.risk import RiskMatrix

LONDON = ZoneInfo("Europe/London")
GROUP_ROWS = 3
"""How many fieldsets a list of groups offers (an action plan's actions) without script."""
MANY_CHOICES = 10
"""A choice with more options than this is a select, not radios."""


@dataclass(frozen=True)
class FormContext:
    """What drawing a form needs beyond the fields: the people it may name, the questions of
    the risk matrix, what was typed and what was wrong."""

    people: Sequence[tuple[str, str]]  # (subject_id, how the page names them)
    matrix: RiskMatrix
    typed: MultiDict[str, str]
    errors: Mapping[str, str]


def input_id(path: str) -> str:
    return path.replace(".", "-")


def rows_of(spec: FieldSpec) -> int:
    wanted = max(spec.min_items or 1, GROUP_ROWS)
    return min(wanted, spec.max_items) if spec.max_items else wanted


def body_of(
    specs: Sequence[FieldSpec], typed: MultiDict[str, str], matrix: RiskMatrix, prefix: str = ""
) -> dict[str, Any]:
    """The JSON body the typed values stand for; a field left empty is left out (so the
    schema gives its default or says it is missing)."""
    body: dict[str, Any] = {}
    for spec in specs:
        path = f"{prefix}{spec.name}"
        value = _value(spec, path, typed, matrix)
        if value is not None:
            body[spec.name] = value
    return body


def _value(spec: FieldSpec, path: str, typed: MultiDict[str, str], matrix: RiskMatrix) -> Any:
    text = typed.get(path, "").strip()
    match spec.kind:
        case FieldKind.TEXT | FieldKind.EMAIL | FieldKind.CHOICE | FieldKind.DATE:
            return text or None
        case FieldKind.PERSON:
            return text or None
        case FieldKind.TEXTS:
            lines = [line.strip() for line in typed.get(path, "").splitlines() if line.strip()]
            return lines or None
        case FieldKind.CHOICES | FieldKind.PEOPLE:
            chosen = [v for v in typed.getlist(path) if v]
            return chosen if chosen or spec.required else None
        case FieldKind.BOOLEAN:
            return {"yes": True, "no": False}.get(text)
        case FieldKind.INTEGER:
            return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else (text or None)
        case FieldKind.DATE_TIME:
            return _instant(text)
        case FieldKind.GROUP:
            inner = body_of(spec.fields, typed, matrix, f"{path}.")
            return inner or None
        case FieldKind.GROUPS:
            rows = [
                body_of(spec.fields, typed, matrix, f"{path}.{i}.") for i in range(rows_of(spec))
            ]
            kept = [row for row in rows if row]
            return kept or None
        case FieldKind.SCORES:
            answers = {}
            for question in matrix.questions:
                answer = typed.get(f"{path}.{question.key}", "")
                if answer.isdigit():
                    answers[question.key] = int(answer)
            return answers or None
    return None  # a file: not sent in a form of this kind


def _instant(text: str) -> str | None:
    """`2026-11-23T14:05` on a form is London time; the body wants the instant with its offset."""
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        return text  # the schema says it is not a date and time
    if local.tzinfo is None:
        local = local.replace(tzinfo=LONDON)
    return local.isoformat()


_PLAIN = {
    "Missing data for required field.": "Enter {label}",
    "Field may not be null.": "Enter {label}",
    "Shorter than minimum length 1.": "Enter {label}",
    "Not a valid integer.": "{Label} must be a whole number",
    "Not a valid date.": "{Label} must be a real date",
    "Not a valid datetime.": "{Label} must be a real date and time",
    "Not a valid email address.": "Enter {label} as an email address, like name@example.com",
    "Not a valid UUID.": "Choose {label} from the list",
}
_CHOOSE = {
    FieldKind.CHOICE,
    FieldKind.CHOICES,
    FieldKind.BOOLEAN,
    FieldKind.PERSON,
    FieldKind.PEOPLE,
    FieldKind.SCORES,
}


def _specs_by_path(specs: Sequence[FieldSpec], prefix: str = "") -> dict[str, FieldSpec]:
    found: dict[str, FieldSpec] = {}
    for spec in specs:
        path = f"{prefix}{spec.name}"
        found[path] = spec
        if spec.kind == FieldKind.GROUP:
            found.update(_specs_by_path(spec.fields, f"{path}."))
        elif spec.kind == FieldKind.GROUPS:
            for i in range(rows_of(spec)):
                found.update(_specs_by_path(spec.fields, f"{path}.{i}."))
    return found


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(messages, dict):
        found = []
        for key, inner in messages.items():
            found += _flatten(inner, f"{prefix}{key}." if key != "_schema" else prefix)
        return found
    if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        return [(prefix.rstrip("."), messages[0])]
    if isinstance(messages, list):
        return [pair for m in messages for pair in _flatten(m, prefix)]
    return [(prefix.rstrip("."), str(messages))]


def field_errors(specs: Sequence[FieldSpec], messages: Any) -> dict[str, str]:
    """The schema's (or the domain's) messages, one per input path, in words."""
    known = _specs_by_path(specs)
    errors: dict[str, str] = {}
    for path, message in _flatten(messages):
        spec = known.get(path)
        while spec is None and "." in path:  # `answers.fear_for_safety`, `strands.0`
            path = path.rsplit(".", 1)[0]
            spec = known.get(path)
        label = spec.label.lower() if spec else "this"
        if (
            spec is not None
            and spec.kind in _CHOOSE
            and message.startswith(("Missing", "Field may"))
        ):
            words = f"Choose {label}"
        else:
            words = _PLAIN.get(message, message).format(label=label, Label=label.capitalize())
        errors.setdefault(path or "form", words[0].upper() + words[1:])
    return errors
