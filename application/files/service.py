"""The use cases of evidence files: attach, list, read, and keep the blob store honest.

- `receiving` starts an upload and `attach` carries out `AttachEvidenceFile` through the
  ledger's one command path, once the bytes are stored: a blob is always stored before the
  event that names it, so no event ever lacks its bytes. A refused command (a rule, a stale
  version) removes the blobs it had stored; a crash between the two leaves a blob no event
  names, which `sweep` removes.
- `open` reads a file for a member of staff who may see its case (the same rule and the
  same access log as the case): the whole stored blob is hashed and compared with the
  content address its attach event recorded *before* the first byte is served, so an
  altered or swapped blob is refused with `StoredFileAltered`, never served as fine. The
  plaintext is then decrypted chunk by chunk, each chunk authenticated.
- `erase_files_of` deletes the blobs of the files about a person once their key is
  destroyed (the key already made them unreadable).
- `sweep` removes blobs that no attach event names (older than a grace period, so an upload
  between its blob and its event is left alone), blobs of erased files, and staged uploads
  that were never finished. `verify` checks every stored file against its address.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.utils import get_topic

from application.actors import Actor
from application.authorisation import authorise
from application.commands.evidence import AttachEvidenceFile
from application.errors import ApplicationError, NotFound, StaleVersion
from application.files.blobs import BlobMissing, BlobStore, Staging
from application.files.envelope import unseal
from application.files.receiving import ReceivedFile, Receiving, discard_stored
from application.ledger import CaseLedger, Executed
from application.vault.errors import KeyDestroyed
from domain import case_events as ev
from domain.case_files import ORIGINAL, WITHOUT_METADATA
from domain.case_state import EvidenceFile

log = logging.getLogger("caseledger.files")

DEFAULT_LIMIT = 25_000_000
SWEEP_GRACE = timedelta(hours=1)
_READ = 1 << 20
_PAGE = 500


class StoredFileAltered(ApplicationError):
    """A stored file no longer matches what its attach event recorded."""

    def __init__(self, case_id: UUID, file_id: str, problem: str) -> None:
        super().__init__(f"{file_id} of case {case_id}: {problem}")
        self.case_id = case_id
        self.file_id = file_id
        self.problem = problem


@dataclass(frozen=True)
class FileReading:
    """A file checked and ready to be read: `chunks` yields its plaintext."""

    file: EvidenceFile
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Attached:
    """A stored file an attach event names: where it is and whether its key remains."""

    case_id: UUID
    file_id: str
    position: int
    blobs: tuple[str, ...]
    key_owner: UUID


@dataclass
class FilesVerified:
    """What `verify` found: how many files it checked, and each one that failed."""

    files: int = 0
    problems: list[StoredFileAltered] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.ok:
            return [f"OK: {self.files} stored files match the hashes their events recorded"]
        return [f"FAILED: {p}" for p in self.problems]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files_verified": self.files,
            "problems": [
                {"case_id": str(p.case_id), "file_id": p.file_id, "problem": p.problem}
                for p in self.problems
            ],
        }


@dataclass(frozen=True)
class SweepReport:
    orphans: int
    erased: int
    staged: int

    def summary(self) -> str:
        return (
            f"removed {self.orphans} blob(s) no event names, {self.erased} of erased files, "
            f"{self.staged} unfinished upload(s)"
        )


def stored_digest(blob: BinaryIO) -> str:
    digest = hashlib.sha256()
    while data := blob.read(_READ):
        digest.update(data)
    return digest.hexdigest()


class EvidenceFiles:
    def __init__(
        self,
        ledger: CaseLedger,
        store: BlobStore,
        staging: Staging,
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        self._ledger = ledger
        self.store = store
        self.staging = staging
        self.limit = limit

    # --- attach --------------------------------------------------------------------------

    def may_attach(self, actor: Actor, case_id: UUID, seen_version: Callable[[], int]) -> int:
        """Refuse before any byte is received what would be refused after: the role, a case
        the actor cannot see (before `seen_version`, the If-Match, is read), a version that is
        not the case's. Returns the version seen."""
        authorise(actor, AttachEvidenceFile.noun)
        case = self._ledger.case_for(actor, case_id)
        seen = seen_version()
        if case.version != seen:
            raise StaleVersion(seen, case.version)
        return seen

    def receiving(self, declared: str | None) -> Receiving:
        """An upload of one file, sealed under a new key as it arrives."""
        return Receiving(self.store, self.staging, self.limit, declared)

    def attach(
        self,
        actor: Actor,
        case_id: UUID,
        received: ReceivedFile,
        fields: dict[str, Any],
        seen_version: int | None,
    ) -> Executed[str]:
        """Attach the received file with the command's other `fields` (as the body schema
        loaded them); its blobs are removed if the command is refused."""
        try:
            command = AttachEvidenceFile(file=received, **fields)
            return self._ledger.execute(case_id, command, actor=actor, seen_version=seen_version)
        except BaseException:
            discard_stored(self.store, received)
            raise

    # --- read ----------------------------------------------------------------------------

    def files(self, actor: Actor, case_id: UUID) -> list[EvidenceFile]:
        """The case's files, in the order attached (withdrawn ones marked as such)."""
        return list(self._ledger.case_for(actor, case_id).files.values())

    def file(self, actor: Actor, case_id: UUID, file_id: str) -> EvidenceFile:
        found = self._ledger.case_for(actor, case_id).files.get(file_id)
        if found is None:
            raise NotFound("no such file on this case")
        return found

    def open(
        self, actor: Actor, case_id: UUID, file_id: str, *, without_metadata: bool = False
    ) -> FileReading:
        """The file's plaintext (or its copy without metadata: `NotFound` if it has none),
        once its stored bytes are proven to be the ones attached."""
        found = self.file(actor, case_id, file_id)
        key = found.key()
        if key is None:
            raise KeyDestroyed(found.key_owner)
        address, sha256 = _stored_as(found, WITHOUT_METADATA if without_metadata else ORIGINAL)
        chunks = self._plaintext(case_id, found.file_id, address, sha256, key)
        next(chunks)  # runs the check: raises before anything is served
        return FileReading(found, chunks)

    def content(self, case_id: UUID, found: EvidenceFile, form: str) -> bytes:
        """A file's bytes in a form (`original` or `without_metadata`), whole, once proven:
        for a document that carries it (an evidence pack). `StoredFileAltered` if not."""
        key = found.key()
        if key is None:
            raise KeyDestroyed(found.key_owner)
        address, sha256 = _stored_as(found, form)
        return b"".join(self._plaintext(case_id, found.file_id, address, sha256, key))

    def check(self, case_id: UUID, found: EvidenceFile, form: str) -> None:
        """Prove a file's stored bytes in a form without decrypting them (a document about
        to be promised checks it can be made): `StoredFileAltered` if they are not."""
        if found.key() is None:
            raise KeyDestroyed(found.key_owner)
        address, _ = _stored_as(found, form)
        with self._proven(case_id, found.file_id, address):
            pass

    @contextlib.contextmanager
    def _proven(self, case_id: UUID, file_id: str, address: str) -> Iterator[BinaryIO]:
        """The stored blob, once it hashes to its address (rewound for reading)."""
        try:
            blob_cm = self.store.open(address)
        except BlobMissing:
            raise self._altered(case_id, file_id, "its stored bytes are missing") from None
        with blob_cm as blob:
            if stored_digest(blob) != address:
                raise self._altered(
                    case_id, file_id, "its stored bytes do not match their recorded hash"
                )
            blob.seek(0)
            yield blob

    def _plaintext(
        self, case_id: UUID, file_id: str, address: str, sha256: str, key: bytes
    ) -> Iterator[bytes]:
        with self._proven(case_id, file_id, address) as blob:
            yield b""
            plain = hashlib.sha256()
            for chunk in unseal(key, blob):
                plain.update(chunk)
                yield chunk
            if plain.hexdigest() != sha256:  # cannot happen unless the key was swapped
                raise self._altered(case_id, file_id, "its content does not match")

    @staticmethod
    def _altered(case_id: UUID, file_id: str, problem: str) -> StoredFileAltered:
        log.error("integrity: %s of case %s not served: %s", file_id, case_id, problem)
        return StoredFileAltered(case_id, file_id, problem)

    # --- erasure, sweep, verify ------------------------------------------------------------

    def erase_files_of(self, subject_id: UUID, case_ids: Iterable[UUID]) -> int:
        """Delete the blobs of every file about the person on those cases (their key is
        destroyed: the files are already unreadable); how many files."""
        erased = 0
        for attached in self.attached(case_ids):
            if attached.key_owner == subject_id:
                for address in attached.blobs:
                    self.store.delete(address)
                erased += 1
        return erased

    def attached(self, case_ids: Iterable[UUID] | None = None) -> Iterator[Attached]:
        """Every attach event (of those cases), read as stored: no key is needed."""
        mapper = self._ledger.mapper
        if case_ids is not None:
            for case_id in case_ids:
                for stored in self._ledger.recorder.select_events(case_id):
                    if stored.topic == _ATTACHED:
                        yield _attached(mapper.to_domain_event_unopened(stored), 0)
            return
        start = 1
        while True:
            page = self._ledger.recorder.select_notifications(start, _PAGE, topics=[_ATTACHED])
            for notification in page:
                yield _attached(mapper.to_domain_event_unopened(notification), notification.id)
            if len(page) < _PAGE:
                return
            start = page[-1].id + 1

    def sweep(self, grace: timedelta = SWEEP_GRACE, now: datetime | None = None) -> SweepReport:
        """Remove what no living file needs (see the module docstring)."""
        keep: set[str] = set()
        erased: set[str] = set()
        key_store = self._ledger.key_store
        for attached in self.attached():
            target = erased if key_store.is_destroyed(attached.key_owner) else keep
            target.update(attached.blobs)
        cutoff = (now or datetime.now(UTC)) - grace
        orphans = gone = 0
        for address, written in list(self.store.addresses()):
            if address in keep:
                continue
            if address in erased:
                gone += 1
            elif written < cutoff:
                orphans += 1
            else:
                continue
            self.store.delete(address)
        staged = 0
        for path in self.staging.leftovers(grace.total_seconds()):
            path.unlink(missing_ok=True)
            staged += 1
        return SweepReport(orphans, gone, staged)

    def verify(self) -> FilesVerified:
        """Every stored file's blobs hashed and compared with the addresses their attach
        events recorded (files whose person was erased have no bytes left to check)."""
        result = FilesVerified()
        result.problems.extend(self._problems(result))
        return result

    def _problems(self, result: FilesVerified) -> Iterator[StoredFileAltered]:
        key_store = self._ledger.key_store
        for attached in self.attached():
            if key_store.is_destroyed(attached.key_owner):
                continue
            result.files += 1
            for address in attached.blobs:
                try:
                    with self.store.open(address) as blob:
                        problem = None if stored_digest(blob) == address else "altered"
                except BlobMissing:
                    problem = "missing"
                if problem is not None:
                    yield StoredFileAltered(
                        attached.case_id,
                        attached.file_id,
                        f"its stored bytes are {problem}"
                        + ("" if address == attached.blobs[0] else " (copy without metadata)"),
                    )


_ATTACHED = get_topic(ev.EvidenceFileAttached)


def _stored_as(found: EvidenceFile, form: str) -> tuple[str, str]:
    """The blob address and plaintext SHA-256 of a file in a form."""
    if form != WITHOUT_METADATA:
        return found.blob, found.sha256
    if found.metadata_free is None:
        raise NotFound("the file has no copy without metadata")
    return found.metadata_free["blob"], found.metadata_free["sha256"]


def _attached(event: Any, position: int) -> Attached:
    assert isinstance(event, ev.EvidenceFileAttached)
    copy = event.metadata_free
    return Attached(
        case_id=event.originator_id,
        file_id=event.file_id,
        position=position,
        blobs=(event.blob, *((copy["blob"],) if copy else ())),
        key_owner=event.key_owner,
    )
