"""`key_scope`: a subject's key read once per operation, and never kept beyond it."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.vault import InMemoryKeyStore, KeyDestroyed
from application.vault.keystore import StoredKey, key_scope


class CountingStore(InMemoryKeyStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[UUID] = Counter()

    def _select(self, subject_id: UUID) -> StoredKey | None:
        self.reads[subject_id] += 1
        return super()._select(subject_id)


def test_inside_a_scope_each_key_is_read_once() -> None:
    store, subject = CountingStore(), uuid4()
    key = store.get_or_create(subject)
    store.reads.clear()
    with key_scope():
        assert store.get(subject) == key
        assert store.get_or_create(subject) == key
        assert not store.is_destroyed(subject)
        with key_scope():  # an inner operation goes on with the outer one's scope
            assert store.get(subject) == key
    assert store.reads == {subject: 1}


def test_a_key_created_inside_a_scope_is_not_read_again() -> None:
    store, subject = CountingStore(), uuid4()
    with key_scope():
        assert store.get(subject) is None  # an absent key is not remembered...
        key = store.get_or_create(subject)  # ...so this reads again, then creates it
        assert store.get(subject) == key
    assert store.reads == {subject: 2}


def test_nothing_is_kept_after_the_scope() -> None:
    store, subject = CountingStore(), uuid4()
    store.get_or_create(subject)
    with key_scope():
        store.get(subject)
    other = InMemoryKeyStore()
    other._rows = store._rows  # another process, same table
    other.destroy(subject)
    with key_scope(), pytest.raises(KeyDestroyed):
        store.get(subject)
    with pytest.raises(KeyDestroyed):
        store.get(subject)


def test_a_destroy_inside_a_scope_is_seen_in_it() -> None:
    store, subject = InMemoryKeyStore(), uuid4()
    store.get_or_create(subject)
    with key_scope():
        store.get(subject)
        store.destroy(subject)
        assert store.is_destroyed(subject)
        for read in (store.get, store.get_or_create):
            with pytest.raises(KeyDestroyed):
                read(subject)


def test_scopes_are_per_store() -> None:
    first, second, subject = InMemoryKeyStore(), InMemoryKeyStore(), uuid4()
    with key_scope():
        key: Any = first.get_or_create(subject)
        assert second.get(subject) is None
        assert second.get_or_create(subject) != key
