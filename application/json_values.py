"""Domain values as plain JSON values: the one conversion the API and the exports share."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from domain.personal import Personal


def to_json(value: Any) -> Any:
    """Instants and dates as ISO text, ids as strings, enums by value, dataclasses as objects;
    a Personal shows its value, or that it was erased (redact before calling to hide it)."""
    if isinstance(value, Personal):
        return to_json(value.shown())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # field by field, not `asdict`: that would turn a Personal inside into a dict
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value
