"""The event catalogue of a `HateCase`: every fact the ledger can record about a case.

Events are immutable, past-tense facts. Each carries who did it (`actor`), when
(`occurred_at`, from the caller's clock) and the policy version in force. Personal data
(free text, places) is held as `Personal` values so it is encrypted under a data subject's
key; people are referred to by their `DataSubject` id, never by name. Vocabulary fields
hold the enum *values* (plain strings) so stored events do not depend on Python enums.

Events only change state (see `HateCase.when`); rules are checked by commands before an
event is triggered, so replaying old history never fails because a rule changed since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.personal import Personal


class CaseEvent(Aggregate.Event):
    """Base of every event after the report."""

    actor: str
    occurred_at: datetime
    policy_version: str

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


# --- Report and triage (policy 5.1-5.4, 6.1-6.3) ---------------------------------------


class CaseReported(Aggregate.Created):
    reference: str
    actor: str
    occurred_at: datetime
    policy_version: str
    received_at: datetime
    channel: str
    reporter_role: str
    victim_id: UUID
    reporter_id: UUID | None
    incident_at: datetime | None
    location: Personal | None
    description: Personal
    strands: list[str]
    forms: list[str]
    victim_perceives_hate: bool
    criminal_offence_alleged: bool | None

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class FurtherIncidentReported(CaseEvent):
    incident_id: str
    reporter_role: str
    incident_at: datetime | None
    location: Personal | None
    description: Personal
    strands: list[str]
    forms: list[str]


class CaseTriaged(CaseEvent):
    priority: str
    notes: Personal | None


class OfficerAllocated(CaseEvent):
    officer: str
    team: str


class OfficerReassigned(CaseEvent):
    officer: str
    team: str
    reason: Personal


class SubjectLinked(CaseEvent):
    """A person (witness, representative, household member) joins the case by reference."""

    subject_id: UUID
    role: str
    elected_representative: bool


class ClassificationRevised(CaseEvent):
    strands: list[str]
    forms: list[str]
    victim_agrees: bool
    reason: Personal


class HateDefinitionDisputed(CaseEvent):
    """A manager's finding that the victim's definition is proven otherwise or unreasonable."""

    decision: str
    reasons: Personal


# --- Victim care (policy 5.5, 5.10, 5.12, 7, 8.1) ---------------------------------------


class RiskAssessed(CaseEvent):
    matrix_version: str
    answers: dict[str, int]
    score: int
    computed_level: str
    level: str
    override_reason: Personal | None
    notes: Personal | None


class ActionPlanAgreed(CaseEvent):
    plan_version: int
    actions: list[dict[str, Any]]  # action_id, owner, due_on (ISO date), description (Personal)


class ActionCompleted(CaseEvent):
    action_id: str
    outcome: Personal | None


class ContactArrangementAgreed(CaseEvent):
    method: str
    frequency_days: int
    safe_venue: Personal | None
    notes: Personal | None


class ContactMade(CaseEvent):
    contact_id: str
    subject_id: UUID
    method: str
    direction: str
    outcome: str
    summary: Personal | None


class ReasonableAdjustmentAgreed(CaseEvent):
    """An adjustment agreed with a person (7.1-7.3), shown wherever the case is. It may settle
    one that needed more consideration (same `adjustment_id`). Version 1 had no id: the upcast
    leaves it empty and the case numbers it in order."""

    class_version = 2

    adjustment_id: str
    subject_id: UUID
    adjustment: Personal

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("adjustment_id", "")


class ReasonableAdjustmentUnderConsideration(CaseEvent):
    """An adjustment a person needs that needs more consideration or expert advice (7.3): to be
    reviewed by `review_on` (an ISO date), which is a timer."""

    adjustment_id: str
    subject_id: UUID
    need: Personal
    review_on: str
    advice_from: str | None


class SupportReferralMade(CaseEvent):
    """A referral of a person on the case to a support agency (5.9, 8.1), on the consent of the
    person referred, a safeguarding concern or a legal obligation (9.4). The notes are the
    referred person's (under their key). Version 1 knew only consent: the upcast says so."""

    class_version = 2

    referral_id: str
    subject_id: UUID
    agency: str
    basis: str
    consent_id: str | None
    concern_id: str | None
    legal_basis: str | None
    notes: Personal | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(basis="consent", concern_id=None, legal_basis=None)


