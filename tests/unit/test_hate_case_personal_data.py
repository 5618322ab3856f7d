"""Personal data in HateCase events lives only inside `Personal` values, keyed to a subject,
and never reaches a log through repr() (policy 1.2; docs/architecture.md, "Personal data
and integrity")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.personal import ERASED_MARK, Personal, personal_or_none
from tests.unit.case_builders import (
    OFFICER,
    PII,
    Stage,
    case_at,
    case_with_full_history,
    last_event,
    later,
    link_representative,
)


def plaintext_strings(value: Any) -> Iterator[str]:
    """Every string reachable from `value` without opening a `Personal`."""
    if isinstance(value, Personal):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from plaintext_strings(key)
            yield from plaintext_strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from plaintext_strings(item)


def personal_values(value: Any) -> Iterator[Personal]:
    if isinstance(value, Personal):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from personal_values(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from personal_values(item)


def test_no_personal_text_appears_in_plaintext_event_attributes() -> None:
    events = case_with_full_history().collect_events()

    leaks = [
        (type(event).__name__, name, text)
        for event in events
        for name, value in vars(event).items()
        for text in plaintext_strings(value)
        if PII in text
    ]

    assert leaks == []


def test_every_personal_text_of_a_case_is_keyed_to_its_victim() -> None:
    case = case_with_full_history()
    victim_id = case.victim_id
    events = case.collect_events()

    keys = {p.subject_id for event in events for p in personal_values(vars(event))}

    assert keys == {victim_id}


def test_the_personal_values_hold_the_text_that_was_given() -> None:
    events = case_with_full_history().collect_events()

    texts = [p.value for event in events for p in personal_values(vars(event))]

    assert len(texts) > 40
    assert all(isinstance(t, str) and t.startswith(PII) for t in texts)


def test_no_event_repr_shows_personal_text() -> None:
    events = case_with_full_history().collect_events()

    assert not [type(e).__name__ for e in events if PII in repr(e)]


def test_the_description_is_personal_data_of_the_victim() -> None:
    case = case_at(Stage.REPORTED, description="My neighbour called me a racist name")

    reported = last_event(case)

    assert isinstance(reported.description, Personal)
    assert reported.description.subject_id == case.victim_id
    assert reported.description.value == "My neighbour called me a racist name"


def test_an_absent_location_is_not_stored_as_an_empty_secret() -> None:
    case = case_at(Stage.REPORTED, location="")

    assert last_event(case).location is None


def test_a_reasonable_adjustment_for_a_witness_is_keyed_to_the_witness() -> None:
    case = case_at(Stage.ALLOCATED)
    witness_id = uuid4()
    case.link_subject(subject_id=witness_id, role="witness", actor=OFFICER, at=later())

    case.agree_reasonable_adjustment(
        adjustment="Large print letters", subject_id=witness_id, actor=OFFICER, at=later(1)
    )

    assert last_event(case).adjustment.subject_id == witness_id


def test_a_representatives_name_is_not_stored_in_plaintext() -> None:
    case = case_at(Stage.ALLOCATED)
    representative_id = link_representative(case)

    case.grant_consent(
        recipient="representative",
        recipient_name=f"{PII} Amina Begum (daughter)",
        form="written",
        representative_id=representative_id,
        actor=OFFICER,
        at=later(1),
    )

    granted = last_event(case)
    assert not [t for t in plaintext_strings(vars(granted)) if PII in t]


# --- Personal --------------------------------------------------------------------------


def test_repr_and_str_of_personal_hide_the_value() -> None:
    subject_id = uuid4()
    secret = Personal(subject_id, "Jane Doe, 4 Elm Court")

    assert "Jane" not in repr(secret)
    assert "Elm" not in str(secret)
    assert repr(secret) == f"Personal(subject_id={subject_id}, ***)"


@given(st.text(min_size=1))
def test_repr_of_personal_is_the_same_whatever_the_value(value: str) -> None:
    subject_id = uuid4()

    assert repr(Personal(subject_id, value)) == f"Personal(subject_id={subject_id}, ***)"


def test_an_erased_value_shows_the_erased_mark() -> None:
    subject_id = uuid4()
    erased = Personal.erased_for(subject_id)

    assert erased.shown() == ERASED_MARK
    assert erased.value is None
    assert repr(erased) == f"Personal(subject_id={subject_id}, erased)"


def test_a_present_value_is_shown_as_given() -> None:
    assert Personal(uuid4(), "text").shown() == "text"


@pytest.mark.parametrize("absent", [None, ""])
def test_an_absent_optional_value_stays_absent(absent: str | None) -> None:
    assert personal_or_none(uuid4(), absent) is None
