"""The command catalogue: what a screen (or the API) can rely on to describe every command.

A form is generated from `command.fields()`: these tests pin the shape of that description
(names, kinds, choices with their values, required and optional, defaults, groups, free text
and personal data) and that the API's body schema made from it loads into the command.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import application.commands
from application.authorisation import COMMAND_ROLES
from application.commands.base import CaseCommand, Command
from application.commands.catalogue import (
    case_command,
    case_commands,
    command,
    commands,
    commands_for,
)
from application.commands.evidence import AttachEvidenceFile
from application.commands.fields import Choice, FieldKind, FieldSpec
from application.commands.people import PersonDetails
from application.commands.reporting import ReportCase
from application.commands.victim_care import AgreeActionPlan, PlannedAction, RecordContact
from application.files.receiving import ReceivedFile
from domain.data_subject import DETAIL_FIELDS
from domain.vocabulary import ContactMethod, ContactOutcome, StaffRole
from interface.api.schemas import body_schema


def _by_name(fields: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
    return {f.name: f for f in fields}


def test_every_command_class_is_in_the_catalogue_once() -> None:
    """A command class written but not catalogued would reach no route, role or form."""
    found = set()
    for module in pkgutil.iter_modules(application.commands.__path__):
        loaded = importlib.import_module(f"application.commands.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Command) and cls not in (Command, CaseCommand):
                found.add(cls)
    assert found == set(commands())
    assert len({c.noun for c in commands()}) == len(commands())
    assert commands()[0] is ReportCase and set(case_commands()) == set(commands()[1:])


@pytest.mark.parametrize("cls", commands(), ids=lambda c: c.noun)
def test_every_command_declares_what_it_is_once(cls: type[Command]) -> None:
    assert cls.noun and cls.title and cls.roles
    assert all(clause[0].isdigit() for clause in cls.clauses)
    assert cls.headline().startswith(cls.title)
    assert COMMAND_ROLES[cls.noun] == cls.roles  # the roles table is the catalogue's
    assert command(cls.noun) is cls
    for field in cls.fields():
        assert field.label and field.kind in FieldKind
        assert bool(field.choices) == (field.kind in (FieldKind.CHOICE, FieldKind.CHOICES))
        assert bool(field.fields) == (field.kind in (FieldKind.GROUP, FieldKind.GROUPS))
        if field.required:
            assert field.default is None


def test_a_commands_fields_say_what_a_form_needs() -> None:
    fields = _by_name(RecordContact.fields())
    assert list(fields) == ["method", "direction", "outcome", "summary", "subject_id"]

    method = fields["method"]
    assert (method.kind, method.required, method.label) == (FieldKind.CHOICE, True, "Method")
    assert method.choices[0] == Choice("phone", "Phone")
    assert [c.value for c in method.choices] == [m.value for m in ContactMethod]
    assert method.help  # shown beside the input

    outcome = fields["outcome"]
    assert (outcome.required, outcome.default) == (False, ContactOutcome.MADE.value)

    summary = fields["summary"]
    assert (summary.kind, summary.required, summary.default) == (FieldKind.TEXT, False, None)
    assert summary.free_text and summary.personal and summary.max_length == 10_000

    person = fields["subject_id"]
    assert (person.kind, person.required) == (FieldKind.PERSON, False)
    assert not person.personal  # an id, not the person's data


def test_groups_and_lists_of_choices_describe_their_own_fields() -> None:
    report = _by_name(ReportCase.fields())
    strands = report["strands"]
    assert (strands.kind, strands.min_items, strands.max_items) == (FieldKind.CHOICES, 1, 8)
    victim = report["victim"]
    assert victim.kind == FieldKind.GROUP and victim.group is PersonDetails
    assert [f.name for f in victim.fields] == list(DETAIL_FIELDS)
    assert all(f.personal and not f.required for f in victim.fields)
    assert _by_name(victim.fields)["email"].kind == FieldKind.EMAIL

    actions = _by_name(AgreeActionPlan.fields())["actions"]
    assert (actions.kind, actions.group, actions.min_items) == (FieldKind.GROUPS, PlannedAction, 1)
    assert _by_name(actions.fields)["due_on"].kind == FieldKind.DATE


def test_a_file_field_is_for_bytes_received_beside_the_body() -> None:
    file = _by_name(AttachEvidenceFile.fields())["file"]
    assert (file.kind, file.required) == (FieldKind.FILE, True)
    assert "file" not in body_schema(AttachEvidenceFile)().fields


def test_a_narrowed_choice_offers_only_its_values() -> None:
    role = _by_name(command("subjects").fields())["role"]  # type: ignore[union-attr]
    assert [c.value for c in role.choices] == ["witness", "representative", "household_member"]


def test_the_commands_of_a_role() -> None:
    hub = {c.noun for c in commands_for(StaffRole.HUB)}
    assert {"report", "triage", "allocation", "contacts"} <= hub
    assert "closure" not in hub and "closure" in {c.noun for c in commands_for(StaffRole.MANAGER)}
    assert commands_for(StaffRole.AUDITOR) == ()
    assert case_command("report") is None and case_command("closure") is not None


def _example(field: FieldSpec) -> Any:
    """A valid JSON value for a required field."""
    values: dict[FieldKind, Any] = {
        FieldKind.TEXT: "text",
        FieldKind.BOOLEAN: True,
        FieldKind.INTEGER: 7,
        FieldKind.PERSON: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        FieldKind.SCORES: {"fear_for_safety": 1},
        FieldKind.DATE_TIME: "2026-11-23T10:00:00+00:00",
        FieldKind.DATE: "2026-11-30",
    }
    if field.kind == FieldKind.CHOICE:
        return field.choices[0].value
    if field.kind == FieldKind.CHOICES:
        return [field.choices[0].value]
    if field.kind == FieldKind.GROUPS:
        return [{f.name: _example(f) for f in field.fields if f.required}]
    return values[field.kind]


_RECEIVED = ReceivedFile(
    media_type="image/png", size=1, sha256="0" * 64, blob="1" * 64, data_key=b"k" * 32
)


@pytest.mark.parametrize("cls", commands(), ids=lambda c: c.noun)
def test_the_body_schema_loads_a_body_into_the_command(cls: type[Command]) -> None:
    body = {f.name: _example(f) for f in cls.fields() if f.required and f.kind != FieldKind.FILE}
    loaded = body_schema(cls)().load(body)
    files = {f.name for f in cls.fields() if f.kind == FieldKind.FILE}
    if files:  # the interface makes the command once it has the file's bytes
        assert isinstance(loaded, dict) and not files & loaded.keys()
        loaded = cls(**loaded, **dict.fromkeys(files, _RECEIVED))
    assert isinstance(loaded, cls)
    for field in cls.fields():
        value = getattr(loaded, field.name)
        if field.kind == FieldKind.CHOICE and value is not None:
            assert isinstance(value, field.enum)  # type: ignore[arg-type]
        if field.kind in (FieldKind.CHOICES, FieldKind.GROUPS, FieldKind.PEOPLE):
            assert isinstance(value, tuple)
        if not field.required and field.default is not None and field.kind == FieldKind.CHOICE:
            assert value == field.default
