"""Transcodings the ledger's events need beyond the library's UUID, Decimal and datetime.

- `Sealed`: an encrypted personal value, stored as `{"_type_": "sealed", ...}`.
- `Personal` is refused: were one ever to reach the transcoder unsealed (say, inside an
  object the mapper does not walk), storing it would write personal data in plaintext.
- `datetime.date` as an ISO string; `register_enum` for Enum classes stored by value.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.personal import Personal


@dataclass(frozen=True)
class Sealed:
    """A personal value encrypted under its subject's key.

    An empty `ciphertext` records a value that was already erased when it was written (say,
    in a snapshot taken after the erasure); it only reads back while the key stays destroyed.
    """

    subject_id: UUID
    nonce: bytes = field(repr=False)
    ciphertext: bytes = field(repr=False)

    @classmethod
    def erased(cls, subject_id: UUID) -> Sealed:
        return cls(subject_id=subject_id, nonce=b"", ciphertext=b"")

    @property
    def is_erased(self) -> bool:
        return not self.ciphertext


class SealedAsDict(Transcoding):
    """Stores a `Sealed` as its subject id (hex) and base64 nonce and ciphertext."""

    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> dict[str, str]:
        return {
            "subject_id": obj.subject_id.hex,
            "nonce": base64.b64encode(obj.nonce).decode("ascii"),
            "ciphertext": base64.b64encode(obj.ciphertext).decode("ascii"),
        }

    def decode(self, data: dict[str, str]) -> Sealed:
        return Sealed(
            subject_id=UUID(data["subject_id"]),
            nonce=base64.b64decode(data["nonce"], validate=True),
            ciphertext=base64.b64decode(data["ciphertext"], validate=True),
        )


class PersonalRefused(Transcoding):
    """Raises instead of transcoding a `Personal`: personal data is only stored sealed."""

    type = Personal
    name = "personal"

    def encode(self, obj: Personal) -> Any:
        raise TypeError(
            f"refusing to store personal data of subject {obj.subject_id} unsealed: it sits "
            "where PersonalDataMapper does not look (only in dicts, lists and tuples)"
        )

    def decode(self, data: Any) -> Any:
        raise TypeError("refusing to read personal data stored unsealed")


class DateAsISO(Transcoding):
    """Stores a `datetime.date` as `YYYY-MM-DD`."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _EnumByValue(Transcoding):
    def __init__(self, enum_class: type[Enum]) -> None:
        self.type = enum_class
        self.name = enum_class.__name__

    def encode(self, obj: Enum) -> str:
        return str(obj.value)

    def decode(self, data: str) -> Enum:
        return self.type(data)


def register_sealing(transcoder: JSONTranscoder) -> None:
    """Register what `PersonalDataMapper` needs: `Sealed`, and the refusal of `Personal`."""
    transcoder.register(SealedAsDict())
    transcoder.register(PersonalRefused())


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Register the sealing transcodings and `datetime.date` (add the library's own too)."""
    register_sealing(transcoder)
    transcoder.register(DateAsISO())


def register_enum(transcoder: JSONTranscoder, enum_class: type[Enum]) -> None:
    """Store members of `enum_class` by value under the class's name (not its module, so
    moving the class does not orphan stored events; renaming it needs a new registration).

    Only plain Enums whose values are all strings: JSON writes a `str`/`int` mix-in enum
    (such as `StrEnum` or the domain's `Vocabulary`) as its bare value without asking any
    transcoding, and it reads back as a plain string.
    """
    if issubclass(enum_class, str | int | float):
        raise TypeError(
            f"{enum_class.__name__} is also a str, int or float: JSON stores its members as "
            "plain values without asking a transcoding"
        )
    if not all(isinstance(member.value, str) for member in enum_class):
        raise TypeError(f"{enum_class.__name__} has values that are not strings")
    existing = transcoder.names.get(enum_class.__name__)
    if existing is not None and existing.type is not enum_class:
        raise ValueError(f"a transcoding named {enum_class.__name__!r} is already registered")
    transcoder.register(_EnumByValue(enum_class))
