"""The key store port: one AES key per data subject, destroyable (crypto-shredding).

Each subject key is 32 random bytes, stored wrapped under the master key in a row
`(subject_id, wrapped_key, created_at, destroyed_at)`. Destroying a key sets `wrapped_key`
to NULL and keeps the row as a tombstone, so the key can never be created again: a request
for the key of an erased person raises `KeyDestroyed` rather than starting a new key.

No unwrapped key is cached between calls. Erasure must take effect in every process at
once, so any cache would have to ask the database "still there?" on each use, which costs
the same round trip as reading the wrapped key itself; unwrapping is a microsecond of
AES-GCM. Not caching also keeps an erased person's key out of long-lived process memory.
(The mapper reuses a key within one event only.)
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import Protocol
from uuid import UUID

from application.vault.errors import KeyDestroyed, VaultError
from application.vault.keys import KeyWrapper, new_key

StoredKey = tuple[bytes | None]
"""A row as the stores read it: `(wrapped_key,)`, with None once the key is destroyed."""


class KeyStore(Protocol):
    """Where subject keys live, separate from the events they guard."""

    def get(self, subject_id: UUID) -> bytes | None:
        """The subject's key; None if it was never created; `KeyDestroyed` if destroyed."""

    def get_or_create(self, subject_id: UUID) -> bytes:
        """The subject's key, created if absent; `KeyDestroyed` if destroyed."""

    def destroy(self, subject_id: UUID) -> None:
        """Destroy the subject's key for good (idempotent; works before any key exists)."""

    def is_destroyed(self, subject_id: UUID) -> bool:
        """Whether the subject's key has been destroyed."""

    def close(self) -> None:
        """Release connections."""


class WrappedKeyStore(ABC):
    """The key rules over a table of wrapped keys; subclasses provide the three statements.

    `get_or_create` inserts if absent and then reads whatever row won, so concurrent callers
    in any number of processes end up with the same single key.
    """

    def __init__(self, master_key: bytes) -> None:
        self._wrapper = KeyWrapper(master_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"

    def get(self, subject_id: UUID) -> bytes | None:
        row = self._select(subject_id)
        return None if row is None else self._unwrap(subject_id, row)

    def get_or_create(self, subject_id: UUID) -> bytes:
        row = self._select(subject_id)
        if row is None:
            self._insert_if_absent(subject_id, self._wrapper.wrap(subject_id, new_key()))
            row = self._select(subject_id)
            if row is None:
                raise VaultError(f"the key of data subject {subject_id} vanished on creation")
        return self._unwrap(subject_id, row)

    def destroy(self, subject_id: UUID) -> None:
        self._mark_destroyed(subject_id)

    def is_destroyed(self, subject_id: UUID) -> bool:
        row = self._select(subject_id)
        return row is not None and row[0] is None

    def _unwrap(self, subject_id: UUID, row: StoredKey) -> bytes:
        wrapped = row[0]
        if wrapped is None:
            raise KeyDestroyed(subject_id)
        return self._wrapper.unwrap(subject_id, wrapped)

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    @abstractmethod
    def _select(self, subject_id: UUID) -> StoredKey | None:
        """The subject's row, or None if there is none."""

    @abstractmethod
    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> None:
        """Insert a row for the subject unless one exists (never overwrite)."""

    @abstractmethod
    def _mark_destroyed(self, subject_id: UUID) -> None:
        """Set the row's wrapped key to NULL (inserting a tombstone if there is no row) and
        make sure the old key bytes do not linger in the store's files."""


class InMemoryKeyStore(WrappedKeyStore):
    """Keys in a dict, for tests and the in-memory (popo) persistence module."""

    def __init__(self, master_key: bytes | None = None) -> None:
        super().__init__(new_key() if master_key is None else master_key)
        self._rows: dict[UUID, StoredKey] = {}
        self._lock = threading.Lock()

    def _select(self, subject_id: UUID) -> StoredKey | None:
        with self._lock:
            return self._rows.get(subject_id)

    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> None:
        with self._lock:
            self._rows.setdefault(subject_id, (wrapped_key,))

    def _mark_destroyed(self, subject_id: UUID) -> None:
        with self._lock:
            self._rows[subject_id] = (None,)

    def close(self) -> None:
        """Nothing to release."""
