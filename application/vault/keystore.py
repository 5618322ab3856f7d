"""The key store port: one AES key per data subject, destroyable (crypto-shredding).

Each subject key is 32 random bytes, stored wrapped under the master key in a row
`(subject_id, wrapped_key, created_at, destroyed_at)`. Destroying a key sets `wrapped_key`
to NULL and keeps the row as a tombstone, so the key can never be created again: a request
for the key of an erased person raises `KeyDestroyed` rather than starting a new key.

No key is cached across operations. Erasure must take effect in every process at once, so
a long-lived cache would have to ask the database "still there?" on each use, which costs
the same round trip as reading the wrapped key itself. Not caching also keeps an erased
person's key out of long-lived process memory.

Within one operation, though, a subject's key is read once: inside `key_scope()` the first
read of each key (or of its tombstone) is kept until the block ends. The ledger opens one
scope per command (load the case, decide, save), per save and per read, so a case whose
events all name the victim costs one key read, not one per event. That is the guarantee
erasure needs, unchanged: an operation that starts after `destroy` has returned opens a
new scope and reads the tombstone. An operation already running when another process
destroys the key may finish with the key it read, exactly as it could before when the
destroy fell between its key read and its commit. A `destroy` inside a scope is recorded
in it. Scopes live in a context variable, so each thread (each request) has its own.

A new person's key is stored in the same transaction as the first events encrypted under
it, once the ledger has asked for that (`store_new_keys_with_events`): inside a scope,
`get_or_create` makes the key and keeps it in the scope, and the recorder writes the scope's
new keys with the events (`write_new_keys`), so a report is one commit, not two, and no key
is ever stored without the events it guards. Outside a scope a new key is stored at once.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from application.errors import ConcurrentChange
from application.vault.errors import KeyDestroyed, MasterKeyError, VaultError
from application.vault.keys import KeyWrapper, new_key

StoredKey = tuple[bytes | None]
"""A row as the stores read it: `(wrapped_key,)`, with None once the key is destroyed."""

_Held = dict[tuple["WrappedKeyStore", UUID], bytes | None]
"""Keys read in the open scope, by store and subject: the key, or None once destroyed."""


@dataclass
class _Scope:
    held: _Held = field(default_factory=dict)
    # Keys made in this scope and not yet stored: store and subject -> the wrapped key.
    new: dict[tuple[WrappedKeyStore, UUID], bytes] = field(default_factory=dict)


_scope: ContextVar[_Scope | None] = ContextVar("caseledger_key_scope", default=None)


@contextmanager
def key_scope() -> Iterator[None]:
    """Read each subject's key from the store at most once until the block ends.

    For one operation only (see the module docstring). Inside an open scope it opens none
    of its own: the outer operation's scope goes on.
    """
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


class _NoMasterKey:
    """Stands for the master key in a store opened without one."""

    def _refuse(self, *_: object) -> bytes:
        raise MasterKeyError("no master key is configured (CASELEDGER_MASTER_KEY or its file)")

    wrap = unwrap = _refuse


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

    def master_key_opens(self) -> bool | None:
        """Whether the master key unwraps a stored key; None if no key is stored."""

    def store_new_keys_with_events(self) -> None:
        """Keep keys made in a scope until the events' transaction writes them."""

    def write_new_keys(self, cursor: Any) -> None:
        """Insert the scope's new keys through the events' transaction's cursor."""

    def new_keys_written(self) -> None:
        """The transaction that wrote the scope's new keys committed."""

    def close(self) -> None:
        """Release connections."""


