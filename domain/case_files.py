"""Evidence files on a case (policy 5.12): photos, recordings, letters, diary sheets.

The domain decides what may be attached and to what: a file is about a person on the case
or the case itself; its kind must fit what its bytes are (a photo is an image, a recording
is sound or video); the time it was taken is a client instant like any other. The bytes
never reach the domain: the application receives them, recognises their type, encrypts them
under the file's own key and stores them, and hands the domain what proves them (SHA-256,
size, content address) and the key to record. Withdrawing a file is an event; the file stays
in the case's history.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from domain import case_events as ev
from domain.case_state import CaseState, EvidenceFile, required_text
from domain.errors import InvalidCommand
from domain.instants import client_instant
from domain.personal import Personal, personal_or_none
from domain.vocabulary import FileKind, term

JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"
PDF = "application/pdf"
MP3 = "audio/mpeg"
M4A = "audio/mp4"
WAV = "audio/wav"
MP4 = "video/mp4"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

FILE_TYPES = {
    JPEG: "JPEG image",
    PNG: "PNG image",
    HEIC: "HEIC image",
    PDF: "PDF document",
    MP3: "MP3 sound recording",
    M4A: "M4A sound recording",
    WAV: "WAV sound recording",
    MP4: "MP4 video",
    DOCX: "Word document",
    TEXT: "plain text",
}
"""The types of file the ledger takes as evidence (recognised from their bytes), in words."""
MEDIA_TYPES = tuple(FILE_TYPES)
EXTENSIONS = {
    JPEG: "jpg",
    PNG: "png",
    HEIC: "heic",
    PDF: "pdf",
    MP3: "mp3",
    M4A: "m4a",
    WAV: "wav",
    MP4: "mp4",
    DOCX: "docx",
    TEXT: "txt",
}


def file_name(file: EvidenceFile) -> str:
    """The name a file leaves the ledger under: its id and its type's extension (never a
    name a client sent)."""
    return f"{file.file_id}.{EXTENSIONS.get(file.media_type, 'bin')}"


ORIGINAL = "original"
WITHOUT_METADATA = "without_metadata"
"""The forms a file leaves the ledger in: as uploaded, or its copy without metadata."""
_LOCATED = frozenset({JPEG, PNG, HEIC, MP4, M4A})

_IMAGES = frozenset({JPEG, PNG, HEIC})
_PAPERS = frozenset({PDF, DOCX, TEXT}) | _IMAGES  # a letter or a sheet, or a scan or photo of it
_FITS: dict[str, frozenset[str]] = {
    FileKind.PHOTO: _IMAGES,
    FileKind.RECORDING: frozenset({MP3, M4A, WAV, MP4}),
    FileKind.LETTER: _PAPERS,
    FileKind.DIARY_SHEET: _PAPERS,
    FileKind.OTHER: frozenset(MEDIA_TYPES),
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_KEY_BYTES = 32


def carries_location(media_type: str) -> bool:
    """Whether files of this type may hold a location or device metadata (EXIF, XMP, the
    boxes of HEIC, MP4 and M4A)."""
    return media_type in _LOCATED


def leaving_form(file: EvidenceFile, include_metadata: bool) -> str | None:
    """The form a file leaves the ledger in (a pack, an export): as uploaded when it carries
    no location metadata or its producer chose to include it, else its copy without
    metadata; None if it has no such copy (it cannot leave without its metadata)."""
    if include_metadata or not carries_location(file.media_type):
        return ORIGINAL
    return WITHOUT_METADATA if file.metadata_free is not None else None


def chosen_for_pack(
    files: Mapping[str, EvidenceFile], file_ids: Sequence[str], include_metadata: bool
) -> list[dict[str, str]]:
    """The files chosen for a pack and the form each leaves in: files on the case, not
    withdrawn, not erased, and, without the producer's choice, without location metadata."""
    chosen = []
    for file_id in dict.fromkeys(file_ids):
        found = files.get(file_id)
        if found is None:
            raise InvalidCommand("files", f"no file {file_id} on this case")
        if found.withdrawn:
            raise InvalidCommand("files", f"{file_id} was withdrawn")
        if found.data_key.erased:
            raise InvalidCommand("files", f"{file_id} was erased with its person")
        form = leaving_form(found, include_metadata)
        if form is None:
            raise InvalidCommand(
                "files",
                f"{file_id} ({FILE_TYPES[found.media_type]}) may hold a location that "
                "cannot be removed from it: include metadata, or leave it out",
            )
        chosen.append({"file_id": file_id, "form": form})
    return chosen


def case_file_key(case_id: UUID) -> UUID:
    """The id of the key that guards the files about a case itself (not about one person):
    a key of its own in the key store, so erasing any one person leaves them readable."""
    return uuid5(case_id, "caseledger evidence files")


class CaseFiles(CaseState):
    """Commands of a case's evidence files."""

    def attach_file(
        self,
        *,
        kind: str,
        about: UUID | None,
        taken_at: datetime | None,
        description: str | None,
        media_type: str,
        size: int,
        sha256: str,
        blob: str,
        data_key: bytes,
        metadata_free: dict[str, Any] | None,
        actor: str,
        at: datetime,
    ) -> str:
        """Attach a file of evidence (5.12); returns its id on the case, e.g. `file-3`."""
        chosen = term(FileKind, kind, "kind")
        if about is not None and about not in self.subjects:
            raise InvalidCommand("about_id", "is not a person on this case")
        if media_type not in MEDIA_TYPES:
            raise InvalidCommand("file", f"files of type {media_type} are not taken as evidence")
        if media_type not in _FITS[chosen]:
            raise InvalidCommand(
                "kind", f"a {chosen.replace('_', ' ')} cannot be a file of type {media_type}"
            )
        if size < 1:
            raise InvalidCommand("file", "the file is empty")
        if not (_SHA256.match(sha256) and _SHA256.match(blob)):
            raise InvalidCommand("file", "the file's SHA-256 and content address are hex digests")
        if len(data_key) != _KEY_BYTES:
            raise InvalidCommand("file", "a file's key is 32 bytes")
        owner = about or case_file_key(self.id)
        file_id = f"file-{len(self.files) + 1}"
        self._record(
            ev.EvidenceFileAttached,
            actor,
            at,
            file_id=file_id,
            kind=chosen,
            about=about,
            key_owner=owner,
            taken_at=client_instant(taken_at, "taken_at", at),
            description=personal_or_none(about or self._victim, description),
            media_type=media_type,
            size=size,
            sha256=sha256,
            blob=blob,
            data_key=Personal(owner, base64.b64encode(data_key).decode()),
            metadata_free=metadata_free,
        )
        return file_id

    def withdraw_file(self, *, file_id: str, reason: str, actor: str, at: datetime) -> None:
        """Withdraw a file from use: attached wrongly, or to the wrong case. Allowed on a
        closed case, so a wrong file never stays on a case's record as its evidence."""
        found = self.files.get(file_id)
        if found is None:
            raise InvalidCommand("file_id", "no such file on this case")
        if found.withdrawn:
            raise InvalidCommand("file_id", "the file is already withdrawn")
        self._record(
            ev.EvidenceFileWithdrawn,
            actor,
            at,
            file_id=file_id,
            reason=required_text(self._victim, reason, "reason"),
        )
