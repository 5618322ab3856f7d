"""`PersonalDataMapper`: the library's Mapper, sealing every `Personal` value of an event.

On the way out, each `Personal` in the event's state (its attributes, and dicts, lists and
tuples nested in them) becomes a `Sealed`: its value as JSON, encrypted with AES-GCM under
the subject's key, with associated data naming the event (originator id and version, topic)
and the field path, so a sealed value moved to another event, version or field does not
open. On the way back, each `Sealed` becomes a `Personal` again, or `Personal.erased_for`
when the subject's key has been destroyed. A value that does not authenticate raises
(wrapped by the library in a `MapperDeserialisationError` naming the event): tampering is
never shown as erasure.

The base `Mapper` keeps doing everything else (whole-event compressor and cipher, topics,
originator id types, upcasting), because the sealing happens inside the transcoder it
calls: the mapper hands the base a transcoder that seals the state dict just before
encoding it and opens it just after decoding it. Opening before upcasting matters:
upcasters see `Personal` values, and may move or rename them, while the associated data
names the path the value was stored at. The transcoder learns which event it is working on
from a context variable set around the base call (safe across threads: each thread has its
own context).

Views must never hold plaintext, so the projections read events through
`to_domain_event_unopened`: each `Sealed` becomes `Personal.unopened`, a token carrying the
ciphertext and the place it was stored at, without any key being looked up. A reader of the
view opens the tokens with `UnopenedValues`, which checks them exactly as the stored event's
values are checked (same associated data, same erasure rule).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from typing import Any, TypeVar
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic

from application.vault.errors import KeyDestroyed, SealBroken, VaultError
from application.vault.keys import NONCE_SIZE
from application.vault.keystore import KeyStore
from application.vault.transcodings import Sealed, register_sealing
from domain.personal import Personal

Path = tuple[str | int, ...]
_AAD_LABEL = "caseledger-personal-value:v1"
_T = TypeVar("_T")
# What `json.dumps` builds on each call given these options, built once (same output).
_AAD_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_VALUE_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_CONTAINERS = frozenset((dict, list, tuple))


@dataclass(frozen=True)
class _Place:
    """The stored event a value belongs to."""

    originator_id: str
    originator_version: int
    topic: str

    def aad(self, subject_id: UUID, path: Path) -> bytes:
        parts = [_AAD_LABEL, self.originator_id, self.originator_version, self.topic]
        parts += [str(subject_id), list(path)]
        return _AAD_JSON.encode(parts).encode()


_place: ContextVar[_Place | None] = ContextVar("caseledger_vault_place", default=None)
_opening: ContextVar[bool] = ContextVar("caseledger_vault_opening", default=True)


@contextmanager
def _at(place: _Place) -> Iterator[None]:
    token = _place.set(place)
    try:
        yield
    finally:
        _place.reset(token)


class PersonalDataMapper(Mapper[UUID]):
    """A Mapper that stores every `Personal` value sealed under its subject's key.

    `transcoder` must be the library's `JSONTranscoder`; the `Sealed` transcoding and the
    refusal of unsealed `Personal` values are registered on it here.
    """

    def __init__(
        self,
        transcoder: Transcoder,
        key_store: KeyStore,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        if not isinstance(transcoder, JSONTranscoder):
            raise TypeError("PersonalDataMapper needs the library's JSONTranscoder")
        register_sealing(transcoder)
        super().__init__(_SealingTranscoder(transcoder, key_store), compressor, cipher)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        place = _Place(
            originator_id=str(domain_event.originator_id),
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
        )
        with _at(place):
            return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        place = _Place(
            originator_id=str(stored_event.originator_id),
            originator_version=stored_event.originator_version,
            topic=stored_event.topic,
        )
        with _at(place):
            return super().to_domain_event(stored_event)

    def to_domain_event_unopened(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """The event with every personal value left sealed, as `Personal.unopened`."""
        token = _opening.set(False)
        try:
            return self.to_domain_event(stored_event)
        finally:
            _opening.reset(token)


class _SealingTranscoder(Transcoder):
    """Seals the state before the JSON transcoder encodes it; opens it after decoding."""

    def __init__(self, inner: JSONTranscoder, key_store: KeyStore) -> None:
        self._inner = inner
        self._key_store = key_store

    def encode(self, obj: Any) -> bytes:
        return self._inner.encode(_replace(obj, (), Personal, self._sealer().seal))

    def decode(self, data: bytes) -> Any:
        sealer = self._sealer()
        return _replace(
            self._inner.decode(data), (), Sealed, sealer.open if _opening.get() else sealer.token
        )

    def _sealer(self) -> _EventSealer:
        place = _place.get()
        if place is None:
            raise VaultError("the sealing transcoder works only inside PersonalDataMapper")
        return _EventSealer(self._key_store, place)


class _EventSealer:
    """Seals and opens the personal values of one event, looking up each key once."""

    def __init__(
        self,
        key_store: KeyStore,
        place: _Place,
        ciphers: dict[UUID, AESGCM | None] | None = None,
    ) -> None:
        self._key_store = key_store
        self._place = place
        self._ciphers = {} if ciphers is None else ciphers  # None for a key: it is destroyed

    def seal(self, personal: Personal, path: Path) -> Sealed:
        subject_id = personal.subject_id
        if personal.erased:
            if not self._key_store.is_destroyed(subject_id):
                raise VaultError(
                    f"an erased value of data subject {subject_id} at {_show(path)}, "
                    "but their key is not destroyed"
                )
            return Sealed.erased(subject_id)
        cipher = self._ciphers.get(subject_id)
        if cipher is None:  # get_or_create raises KeyDestroyed rather than return no key
            cipher = self._ciphers[subject_id] = AESGCM(self._key_store.get_or_create(subject_id))
        nonce = secrets.token_bytes(NONCE_SIZE)
        plaintext = _as_json(personal.value, path)
        ciphertext = cipher.encrypt(nonce, plaintext, self._place.aad(subject_id, path))
        return Sealed(subject_id=subject_id, nonce=nonce, ciphertext=ciphertext)

    def open(self, sealed: Sealed, path: Path) -> Personal:
        subject_id = sealed.subject_id
        cipher = self._cipher_for_reading(subject_id)
        if cipher is None:
            return Personal.erased_for(subject_id)
        if sealed.is_erased:
            raise SealBroken(
                f"the value of data subject {subject_id} at {_show(path)} is stored as erased, "
                "but their key is not destroyed"
            )
        try:
            plaintext = cipher.decrypt(
                sealed.nonce, sealed.ciphertext, self._place.aad(subject_id, path)
            )
        except InvalidTag:
            raise SealBroken(
                f"the value of data subject {subject_id} at {_show(path)} fails authentication: "
                "altered, or moved here from another event or field"
            ) from None
        return Personal(subject_id=subject_id, value=json.loads(plaintext))

    def token(self, sealed: Sealed, path: Path) -> Personal:
        """The value left sealed: what `UnopenedValues.open` needs to open it later."""
        place = self._place
        parts = [place.originator_id, place.originator_version, place.topic, list(path)]
        parts += [_b64(sealed.nonce), _b64(sealed.ciphertext)]
        return Personal.unopened(sealed.subject_id, json.dumps(parts, separators=(",", ":")))

    def _cipher_for_reading(self, subject_id: UUID) -> AESGCM | None:
        if subject_id not in self._ciphers:
            try:
                key = self._key_store.get(subject_id)
            except KeyDestroyed:
                self._ciphers[subject_id] = None
            else:
                if key is None:
                    raise SealBroken(
                        f"no key for data subject {subject_id}: "
                        "the key store does not belong to these events"
                    )
                self._ciphers[subject_id] = AESGCM(key)
        return self._ciphers[subject_id]


class UnopenedValues:
    """Opens the `Personal.unopened` values a view holds, looking up each subject's key once.

    One instance serves one read: a key destroyed after it was looked up is not seen.
    """

    def __init__(self, key_store: KeyStore) -> None:
        self._key_store = key_store
        self._ciphers: dict[UUID, AESGCM | None] = {}

    def open(self, value: Personal) -> Personal:
        if value.sealed is None:
            return value
        try:
            originator_id, version, topic, path, nonce, ciphertext = json.loads(value.sealed)
            place = _Place(str(originator_id), int(version), str(topic))
            sealed = Sealed(
                value.subject_id,
                base64.b64decode(nonce, validate=True),
                base64.b64decode(ciphertext, validate=True),
            )
        except (ValueError, TypeError):
            raise SealBroken(
                f"a sealed value of data subject {value.subject_id} in a view is malformed"
            ) from None
        return _EventSealer(self._key_store, place, self._ciphers).open(sealed, tuple(path))

    def open_within(self, value: Any) -> Any:
        """`value` with every unopened value inside it opened (dicts, lists, tuples, sets and
        dataclass instances are walked; the others are returned as they are)."""
        if isinstance(value, Personal):
            return self.open(value)
        if isinstance(value, dict):
            return {k: self.open_within(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return type(value)(self.open_within(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self.open_within(getattr(value, f.name)) for f in fields(value)}
            return dataclasses.replace(value, **changes)
        return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _replace(value: Any, path: Path, kind: type[_T], change: Callable[[_T, Path], Any]) -> Any:
    """`value` with each `kind` inside it (through dicts, lists and tuples) changed.

    Items that are neither a container nor a `kind` are kept without a call or a path: most
    of an event's state is plain fields, and this walk runs on every event stored or read.
    """
    if isinstance(value, kind):
        return change(value, path)
    if type(value) is dict:
        return {
            k: _replace(v, (*path, _path_key(k)), kind, change)
            if type(v) in _CONTAINERS or isinstance(v, kind)
            else v
            for k, v in value.items()
        }
    if type(value) is list:
        return [
            _replace(v, (*path, i), kind, change)
            if type(v) in _CONTAINERS or isinstance(v, kind)
            else v
            for i, v in enumerate(value)
        ]
    if type(value) is tuple:
        return tuple(
            _replace(v, (*path, i), kind, change)
            if type(v) in _CONTAINERS or isinstance(v, kind)
            else v
            for i, v in enumerate(value)
        )
    return value


def _path_key(key: object) -> str:
    # JSON turns non-string keys into strings: name them as they will read back
    return key if isinstance(key, str) else json.dumps(key)


def _as_json(value: Any, path: Path) -> bytes:
    try:
        text = _VALUE_JSON.encode(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"the personal value at {_show(path)} is not plain JSON "
            "(strings, numbers, booleans, None, and lists and dicts of them)"
        ) from None
    return text.encode()


def _show(path: Path) -> str:
    return "/".join(str(part) for part in path)