class WrappedKeyStore(ABC):
    """The key rules over a table of wrapped keys; subclasses provide the three statements.

    `get_or_create` inserts if absent and otherwise reads whatever row won, so concurrent
    callers in any number of processes end up with the same single key.
    """

    def __init__(self, master_key: bytes | None) -> None:
        # None: no master key is configured; the store opens (for a process that reads no
        # personal data, or to check what it holds), and any key use raises MasterKeyError.
        self._wrapper = KeyWrapper(master_key) if master_key is not None else _NoMasterKey()
        self._with_events = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(***)"

    def store_new_keys_with_events(self) -> None:
        """From now on, keys made inside a scope wait for `write_new_keys` (see the module's
        docstring); the caller makes sure its recorder calls it in every events' transaction
        and `new_keys_written` after the commit."""
        self._with_events = True

    def get(self, subject_id: UUID) -> bytes | None:
        scope = _scope.get()
        if scope is not None and (self, subject_id) in scope.held:
            return self._held(subject_id, scope.held[self, subject_id])
        row = self._select(subject_id)
        return None if row is None else self._hold(subject_id, row, scope)

    def get_or_create(self, subject_id: UUID) -> bytes:
        key = self.get(subject_id)
        if key is not None:
            return key
        wrapped = self._wrapper.wrap(subject_id, new_key())
        scope = _scope.get()
        if self._with_events and scope is not None:
            scope.new[self, subject_id] = wrapped
            return self._hold(subject_id, (wrapped,), scope)
        row = self._insert_if_absent(subject_id, wrapped)
        if row is None:  # another caller created it first: use theirs
            row = self._select(subject_id)
            if row is None:
                raise VaultError(f"the key of data subject {subject_id} vanished on creation")
        return self._hold(subject_id, row, scope)

    def write_new_keys(self, cursor: Any) -> None:
        """Insert the open scope's new keys through `cursor`, in the transaction of the events
        encrypted under them. A person given a key elsewhere meanwhile (or erased) refuses
        the whole transaction: these events were encrypted under a key that would not be
        theirs."""
        scope = _scope.get()
        if scope is None:
            return
        for (store, subject_id), wrapped in scope.new.items():
            if store is self and not self._insert_in(cursor, subject_id, wrapped):
                raise ConcurrentChange(
                    f"data subject {subject_id} was given a key by another change meanwhile"
                )

    def new_keys_written(self) -> None:
        """The transaction that wrote the scope's new keys committed: they are stored."""
        scope = _scope.get()
        if scope is not None:
            for stored in [k for k in scope.new if k[0] is self]:
                del scope.new[stored]

    def destroy(self, subject_id: UUID) -> None:
        self._mark_destroyed(subject_id)
        scope = _scope.get()
        if scope is not None:
            scope.held[self, subject_id] = None
            scope.new.pop((self, subject_id), None)

    def is_destroyed(self, subject_id: UUID) -> bool:
        scope = _scope.get()
        if scope is not None and (self, subject_id) in scope.held:
            return scope.held[self, subject_id] is None
        row = self._select(subject_id)
        return row is not None and row[0] is None

    def master_key_opens(self) -> bool | None:
        """Whether the master key unwraps a stored (not destroyed) key; None if none is
        stored, so any master key will do."""
        sample = self._a_wrapped_key()
        if sample is None:
            return None
        try:
            self._wrapper.unwrap(*sample)
        except MasterKeyError:
            return False
        return True

    def _hold(self, subject_id: UUID, row: StoredKey, scope: _Scope | None) -> bytes:
        """The key in `row`, kept in the open scope; `KeyDestroyed` if it is destroyed."""
        wrapped = row[0]
        key = None if wrapped is None else self._wrapper.unwrap(subject_id, wrapped)
        if scope is not None:
            scope.held[self, subject_id] = key
        return self._held(subject_id, key)

    @staticmethod
    def _held(subject_id: UUID, key: bytes | None) -> bytes:
        if key is None:
            raise KeyDestroyed(subject_id)
        return key

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    @abstractmethod
    def _select(self, subject_id: UUID) -> StoredKey | None:
        """The subject's row, or None if there is none."""

    @abstractmethod
    def _a_wrapped_key(self) -> tuple[UUID, bytes] | None:
        """Any one stored key that is not destroyed, with its subject, or None."""

    @abstractmethod
    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> StoredKey | None:
        """Insert a row for the subject unless one exists (never overwrite): the row
        inserted, or None if there was one already."""

    @abstractmethod
    def _insert_in(self, cursor: Any, subject_id: UUID, wrapped_key: bytes) -> bool:
        """As `_insert_if_absent`, through the events' transaction's `cursor` (of the same
        database); whether the row was inserted."""

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

    def _a_wrapped_key(self) -> tuple[UUID, bytes] | None:
        with self._lock:
            for subject_id, (wrapped,) in self._rows.items():
                if wrapped is not None:
                    return subject_id, wrapped
        return None

    def _insert_if_absent(self, subject_id: UUID, wrapped_key: bytes) -> StoredKey | None:
        with self._lock:
            if subject_id in self._rows:
                return None
            row = self._rows[subject_id] = (wrapped_key,)
            return row

    def _insert_in(self, cursor: Any, subject_id: UUID, wrapped_key: bytes) -> bool:
        return self._insert_if_absent(subject_id, wrapped_key) is not None

    def _mark_destroyed(self, subject_id: UUID) -> None:
        with self._lock:
            self._rows[subject_id] = (None,)

    def close(self) -> None:
        """Nothing to release."""
