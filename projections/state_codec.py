"""A case's state as JSON text and back: what the `case_states` view stores per case.

The state is the `HateCase` aggregate's attributes, folded by the domain's own `when`, so
the view and the aggregate cannot disagree on a rule. JSON has no sets, tuples, instants,
ids, dataclasses or non-string keys, so those are tagged (`{"$set": [...]}` and so on).
Personal values must arrive unopened (`Personal.unopened`): the text then holds only the
sealed tokens, never plaintext, and the codec refuses an opened value. Output is
deterministic (sorted sets, fixed separators), so a rebuilt view is byte-for-byte the same.

Only the dataclasses named in `STATE_CLASSES` are rebuilt on the way back: stored text
never names a class to construct.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.case_state import Adjustment, CaseReview, Complaint, Consent, EvidenceFile, Repair
from domain.hate_case import HateCase
from domain.personal import Personal

STATE_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Adjustment, CaseReview, Complaint, Consent, EvidenceFile, Repair)
}
_TRANSIENT = ("_pending_events",)


def encode_case(case: HateCase) -> str:
    state = {k: v for k, v in vars(case).items() if k not in _TRANSIENT}
    return json.dumps(_encode(state), separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def decode_case(text: str) -> HateCase:
    """The case, with its personal values as stored (unopened)."""
    case = object.__new__(HateCase)
    case.__dict__.update(_decode(json.loads(text)))
    case.__dict__["_pending_events"] = []
    return case


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Personal):
        if value.sealed is None:
            raise TypeError("a view stores personal values sealed, never opened")
        return {"$personal": [value.subject_id.hex, value.sealed]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, UUID):
        return {"$uuid": value.hex}
    if isinstance(value, set | frozenset):
        return {"$set": sorted((_encode(v) for v in value), key=json.dumps)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and type(value).__name__ in STATE_CLASSES:
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$state": type(value).__name__, "fields": fields}
    raise TypeError(f"a case state holds a {type(value).__name__}, which the view cannot store")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, data),) = value.items()
        if tag == "$personal":
            return Personal.unopened(UUID(data[0]), data[1])
        if tag == "$datetime":
            return datetime.fromisoformat(data)
        if tag == "$uuid":
            return UUID(data)
        if tag == "$set":
            return {_decode(v) for v in data}
        if tag == "$tuple":
            return tuple(_decode(v) for v in data)
        if tag == "$map":
            return {_decode(k): _decode(v) for k, v in data}
    if "$state" in value:
        return STATE_CLASSES[value["$state"]](**_decode(value["fields"]))
    return {k: _decode(v) for k, v in value.items()}
