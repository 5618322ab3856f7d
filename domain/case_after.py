"""After the case (policy 11, 12): complaints, ASB Case Reviews and evidence packs.

**Complaints (11.1; the Housing Ombudsman's Complaint Handling Code 2024, section 6).** A
complaint is acknowledged, defined and logged within 5 working days of its receipt (6.2 at
stage 1; 6.11 for an escalation to stage 2); the stage 1 response is due within 10 working
days of that acknowledgement (6.3), the stage 2 response within 20 working days of the
acknowledgement of the escalation (6.13). Until it is acknowledged, a response is due as if
it had been acknowledged on receipt (the reading that protects the complainant: a late
acknowledgement never buys time the timers would not show). An extension must give its
reasons and is told with the Ombudsman's details: at most 10 working days at stage 1 (6.4,
6.5) and 20 at stage 2 (6.14, 6.15), the Code's "without good reason" limits
(`EXTENSION_LIMITS`). The ledger allows one extension per stage unless the complainant agreed
to another, so a longer delay is always one the complainant accepted.
The timers are `domain.case_timers`'; a referral to the Ombudsman is recorded on the complaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain import case_events as ev
from domain.case_files import chosen_for_pack
from domain.case_state import (
    CaseState,
    Complaint,
    required_text,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.personal import personal_or_none
from domain.vocabulary import (
    ComplaintOutcome,
    ComplaintStage,
    EvidencePackPurpose,
    RecommendationAnswer,
    term,
)

CODE = "Housing Ombudsman Complaint Handling Code"
# stage -> (most working days an extension may add, the Code's clause on extensions)
EXTENSION_LIMITS = {
    ComplaintStage.STAGE_1: (10, f"{CODE} 6.4"),
    ComplaintStage.STAGE_2: (20, f"{CODE} 6.14"),
}


class AfterTheCase(CaseState):
    """Commands of complaints, case reviews and the packs made for them."""

    def receive_complaint(
        self,
        *,
        stage: str,
        summary: str,
        complainant_id: UUID | None = None,
        complaint_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """A service complaint (11.1); stage 2 escalates a complaint answered at stage 1."""
        level = term(ComplaintStage, stage, "stage")
        who = complainant_id or self._victim
        if level == ComplaintStage.STAGE_1:
            if complaint_id is not None:
                raise InvalidCommand("complaint_id", "a new complaint gets its own id")
            complaint_id = f"complaint-{len(self.complaints) + 1}"
        else:
            complaint = self.complaints.get(complaint_id or "")
            if complaint is None:
                raise InvalidCommand("complaint_id", "stage 2 escalates an existing complaint")
            if ComplaintStage.STAGE_1.value not in complaint.stages_responded:
                raise PolicyViolation("11.1", "stage 2 follows our stage 1 response")
            if ComplaintStage.STAGE_2.value in complaint.stages_received:
                raise InvalidCommand("stage", "the complaint is already at stage 2")
            who = complaint.complainant_id
        assert complaint_id is not None
        self._record(
            ev.ComplaintReceived,
            actor,
            at,
            complaint_id=complaint_id,
            stage=level,
            complainant_id=who,
            summary=required_text(self._victim, summary, "summary"),
        )
        return complaint_id

    def respond_to_complaint(
        self, *, complaint_id: str, outcome: str, response: str, actor: str, at: datetime
    ) -> None:
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            raise InvalidCommand("complaint_id", "no such complaint on this case")
        open_stages = set(complaint.stages_received) - set(complaint.stages_responded)
        if not open_stages:
            raise InvalidCommand("complaint_id", "the complaint has been answered at every stage")
        self._record(
            ev.ComplaintResponded,
            actor,
            at,
            complaint_id=complaint_id,
            stage=max(open_stages),
            outcome=term(ComplaintOutcome, outcome, "outcome"),
            response=required_text(self._victim, response, "response"),
        )

    def _open_complaint(self, complaint_id: str) -> tuple[Complaint, str]:
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            raise InvalidCommand("complaint_id", "no such complaint on this case")
        stage = complaint.open_stage()
        if stage is None:
            raise InvalidCommand("complaint_id", "the complaint has been answered at every stage")
        return complaint, stage

    def acknowledge_complaint(self, *, complaint_id: str, actor: str, at: datetime) -> None:
        """Acknowledge, define and log the complaint at its current stage (Code 6.2, 6.11)."""
        complaint, stage = self._open_complaint(complaint_id)
        if stage in complaint.stages_acknowledged:
            raise InvalidCommand("complaint_id", "this stage is already acknowledged")
        self._record(ev.ComplaintAcknowledged, actor, at, complaint_id=complaint_id, stage=stage)

    def extend_complaint_response(
        self,
        *,
        complaint_id: str,
        working_days: int,
        reasons: str,
        agreed_with_complainant: bool = False,
        actor: str,
        at: datetime,
    ) -> None:
        """Put the response back, with reasons, once per stage unless the complainant agreed
        (Code 6.4, 6.5 at stage 1; 6.14, 6.15 at stage 2; see the module's docs)."""
        complaint, stage = self._open_complaint(complaint_id)
        limit, clause = EXTENSION_LIMITS[ComplaintStage(stage)]
        if not 1 <= working_days <= limit:
            raise PolicyViolation(
                clause, f"an extension at this stage is between 1 and {limit} working days"
            )
        if not (reasons or "").strip():
            raise PolicyViolation(clause, "an extension gives the complainant its reasons")
        if complaint.extension_count.get(stage, 0) and not agreed_with_complainant:
            raise PolicyViolation(
                clause,
                "a stage is extended once, unless the complainant agrees to another extension",
            )
        self._record(
            ev.ComplaintResponseExtended,
            actor,
            at,
            complaint_id=complaint_id,
            stage=stage,
            working_days=working_days,
            reasons=required_text(self._victim, reasons, "reasons"),
            agreed_with_complainant=agreed_with_complainant,
        )

    def record_ombudsman_referral(
        self, *, complaint_id: str, reference: str | None = None, actor: str, at: datetime
    ) -> None:
        """The complainant took the complaint to the Housing Ombudsman (11.1)."""
        complaint = self.complaints.get(complaint_id)
        if complaint is None:
            raise InvalidCommand("complaint_id", "no such complaint on this case")
        if complaint.referred_to_ombudsman_at is not None:
            raise InvalidCommand("complaint_id", "already referred to the Ombudsman")
        self._record(
            ev.ComplaintReferredToOmbudsman,
            actor,
            at,
            complaint_id=complaint_id,
            reference=(reference or "").strip() or None,
        )

    def tell_victim_of_case_review_right(
        self, *, method: str, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        """The victim was told of their right to ask for an ASB Case Review (12.1), by a private
        method (6.1), while the case is open: it is part of closing one well."""
        self._record(
            ev.VictimToldOfCaseReviewRight,
            actor,
            at,
            method=self._private_method(method),
            notes=personal_or_none(self._victim, notes),
        )

    def request_case_review(
        self,
        *,
        local_authority: str,
        requested_by: UUID | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """An ASB Case Review asked of the local partners (12.1)."""
        if not local_authority.strip():
            raise InvalidCommand("local_authority", "is required")
        review_id = f"review-{len(self.reviews) + 1}"
        self._record(
            ev.CaseReviewRequested,
            actor,
            at,
            review_id=review_id,
            requested_by=requested_by or self._victim,
            local_authority=local_authority,
        )
        return review_id

    def decide_review_threshold(
        self, *, review_id: str, threshold_met: bool, reasons: str, actor: str, at: datetime
    ) -> None:
        review = self._review(review_id)
        if review.threshold_met is not None:
            raise InvalidCommand("review_id", "the threshold has already been decided")
        self._record(
            ev.CaseReviewThresholdDecided,
            actor,
            at,
            review_id=review_id,
            threshold_met=threshold_met,
            reasons=required_text(self._victim, reasons, "reasons"),
        )

    def receive_panel_recommendation(
        self, *, review_id: str, recommendation: str, actor: str, at: datetime
    ) -> str:
        review = self._review(review_id)
        if review.threshold_met is not True:
            raise PolicyViolation("12.1", "a panel reviews a case only once the threshold is met")
        recommendation_id = f"{review_id}.rec-{len(review.recommendations) + 1}"
        self._record(
            ev.PanelRecommendationReceived,
            actor,
            at,
            review_id=review_id,
            recommendation_id=recommendation_id,
            recommendation=required_text(self._victim, recommendation, "recommendation"),
        )
        return recommendation_id

    def answer_panel_recommendation(
        self, *, recommendation_id: str, answer: str, reasons: str, actor: str, at: datetime
    ) -> None:
        """Accept a recommendation, or tell the panel our alternative approach and why (12.3)."""
        review_id = self.recommendation_reviews.get(recommendation_id)
        if review_id is None:
            raise InvalidCommand("recommendation_id", "no such recommendation on this case")
        if self.reviews[review_id].recommendations[recommendation_id]:
            raise InvalidCommand("recommendation_id", "already answered")
        choice = term(RecommendationAnswer, answer, "answer")
        if not (reasons or "").strip():
            raise PolicyViolation(
                "12.3", "say how the recommendation is taken forward, or the alternative and why"
            )
        self._record(
            ev.PanelRecommendationAnswered,
            actor,
            at,
            recommendation_id=recommendation_id,
            answer=choice,
            reasons=required_text(self._victim, reasons, "reasons"),
        )

    def produce_evidence_pack(
        self,
        *,
        purpose: str,
        actor_role: str,
        since_checkpoint: int | None = None,
        files: Sequence[str] = (),
        include_metadata: bool = False,
        actor: str,
        at: datetime,
    ) -> int:
        """Record that an evidence pack was produced for a complaint (11.1) or an ASB Case
        Review (12.2), with the evidence files chosen for it; returns its number. Allowed
        on a closed case."""
        chosen = term(EvidencePackPurpose, purpose, "purpose")
        if chosen == EvidencePackPurpose.COMPLAINT and not self.complaints:
            raise PolicyViolation("11.1", "a complaint pack is for a case with a complaint")
        if chosen == EvidencePackPurpose.CASE_REVIEW and not self.reviews:
            raise PolicyViolation("12.2", "a case-review pack is for a case under ASB Case Review")
        if since_checkpoint is not None and since_checkpoint < 1:
            raise InvalidCommand("since_checkpoint", "checkpoints are numbered from 1")
        number = len(self.evidence_packs) + 1
        self._record(
            ev.EvidencePackProduced,
            actor,
            at,
            pack_number=number,
            purpose=chosen,
            actor_role=actor_role,
            since_checkpoint=since_checkpoint,
            files=chosen_for_pack(self.files, files, include_metadata),
            include_metadata=include_metadata,
        )
        return number
