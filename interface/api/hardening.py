"""Hostile input stopped at the door: JSON no parser or database should be asked to hold.

* Nesting deeper than the interpreter can parse (e.g. 10,000 nested arrays) is a malformed
  body (400), not a `RecursionError` (which was a 500).
* `NaN` and `Infinity` are not JSON (RFC 8259): a malformed body (400).
* Text holding NUL or an unpaired UTF-16 surrogate (valid JSON escapes such as `"\\ud800"`)
  cannot be encoded as UTF-8 for the event store, nor kept in a PostgreSQL text column: the
  body is refused with 422 before any command sees it (it was a 500, or an accepted NUL
  that would have made PostgreSQL views fail later). The same holds for NUL in the query
  string (a PostgreSQL query parameter cannot carry it).
* A key given twice in one object (`{"role": "officer", "role": "admin"}`) is refused with
  422 naming the key: JSON leaves its meaning open (most readers keep the last, some the
  first), so a proxy or log and the ledger could read two different requests in one body.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_REFUSAL = "text may not contain NUL or unpaired surrogate characters"


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _unstorable_at(data: Any) -> str | None:
    """The path of the first string (key or value) that cannot be stored, else None.

    Iterative, because the parsed document may be nested nearly as deep as the parser allows.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return path or "_schema"
        elif isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE.search(key):
                    return path or "_schema"
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]" if path else "_schema", v) for i, v in enumerate(value))
    return None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValidationError({key: ["is given more than once in one JSON object"]})
        found[key] = value
    return found


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what the ledger cannot hold when it reads a request body."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            data = json.loads(
                s, parse_constant=_not_json, object_pairs_hook=_no_duplicate_keys, **kwargs
            )
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
        where = _unstorable_at(data)
        if where is not None:
            raise ValidationError({where: [_REFUSAL]})
        return data


def install(app: Flask) -> None:
    """Use the strict JSON reader and refuse NUL in query strings (422)."""
    app.json = StrictJSONProvider(app)

    @app.before_request
    def _query_text() -> None:
        for key, value in request.args.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise ValidationError({key.replace("\x00", "") or "_query": [_REFUSAL]})
