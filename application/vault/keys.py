"""The master key, and wrapping subject keys under it.

The master key is 32 random bytes from configuration: base64 in `CASELEDGER_MASTER_KEY`, or
a key file (`caseledger.master-key` in the key directory; `interface.settings`), made once
by `caseledger keys init` (or the demo), readable by its owner only. A key file that group
or others may read is refused: whoever reads it can unwrap every subject key.

Subject keys are stored wrapped with AES-GCM under the master key, bound by associated data
to their subject, so a wrapped key copied onto another subject's row does not unwrap.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.vault.errors import MasterKeyError

KEY_SIZE = 32
NONCE_SIZE = 12
_WRAP_AAD_PREFIX = b"caseledger-subject-key:"


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_SIZE)


def decode_master_key(text: str, source: str) -> bytes:
    """The key encoded as base64 in `text`; `source` names where it came from, for errors."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        raise MasterKeyError(f"master key in {source} is not valid base64") from None
    if len(key) != KEY_SIZE:
        raise MasterKeyError(f"master key in {source} must be {KEY_SIZE} bytes, not {len(key)}")
    return key


def read_master_key_file(path: Path) -> bytes:
    """The master key in the file at `path`; refused if group or others may read it."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MasterKeyError(
            f"master key file {path} is accessible to group or others "
            f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
        )
    return decode_master_key(path.read_text(encoding="ascii"), str(path))


def create_master_key_file(path: Path) -> bytes:
    """A new master key in a new file at `path` (mode 0600), or the key of a file another
    process made first.

    Creation is atomic: the key is written to a private temporary file, synced, then linked
    to `path`, so a concurrent process either wins the race or reads the winner's whole key.
    """
    _create_key_file(path)
    return read_master_key_file(path)


def _create_key_file(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(base64.b64encode(new_key()).decode("ascii") + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return  # another process created it first: use theirs
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # losing the master key loses every subject's data
        finally:
            os.close(directory)
    finally:
        temporary.unlink()


class KeyWrapper:
    """Wraps and unwraps subject keys with AES-GCM under the master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_SIZE:
            raise MasterKeyError(f"master key must be {KEY_SIZE} bytes, not {len(master_key)}")
        self._aead = AESGCM(master_key)

    def __repr__(self) -> str:
        return "KeyWrapper(***)"

    def wrap(self, subject_id: UUID, key: bytes) -> bytes:
        """Nonce followed by the ciphertext of `key`, bound to `subject_id`."""
        nonce = secrets.token_bytes(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, key, _wrap_aad(subject_id))

    def unwrap(self, subject_id: UUID, wrapped: bytes) -> bytes:
        """The subject key in `wrapped`; `MasterKeyError` if it does not authenticate."""
        try:
            nonce, ciphertext = wrapped[:NONCE_SIZE], wrapped[NONCE_SIZE:]
            return self._aead.decrypt(nonce, ciphertext, _wrap_aad(subject_id))
        except InvalidTag:
            raise MasterKeyError(
                f"the stored key of data subject {subject_id} does not unwrap: the master key "
                "is not the one it was wrapped with, or the key row was altered"
            ) from None


def _wrap_aad(subject_id: UUID) -> bytes:
    return _WRAP_AAD_PREFIX + subject_id.bytes
