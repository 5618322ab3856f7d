"""Data subjects' requests under UK GDPR: access (art. 15), rectification (16), erasure (17).

One `SubjectRequest` aggregate per request records its lifecycle as events: when it was
received and when the answer is due (art. 12(3): one calendar month, by `ServiceLevels`), an
access request's one extension by up to two further months with its reasons, when the
response was sent (which stops the timer), and an erasure request's decision: carried out
on an art. 17(1) ground, or refused on an art. 17(3) ground, with reasons.

An access request also records the DPO's decisions on what its export shows: each item
withheld under an exemption (DPA 2018 Sch 2), with reasons and whether the person is told,
and the review of the export's free text for other people's information, without which the
response cannot be recorded as sent (art. 15(4)). How other people's data is redacted is
`domain.redaction`'s one rule.

Pure: the time is passed in, and so are the service levels that turn it into a due date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from functools import singledispatchmethod
from types import MappingProxyType
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware, client_instant
from domain.personal import Personal
from domain.policy import POLICY_VERSION
from domain.service_levels import CLAUSES, ServiceLevels, Timer, TimerKind
from domain.vocabulary import term

ART_12_3 = "UK GDPR art. 12(3)"
ART_17 = "UK GDPR art. 17"
ART_15_4 = "UK GDPR art. 15(4)"


class RequestKind(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"


class ResponseMethod(StrEnum):
    """How the response to an access request reached the person."""

    EMAIL = "email"
    POST = "post"
    PORTAL = "portal"
    IN_PERSON = "in_person"


class ErasureOutcome(StrEnum):
    CARRIED_OUT = "carried_out"
    REFUSED = "refused"


class ErasureGround(StrEnum):
    """UK GDPR art. 17(1): why the person has the right to have their data erased."""

    NO_LONGER_NECESSARY = "no_longer_necessary"  # (a)
    CONSENT_WITHDRAWN = "consent_withdrawn"  # (b)
    OBJECTION = "objection"  # (c)
    UNLAWFULLY_PROCESSED = "unlawfully_processed"  # (d)
    LEGAL_OBLIGATION_TO_ERASE = "legal_obligation_to_erase"  # (e)
    CHILD_ONLINE_SERVICE = "child_online_service"  # (f)


class RefusalGround(StrEnum):
    """UK GDPR art. 17(3): why the right to erasure does not apply."""

    FREEDOM_OF_EXPRESSION = "freedom_of_expression"  # (a)
    LEGAL_OBLIGATION = "legal_obligation"  # (b), and public-interest tasks
    PUBLIC_HEALTH = "public_health"  # (c)
    ARCHIVING_OR_RESEARCH = "archiving_or_research"  # (d)
    LEGAL_CLAIMS = "legal_claims"  # (e)


GROUND_CLAUSES: Mapping[str, str] = MappingProxyType(
    {
        ErasureGround.NO_LONGER_NECESSARY: "UK GDPR art. 17(1)(a)",
        ErasureGround.CONSENT_WITHDRAWN: "UK GDPR art. 17(1)(b)",
        ErasureGround.OBJECTION: "UK GDPR art. 17(1)(c)",
        ErasureGround.UNLAWFULLY_PROCESSED: "UK GDPR art. 17(1)(d)",
        ErasureGround.LEGAL_OBLIGATION_TO_ERASE: "UK GDPR art. 17(1)(e)",
        ErasureGround.CHILD_ONLINE_SERVICE: "UK GDPR art. 17(1)(f)",
        RefusalGround.FREEDOM_OF_EXPRESSION: "UK GDPR art. 17(3)(a)",
        RefusalGround.LEGAL_OBLIGATION: "UK GDPR art. 17(3)(b)",
        RefusalGround.PUBLIC_HEALTH: "UK GDPR art. 17(3)(c)",
        RefusalGround.ARCHIVING_OR_RESEARCH: "UK GDPR art. 17(3)(d)",
        RefusalGround.LEGAL_CLAIMS: "UK GDPR art. 17(3)(e)",
    }
)


# --- exemptions, decided item by item -------------------------------------------------


class Exemption(StrEnum):
    """The DPA 2018 provisions under which the DPO may withhold an item from an export."""

    CRIME = "crime"  # Sch 2 para 2
    RIGHTS_OF_OTHERS = "rights_of_others"  # Sch 2 para 16
    LEGAL_PRIVILEGE = "legal_privilege"  # Sch 2 para 19


EXEMPTION_CLAUSES: Mapping[str, str] = MappingProxyType(
    {
        Exemption.CRIME: "DPA 2018 Sch 2 para 2 (the prevention or detection of crime, and "
        "the apprehension or prosecution of offenders)",
        Exemption.RIGHTS_OF_OTHERS: "DPA 2018 Sch 2 para 16 (protecting the rights of other "
        "people)",
        Exemption.LEGAL_PRIVILEGE: "DPA 2018 Sch 2 para 19 (legal professional privilege)",
    }
)

TOLD_BY_DEFAULT: Mapping[str, bool] = MappingProxyType(
    {Exemption.CRIME: False, Exemption.RIGHTS_OF_OTHERS: True, Exemption.LEGAL_PRIVILEGE: True}
)
"""Whether the export tells the person that an item was withheld, unless the DPO decides
otherwise for the item. The ICO expects a person to be told what was withheld and why, unless
telling them would itself prejudice the purpose of the exemption. For the crime exemption it
would: a dated "safeguarding concern raised" or "reported to the police" in a list of
withheld items tells an alleged perpetrator (or anyone who asks on their behalf) that a
record exists, which is the very tip-off the exemption is there to prevent. So an item
withheld under para 2 is not listed unless the DPO decides it may be; the export always
says, in the same words whether or not anything was withheld, that information can be
withheld where the law allows, so its wording reveals nothing either."""


# --- the request aggregate ----------------------------------------------------------------


class RequestReceived(Aggregate.Created):
    """Base of the three ways a request starts: who it is about, when it arrived, when due."""

    actor: str
    occurred_at: datetime
    policy_version: str
    subject_id: UUID
    received_at: datetime
    due_at: datetime
    due_on: date

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class AccessRequestReceived(RequestReceived):
    """Art. 15. Version 1 carried `withheld`, categories withheld by default; exemptions are
    now decided item by item (`ItemWithheld`), so the upcast drops them."""

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.pop("withheld", None)


class RectificationRequested(RequestReceived):
    """Art. 16. `fields` names the details to correct (the values live in the subject)."""

    fields: list[str]


class ErasureRequested(RequestReceived):
    """Art. 17. `ground_claimed`: the art. 17(1) ground the person relies on, if stated."""

    ground_claimed: str | None


class RequestEvent(Aggregate.Event):
    actor: str
    occurred_at: datetime
    policy_version: str

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class AccessRequestExtended(RequestEvent):
    """Art. 12(3): the period extended by up to two further months, for these reasons."""

    due_at: datetime
    due_on: date
    reasons: Personal


class AccessResponseSent(RequestEvent):
    sent_at: datetime
    method: str


class RectificationCarriedOut(RequestEvent):
    fields: list[str]


class ErasureDecided(RequestEvent):
    """Carried out on an art. 17(1) ground, or refused on an art. 17(3) ground."""

    outcome: str
    ground: str
    reasons: Personal | None


class ItemWithheld(RequestEvent):
    """The DPO withholds one item (`item`: "<case id>:<event version>") from the export under
    an exemption, with reasons; `told`: whether the export lists it as withheld."""

    item: str
    exemption: str
    reasons: Personal
    told: bool


class ItemReleased(RequestEvent):
    """The DPO reverses an earlier decision to withhold the item."""

    item: str
    reasons: Personal


class FreeTextReviewed(RequestEvent):
    """The DPO has read the free text the export shows and recorded every redaction needed
    (art. 15(4)): the export may now be released."""


class SubjectRequest(Aggregate):
    """One request by a data subject, from receipt to answer."""

    def __init__(self) -> None:
        self.kind = ""
        self.subject_id: UUID | None = None
        self.received_at: datetime | None = None
        self.due_at: datetime | None = None
        self.due_on: date | None = None
        self.withheld: dict[str, ItemWithheld] = {}  # item -> the DPO's decision
        self.reviewed_at: datetime | None = None
        self.fields: list[str] = []
        self.extended = False
        self.completed_at: datetime | None = None
        self.response_method: str | None = None
        self.outcome: str | None = None
        self.ground: str | None = None

    # --- receiving -----------------------------------------------------------------------

    @classmethod
    def receive_access(
        cls,
        *,
        request_id: UUID,
        subject_id: UUID,
        received_at: datetime,
        levels: ServiceLevels,
        actor: str,
        at: datetime,
    ) -> SubjectRequest:
        """An access request: nothing is withheld until the DPO decides, item by item."""
        return cls._receive(
            AccessRequestReceived, request_id, subject_id, received_at, levels, actor, at
        )

    @classmethod
    def receive_rectification(
        cls,
        *,
        request_id: UUID,
        subject_id: UUID,
        received_at: datetime,
        fields: Sequence[str],
        levels: ServiceLevels,
        actor: str,
        at: datetime,
    ) -> SubjectRequest:
        if not fields:
            raise InvalidCommand("details", "name at least one detail to correct")
        return cls._receive(
            RectificationRequested,
            request_id,
            subject_id,
            received_at,
            levels,
            actor,
            at,
            fields=sorted(fields),
        )

    @classmethod
    def receive_erasure(
        cls,
        *,
        request_id: UUID,
        subject_id: UUID,
        received_at: datetime,
        ground_claimed: str | None,
        levels: ServiceLevels,
        actor: str,
        at: datetime,
    ) -> SubjectRequest:
        claimed = None
        if ground_claimed is not None:
            claimed = term(ErasureGround, ground_claimed, "ground_claimed")
        return cls._receive(
            ErasureRequested,
            request_id,
            subject_id,
            received_at,
            levels,
            actor,
            at,
            ground_claimed=claimed,
        )

    @classmethod
    def _receive(
        cls,
        event_class: type[RequestReceived],
        request_id: UUID,
        subject_id: UUID,
        received_at: datetime,
        levels: ServiceLevels,
        actor: str,
        at: datetime,
        **fields: Any,
    ) -> SubjectRequest:
        received_at = client_instant(received_at, "received_at", aware(at, "at"))
        timer = levels.subject_access(received_at, str(request_id))
        return cls._create(
            event_class,
            id=request_id,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            subject_id=subject_id,
            received_at=timer.started_at,
            due_at=timer.due_at,
            due_on=levels.calendar.local_date(timer.due_at),
            **fields,
        )

    # --- access --------------------------------------------------------------------------

    def extend(self, *, reasons: str, levels: ServiceLevels, actor: str, at: datetime) -> None:
        """Extend by the two further months art. 12(3) allows, once, within the first month."""
        aware(at, "at")
        self._require(RequestKind.ACCESS, "extended")
        if not reasons.strip():
            raise InvalidCommand("reasons", "say why the request needs longer")
        if self.extended:
            raise PolicyViolation(ART_12_3, "an access request can be extended only once")
        if self.completed_at is not None:
            raise PolicyViolation(ART_12_3, "the response has already been sent")
        assert self.received_at is not None and self.due_at is not None
        if at > self.due_at:
            raise PolicyViolation(
                ART_12_3, "an extension is decided and told within the first month"
            )
        timer = levels.subject_access(self.received_at, str(self.id), extended=True)
        self.trigger_event(
            AccessRequestExtended,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            due_at=timer.due_at,
            due_on=levels.calendar.local_date(timer.due_at),
            reasons=Personal(self._subject, reasons.strip()),
        )

    def withhold(
        self,
        *,
        item: str,
        exemption: str,
        reasons: str,
        told: bool | None,
        actor: str,
        at: datetime,
    ) -> None:
        """Withhold one item of the export under an exemption, for these reasons; `told`
        None takes the exemption's default (`TOLD_BY_DEFAULT`)."""
        aware(at, "at")
        self._open_access("an item withheld")
        chosen = term(Exemption, exemption, "exemption")
        if not reasons.strip():
            raise InvalidCommand("reasons", "say why the exemption applies to this item")
        self.trigger_event(
            ItemWithheld,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            item=item,
            exemption=chosen,
            reasons=Personal(self._subject, reasons.strip()),
            told=TOLD_BY_DEFAULT[chosen] if told is None else told,
        )

    def release(self, *, item: str, reasons: str, actor: str, at: datetime) -> None:
        """Reverse a decision to withhold an item."""
        aware(at, "at")
        self._open_access("an item released")
        if item not in self.withheld:
            raise InvalidCommand("item", "this item is not withheld")
        if not reasons.strip():
            raise InvalidCommand("reasons", "say why the item is released")
        self.trigger_event(
            ItemReleased,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            item=item,
            reasons=Personal(self._subject, reasons.strip()),
        )

    def record_review(self, *, actor: str, at: datetime) -> None:
        """The DPO has reviewed the free text of the export, and it may be released."""
        aware(at, "at")
        self._open_access("reviewed")
        self.trigger_event(
            FreeTextReviewed, actor=actor, occurred_at=at, policy_version=POLICY_VERSION
        )

    def record_response(self, *, sent_at: datetime, method: str, actor: str, at: datetime) -> None:
        """The response went to the person: this stops the request's timer. Only once the DPO
        has reviewed the export's free text for other people's information (art. 15(4))."""
        sent_at = client_instant(sent_at, "sent_at", aware(at, "at"))
        self._require(RequestKind.ACCESS, "answered")
        if self.completed_at is not None:
            raise PolicyViolation(ART_12_3, "the response has already been recorded")
        if self.reviewed_at is None:
            raise PolicyViolation(
                ART_15_4,
                "review the free text of the export for other people's information first",
            )
        assert self.received_at is not None
        if sent_at < self.received_at or sent_at > at:
            raise InvalidCommand("sent_at", "must be between receipt and now")
        self.trigger_event(
            AccessResponseSent,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            sent_at=sent_at,
            method=term(ResponseMethod, method, "method"),
        )

    # --- rectification -------------------------------------------------------------------

    def record_rectified(self, *, actor: str, at: datetime) -> None:
        aware(at, "at")
        self._require(RequestKind.RECTIFICATION, "rectified")
        if self.completed_at is not None:
            raise InvalidCommand("request_id", "already carried out")
        self.trigger_event(
            RectificationCarriedOut,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            fields=self.fields,
        )

    # --- erasure -------------------------------------------------------------------------

    def decide_erasure(
        self, *, outcome: str, ground: str | None, reasons: str | None, actor: str, at: datetime
    ) -> None:
        """Erase on an art. 17(1) ground, or refuse on an art. 17(3) ground with reasons."""
        aware(at, "at")
        self._require(RequestKind.ERASURE, "decided")
        if self.completed_at is not None:
            raise PolicyViolation(ART_17, "the request has already been decided")
        decision = term(ErasureOutcome, outcome, "outcome")
        text = (reasons or "").strip()
        if decision == ErasureOutcome.REFUSED:
            if not ground:
                raise InvalidCommand("ground", "a refusal names its UK GDPR art. 17(3) ground")
            chosen = term(RefusalGround, ground, "ground")
            if not text:
                raise InvalidCommand("reasons", "a refusal gives its reasons (art. 12(4))")
        else:
            chosen = term(ErasureGround, ground, "ground") if ground else ""
            if not chosen:
                raise InvalidCommand("ground", "name the UK GDPR art. 17(1) ground for erasure")
        self.trigger_event(
            ErasureDecided,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            outcome=decision,
            ground=chosen,
            reasons=Personal(self._subject, text) if text else None,
        )

    # --- reading -------------------------------------------------------------------------

    def timer(self) -> Timer:
        """The art. 12(3) clock: stopped by the response, the rectification or the decision."""
        assert self.received_at is not None and self.due_at is not None
        return Timer(
            kind=TimerKind.SUBJECT_ACCESS,
            clause=CLAUSES[TimerKind.SUBJECT_ACCESS],
            subject=str(self.id),
            started_at=self.received_at,
            due_at=self.due_at,
            stopped_at=self.completed_at,
        )

    @property
    def _subject(self) -> UUID:
        assert self.subject_id is not None
        return self.subject_id

    def _open_access(self, what: str) -> None:
        self._require(RequestKind.ACCESS, what)
        if self.completed_at is not None:
            raise PolicyViolation(ART_12_3, "the response has already been sent")

    def _require(self, kind: RequestKind, what: str) -> None:
        if self.kind != kind:
            raise InvalidCommand("request_id", f"a {self.kind} request cannot be {what}")

    # --- applying ------------------------------------------------------------------------

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @when.register
    def _(self, e: AccessRequestReceived) -> None:
        self._received(e, RequestKind.ACCESS)

    @when.register
    def _(self, e: ItemWithheld) -> None:
        self.withheld[e.item] = e

    @when.register
    def _(self, e: ItemReleased) -> None:
        self.withheld.pop(e.item, None)

    @when.register
    def _(self, e: FreeTextReviewed) -> None:
        self.reviewed_at = e.occurred_at

    @when.register
    def _(self, e: RectificationRequested) -> None:
        self._received(e, RequestKind.RECTIFICATION)
        self.fields = list(e.fields)

    @when.register
    def _(self, e: ErasureRequested) -> None:
        self._received(e, RequestKind.ERASURE)

    @when.register
    def _(self, e: AccessRequestExtended) -> None:
        self.extended = True
        self.due_at = e.due_at
        self.due_on = e.due_on

    @when.register
    def _(self, e: AccessResponseSent) -> None:
        self.completed_at = e.sent_at
        self.response_method = e.method

    @when.register
    def _(self, e: RectificationCarriedOut) -> None:
        self.completed_at = e.occurred_at

    @when.register
    def _(self, e: ErasureDecided) -> None:
        self.completed_at = e.occurred_at
        self.outcome = e.outcome
        self.ground = e.ground

    def _received(self, e: RequestReceived, kind: RequestKind) -> None:
        self.kind = kind.value
        self.subject_id = e.subject_id
        self.received_at = e.received_at
        self.due_at = e.due_at
        self.due_on = e.due_on
