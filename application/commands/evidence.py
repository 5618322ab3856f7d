"""Commands of the evidence files on a case (policy 5.12).

Attaching a file is a command like any other, carried out by `CaseLedger.execute`; its
`file` field is the file's bytes already received and stored sealed
(`application.files.receiving.ReceivedFile`), because bytes cannot travel in a JSON body:
the interface receives them from the request (a multipart part named `file`) and then
makes the command with the other fields. `application.files.service.EvidenceFiles` is
that path for every interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text, short_text
from application.files.receiving import ReceivedFile
from application.roles import INTAKE
from domain.hate_case import HateCase
from domain.vocabulary import FileKind


@dataclass(frozen=True, kw_only=True)
class AttachEvidenceFile(CaseCommand[str]):
    noun = "files"
    title = "Attach a photo, recording, letter, diary sheet or other file of evidence"
    clauses = ("5.12",)
    roles = INTAKE
    recorded_as = "file_id"

    file: ReceivedFile = described(
        "The file: JPEG, PNG or HEIC, PDF, MP3, M4A or WAV, MP4, Word (.docx) or plain text"
    )
    kind: FileKind = described("What the file is")
    about_id: UUID | None = described(
        "The person on the case the file is about (default: the case itself)", default=None
    )
    taken_at: datetime | None = described("When it was taken or written, if known", default=None)
    description: str | None = free_text("What it shows, and where it came from", default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.attach_file(
            kind=self.kind,
            about=self.about_id,
            taken_at=self.taken_at,
            description=self.description,
            media_type=self.file.media_type,
            size=self.file.size,
            sha256=self.file.sha256,
            blob=self.file.blob,
            data_key=self.file.data_key,
            metadata_free=self.file.metadata_free,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class WithdrawEvidenceFile(CaseCommand[None]):
    """The file stays in the case's history, and its bytes for the audit."""

    noun = "file-withdrawals"
    title = "Withdraw a file attached wrongly or to the wrong case"
    clauses = ("5.12",)
    roles = INTAKE

    file_id: str = short_text("The file withdrawn, e.g. file-2")
    reason: str = free_text("Why it is withdrawn", max_length=2000)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.withdraw_file(
            file_id=self.file_id, reason=self.reason, actor=acting.actor, at=acting.at
        )
