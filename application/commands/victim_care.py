"""Commands that look after the victim (policy 5.5, 5.10, 5.12, 7, 8.1): risk, action plans,
contact, adjustments, support, security and repairs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from uuid import UUID

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text, short_text
from application.roles import CASE_WORKERS, INTAKE
from domain.hate_case import HateCase
from domain.vocabulary import (
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    DisclosureBasis,
    RepairKind,
    RiskLevel,
)

_PERSON = "The person on the case it concerns (default: the victim)"


@dataclass(frozen=True, kw_only=True)
class AssessRisk(CaseCommand[RiskLevel]):
    noun = "risk-assessments"
    title = "Score the risk assessment; override the band with a reason"
    clauses = ("5.5",)
    roles = CASE_WORKERS
    recorded_as = "risk_level"

    answers: Mapping[str, int] = described(
        "A score for every question of the landlord's risk matrix", max_items=100
    )
    level: RiskLevel | None = described("Override the computed band (needs a reason)", default=None)
    override_reason: str | None = free_text(default=None)
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> RiskLevel:
        return case.assess_risk(
            matrix=acting.risk_matrix,
            answers=self.answers,
            level=self.level,
            override_reason=self.override_reason,
            notes=self.notes,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class PlannedAction:
    """One action of a plan."""

    description: str = free_text("What will be done", max_length=2000)
    owner: str = short_text("Who will do it")
    due_on: date | None = described("By when", default=None)


@dataclass(frozen=True, kw_only=True)
class AgreeActionPlan(CaseCommand[list[str]]):
    noun = "action-plans"
    title = "Agree a new version of the action plan"
    clauses = ("8.1",)
    roles = CASE_WORKERS
    recorded_as = "action_ids"

    actions: tuple[PlannedAction, ...] = described("The plan's actions", min_items=1, max_items=50)

    def run(self, case: HateCase, acting: Acting) -> list[str]:
        return case.agree_action_plan(
            actions=[asdict(a) for a in self.actions], actor=acting.actor, at=acting.at
        )


@dataclass(frozen=True, kw_only=True)
class CompleteAction(CaseCommand[None]):
    noun = "action-completions"
    title = "Complete an action of the current plan"
    roles = CASE_WORKERS

    action_id: str = short_text("The action's id, e.g. plan-1.2")
    outcome: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.complete_action(
            action_id=self.action_id, outcome=self.outcome, actor=acting.actor, at=acting.at
        )


@dataclass(frozen=True, kw_only=True)
class AgreeContactArrangement(CaseCommand[None]):
    noun = "contact-arrangements"
    title = "Agree how and how often the victim hears from us"
    clauses = ("5.12", "8.1")
    roles = CASE_WORKERS

    method: ContactMethod = described("How we keep in touch (privately: 6.1)")
    frequency_days: int = described("Every how many days (1 to 90)")
    safe_venue: str | None = short_text(
        "The agreed safe venue, for meetings there", default=None, max_length=500, personal=True
    )
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.agree_contact_arrangement(
            method=self.method,
            frequency_days=self.frequency_days,
            safe_venue=self.safe_venue,
            notes=self.notes,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class RecordContact(CaseCommand[str]):
    noun = "contacts"
    title = "Log a contact, including a failed attempt"
    clauses = ("8.1",)
    roles = INTAKE
    recorded_as = "contact_id"

    method: ContactMethod = described("How (privately: 6.1)")
    direction: ContactDirection = described("Who contacted whom")
    outcome: ContactOutcome = described("Whether it was made", default=ContactOutcome.MADE)
    summary: str | None = free_text(default=None)
    subject_id: UUID | None = described(_PERSON, default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.record_contact(
            method=self.method,
            direction=self.direction,
            outcome=self.outcome,
            summary=self.summary,
            subject_id=self.subject_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class AgreeReasonableAdjustment(CaseCommand[str]):
    """Shown on every screen and export of the case from then on (7.1-7.3)."""

    noun = "reasonable-adjustments"
    title = "Agree a reasonable adjustment"
    clauses = ("7.1", "7.2", "7.3")
    roles = INTAKE
    recorded_as = "adjustment_id"

    adjustment: str = free_text("What the person needs to report and take part", max_length=2000)
    subject_id: UUID | None = described(_PERSON, default=None)
    adjustment_id: str | None = short_text(
        "The adjustment under consideration this settles, e.g. adjustment-2", default=None
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.agree_reasonable_adjustment(
            adjustment=self.adjustment,
            subject_id=self.subject_id,
            adjustment_id=self.adjustment_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ConsiderReasonableAdjustment(CaseCommand[str]):
    """When an adjustment needs more thought or expert advice (7.3): its review date becomes a
    timer, at most 28 days ahead; record it again with the same id to set a new date."""

    noun = "reasonable-adjustment-considerations"
    title = "Record an adjustment that needs more consideration, with a review date"
    clauses = ("7.3",)
    roles = INTAKE
    recorded_as = "adjustment_id"

    need: str = free_text("What the person needs", max_length=2000)
    review_on: date = described("Reviewed by this date (within 28 days)")
    advice_from: str | None = short_text(
        "An expert organisation asked for advice, if any", default=None
    )
    subject_id: UUID | None = described(_PERSON, default=None)
    adjustment_id: str | None = short_text(
        "The adjustment reviewed again, e.g. adjustment-2", default=None
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.consider_reasonable_adjustment(
            need=self.need,
            review_on=self.review_on,
            advice_from=self.advice_from,
            subject_id=self.subject_id,
            adjustment_id=self.adjustment_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReferForSupport(CaseCommand[str]):
    """The victim (8.1) or an alleged perpetrator (5.9): on the consent of the person referred
    (never someone else's), a recorded safeguarding concern or a named legal obligation. A
    referral of anyone but the victim never carries the victim's details."""

    noun = "support-referrals"
    title = "Refer a person to a support agency"
    clauses = ("5.9", "8.1", "9.4")
    roles = CASE_WORKERS
    recorded_as = "referral_id"

    agency: str = short_text("The support agency, as named in the consent")
    basis: DisclosureBasis = described(
        "The referred person's consent, a safeguarding concern or a legal obligation",
        default=DisclosureBasis.CONSENT,
    )
    consent_id: str | None = short_text(
        "On consent: the referred person's own consent to this agency, e.g. consent-2",
        default=None,
    )
    concern_id: str | None = short_text(
        "On safeguarding: the recorded concern it rests on, e.g. safeguarding-1", default=None
    )
    legal_basis: str | None = short_text(
        "On a legal obligation: the law that requires it", default=None, max_length=500
    )
    notes: str | None = free_text(default=None)
    subject_id: UUID | None = described(
        "Who is referred (default: the victim), e.g. an alleged perpetrator", default=None
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        assert case.victim_id is not None
        return case.refer_for_support(
            agency=self.agency,
            basis=self.basis,
            consent_id=self.consent_id,
            concern_id=self.concern_id,
            legal_basis=self.legal_basis,
            notes=self.notes,
            subject_id=self.subject_id,
            victim_details=acting.details_of(case.victim_id),
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ProvideSecurityMeasures(CaseCommand[None]):
    noun = "security-measures"
    title = "Provide extra security to the home"
    clauses = ("5.10",)
    roles = CASE_WORKERS

    measures: str = free_text("What was fitted or provided", max_length=2000)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.provide_security_measures(measures=self.measures, actor=acting.actor, at=acting.at)


@dataclass(frozen=True, kw_only=True)
class RequestRepair(CaseCommand[str]):
    noun = "repairs"
    title = "Order an emergency repair or graffiti removal"
    clauses = ("5.10",)
    roles = INTAKE
    recorded_as = "repair_id"

    kind: RepairKind = described("Emergency repair (24 hours) or graffiti removal (1 working day)")
    description: str = free_text("What needs doing", max_length=2000)
    contractor: str | None = short_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.request_repair(
            kind=self.kind,
            description=self.description,
            contractor=self.contractor,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class RecordDamageFound(CaseCommand[None]):
    """Damage the report did not mention, found later (e.g. on a visit): the repair it needs
    runs from when it was reported to us, so a late order shows as late (5.10)."""

    noun = "damage-found"
    title = "Record damage found after the report"
    clauses = ("5.10",)
    roles = INTAKE

    kind: RepairKind = described("The repair it needs: emergency (24 hours) or graffiti removal")
    description: str = free_text("What damage was found", max_length=2000)
    reported_at: datetime | None = described(
        "When it was reported to us (default: now)", default=None
    )

    def run(self, case: HateCase, acting: Acting) -> None:
        case.record_damage_found(
            kind=self.kind,
            description=self.description,
            reported_at=self.reported_at,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class CompleteRepair(CaseCommand[None]):
    noun = "repair-completions"
    title = "Record a repair as completed"
    roles = INTAKE

    repair_id: str = short_text("The repair's id, e.g. repair-1")
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.complete_repair(
            repair_id=self.repair_id, notes=self.notes, actor=acting.actor, at=acting.at
        )
