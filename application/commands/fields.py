"""What a command's fields are: one description, read by the API for its body schemas and by
the staff screens for their forms.

A command (or a group of fields, such as a person's details) is a frozen dataclass. Each
field is declared once: its Python type says what it holds, and `described(...)` (or one of its
short forms, `free_text`, `short_text`) adds what the type cannot say: help text, bounds,
whether it is free text or personal data. `fields_of(cls)` reads the two into `FieldSpec`s.

How a type reads:

| type                              | kind         |
|-----------------------------------|--------------|
| `str`                             | `TEXT` (`EMAIL` with `described(email=True)`) |
| `tuple[str, ...]`                 | `TEXTS` (one-line texts, e.g. ids the case gave things) |
| a `Vocabulary` enum               | `CHOICE` (its values, or the subset given) |
| `tuple[<enum>, ...]`              | `CHOICES`    |
| `bool`, `int`                     | `BOOLEAN`, `INTEGER` |
| `date`, `datetime`                | `DATE`, `DATE_TIME` (timezone-aware) |
| `UUID`, `tuple[UUID, ...]`        | `PERSON`, `PEOPLE` (data subjects the ledger knows) |
| a dataclass, `tuple[<it>, ...]`   | `GROUP`, `GROUPS` (nested fields) |
| `Mapping[str, int]`               | `SCORES` (question key -> score) |
| `ReceivedFile`                    | `FILE` (a form's file input: bytes sent beside the fields) |

`X | None` is optional. A field with no default is required. A `FILE` field's bytes are
received by the interface apart from the body (`application.files.receiving`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any
from uuid import UUID

from application.files.receiving import ReceivedFile

SHORT = 200
"""The longest a one-line text may be by default (a name, a reference)."""
TEXT = 10_000
"""The longest a free text may be by default."""


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTS = "texts"
    EMAIL = "email"
    CHOICE = "choice"
    CHOICES = "choices"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    DATE = "date"
    DATE_TIME = "date_time"
    PERSON = "person"
    PEOPLE = "people"
    GROUP = "group"
    GROUPS = "groups"
    SCORES = "scores"
    FILE = "file"


@dataclass(frozen=True)
class Choice:
    """One value a `CHOICE` or `CHOICES` field accepts, and how a screen may show it."""

    value: str
    label: str


@dataclass(frozen=True)
class FieldSpec:
    """One field of a command (or of a group), as a form needs it.

    `default` is what an omitted optional field takes, as the API writes it (an enum's value,
    not the member); `fields` are the group's own, for `GROUP` and `GROUPS`.
    """

    name: str
    kind: FieldKind
    label: str
    help: str
    required: bool
    default: Any = None
    choices: tuple[Choice, ...] = ()
    free_text: bool = False
    personal: bool = False
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    fields: tuple[FieldSpec, ...] = ()
    enum: type[StrEnum] | None = None
    group: type | None = None


@dataclass(frozen=True)
class _Described:
    help: str
    label: str | None
    free_text: bool
    personal: bool
    email: bool
    max_length: int | None
    min_items: int | None
    max_items: int | None
    minimum: int | None
    maximum: int | None
    choices: tuple[StrEnum, ...] | None


_KEY = "caseledger"


def described(
    help: str = "",
    *,
    default: Any = MISSING,
    label: str | None = None,
    free_text: bool = False,
    personal: bool = False,
    email: bool = False,
    max_length: int | None = None,
    min_items: int | None = None,
    max_items: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    choices: tuple[StrEnum, ...] | None = None,
) -> Any:
    """A dataclass field with what its type cannot say; no `default`: the field is required.

    `choices` narrows an enum field to some of its members.
    """
    info = _Described(
        help,
        label,
        free_text,
        personal,
        email,
        max_length,
        min_items,
        max_items,
        minimum,
        maximum,
        choices,
    )
    return dataclasses.field(default=default, metadata={_KEY: info})


def free_text(
    help: str = "", *, default: Any = MISSING, max_length: int = TEXT, label: str | None = None
) -> Any:
    """Free text about the case: personal data (stored encrypted under the victim's key)."""
    return described(
        help,
        default=default,
        label=label,
        free_text=True,
        personal=True,
        max_length=max_length,
    )


def short_text(
    help: str = "",
    *,
    default: Any = MISSING,
    max_length: int = SHORT,
    personal: bool = False,
    label: str | None = None,
) -> Any:
    """One line of text: a name, a reference, an id the case gave something."""
    return described(help, default=default, label=label, personal=personal, max_length=max_length)


def label_of(name: str) -> str:
    """`recipient_name` -> `Recipient name`."""
    return name.replace("_", " ").capitalize()


_READ: dict[type, tuple[FieldSpec, ...]] = {}


def fields_of(cls: type) -> tuple[FieldSpec, ...]:
    """The fields of a dataclass declared with `described`, in declaration order."""
    if cls not in _READ:
        hints = typing.get_type_hints(cls)
        _READ[cls] = tuple(_spec(f, hints[f.name]) for f in dataclasses.fields(cls))
    return _READ[cls]


def _spec(field: dataclasses.Field[Any], hint: Any) -> FieldSpec:
    info: _Described = field.metadata.get(_KEY) or described().metadata[_KEY]
    base, optional = _unwrap_optional(hint)
    kind, item = _kind(base, info)
    enum_cls = item if isinstance(item, type) and issubclass(item, StrEnum) else None
    group = item if isinstance(item, type) and dataclasses.is_dataclass(item) else None
    members = info.choices or (tuple(enum_cls) if enum_cls else ())
    required = field.default is MISSING and field.default_factory is MISSING
    if required and optional:
        raise TypeError(f"{field.name}: an optional field needs a default")
    default = None if required else field.default
    return FieldSpec(
        name=field.name,
        kind=kind,
        label=info.label or label_of(field.name),
        help=info.help,
        required=required,
        default=default.value if isinstance(default, Enum) else default,
        choices=tuple(Choice(m.value, label_of(m.value)) for m in members),
        free_text=info.free_text,
        personal=info.personal,
        max_length=info.max_length,
        min_items=info.min_items,
        max_items=info.max_items,
        minimum=info.minimum,
        maximum=info.maximum,
        fields=fields_of(group) if group else (),
        enum=enum_cls,
        group=group,
    )


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported field type {hint}")
        return args[0], True
    return hint, False


_SCALARS: dict[type, FieldKind] = {
    bool: FieldKind.BOOLEAN,
    int: FieldKind.INTEGER,
    datetime: FieldKind.DATE_TIME,
    date: FieldKind.DATE,
    UUID: FieldKind.PERSON,
}


def _kind(base: Any, info: _Described) -> tuple[FieldKind, Any]:
    """The kind of a (non-optional) type, and the enum or group class it names, if any."""
    origin = typing.get_origin(base)
    if origin is tuple:
        item = typing.get_args(base)[0]
        if isinstance(item, type) and issubclass(item, StrEnum):
            return FieldKind.CHOICES, item
        if item is UUID:
            return FieldKind.PEOPLE, None
        if item is str:
            return FieldKind.TEXTS, None
        if dataclasses.is_dataclass(item):
            return FieldKind.GROUPS, item
    elif origin is Mapping and typing.get_args(base) == (str, int):
        return FieldKind.SCORES, None
    elif base is str:
        return (FieldKind.EMAIL if info.email else FieldKind.TEXT), None
    elif isinstance(base, type) and issubclass(base, StrEnum):
        return FieldKind.CHOICE, base
    elif base in _SCALARS:
        return _SCALARS[base], None
    elif base is ReceivedFile:
        return FieldKind.FILE, None
    elif dataclasses.is_dataclass(base):
        return FieldKind.GROUP, base
    raise TypeError(f"unsupported field type {base}")
