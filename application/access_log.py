"""Recording and reading the access log: who read whose personal data, when and why.

Why events rather than a table: an entry is a fact that must never change, and the event
store already guarantees append-only storage, one transaction, the same backups, both
engines, and (through the integrity log) tamper evidence; a separate table would need all
of that again. Each read is its own `AccessRecord` aggregate, so concurrent reads by the
same person never conflict. The cost is one stored event per read of personal data.

The API records a read after it has been served from the ledger but before the response
leaves: if the entry cannot be stored, the reader gets an error instead of the data, so no
read goes unlogged (fail closed). Lists that carry no personal data are not logged.

Auditors and the DPO read the log through the `access_log` view. It holds ids only; a query
by person also finds reads of the cases the subject index says they appear in.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application

from application.actors import Actor
from application.authorisation import authorise
from application.clock import Clock
from application.freshness import ViewFreshness
from domain.access_record import AccessRecord, access_purpose
from projections import access_log_view


class AccessLog:
    def __init__(self, app: Application, views: ViewFreshness, clock: Clock) -> None:
        self._app = app
        self._views = views
        self._clock = clock

    def record(
        self,
        actor: Actor,
        *,
        route: str,
        purpose: str,
        purpose_stated: bool,
        case_id: UUID | None = None,
        subject_id: UUID | None = None,
        request_id: UUID | None = None,
    ) -> UUID:
        """Store one read; returns the entry's id."""
        entry = AccessRecord.record(
            entry_id=uuid4(),
            actor=actor.username,
            role=actor.role.value,
            purpose=purpose,
            purpose_stated=purpose_stated,
            route=route,
            at=self._clock(),
            case_id=case_id,
            subject_id=subject_id,
            request_id=request_id,
        )
        self._app.save(entry)
        return entry.id

    @staticmethod
    def purpose(stated: str | None, default: str) -> tuple[str, bool]:
        """The purpose of a read: the one the reader stated, else the route's own."""
        if stated is None or not stated.strip():
            return access_purpose(default), False
        return access_purpose(stated), True

    def entries(
        self,
        actor: Actor,
        *,
        subject_id: UUID | None = None,
        case_id: UUID | None = None,
        reader: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Entries newest first, for the auditor and the DPO."""
        authorise(actor, "access-log")
        names = ("access_log", "subject_index") if subject_id is not None else ("access_log",)
        self._views.ready(*names)
        with self._views.store.reading() as c:
            return access_log_view.entries(
                c,
                subject_id=subject_id,
                case_id=case_id,
                reader=reader,
                limit=limit,
                offset=offset,
            )
