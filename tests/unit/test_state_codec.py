"""The case-state view's codec: folding through stored text gives the aggregate's own state."""

from __future__ import annotations

import copy
import itertools
from typing import Any
from uuid import uuid4

import pytest

from domain.hate_case import HateCase
from domain.personal import Personal
from projections.state_codec import decode_case, encode_case
from tests.unit.case_builders import Stage, case_at, case_with_full_history, replay, state_of

_tokens = itertools.count(1)


def _unopened(value: Any) -> Any:
    """`value` with its Personal values as a view receives them: sealed tokens."""
    if isinstance(value, Personal):
        return Personal.unopened(value.subject_id, f"token-{next(_tokens)}")
    if isinstance(value, dict):
        return {k: _unopened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unopened(v) for v in value]
    return value


def _as_stored(event: Any) -> Any:
    unopened = copy.copy(event)
    for name, value in vars(event).items():
        object.__setattr__(unopened, name, _unopened(value))
    return unopened


def test_folding_through_the_stored_text_after_every_event_gives_the_aggregates_state() -> None:
    events = [_as_stored(e) for e in case_with_full_history().pending_events]
    assert len(events) > 30
    case = events[0].mutate(None)
    for event in events[1:]:
        case = decode_case(encode_case(case))
        event.mutate(case)
    folded = decode_case(encode_case(case))
    assert state_of(folded) == state_of(replay(events))
    assert isinstance(folded, HateCase) and folded.consents_in_force() == case.consents_in_force()


def test_the_text_is_deterministic_so_a_rebuilt_view_is_byte_for_byte_the_same() -> None:
    events = [_as_stored(e) for e in case_with_full_history().pending_events]
    text = encode_case(replay(events))
    assert encode_case(decode_case(text)) == text
    assert encode_case(replay(events)) == text


def test_an_opened_personal_value_is_never_written_to_a_view() -> None:
    case = case_at(Stage.REPORTED)
    with pytest.raises(TypeError, match="sealed, never opened"):
        encode_case(case)


def test_keys_that_look_like_the_codecs_tags_survive() -> None:
    case = replay([_as_stored(e) for e in case_at(Stage.REPORTED).pending_events])
    case.open_actions = {"$set": {"owner": "x"}, "$uuid": {"owner": "y"}}
    case.perpetrators = {uuid4(): "neighbour"}
    assert state_of(decode_case(encode_case(case))) == state_of(case)


def test_a_value_the_codec_does_not_know_is_refused() -> None:
    case = replay([_as_stored(e) for e in case_at(Stage.REPORTED).pending_events])
    case.open_actions = {"a": {"due": object()}}
    with pytest.raises(TypeError, match="cannot store"):
        encode_case(case)
