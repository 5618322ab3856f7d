"""The DPO's use cases for data subjects' rights: access (UK GDPR art. 15), rectification
(art. 16) and erasure (art. 17), each recorded as a `SubjectRequest` with its deadline.

- Access: the request is recorded with its due date (and can be extended once, and answered,
  which stops the timer); the export gathers everything held about the person through the
  subject index, reading only the cases that mention them, never the whole log. Before it
  is released the DPO reviews it (`review`): withholds items under an exemption with
  reasons (`withhold`, `release`), removes words from free text that name other people
  (`remove_words`, applied to every document that shows the passage, evidence packs
  included), and records the review (`record_review`), without which the response cannot
  be recorded as sent.
- Rectification: the request and the correcting `SubjectDetailsRectified` are saved together;
  the old details stay in the subject's history. Given a case (`case_id`), the details are
  recorded for that case alone (`SubjectDetailsRecordedForCase`, e.g. a new refuge address
  given in that case): the staff of the person's other cases never see them.
- Erasure: the request and its decision are saved together. Carried out, the subject is
  marked erased in the same transaction and then their key is destroyed (crypto-shredding),
  so the events stay and verify but their personal values read back as erased; the files
  about them, unreadable from then on, have their stored bytes deleted too. Should the
  destroy fail after the save, asking again finishes it (destroying a key is idempotent).
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.actors import Actor
from application.authorisation import authorise
from application.clock import Clock
from application.errors import ConcurrentChange, NotFound
from application.exports.sar_json import (
    Built,
    CaseMaterial,
    ExportMaterial,
    build,
    files_about,
)
from application.exports.sar_pdf import render_pdf
from application.files.service import EvidenceFiles
from application.freshness import ViewFreshness
from application.ledger import CaseLedger
from domain import case_events as ev
from domain.case_files import leaving_form
from domain.data_subject import DataSubject
from domain.errors import InvalidCommand, PolicyViolation
from domain.hate_case import HateCase
from domain.plain_words import PARTS
from domain.redaction import Passage
from domain.service_levels import ServiceLevels
from domain.subject_requests import (
    ART_17,
    GROUND_CLAUSES,
    ErasureOutcome,
    SubjectRequest,
)
from domain.text_review import FreeTextReview, review_id_for
from projections.subject_index import IndexRow, rows_for


@dataclass(frozen=True)
class ExportReview:
    """What the DPO reviews before an export is released: every item of the cases it shows
    (to withhold one), every passage of free text (flagged where it may name others), the
    items withheld so far, and whether the review is recorded."""

    items: list[dict[str, str]]
    passages: list[Passage]
    withheld: dict[str, dict[str, Any]]
    reviewed_at: datetime | None


@dataclass(frozen=True)
class SubjectFile:
    """A data subject as the DPO sees them: their record and their requests."""

    subject: DataSubject
    requests: list[SubjectRequest]


_P = ParamSpec("_P")
_R = TypeVar("_R")
_ATTEMPTS = 3


def _on_latest_state(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a DPO action again when another change to the same person or request was saved
    between its read and its save (the event store refused the second version): the action
    is decided afresh on the latest state, its rules checked again, so neither change is
    lost and the caller never sees a server error. These actions carry no If-Match, because
    the DPO acts on the person, not on a version they were shown."""

    @functools.wraps(method)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        for _ in range(_ATTEMPTS - 1):
            try:
                return method(*args, **kwargs)
            except IntegrityError:
                continue
        try:
            return method(*args, **kwargs)
        except IntegrityError:
            raise ConcurrentChange(
                f"other changes to this record were saved first {_ATTEMPTS} times"
            ) from None

    return run


