"""After the case (policy 11, 12): complaints, ASB Case Reviews and evidence packs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    CaseState,
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
        actor: str,
        at: datetime,
    ) -> int:
        """Record that an evidence pack was produced for a complaint (11.1) or an ASB Case
        Review (12.2); returns its number. Allowed on a closed case."""
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
        )
        return number
