"""Signing checkpoints of the ledger's Merkle log with an Ed25519 key.

A checkpoint is a C2SP tlog-checkpoint in a C2SP signed note; the formats, and the code
that parses and verifies them, are in `evidence_verifier`. The key is kept in a PKCS#8
PEM file readable only by its owner; its name (the log's origin) comes from
configuration, since a PEM file has nowhere to keep it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.integrity.evidence_verifier import (
    HASH_SIZE,
    SIGNATURE_PREFIX,
    TIME_EXTENSION,
    U64_MAX,
    VerifierKey,
    b64encode,
    check_key_name,
    ed25519_key_id,
    format_checkpoint_time,
    parse_checkpoint,
)


class SigningKey:
    """A named Ed25519 key that signs notes."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        self._name = name
        self._private_key = private_key
        self._public_key = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], name: str, password: bytes | None = None
    ) -> SigningKey:
        """Read a key saved by `save`."""
        with open(path, "rb") as f:
            private_key = serialization.load_pem_private_key(f.read(), password)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError(f"{os.fspath(path)} does not hold an Ed25519 private key")
        return cls(name, private_key)

    def save(self, path: str | os.PathLike[str], password: bytes | None = None) -> None:
        """Write the key to a new PEM file with mode 0600; never overwrite a key."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.NoEncryption()
            if password is None
            else serialization.BestAvailableEncryption(password)
        )
        pem = self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        # Written whole to a private temporary file, then linked into place: another process
        # sees no file or the whole key, never half of one, and link() refuses (raising
        # FileExistsError) if a key is already there.
        fd, staged = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)  # exact, whatever the umask
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            os.link(staged, path)
        finally:
            os.unlink(staged)

    @property
    def name(self) -> str:
        """The key name, which is also the log's origin."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte signed-note key id."""
        return ed25519_key_id(self._name, self._public_key)

    @property
    def verifier(self) -> VerifierKey:
        """The public half, for verification."""
        return VerifierKey(self._name, self.key_id, self._public_key)

    def verifier_key(self) -> str:
        """The public verifier key string: "<name>+<hex key id>+<base64(0x01 || key)>"."""
        return str(self.verifier)

    def sign(self, message: bytes) -> bytes:
        """A raw 64-byte Ed25519 signature."""
        return self._private_key.sign(message)


def sign_note(text: str, key: SigningKey) -> str:
    """A signed note of `text` (which must end with a newline) with one signature."""
    if not text.endswith("\n") or any(ch < " " and ch != "\n" for ch in text):
        raise ValueError("note text must end with a newline and have no control characters")
    signature = key.key_id + key.sign(text.encode("utf-8"))
    return f"{text}\n{SIGNATURE_PREFIX}{key.name} {b64encode(signature)}\n"


def checkpoint_body(origin: str, size: int, root: bytes, time: datetime) -> str:
    """The tlog-checkpoint text for a tree head, with a time extension line."""
    if not 0 <= size <= U64_MAX:
        raise ValueError("tree size out of range")
    if len(root) != HASH_SIZE:
        raise ValueError("root hash must be 32 bytes")
    time_line = TIME_EXTENSION + format_checkpoint_time(time)
    body = f"{origin}\n{size}\n{b64encode(root)}\n{time_line}\n"
    parsed = parse_checkpoint(body)
    if (parsed.origin, parsed.size, parsed.root) != (origin, size, root):
        raise ValueError(f"origin {origin!r} cannot be written in a checkpoint")
    return body


def sign_checkpoint(origin: str, size: int, root: bytes, time: datetime, key: SigningKey) -> str:
    """A checkpoint note for (origin, size, root, time) signed with `key`."""
    return sign_note(checkpoint_body(origin, size, root, time), key)
