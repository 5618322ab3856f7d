"""The evidence-file routes: attach (multipart), list, read (streamed).

`POST /api/v1/cases/{case_id}/files` takes `multipart/form-data`: the bytes in a part named
`file`, the command's other fields (`kind`, `about_id`, `taken_at`, `description`) as form
fields beside it, and `If-Match` like every command. Before any byte is read it checks the
role, that the caller may see the case and the version (so a refusal costs no upload); the
body is then read from the wire in 64 KiB pieces into `application.files.receiving` (sealed
as it arrives, the size limit enforced as it is read), and the command is carried out by
the ledger's one command path (`EvidenceFiles.attach`). The type the file part declares
(its `Content-Type`) must match what its bytes are; a client that declares none, or
`application/octet-stream`, leaves it to the bytes. The part's file name is ignored.

`GET .../files` lists the case's files; `GET .../files/{file_id}` streams one (as an
attachment named after its id, never a client's file name), once its stored bytes are
proven to be the ones attached: otherwise a 500 integrity problem, and nothing of the file.
Both read personal data and are in the access log, under the case's visibility rule.
Withdrawing is the catalogue's `POST .../file-withdrawals`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, Response, jsonify, request, url_for
from marshmallow import ValidationError
from werkzeug.datastructures import Headers
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from application.actors import Actor
from application.commands.evidence import AttachEvidenceFile
from application.files.receiving import FileTooLarge, ReceivedFile, Receiving, UploadIncomplete
from application.files.service import EvidenceFiles
from domain.case_files import file_name
from interface.api.representations import file_view
from interface.api.schemas import body_schema
from interface.api.writes import case_response, seen_version, written
from interface.config import Services

PIECE = 64 * 1024
FIELD_BYTES = 64 * 1024
"""The largest a form field beside the file may be."""
_PARTS = 16
_SLACK = 1_000_000  # the fields and multipart framing beside the file's own bytes


class _Upload:
    """A multipart body read from the wire: the form fields, and the file part streamed
    into a `Receiving`."""

    def __init__(self, files: EvidenceFiles) -> None:
        self._files = files
        self.fields: dict[str, str] = {}
        self.receiving: Receiving | None = None
        self._field: str | None = None
        self._value = bytearray()

    def read(self) -> None:
        kind, options = parse_options_header(request.headers.get("Content-Type", ""))
        boundary = options.get("boundary")
        if kind != "multipart/form-data" or not boundary:
            raise UnsupportedMediaType(
                "send multipart/form-data: the file in a part named 'file', the fields beside it"
            )
        # No `max_form_memory_size`: the decoder applies it to its buffer whatever the part,
        # file data included; the fields' size is checked in `_take`.
        decoder = MultipartDecoder(boundary.encode(), max_parts=_PARTS)
        while True:
            data = request.stream.read(PIECE)
            decoder.receive_data(data or None)
            try:
                event = decoder.next_event()
                while not isinstance(event, NeedData | Epilogue):
                    self._take(event)
                    event = decoder.next_event()
            except ValueError:
                raise UploadIncomplete(
                    "the upload ended before the file did, or is malformed"
                ) from None
            if isinstance(event, Epilogue):
                return

    def _take(self, event: object) -> None:
        if isinstance(event, File):
            if event.name != "file" or self.receiving is not None:
                raise ValidationError({event.name or "file": ["send one file, in a part 'file'"]})
            self._field = None
            self.receiving = self._files.receiving(_declared(event.headers))
        elif isinstance(event, Field):
            self._field, self._value = event.name, bytearray()
        elif isinstance(event, Data):
            if self._field is None and self.receiving is not None:
                self.receiving.write(event.data)
                return
            self._value += event.data
            if len(self._value) > FIELD_BYTES:
                raise ValidationError({self._field or "file": ["is too long"]})
            if not event.more_data and self._field is not None:
                try:
                    self.fields[self._field] = self._value.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValidationError({self._field: ["must be UTF-8 text"]}) from None


def _declared(headers: Headers) -> str | None:
    return headers.get("Content-Type")


def files_blueprint(services: Services, current_actor: Callable[[], Actor]) -> Blueprint:
    """The routes, authenticating through the app's `current_actor`."""
    files = services.files
    bp = Blueprint("files", __name__, url_prefix="/api/v1/cases")

    def location(case_id: UUID, file_id: str) -> str:
        return url_for("files.read_file", case_id=case_id, file_id=file_id)

    @bp.post("/<uuid:case_id>/files")
    def attach(case_id: UUID) -> Response:
        who = current_actor()
        seen = files.may_attach(who, case_id, seen_version)
        if (request.content_length or 0) > files.limit + _SLACK:
            raise FileTooLarge(files.limit)
        request.max_content_length = files.limit + _SLACK
        received = _receive(files)
        done = files.attach(who, case_id, received[1], received[0], seen)
        response = case_response(done.case, 201, recorded={"file_id": done.result})
        response.headers["Location"] = location(case_id, done.result)
        return written(response)

    @bp.get("/<uuid:case_id>/files")
    def list_files(case_id: UUID) -> Response:
        found = files.files(current_actor(), case_id)
        items = [file_view(case_id, f, location(case_id, f.file_id)) for f in found]
        return jsonify({"case_id": str(case_id), "items": items, "total": len(items)})

    @bp.get("/<uuid:case_id>/files/<file_id>")
    def read_file(case_id: UUID, file_id: str) -> Response:
        reading = files.open(current_actor(), case_id, file_id)
        file = reading.file
        response = Response(reading.chunks, mimetype=file.media_type, direct_passthrough=True)
        response.headers["Content-Length"] = str(file.size)
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(file)}"'
        digest = base64.b64encode(bytes.fromhex(file.sha256)).decode()
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"  # RFC 9530
        return response

    return bp


def _receive(files: EvidenceFiles) -> tuple[dict[str, object], ReceivedFile]:
    """The command's fields (loaded by its body schema) and the file, received and stored;
    nothing is left behind if either is refused."""
    upload = _Upload(files)
    try:
        upload.read()
        if upload.receiving is None:
            raise ValidationError({"file": ["send the file in a part named 'file'"]})
        given = {k: v for k, v in upload.fields.items() if v != ""}  # an empty form input
        fields = body_schema(AttachEvidenceFile)().load(given)
        return fields, upload.receiving.finish()
    except BaseException:
        if upload.receiving is not None:
            upload.receiving.discard()
        raise
