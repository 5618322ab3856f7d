"""Personal data inside events, tagged with the data subject it belongs to.

Every personal field of an event (a name, an address, a free-text description, a note) is a
`Personal` value that names whose data it is. The persistence layer encrypts each such value
under that subject's own key, so destroying one key erases one person (crypto-shredding)
while the events themselves stay immutable and verifiable. Free text about several people is
keyed to the victim of the case.

Read models (the views) never hold plaintext: they carry a `Personal` still *sealed*, with an
opaque token from which the persistence layer opens it when someone reads the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

ERASED_MARK = "[erased]"


@dataclass(frozen=True)
class Personal:
    """A personal value and the subject whose key guards it.

    `erased` is true when the subject's key has been destroyed: the value is then gone for good.
    `sealed` is set (and `value` is None) while the value is unopened: an opaque token, only
    the persistence layer can open it.
    """

    subject_id: UUID
    value: Any
    erased: bool = False
    sealed: str | None = None

    @classmethod
    def erased_for(cls, subject_id: UUID) -> Personal:
        return cls(subject_id=subject_id, value=None, erased=True)

    @classmethod
    def unopened(cls, subject_id: UUID, token: str) -> Personal:
        return cls(subject_id=subject_id, value=None, sealed=token)

    def shown(self) -> Any:
        """The value as a reader sees it: the plaintext, or a mark that it was erased."""
        if self.sealed is not None:
            raise ValueError("a sealed personal value must be opened before it is shown")
        return ERASED_MARK if self.erased else self.value

    def __repr__(self) -> str:  # never let personal data reach a log through repr()
        shown = "erased" if self.erased else "sealed" if self.sealed is not None else "***"
        return f"Personal(subject_id={self.subject_id}, {shown})"

    __str__ = __repr__


def personal_or_none(subject_id: UUID, value: Any) -> Personal | None:
    """Wrap an optional value; an absent value stays absent (None) rather than an empty secret."""
    if value is None or value == "":
        return None
    return Personal(subject_id=subject_id, value=value)
