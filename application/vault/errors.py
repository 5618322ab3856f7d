"""Errors of the personal-data vault.

Messages name subjects, events and field paths, never a key or a personal value.
"""

from __future__ import annotations

from uuid import UUID


class VaultError(Exception):
    """Base of every vault error."""


class MasterKeyError(VaultError):
    """The master key is missing, malformed, unsafely stored, or not the one the keys were
    wrapped with."""


class KeyDestroyed(VaultError):
    """The subject's key was destroyed: their personal data is erased for good."""

    def __init__(self, subject_id: UUID) -> None:
        super().__init__(f"the key of data subject {subject_id} has been destroyed")
        self.subject_id = subject_id


class SealBroken(VaultError):
    """A sealed personal value cannot be opened although its key exists: tampering, a value
    moved to another event or field, or a key store that does not belong to these events."""
