"""What routes read from a request besides its path: the JSON body, loaded by a schema, and
the bounds of a page of results."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, validate

LARGEST_POSITION = 2**31 - 1
"""Offsets and positions are bounded: a larger integer overflows the database's 64-bit
parameter (it was a 500)."""


def json_body(schema: Schema) -> Any:
    """The body, a JSON object, loaded by `schema`: 415 if it is not JSON, 400 if malformed,
    422 (per-field errors) if it does not fit the schema."""
    data = request.get_json()
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["the body must be a JSON object"]})
    return schema.load(data)


def page_size(default: int, most: int) -> fields.Integer:
    """How many results a page holds (`limit`)."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=most))


def page_start() -> fields.Integer:
    """How many results, or which position, a page starts after (`offset`, `after`)."""
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=LARGEST_POSITION))
