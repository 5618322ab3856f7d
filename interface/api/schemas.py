"""Request bodies of the staff API: shape and size only; policy rules stay in the domain.

A command's body is generated from the command's own field descriptions (`body_schema`,
`application.commands.fields`): its fields, their types and bounds, the enum values from
`domain.vocabulary`, and a `post_load` that makes the command itself. The few bodies that are
not commands (a staff account, the DPO's requests) are declared here with the same helpers.
Instants are held to the range the domain accepts (`domain.instants`; the domain then
refuses what is later than its clock).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, post_load, validate

from application.commands.fields import SHORT, TEXT, FieldKind, FieldSpec, fields_of
from domain.instants import out_of_range


def one_of(enum_cls: type[Enum], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def text(required: bool = True, max_length: int = TEXT) -> fields.String:
    return fields.String(
        required=required,
        allow_none=not required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
    )


def _in_range(value: datetime) -> None:
    reason = out_of_range(value)
    if reason is not None:
        raise ValidationError(reason)


def instant(**kwargs: Any) -> fields.AwareDateTime:
    """An instant with its offset, within the ledger's range: 422 naming the field if not."""
    return fields.AwareDateTime(validate=_in_range, **kwargs)


class StaffAccount(Schema):
    username = text(max_length=SHORT)
    role = fields.String(required=True)
    display_name = fields.String(load_default="", validate=validate.Length(max=SHORT))
    team = fields.String(load_default="default", validate=validate.Length(min=1, max=SHORT))


# --- bodies generated from the catalogue --------------------------------------------------


class _Term(fields.String):
    """A vocabulary field: loads a value of the enum as its member (`OneOf` names the values
    allowed when it is not one)."""

    def __init__(self, enum_cls: type[StrEnum], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum_cls = enum_cls

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.enum_cls(loaded)
        except ValueError:
            return loaded  # refused by the field's OneOf, with the values allowed


class _Tuple(fields.List):
    """A JSON list loaded as a tuple: commands are immutable values."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return tuple(super()._deserialize(value, attr, data, **kwargs))


class _Body(Schema):
    """Loads a body into an instance of `made`."""

    made: ClassVar[type]
    awaits_files: ClassVar[bool] = False
    """The command has a file field: the body loads as its other fields, and the interface
    makes the command once it has received the file (`interface.api.files_routes`)."""

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Any:
        return data if self.awaits_files else self.made(**data)


_SCHEMAS: dict[type, type[Schema]] = {}


def body_schema(cls: type) -> type[Schema]:
    """The schema of a command (or a group of fields such as `PersonDetails`): it loads a
    JSON body into an instance of `cls`, and names itself after it in the OpenAPI document."""
    if cls not in _SCHEMAS:
        specs = fields_of(cls)
        declared: dict[str, Any] = {
            spec.name: _field(spec) for spec in specs if spec.kind != FieldKind.FILE
        }
        awaits = any(spec.kind == FieldKind.FILE for spec in specs)
        _SCHEMAS[cls] = type(
            cls.__name__, (_Body,), {**declared, "made": cls, "awaits_files": awaits}
        )
    return _SCHEMAS[cls]


class _ByReference(_Body):
    """Loads a body into `(case_reference, command)`: the case named as a complainant names it."""

    case_reference = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The case's reference, e.g. HC-2026-7KQ4MZ"},
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Any:
        reference = data.pop("case_reference")
        return reference, self.made(**data)


def by_reference_schema(cls: type) -> type[Schema]:
    """The schema of a command that names its case by reference (`POST /complaints`)."""
    name = f"{cls.__name__}ByReference"
    if name not in _BY_REFERENCE:
        declared = dict(body_schema(cls)._declared_fields)
        _BY_REFERENCE[name] = type(name, (_ByReference,), {**declared, "made": cls})
    return _BY_REFERENCE[name]


_BY_REFERENCE: dict[str, type[Schema]] = {}


def _field(spec: FieldSpec) -> fields.Field[Any]:
    options: dict[str, Any] = {"required": spec.required}
    if spec.help:
        options["metadata"] = {"description": spec.help}
    if not spec.required:
        options["allow_none"] = spec.default is None
        options["load_default"] = (
            spec.enum(spec.default) if spec.enum and spec.default else (spec.default)
        )
    items = validate.Length(min=spec.min_items, max=spec.max_items)
    match spec.kind:
        case FieldKind.TEXT:
            shortest = 1 if spec.required else 0
            length = validate.Length(min=shortest, max=spec.max_length or SHORT)
            return fields.String(validate=length, **options)
        case FieldKind.TEXTS:
            line = fields.String(validate=validate.Length(min=1, max=spec.max_length or SHORT))
            return _Tuple(line, validate=items, **options)
        case FieldKind.EMAIL:
            return fields.Email(validate=validate.Length(max=spec.max_length), **options)
        case FieldKind.CHOICE:
            return _choice(spec, **options)
        case FieldKind.CHOICES:
            return _Tuple(_choice(spec), validate=items, **options)
        case FieldKind.BOOLEAN:
            return fields.Boolean(**options)
        case FieldKind.INTEGER:
            bounds = validate.Range(min=spec.minimum, max=spec.maximum)
            return fields.Integer(strict=True, validate=bounds, **options)
        case FieldKind.DATE:
            return fields.Date(**options)
        case FieldKind.DATE_TIME:
            return instant(**options)
        case FieldKind.PERSON:
            return fields.UUID(**options)
        case FieldKind.PEOPLE:
            return _Tuple(fields.UUID(), validate=items, **options)
        case FieldKind.GROUP:
            assert spec.group is not None
            return fields.Nested(body_schema(spec.group), **options)
        case FieldKind.GROUPS:
            assert spec.group is not None
            return _Tuple(fields.Nested(body_schema(spec.group)), validate=items, **options)
        case FieldKind.SCORES:
            return fields.Dict(
                keys=fields.String(validate=validate.Length(max=100)),
                values=fields.Integer(strict=True),
                validate=items,
                **options,
            )
    raise AssertionError(spec.kind)


def _choice(spec: FieldSpec, **options: Any) -> _Term:
    assert spec.enum is not None
    allowed = validate.OneOf([c.value for c in spec.choices])
    return _Term(spec.enum, validate=allowed, **options)