class SecurityMeasuresProvided(CaseEvent):
    measures: Personal


class RepairRequested(CaseEvent):
    repair_id: str
    kind: str
    description: Personal
    contractor: str | None


class DamageFound(CaseEvent):
    """Damage from hate found after the report (5.10): reported to us at `reported_at` (as the
    officer recorded it); the repair it needs runs from then. `kind` is the repair it needs."""

    kind: str
    reported_at: datetime
    description: Personal


class RepairCompleted(CaseEvent):
    repair_id: str
    notes: Personal | None


# --- Consent and sharing (policy 6.2, 6.3, 8.2, 9.2-9.4) ---------------------------------


class ConsentGranted(CaseEvent):
    consent_id: str
    subject_id: UUID
    recipient: str
    recipient_name: str | Personal  # Personal when the recipient is a representative
    representative_id: UUID | None
    form: str
    evidence_reference: Personal | None


class ConsentWithdrawn(CaseEvent):
    consent_id: str
    reason: Personal | None


class SafeguardingConcernRaised(CaseEvent):
    concern_id: str
    about: str
    referred_to: list[str]
    details: Personal


class PoliceReportMade(CaseEvent):
    police_report_id: str
    basis: str
    consent_id: str | None
    legal_basis: str | None
    police_reference: str | None
    victim_identified: bool
    details: Personal | None


class MultiAgencyReferralMade(CaseEvent):
    """A referral to a multi-agency panel (9.3), with the victim's agreement or on a recorded
    safeguarding concern (9.4). Version 1 knew only consent: the upcast says so."""

    class_version = 2

    referral_id: str
    panel: str
    basis: str
    consent_id: str | None
    concern_id: str | None
    reason: Personal

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.update(basis="consent", concern_id=None)


class InformationDisclosed(CaseEvent):
    """Information shared (6.2, 6.3, 9.4); on the safeguarding basis `concern_id` names the
    concern it rests on. Version 1 did not link the concern: the upcast leaves it unnamed."""

    class_version = 2

    disclosure_id: str
    recipient: str
    recipient_name: str | Personal  # Personal when the recipient is a representative
    representative_id: UUID | None
    basis: str
    consent_id: str | None
    concern_id: str | None
    legal_basis: str | None
    subjects: list[UUID]
    what: Personal

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("concern_id", None)


# --- Perpetrators (policy 5.6-5.9, 5.11) -----------------------------------------------


class PerpetratorIdentified(CaseEvent):
    subject_id: UUID
    link: str
    notes: Personal | None


class InterventionTaken(CaseEvent):
    intervention_id: str
    subject_id: UUID
    kind: str
    legal_power: str | None
    notes: Personal | None


class StaffMatterReferred(CaseEvent):
    subject_id: UUID
    notes: Personal | None


# --- Closing (policy 10.1) --------------------------------------------------------------


class ClosureProposed(CaseEvent):
    grounds: list[str]
    reasons: Personal


class ClosureDiscussedWithVictim(CaseEvent):
    method: str
    victim_agrees: bool
    victim_view: Personal


class VictimCouldNotBeReached(CaseEvent):
    """The victim could not be reached to discuss the proposed closure (10.1): `attempts` are
    the ids of the failed contact attempts the finding rests on (`domain.case_closing`)."""

    attempts: list[str]
    notes: Personal | None


class CaseClosed(CaseEvent):
    grounds: list[str]
    reasons: Personal
    victim_view: Personal | None


