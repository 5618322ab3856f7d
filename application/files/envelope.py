"""Each file's bytes encrypted under its own key, in chunks, so that neither writing nor
reading ever holds the whole file in memory.

The construction is the STREAM of Hoang, Reyhanitabar, Rogaway and Vizár ("Online
authenticated-encryption and its nonce-reuse misuse-resistance", 2015), as Tink's and age's
streaming encryption use it, over AES-256-GCM from `cryptography` (which offers no streaming
AEAD of its own; GCM's own streaming mode would hand out plaintext before its tag is
checked). The blob is::

    b"CLEF1" || salt (16 random bytes)          header, also the associated data of every chunk
    AES-GCM(k, nonce_0, chunk_0) || ...         64 KiB of plaintext per chunk, 16-byte tag each

with `k = HKDF-SHA256(file key, salt, "caseledger evidence file")` (so one file key may seal
several blobs, e.g. the file and its copy without metadata, never reusing a nonce) and
`nonce_i = i as 11 bytes big-endian || 0x01 for the last chunk, else 0x00`. Every chunk is
authenticated before any of its plaintext is released; a chunk moved, dropped, repeated or
a blob cut short (the last chunk's flag) fails authentication. The last chunk may be empty.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CLEF1"
_SALT = 16
HEADER = len(MAGIC) + _SALT
CHUNK = 64 * 1024
TAG = 16
KEY_BYTES = 32
_INFO = b"caseledger evidence file"


class SealBroken(Exception):
    """The stored bytes do not authenticate under the file's key: altered, cut short or
    another file's."""


def new_file_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def sealed_size(plain_size: int) -> int:
    """How many bytes a file of `plain_size` bytes takes once sealed."""
    return HEADER + plain_size + TAG * max(1, -(-plain_size // CHUNK))


def _cipher(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=_INFO).derive(key)
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """Seals plaintext written to it in pieces of any size into `sink`; `close` writes the
    last chunk. Holds at most one chunk of plaintext."""

    def __init__(self, key: bytes, sink: BinaryIO) -> None:
        salt = secrets.token_bytes(_SALT)
        self._header = MAGIC + salt
        self._cipher = _cipher(key, salt)
        self._sink = sink
        self._pending = bytearray()
        self._index = 0
        sink.write(self._header)

    def write(self, data: bytes) -> None:
        self._pending += data
        # Keep the last full chunk back: only `close` knows which chunk is the last.
        while len(self._pending) > CHUNK:
            self._emit(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]

    def close(self) -> None:
        self._emit(bytes(self._pending), last=True)
        self._pending.clear()

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = _nonce(self._index, last)
        self._sink.write(self._cipher.encrypt(nonce, chunk, self._header))
        self._index += 1


def unseal(key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """The plaintext of a sealed blob, chunk by chunk, each authenticated before it is
    yielded; `SealBroken` at the first chunk that does not authenticate."""
    header = source.read(HEADER)
    if len(header) != HEADER or not header.startswith(MAGIC):
        raise SealBroken("the blob does not start as a sealed evidence file")
    cipher = _cipher(key, header[len(MAGIC) :])
    unit = CHUNK + TAG
    current = source.read(unit)
    index = 0
    while True:
        following = source.read(unit) if len(current) == unit else b""
        last = not following
        try:
            yield cipher.decrypt(_nonce(index, last), current, header)
        except InvalidTag:
            raise SealBroken(f"chunk {index} of the blob does not authenticate") from None
        if last:
            return
        current = following
        index += 1
