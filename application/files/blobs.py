"""The blob store port: sealed file bytes kept under their content address.

A blob's address is the SHA-256 (hex) of its stored bytes, so a blob that changes, or is
swapped for another, no longer matches its name; the attach event records the address, so
the Merkle log vouches for it. The interface is small on purpose, to be kept by a directory
(`DirectoryBlobStore`) or an S3-compatible bucket (`application.files.s3_blobs`):

- `put(staged, address)`: take a fully written local file into the store under `address`,
  durably, before returning (the attach event is saved only after it returns);
- `open(address)`: the stored bytes as a local readable file (`BlobMissing` if absent);
- `delete(address)`: gone from the store (idempotent);
- `addresses()`: every stored address with the time it was written, for the sweep.

Uploads are written first to a local staging directory (`Staging`): sealed bytes only, never
plaintext, named at random (a file's name from the client is never used as a path).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

ADDRESS = re.compile(r"^[0-9a-f]{64}$")


class BlobMissing(Exception):
    """No blob is stored under that address."""


def checked(address: str) -> str:
    """The address, if it is one (64 hex digits): nothing else ever reaches a path or key."""
    if not ADDRESS.match(address):
        raise ValueError("a blob address is 64 lower-case hex digits")
    return address


class BlobStore(Protocol):
    def put(self, staged: Path, address: str) -> None:
        """Store the local file `staged` under `address`, durably; `staged` is consumed."""

    def open(self, address: str) -> AbstractContextManager[BinaryIO]:
        """The stored bytes as a readable local file; `BlobMissing` if there are none."""

    def delete(self, address: str) -> None:
        """Delete the blob (nothing happens if there is none)."""

    def addresses(self) -> Iterator[tuple[str, datetime]]:
        """Every stored address and when it was written."""

    def describe(self) -> str:
        """Where the blobs are, for an operator (no credentials)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """A local directory where uploads are written, sealed, before they have an address."""

    SUFFIX = ".part"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def new_path(self) -> Path:
        return self.directory / f"{secrets.token_hex(16)}{self.SUFFIX}"

    def leftovers(self, older_than: float) -> Iterator[Path]:
        """Staged files last written more than `older_than` seconds ago: uploads that were
        interrupted (a crash, a dropped connection) and never taken into the store."""
        cutoff = time.time() - older_than
        for path in self.directory.glob(f"*{self.SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    yield path


class DirectoryBlobStore:
    """Blobs as files `<root>/<aa>/<bb>/<address>`, mode 0600, written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, address: str) -> Path:
        checked(address)
        return self.root / address[:2] / address[2:4] / address

    def put(self, staged: Path, address: str) -> None:
        target = self._path(address)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(staged, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(staged, 0o600)
        os.replace(staged, target)  # atomic: the blob is there whole, or not at all
        _fsync_dir(target.parent)

    def open(self, address: str) -> AbstractContextManager[BinaryIO]:
        try:
            return open(self._path(address), "rb")
        except FileNotFoundError:
            raise BlobMissing(address) from None

    def delete(self, address: str) -> None:
        path = self._path(address)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    def addresses(self) -> Iterator[tuple[str, datetime]]:
        for path in self.root.glob("??/??/*"):
            if ADDRESS.match(path.name):
                with contextlib.suppress(FileNotFoundError):
                    yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def describe(self) -> str:
        return f"directory {self.root}"
