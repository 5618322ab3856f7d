"""Commands of complaints, ASB Case Reviews and the evidence packs made for them (policy 11,
12)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text, short_text
from application.roles import CASE_WORKERS, COMPLAINT_HANDLERS, MANAGERS
from domain.hate_case import HateCase
from domain.vocabulary import (
    ComplaintOutcome,
    ComplaintStage,
    ContactMethod,
    EvidencePackPurpose,
    RecommendationAnswer,
)

_REVIEW = "The case review's id, e.g. review-1"


@dataclass(frozen=True, kw_only=True)
class ReceiveComplaint(CaseCommand[str]):
    noun = "complaints"
    title = "Record a stage 1 complaint or a stage 2 escalation"
    clauses = ("11.1",)
    roles = COMPLAINT_HANDLERS
    opens_to_complaints = True
    recorded_as = "complaint_id"

    stage: ComplaintStage = described("Stage 2 escalates a complaint answered at stage 1")
    summary: str = free_text("What the complaint is about")
    complainant_id: UUID | None = described("Who complains (default: the victim)", default=None)
    complaint_id: str | None = short_text("The complaint escalated, at stage 2", default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.receive_complaint(
            stage=self.stage,
            summary=self.summary,
            complainant_id=self.complainant_id,
            complaint_id=self.complaint_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class RespondToComplaint(CaseCommand[None]):
    noun = "complaint-responses"
    title = "Record our response at the complaint's current stage"
    clauses = ("11.1",)
    roles = COMPLAINT_HANDLERS

    complaint_id: str = short_text("The complaint answered, e.g. complaint-1")
    outcome: ComplaintOutcome = described("Our finding")
    response: str = free_text("What we told the complainant")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.respond_to_complaint(
            complaint_id=self.complaint_id,
            outcome=self.outcome,
            response=self.response,
            actor=acting.actor,
            at=acting.at,
        )


_COMPLAINT = "The complaint, e.g. complaint-1"


@dataclass(frozen=True, kw_only=True)
class AcknowledgeComplaint(CaseCommand[None]):
    """Within 5 working days of receiving it or its escalation (Complaint Handling Code 6.2,
    6.11); its response is due from then: 10 working days at stage 1 (6.3), 20 at stage 2."""

    noun = "complaint-acknowledgements"
    title = "Acknowledge, define and log a complaint at its current stage"
    clauses = ("11.1",)
    roles = COMPLAINT_HANDLERS

    complaint_id: str = short_text(_COMPLAINT)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.acknowledge_complaint(complaint_id=self.complaint_id, actor=acting.actor, at=acting.at)


@dataclass(frozen=True, kw_only=True)
class ExtendComplaintResponse(CaseCommand[None]):
    """At most 10 working days at stage 1 and 20 at stage 2, with the reasons told to the
    complainant together with the Ombudsman's details (Complaint Handling Code 6.4, 6.5,
    6.14, 6.15); once per stage unless the complainant agrees to another."""

    noun = "complaint-extensions"
    title = "Extend the time to respond to a complaint, with reasons"
    clauses = ("11.1",)
    roles = COMPLAINT_HANDLERS

    complaint_id: str = short_text(_COMPLAINT)
    working_days: int = described("How many working days more (1 to 10)", minimum=1, maximum=10)
    reasons: str = free_text("Why more time is needed, as told to the complainant")
    agreed_with_complainant: bool = described(
        "The complainant agreed to it (needed for a second extension at one stage)",
        default=False,
    )

    def run(self, case: HateCase, acting: Acting) -> None:
        case.extend_complaint_response(
            complaint_id=self.complaint_id,
            working_days=self.working_days,
            reasons=self.reasons,
            agreed_with_complainant=self.agreed_with_complainant,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class RecordOmbudsmanReferral(CaseCommand[None]):
    noun = "ombudsman-referrals"
    title = "Record that the complainant went to the Housing Ombudsman"
    clauses = ("11.1",)
    roles = COMPLAINT_HANDLERS

    complaint_id: str = short_text(_COMPLAINT)
    reference: str | None = short_text("The Ombudsman's case reference", default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.record_ombudsman_referral(
            complaint_id=self.complaint_id,
            reference=self.reference,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class TellVictimOfCaseReviewRight(CaseCommand[None]):
    """That the victim was told they may ask for an ASB Case Review if unhappy with how the
    case was handled (12.1): a case closes only once they were told, and again whenever they
    were dissatisfied since (`domain.case_closing`). Recorded on a closed case too."""

    noun = "case-review-right-notices"
    title = "Record that the victim was told of their right to an ASB Case Review"
    clauses = ("12.1",)
    roles = CASE_WORKERS

    method: ContactMethod = described("How they were told (privately: 6.1)")
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.tell_victim_of_case_review_right(
            method=self.method, notes=self.notes, actor=acting.actor, at=acting.at
        )


@dataclass(frozen=True, kw_only=True)
class RequestCaseReview(CaseCommand[str]):
    noun = "case-reviews"
    title = "Record a request for an ASB Case Review"
    clauses = ("12.1",)
    roles = COMPLAINT_HANDLERS
    opens_to_complaints = True
    recorded_as = "review_id"

    local_authority: str = short_text("The local authority asked to review the case")
    requested_by: UUID | None = described("Who asked (default: the victim)", default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.request_case_review(
            local_authority=self.local_authority,
            requested_by=self.requested_by,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class DecideReviewThreshold(CaseCommand[None]):
    noun = "case-review-thresholds"
    title = "Record whether the review threshold was met"
    clauses = ("12.1",)
    roles = COMPLAINT_HANDLERS

    review_id: str = short_text(_REVIEW)
    threshold_met: bool = described("The local threshold for a review was met")
    reasons: str = free_text("Why")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.decide_review_threshold(
            review_id=self.review_id,
            threshold_met=self.threshold_met,
            reasons=self.reasons,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReceivePanelRecommendation(CaseCommand[str]):
    noun = "panel-recommendations"
    title = "Record a review panel recommendation"
    clauses = ("12.3",)
    roles = COMPLAINT_HANDLERS
    recorded_as = "recommendation_id"

    review_id: str = short_text(_REVIEW)
    recommendation: str = free_text("What the panel recommends")

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.receive_panel_recommendation(
            review_id=self.review_id,
            recommendation=self.recommendation,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class AnswerPanelRecommendation(CaseCommand[None]):
    noun = "panel-recommendation-answers"
    title = "Accept a recommendation or give the alternative approach"
    clauses = ("12.3",)
    roles = MANAGERS

    recommendation_id: str = short_text("The recommendation, e.g. review-1.rec-1")
    answer: RecommendationAnswer = described("Taken forward, or an alternative approach")
    reasons: str = free_text("How it is taken forward, or the alternative and why")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.answer_panel_recommendation(
            recommendation_id=self.recommendation_id,
            answer=self.answer,
            reasons=self.reasons,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ProduceEvidencePack(CaseCommand[int]):
    """Served by its own route (`application.evidence_packs`): recording the pack is the
    first step of producing it, and it depends on no version the caller saw."""

    noun = "evidence-packs"
    title = "Produce a complaint or case-review evidence pack"
    clauses = ("11.1", "12.2")
    roles = COMPLAINT_HANDLERS
    versioned = False
    recorded_as = "pack_number"

    purpose: EvidencePackPurpose = described("For a complaint or an ASB Case Review")
    since_checkpoint: int | None = described(
        "A checkpoint the recipient holds, to prove the log grew from it",
        default=None,
        minimum=1,
        maximum=2**62,
    )
    files: tuple[str, ...] = described(
        "The evidence files to put in the pack, e.g. file-1 (the others are listed)",
        default=(),
        max_items=200,
    )
    include_metadata: bool = described(
        "Let photos and videos out with their location and device metadata", default=False
    )

    def run(self, case: HateCase, acting: Acting) -> int:
        return case.produce_evidence_pack(
            purpose=self.purpose,
            actor_role=acting.role.value,
            since_checkpoint=self.since_checkpoint,
            files=self.files,
            include_metadata=self.include_metadata,
            actor=acting.actor,
            at=acting.at,
        )
