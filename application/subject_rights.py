"""The DPO's use cases for data subjects' rights: access (UK GDPR art. 15), rectification
(art. 16) and erasure (art. 17), each recorded as a `SubjectRequest` with its deadline.

- Access: the request is recorded with its due date (and can be extended once, and answered,
  which stops the timer); the export gathers everything held about the person through the
  subject index, reading only the events that mention them, never the whole log.
- Rectification: the request and the correcting `SubjectDetailsRectified` are saved together;
  the old details stay in the subject's history.
- Erasure: the request and its decision are saved together. Carried out, the subject is
  marked erased in the same transaction and then their key is destroyed (crypto-shredding),
  so the events stay and verify but their personal values read back as erased. Should the
  destroy fail after the save, asking again finishes it (destroying a key is idempotent).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from application.actors import Actor
from application.authorisation import authorise
from application.clock import Clock
from application.errors import ConcurrentChange, NotFound
from application.exports.sar_json import CaseMaterial, ExportMaterial, build_export
from application.exports.sar_pdf import render_pdf
from application.freshness import ViewFreshness
from application.ledger import CaseLedger
from domain import case_events as ev
from domain.data_subject import DataSubject
from domain.errors import PolicyViolation
from domain.service_levels import ServiceLevels
from domain.subject_requests import (
    ART_17,
    DEFAULT_WITHHELD,
    GROUND_CLAUSES,
    ErasureOutcome,
    SubjectRequest,
)
from projections.subject_index import IndexRow, rows_for


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
        self, ledger: CaseLedger, views: ViewFreshness, levels: ServiceLevels, clock: Clock
    ) -> None:
        self._ledger = ledger
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
        withheld: Sequence[str] | None = None,
    ) -> SubjectRequest:
        """Record the request and its due date; `withheld` None applies the default."""
        authorise(actor, "subject-access")
        self._ledger.subject(subject_id)
        at = self._clock()
        request = SubjectRequest.receive_access(
            request_id=uuid4(),
            subject_id=subject_id,
            received_at=received_at or at,
            withheld=withheld,
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
        """Everything held about the person, as JSON values, redacted and withheld as the
        request says (the documented default when there is no request)."""
        authorise(actor, "subject-access")
        subject = self._ledger.subject(subject_id)
        request = self._request(subject_id, request_id) if request_id else None
        rows = self._rows(subject_id)
        material = ExportMaterial(
            subject=subject,
            subject_events=list(self._ledger.repository.event_store.get(subject_id)),
            cases=self._cases(rows),
            requests=self._requests(rows),
            request=request,
            withheld_categories=request.withheld if request else list(DEFAULT_WITHHELD),
            generated_at=self._clock(),
        )
        return build_export(material)

    def export_pdf(self, actor: Actor, subject_id: UUID, request_id: UUID | None = None) -> bytes:
        return render_pdf(self.export(actor, subject_id, request_id))

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
    ) -> tuple[SubjectRequest, DataSubject]:
        """Correct the details; the request and the correction are saved together."""
        authorise(actor, "rectification")
        subject = self._ledger.subject(subject_id)
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
        subject.rectify(details=details, reason=reason, actor=actor.username, at=at)
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
            self._ledger.key_store.destroy(subject_id)  # finishes an interrupted erasure
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
            self._ledger.key_store.destroy(subject_id)
        return request, self._ledger.subject(subject_id)

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

    def _cases(self, rows: Sequence[IndexRow]) -> list[CaseMaterial]:
        """The events of each case that mention the subject: one read per case, of the
        versions up to the last that mentions them."""
        parts: dict[UUID, dict[int, list[str]]] = {}
        for row in rows:
            if row.kind == "case":
                parts.setdefault(row.originator_id, {}).setdefault(row.version, []).append(row.role)
        cases = []
        event_store = self._ledger.repository.event_store
        for case_id, by_version in parts.items():
            events = list(event_store.get(case_id, lte=max(by_version)))
            reported = events[0]
            assert isinstance(reported, ev.CaseReported)
            cases.append(
                CaseMaterial(
                    case_id=case_id,
                    reference=reported.reference,
                    events=[
                        (e, by_version[e.originator_version])
                        for e in events
                        if e.originator_version in by_version
                    ],
                )
            )
        return cases