class CaseReopened(CaseEvent):
    reason: Personal


# --- After the case (policy 11, 12) -----------------------------------------------------


class ComplaintReceived(CaseEvent):
    complaint_id: str
    stage: str
    complainant_id: UUID
    summary: Personal


class ComplaintResponded(CaseEvent):
    complaint_id: str
    stage: str
    outcome: str
    response: Personal


class ComplaintAcknowledged(CaseEvent):
    """The complaint's current stage was acknowledged, defined and logged (Complaint Handling
    Code 6.2 at stage 1, 6.11 at stage 2): its response is due from now."""

    complaint_id: str
    stage: str


class ComplaintResponseExtended(CaseEvent):
    """The response at the complaint's current stage was put back by `working_days`, with the
    reasons told to the complainant and the Ombudsman's details (Code 6.4, 6.5; 6.14, 6.15)."""

    complaint_id: str
    stage: str
    working_days: int
    reasons: Personal
    agreed_with_complainant: bool


class ComplaintReferredToOmbudsman(CaseEvent):
    """The complainant took the complaint to the Housing Ombudsman (`reference`: theirs)."""

    complaint_id: str
    reference: str | None


class VictimToldOfCaseReviewRight(CaseEvent):
    """The victim was told they may ask for an ASB Case Review of how the case was handled
    (12.1): how they were told, and anything of note."""

    method: str
    notes: Personal | None


class CaseReviewRequested(CaseEvent):
    review_id: str
    requested_by: UUID
    local_authority: str


class CaseReviewThresholdDecided(CaseEvent):
    review_id: str
    threshold_met: bool
    reasons: Personal


class PanelRecommendationReceived(CaseEvent):
    review_id: str
    recommendation_id: str
    recommendation: Personal


class PanelRecommendationAnswered(CaseEvent):
    recommendation_id: str
    answer: str
    reasons: Personal


class EvidencePackProduced(CaseEvent):
    """A complaint (11.1) or case-review (12.2) evidence pack was produced: by `actor` (in
    `actor_role`), for `purpose`. The pack covers the case up to and including this event;
    `since_checkpoint` names the earlier checkpoint its consistency proof starts from.

    `files` are the evidence files the producer chose for the pack, each with the form it
    holds (`{"file_id", "form"}`, form `original` or `without_metadata`: the copy without
    location and device metadata); `include_metadata` records the producer's choice to let
    files out with their metadata. Version 2 (version 1 packs carried no files)."""

    class_version = 2

    pack_number: int
    purpose: str
    actor_role: str
    since_checkpoint: int | None
    files: list[dict[str, str]]
    include_metadata: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["files"] = []
        state["include_metadata"] = False


# --- Evidence files (policy 5.12) -------------------------------------------------------


class EvidenceFileAttached(CaseEvent):
    """A file of evidence was attached to the case: what it is, whom it is about (None: the
    case itself), when it was taken if known, and what proves its bytes: the SHA-256 and size
    of the file as uploaded, and the content address of its encrypted copy in the blob store.

    `data_key` is the file's own AES key, held as personal data of `key_owner` (the person it
    is about, or the case's file key), so the vault seals it under their key: destroying that
    key (erasure) leaves the file unreadable for good. `metadata_free` describes the copy made
    without location and device metadata (JPEG and PNG), as `{"sha256", "size", "blob"}`, or
    is None when the file's type carries no such metadata or it cannot be removed."""

    file_id: str
    kind: str
    about: UUID | None
    key_owner: UUID
    taken_at: datetime | None
    description: Personal | None
    media_type: str
    size: int
    sha256: str
    blob: str
    data_key: Personal
    metadata_free: dict[str, Any] | None


class EvidenceFileWithdrawn(CaseEvent):
    """A file was withdrawn from use (attached wrongly, or to the wrong case): it is no longer
    evidence of the case, but its bytes remain for the audit unless its person is erased."""

    file_id: str
    reason: Personal
