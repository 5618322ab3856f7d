"""One upload received: counted, hashed, recognised and sealed as it arrives.

The interface feeds the bytes of the upload's file part to `Receiving.write` as they come
off the wire; nothing keeps more than a chunk. The limit is enforced while reading: the
write that passes it raises `FileTooLarge` and the staged bytes are removed. `finish`
(once the part has ended) refuses an empty file, a type the ledger does not take or one
other than the client declared, then takes the sealed blob (and, for JPEG and PNG, a
sealed copy without location and device metadata: `application.files.metadata`) into the
blob store under its content address and returns a `ReceivedFile`, the value the attach
command carries. Anything refused leaves nothing behind.

Plaintext never touches a disk here: only sealed bytes are staged.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from application.errors import ApplicationError
from application.files import media_types
from application.files.blobs import BlobStore, Staging
from application.files.envelope import Sealer, new_file_key, unseal
from application.files.metadata import strippable, without_metadata
from domain.errors import InvalidCommand

MB = 1_000_000


class FileTooLarge(ApplicationError):
    """The file passed the size limit while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the limit of {limit / MB:g} MB")
        self.limit = limit


class UploadIncomplete(ApplicationError):
    """The upload ended before its file did (the connection dropped, or the body was cut)."""


def refused(message: str) -> InvalidCommand:
    return InvalidCommand("file", message)


@dataclass(frozen=True)
class ReceivedFile:
    """A file's bytes, received and stored sealed: what the attach command records."""

    media_type: str
    size: int
    sha256: str
    blob: str
    data_key: bytes = field(repr=False)
    metadata_free: dict[str, Any] | None = None

    def blobs(self) -> list[str]:
        """Every blob stored for the file."""
        extra = [self.metadata_free["blob"]] if self.metadata_free else []
        return [self.blob, *extra]


class _HashingSink:
    """Writes to a file and hashes what it writes: the blob's content address."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._target.write(data)


class _SealedFile:
    """A staged file being sealed under a key, hashed as plaintext and as stored bytes."""

    def __init__(self, staging: Staging, key: bytes) -> None:
        self.path = staging.new_path()
        self._file = open(self.path, "xb")  # noqa: SIM115 - closed by `close`
        self._stored = _HashingSink(self._file)
        self._sealer = Sealer(key, self._stored)  # type: ignore[arg-type]
        self.plain = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.plain.update(data)
        self.size += len(data)
        self._sealer.write(data)

    def close(self) -> str:
        """Seal the last chunk; the stored bytes' address."""
        self._sealer.close()
        self._file.close()
        return self._stored.digest.hexdigest()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class Receiving:
    """One file part being received; `finish` or `discard` it."""

    def __init__(
        self, store: BlobStore, staging: Staging, limit: int, declared: str | None
    ) -> None:
        self._store = store
        self._staging = staging
        self._limit = limit
        self._declared = media_types.declared(declared)
        self._key = new_file_key()
        self._sealed = _SealedFile(staging, self._key)
        self._head = bytearray()
        self._text = media_types.TextCheck()
        self._word = media_types.WordCheck()

    def write(self, data: bytes) -> None:
        if self._sealed.size + len(data) > self._limit:
            self.discard()
            raise FileTooLarge(self._limit)
        if len(self._head) < media_types.HEAD:
            self._head += data[: media_types.HEAD - len(self._head)]
        self._text.feed(data)
        self._word.feed(data)
        self._sealed.write(data)

    def discard(self) -> None:
        self._sealed.discard()

    def finish(self) -> ReceivedFile:
        """Check the whole file and store it; `InvalidCommand` (field `file`) if refused."""
        try:
            media_type = self._check()
            address = self._sealed.close()
        except BaseException:
            self.discard()
            raise
        self._store.put(self._sealed.path, address)
        received = ReceivedFile(
            media_type=media_type,
            size=self._sealed.size,
            sha256=self._sealed.plain.hexdigest(),
            blob=address,
            data_key=self._key,
        )
        if not strippable(media_type):
            return received
        try:
            copy = self._metadata_free_copy(address, media_type)
        except BaseException:
            self._store.delete(address)
            raise
        return ReceivedFile(**{**received.__dict__, "metadata_free": copy})

    def _check(self) -> str:
        if self._sealed.size == 0:
            raise refused("the file is empty")
        self._text.feed(b"", final=True)
        found = media_types.settle(media_types.recognise(bytes(self._head)), self._text, self._word)
        if found is None:
            raise refused(
                "its bytes are not a type the ledger takes: JPEG, PNG or HEIC images, PDF, "
                "MP3, M4A or WAV sound, MP4 video, Word (.docx) or plain text"
            )
        if self._declared is not None and self._declared != found:
            raise refused(f"it is declared as {self._declared}, but its bytes are {found}")
        return found

    def _metadata_free_copy(self, original: str, media_type: str) -> dict[str, Any]:
        """Seal a copy of the stored file without its metadata, under the same key."""
        copy = _SealedFile(self._staging, self._key)
        try:
            with self._store.open(original) as stored:
                without_metadata(media_type, unseal(self._key, stored), copy.write)
            address = copy.close()
        except BaseException:
            copy.discard()
            raise
        self._store.put(copy.path, address)
        return {"sha256": copy.plain.hexdigest(), "size": copy.size, "blob": address}


def discard_stored(store: BlobStore, received: ReceivedFile) -> None:
    """Remove a received file's blobs when its attach was refused after all."""
    for address in received.blobs():
        with contextlib.suppress(Exception):
            store.delete(address)
