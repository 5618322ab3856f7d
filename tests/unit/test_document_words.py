"""The words documents use: every vocabulary value has words, and every event type of the
ledger has a stated place in a subject access export (a walk over the event catalogue)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from enum import StrEnum

import pytest
from eventsourcing.domain import Aggregate

import domain
from application.exports.reading import PLACES, READERS
from domain.plain_words import WORDS, words
from domain.vocabulary import Vocabulary


def _domain_classes() -> list[type]:
    found: list[type] = []
    for module in pkgutil.iter_modules(domain.__path__):
        loaded = importlib.import_module(f"domain.{module.name}")
        found += [
            c
            for _, c in inspect.getmembers(loaded, inspect.isclass)
            if c.__module__ == loaded.__name__
        ]
    return found


def _leaves(base: type) -> set[type]:
    """Every concrete subclass of `base` defined in domain/: an event a store can hold."""
    classes = [c for c in _domain_classes() if issubclass(c, base) and c is not base]
    return {c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)}


EVENT_TYPES = sorted(
    _leaves(Aggregate.Event) | _leaves(Aggregate.Created), key=lambda c: c.__qualname__
)


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda c: c.__qualname__)
def test_every_event_type_has_a_stated_place_in_the_subject_access_export(
    event_type: type,
) -> None:
    place = PLACES.get(event_type)
    assert place, f"{event_type.__qualname__} has no place in the subject access export"
    if place in ("case", "record", "requests"):
        assert event_type in READERS, f"{event_type.__qualname__} cannot be read in words"


def test_the_walk_finds_the_whole_catalogue() -> None:
    names = {c.__qualname__ for c in EVENT_TYPES}
    assert {
        "RiskAssessed",
        "ContactMade",
        "SubjectRecorded",
        "ItemWithheld",
        "WordsRemoved",
        "AccessRecorded",
        "StaffAdded",
        "EvidencePackProduced",
    } <= names
    assert len(EVENT_TYPES) >= 55


VOCABULARIES = sorted(
    {c for c in _domain_classes() if issubclass(c, StrEnum) and c is not Vocabulary}
    - {
        c
        for c in _domain_classes()
        if issubclass(c, StrEnum) and c.__module__ == "domain.access_record"
    },
    key=lambda c: c.__qualname__,
)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda c: c.__qualname__)
def test_every_value_of_every_vocabulary_has_words(vocabulary: type[StrEnum]) -> None:
    assert vocabulary in WORDS, f"{vocabulary.__qualname__} has no words"
    for member in vocabulary:
        said = WORDS[vocabulary].get(member.value)
        assert said and "_" not in said, (vocabulary.__qualname__, member.value)


def test_a_value_retired_since_is_shown_in_words_rather_than_failing() -> None:
    from domain.vocabulary import ContactOutcome

    assert words(ContactOutcome, "no_answer") == "no answer"
    assert words(ContactOutcome, "voicemail_full") == "voicemail full"