class SubjectRights:
    def __init__(
        self,
        ledger: CaseLedger,
        views: ViewFreshness,
        levels: ServiceLevels,
        clock: Clock,
        files: EvidenceFiles | None = None,
    ) -> None:
        self._ledger = ledger
        self._files = files
        self._views = views
        self._levels = levels
        self._clock = clock

    # --- reads ---------------------------------------------------------------------------

    def subject_file(self, actor: Actor, subject_id: UUID) -> SubjectFile:
        authorise(actor, "subject-access")
        subject = self._ledger.subject(subject_id)
        return SubjectFile(subject, self._requests(self._rows(subject_id)))

    def request(self, actor: Actor, subject_id: UUID, request_id: UUID) -> SubjectRequest:
        authorise(actor, "subject-access")
        return self._request(subject_id, request_id)

    # --- access (art. 15) ----------------------------------------------------------------

    def receive_access_request(
        self,
        actor: Actor,
        subject_id: UUID,
        *,
        received_at: datetime | None = None,
    ) -> SubjectRequest:
        """Record the request and its due date."""
        authorise(actor, "subject-access")
        self._ledger.subject(subject_id)
        at = self._clock()
        request = SubjectRequest.receive_access(
            request_id=uuid4(),
            subject_id=subject_id,
            received_at=received_at or at,
            levels=self._levels,
            actor=actor.username,
            at=at,
        )
        self._ledger.save(request)
        return request

    @_on_latest_state
    def extend(
        self, actor: Actor, subject_id: UUID, request_id: UUID, *, reasons: str
    ) -> SubjectRequest:
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        request.extend(reasons=reasons, levels=self._levels, actor=actor.username, at=self._clock())
        self._ledger.save(request)
        return request

    @_on_latest_state
    def record_response(
        self,
        actor: Actor,
        subject_id: UUID,
        request_id: UUID,
        *,
        method: str,
        sent_at: datetime | None = None,
    ) -> SubjectRequest:
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        at = self._clock()
        request.record_response(sent_at=sent_at or at, method=method, actor=actor.username, at=at)
        self._ledger.save(request)
        return request

    def export(
        self, actor: Actor, subject_id: UUID, request_id: UUID | None = None
    ) -> dict[str, Any]:
        """Everything held about the person, in words, with the DPO's decisions of the
        request applied (none without a request: then it is a draft)."""
        authorise(actor, "subject-access")
        return self._build(subject_id, request_id).export

    def export_pdf(self, actor: Actor, subject_id: UUID, request_id: UUID | None = None) -> bytes:
        return render_pdf(self.export(actor, subject_id, request_id))

    def export_files(
        self, actor: Actor, subject_id: UUID, request_id: UUID, include_metadata: bool = False
    ) -> bytes:
        """A zip of the files about the person that their export lists, named as it names
        them, each proven against its recorded hash as it is read. Photos go without their
        location and device metadata unless the DPO includes it; a file that cannot be
        stripped (HEIC, MP4, M4A) is then left out, and `README.txt` says so."""
        authorise(actor, "subject-access")
        if self._files is None:
            raise NotFound("no evidence files are kept here")
        request = self._request(subject_id, request_id)
        out: dict[str, bytes] = {}
        notes = []
        for material in self._cases(subject_id, self._rows(subject_id)):
            case = self._case(material.case_id)
            for file_id, entry in files_about(subject_id, material, request.withheld):
                found = case.files[file_id]
                form = leaving_form(found, include_metadata)
                if found.data_key.erased:
                    notes.append(f"{entry['file']}: erased")
                elif form is None:
                    notes.append(
                        f"{entry['file']}: not included, as its location and device metadata "
                        "cannot be removed; ask again with the metadata included to add it"
                    )
                else:
                    out[entry["file"]] = self._files.content(case.id, found, form)
        out["README.txt"] = (
            "\n".join(["The files listed in your copy of your personal data.", *notes]) + "\n"
        ).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(out):
                archive.writestr(name, out[name])
        return buffer.getvalue()

    def review(self, actor: Actor, subject_id: UUID, request_id: UUID) -> ExportReview:
        authorise(actor, "subject-access")
        built = self._build(subject_id, request_id)
        request = self._request(subject_id, request_id)
        withheld = {
            item: {"exemption": d.exemption, "told": d.told, "reasons": d.reasons.shown()}
            for item, d in request.withheld.items()
        }
        return ExportReview(built.items, built.passages, withheld, request.reviewed_at)

    @_on_latest_state
    def withhold(
        self,
        actor: Actor,
        subject_id: UUID,
        request_id: UUID,
        *,
        item: str,
        exemption: str,
        reasons: str,
        told: bool | None = None,
    ) -> SubjectRequest:
        """Withhold one item of the export under an exemption (DPA 2018 Sch 2)."""
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        if item not in {i["item"] for i in self._build(subject_id, request_id).items}:
            raise InvalidCommand("item", "no such item in this export")
        request.withhold(
            item=item,
            exemption=exemption,
            reasons=reasons,
            told=told,
            actor=actor.username,
            at=self._clock(),
        )
        self._ledger.save(request)
        return request

    @_on_latest_state
    def release(
        self, actor: Actor, subject_id: UUID, request_id: UUID, *, item: str, reasons: str
    ) -> SubjectRequest:
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        request.release(item=item, reasons=reasons, actor=actor.username, at=self._clock())
        self._ledger.save(request)
        return request

    @_on_latest_state
    def remove_words(
        self,
        actor: Actor,
        subject_id: UUID,
        request_id: UUID,
        *,
        passage: str,
        words: str,
        reasons: str,
        about: UUID | None = None,
    ) -> Passage:
        """Remove words from a passage of the export's free text, for every document that
        shows it to someone other than the person they are about; returns the passage as it
        now reads."""
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        if request.completed_at is not None:
            raise PolicyViolation("UK GDPR art. 12(3)", "the response has already been sent")
        built = self._build(subject_id, request_id)
        found = next((p for p in built.passages if p.key == passage), None)
        if found is None:
            raise InvalidCommand("passage", "no such passage in this export")
        case_id = UUID(passage.split(":", 1)[0])
        case = self._case(case_id)
        if about is not None and about not in case.subjects:
            raise InvalidCommand("about", "this person is not on the case")
        roles = sorted(case.subjects.get(about, ())) if about else []
        about_role = f"the {PARTS.get(roles[0], roles[0])}" if roles else "someone else"
        at = self._clock()
        review = self._text_review(case_id) or FreeTextReview.start(
            case_id=case_id, actor=actor.username, at=at
        )
        review.remove_words(
            passage=passage,
            shown=found.text,
            owner=found.owner,
            text=words,
            about=about,
            about_role=about_role,
            reasons=reasons,
            actor=actor.username,
            at=at,
        )
        self._ledger.save(review)
        return next(p for p in self._build(subject_id, request_id).passages if p.key == passage)

    @_on_latest_state
    def record_review(self, actor: Actor, subject_id: UUID, request_id: UUID) -> SubjectRequest:
        """The DPO has read the export's free text; it may be released."""
        authorise(actor, "subject-access")
        request = self._request(subject_id, request_id)
        request.record_review(actor=actor.username, at=self._clock())
        self._ledger.save(request)
        return request

    # --- rectification (art. 16) ---------------------------------------------------------

    @_on_latest_state
    def rectify(
        self,
        actor: Actor,
        subject_id: UUID,
        *,
        details: Mapping[str, Any],
        reason: str,
        received_at: datetime | None = None,
        case_id: UUID | None = None,
    ) -> tuple[SubjectRequest, DataSubject]:
        """Correct the details (for every case, or for `case_id` alone); the request and the
        correction are saved together."""
        authorise(actor, "rectification")
        subject = self._ledger.subject(subject_id)
        if case_id is not None and subject_id not in self._ledger.people_on_case(case_id):
            raise InvalidCommand("case_id", "the person is not on this case")
        at = self._clock()
        request = SubjectRequest.receive_rectification(
            request_id=uuid4(),
            subject_id=subject_id,
            received_at=received_at or at,
            fields=list(details),
            levels=self._levels,
            actor=actor.username,
            at=at,
        )
        if case_id is None:
            subject.rectify(details=details, reason=reason, actor=actor.username, at=at)
        else:
            subject.record_for_case(
                case_id=case_id, details=details, reason=reason, actor=actor.username, at=at
            )
        request.record_rectified(actor=actor.username, at=at)
        self._ledger.save(request, subject)
        return request, subject

    # --- erasure (art. 17) ---------------------------------------------------------------

    @_on_latest_state
    def request_erasure(
        self,
        actor: Actor,
        subject_id: UUID,
        *,
        outcome: str,
        ground: str | None,
        reasons: str | None = None,
        ground_claimed: str | None = None,
        received_at: datetime | None = None,
    ) -> tuple[SubjectRequest, DataSubject]:
        """Record the request and the DPO's decision; carried out, destroy the person's key."""
        authorise(actor, "erasure")
        subject = self._ledger.subject(subject_id)
        if subject.erased:
            self._destroy(subject_id)  # finishes an interrupted erasure
            raise PolicyViolation(ART_17, "the subject's data has already been erased")
        at = self._clock()
        request = SubjectRequest.receive_erasure(
            request_id=uuid4(),
            subject_id=subject_id,
            received_at=received_at or at,
            ground_claimed=ground_claimed,
            levels=self._levels,
            actor=actor.username,
            at=at,
        )
        request.decide_erasure(
            outcome=outcome, ground=ground, reasons=reasons, actor=actor.username, at=at
        )
        carried_out = request.outcome == ErasureOutcome.CARRIED_OUT
        if carried_out:
            subject.mark_erased(
                request_id=str(request.id),
                ground=GROUND_CLAUSES[request.ground or ""],
                actor=actor.username,
                at=at,
            )
        self._ledger.save(request, subject)
        if carried_out:
            self._destroy(subject_id)
        return request, self._ledger.subject(subject_id)

    def _destroy(self, subject_id: UUID) -> None:
        """Destroy the person's key, then delete the stored bytes of the files about them
        (already unreadable; a failure here is finished by the files' sweep)."""
        self._ledger.key_store.destroy(subject_id)
        if self._files is not None:
            cases = {row.originator_id for row in self._rows(subject_id) if row.kind == "case"}
            self._files.erase_files_of(subject_id, cases)

    # --- helpers -------------------------------------------------------------------------

    def _rows(self, subject_id: UUID) -> list[IndexRow]:
        self._views.ready("subject_index")
        with self._views.store.reading() as cursor:
            return rows_for(cursor, subject_id)

    def _request(self, subject_id: UUID, request_id: UUID) -> SubjectRequest:
        try:
            request: object = self._ledger.repository.get(request_id)
        except Exception as e:  # AggregateNotFoundError
            raise NotFound("no such request") from e
        if not isinstance(request, SubjectRequest) or request.subject_id != subject_id:
            raise NotFound("no such request")
        return request

    def _requests(self, rows: Sequence[IndexRow]) -> list[SubjectRequest]:
        ids = dict.fromkeys(r.originator_id for r in rows if r.kind == "request")
        return [self._request(rows[0].subject_id, request_id) for request_id in ids]

    def _build(self, subject_id: UUID, request_id: UUID | None) -> Built:
        subject = self._ledger.subject(subject_id)
        request = self._request(subject_id, request_id) if request_id else None
        rows = self._rows(subject_id)
        event_store = self._ledger.repository.event_store
        return build(
            ExportMaterial(
                subject=subject,
                subject_events=list(event_store.get(subject_id)),
                cases=self._cases(subject_id, rows),
                requests=[(r, list(event_store.get(r.id))) for r in self._requests(rows)],
                request=request,
                generated_at=self._clock(),
                matrix=self._ledger.risk_matrix,
            )
        )

    def _case(self, case_id: UUID) -> HateCase:
        case: object = self._ledger.repository.get(case_id)
        assert isinstance(case, HateCase)
        return case

    def _text_review(self, case_id: UUID) -> FreeTextReview | None:
        try:
            review: object = self._ledger.repository.get(review_id_for(case_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(review, FreeTextReview)
        return review

    def _cases(self, subject_id: UUID, rows: Sequence[IndexRow]) -> list[CaseMaterial]:
        """Each case that mentions the subject, with all its events: the export shows its
        victim the whole case (it is all about them), anyone else what names them."""
        parts: dict[UUID, dict[int, list[str]]] = {}
        for row in rows:
            if row.kind == "case":
                parts.setdefault(row.originator_id, {}).setdefault(row.version, []).append(row.role)
        cases = []
        event_store = self._ledger.repository.event_store
        for case_id, by_version in parts.items():
            events = list(event_store.get(case_id))
            reported = events[0]
            assert isinstance(reported, ev.CaseReported)
            case = self._case(case_id)
            review = self._text_review(case_id)
            cases.append(
                CaseMaterial(
                    case_id=case_id,
                    reference=reported.reference,
                    events=events,
                    named=frozenset(by_version),
                    parts=sorted({p for ps in by_version.values() for p in ps}),
                    people={
                        person: (sorted(roles), self._ledger.subject(person))
                        for person, roles in case.subjects.items()
                    },
                    reviewed=review.as_of() if review else [],
                )
            )
        return cases
