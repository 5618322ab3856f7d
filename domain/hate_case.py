"""The `HateCase` aggregate: one report of hate, from report to closure and after.

Commands (public methods) check the Hate Policy's rules and raise `PolicyViolation` naming
the clause; only then do they trigger an event. `when` applies events to state and never
checks a rule, so a case replays the same way whatever the rules are today.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import case_events as ev
from domain.case_status import status_after
from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware
from domain.personal import Personal, personal_or_none
from domain.policy import POLICY_VERSION
from domain.risk import RiskMatrix
from domain.sharing import lawful_bases
from domain.vocabulary import (
    CaseStatus,
    Channel,
    ClosureGround,
    ComplaintOutcome,
    ComplaintStage,
    ConsentForm,
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    DisclosureBasis,
    EvidencePackPurpose,
    Form,
    HateDefinitionDecision,
    InterventionKind,
    PerpetratorLink,
    PoliceReportBasis,
    Priority,
    Recipient,
    RecommendationAnswer,
    RepairKind,
    ReporterRole,
    RiskLevel,
    SafeguardingSubject,
    Strand,
    SubjectRole,
)

# Recorded after closure without reopening: the customer's rights outlive the case
# (complaints 11.1, case reviews 12, withdrawing consent at any time).
_ALLOWED_WHEN_CLOSED = frozenset(
    {
        ev.ComplaintReceived,
        ev.ComplaintResponded,
        ev.CaseReviewRequested,
        ev.CaseReviewThresholdDecided,
        ev.PanelRecommendationReceived,
        ev.PanelRecommendationAnswered,
        ev.ConsentWithdrawn,
        ev.CaseReopened,
        ev.EvidencePackProduced,
    }
)


@dataclass
class Consent:
    consent_id: str
    subject_id: UUID
    recipient: str
    recipient_name: str | Personal
    representative_id: UUID | None
    form: str
    in_force: bool = True


@dataclass
class Repair:
    repair_id: str
    kind: str
    requested_at: datetime
    completed_at: datetime | None = None


@dataclass
class Complaint:
    complaint_id: str
    complainant_id: UUID
    stages_received: dict[str, datetime] = field(default_factory=dict)
    stages_responded: dict[str, datetime] = field(default_factory=dict)


@dataclass
class CaseReview:
    review_id: str
    threshold_met: bool | None = None
    recommendations: dict[str, bool] = field(default_factory=dict)  # id -> answered


def case_reference(case_id: UUID, received_at: datetime) -> str:
    """A short human reference, e.g. `HC-2026-7KQ4MZ`, derived from the case id."""
    code = base64.b32encode(case_id.bytes).decode()[:6]
    return f"HC-{received_at.year}-{code}"


def _vocab(enum_cls: Any, value: Any, field_name: str) -> str:
    try:
        return str(enum_cls(value).value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidCommand(field_name, f"must be one of: {allowed}") from None


def _vocab_list(enum_cls: Any, values: Iterable[Any], field_name: str) -> list[str]:
    out = [_vocab(enum_cls, v, field_name) for v in values]
    return list(dict.fromkeys(out))


def _text(subject_id: UUID, value: str | None, field_name: str) -> Personal:
    if value is None or not str(value).strip():
        raise InvalidCommand(field_name, "is required")
    return Personal(subject_id, str(value))


def _recipient_name(name: str, representative_id: UUID | None) -> str | Personal:
    """An agency's name is not personal data; a representative's name is theirs."""
    return Personal(representative_id, name) if representative_id else name


def _same_name(name: str | Personal) -> str:
    text = name.shown() if isinstance(name, Personal) else name
    return str(text).strip().casefold()


class HateCase(Aggregate):
    """A report of hate and everything the landlord did about it."""

    def __init__(self) -> None:
        self.reference = ""
        self.status = CaseStatus.REPORTED.value
        self.received_at: datetime | None = None
        self.channel = ""
        self.reporter_role = ""
        self.victim_id: UUID | None = None
        self.description: Personal | None = None
        self.location: Personal | None = None
        self.reporter_id: UUID | None = None
        self.priority: str | None = None
        self.triaged_at: datetime | None = None
        self.officer: str | None = None
        self.team: str | None = None
        self.allocated_at: datetime | None = None
        self.strands: list[str] = []
        self.forms: list[str] = []
        self.victim_perceives_hate = True
        self.hate_definition_decision: str | None = None
        self.subjects: dict[UUID, set[str]] = {}
        self.elected_representatives: set[UUID] = set()
        self.incident_count = 0
        self.risk_level: str | None = None
        self.risk_assessed_at: datetime | None = None
        self.risk_assessment_count = 0
        self.action_plan_version = 0
        self.open_actions: dict[str, dict[str, Any]] = {}
        self.contact_method: str | None = None
        self.contact_frequency_days: int | None = None
        self.contact_count = 0
        self.last_contact_at: datetime | None = None
        self.adjustment_count = 0
        self.support_referral_count = 0
        self.repairs: dict[str, Repair] = {}
        self.consents: dict[str, Consent] = {}
        self.safeguarding_concerns: list[str] = []
        self.police_report_count = 0
        self.disclosure_count = 0
        self.multi_agency_referral_count = 0
        self.perpetrators: dict[UUID, str] = {}
        self.intervention_count = 0
        self.proposed_grounds: list[str] | None = None
        self.closure_discussed = False
        self.closed_at: datetime | None = None
        self.closure_grounds: list[str] = []
        self.reopen_count = 0
        self.complaints: dict[str, Complaint] = {}
        self.reviews: dict[str, CaseReview] = {}
        self.recommendation_reviews: dict[str, str] = {}
        self.evidence_packs: list[str] = []  # the purpose of pack n at index n - 1

    # --- reporting -----------------------------------------------------------------------

    @classmethod
    def report(
        cls,
        *,
        case_id: UUID,
        victim_id: UUID,
        reporter_id: UUID | None,
        channel: str,
        reporter_role: str,
        received_at: datetime,
        description: str,
        strands: Sequence[str],
        forms: Sequence[str],
        victim_perceives_hate: bool = True,
        incident_at: datetime | None = None,
        location: str | None = None,
        criminal_offence_alleged: bool | None = None,
        actor: str,
        at: datetime,
    ) -> HateCase:
        """Log a report from anyone on any channel (5.2, 5.3); hate as the victim defines it (5.4).

        A non-criminal incident is still recorded (4.5). Anonymous reports have no reporter.
        """
        at = aware(at, "at")
        received_at = aware(received_at, "received_at")
        incident_at = aware(incident_at, "incident_at")
        role = _vocab(ReporterRole, reporter_role, "reporter_role")
        if received_at > at:
            raise InvalidCommand("received_at", "cannot be in the future")
        if incident_at is not None and incident_at > at:
            raise InvalidCommand("incident_at", "cannot be in the future")
        if role == ReporterRole.ANONYMOUS and reporter_id is not None:
            raise InvalidCommand("reporter", "an anonymous report has no named reporter")
        if role == ReporterRole.VICTIM and reporter_id not in (None, victim_id):
            raise InvalidCommand("reporter", "the victim reporting is the victim")
        if not strands:
            raise InvalidCommand("strands", "name at least one strand of hate (policy 4.2, 4.3)")
        if not forms:
            raise InvalidCommand("forms", "name at least one form (policy 4.4)")
        return cls._create(
            ev.CaseReported,
            id=case_id,
            reference=case_reference(case_id, received_at),
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            received_at=received_at,
            channel=_vocab(Channel, channel, "channel"),
            reporter_role=role,
            victim_id=victim_id,
            reporter_id=reporter_id,
            incident_at=incident_at,
            location=personal_or_none(victim_id, location),
            description=_text(victim_id, description, "description"),
            strands=_vocab_list(Strand, strands, "strands"),
            forms=_vocab_list(Form, forms, "forms"),
            victim_perceives_hate=bool(victim_perceives_hate),
            criminal_offence_alleged=criminal_offence_alleged,
        )

    def report_further_incident(
        self,
        *,
        reporter_role: str,
        description: str,
        strands: Sequence[str],
        forms: Sequence[str],
        incident_at: datetime | None = None,
        location: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        incident_at = aware(incident_at, "incident_at")
        if incident_at is not None and incident_at > at:
            raise InvalidCommand("incident_at", "cannot be in the future")
        self._record(
            ev.FurtherIncidentReported,
            actor,
            at,
            incident_id=f"incident-{self.incident_count + 1}",
            reporter_role=_vocab(ReporterRole, reporter_role, "reporter_role"),
            incident_at=incident_at,
            location=personal_or_none(self._victim, location),
            description=_text(self._victim, description, "description"),
            strands=_vocab_list(Strand, strands, "strands"),
            forms=_vocab_list(Form, forms, "forms"),
        )

    def triage(
        self,
        *,
        priority: str = Priority.HIGHEST.value,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Customer Hub triage (5.1). Hate is treated with the highest priority at first (8.1)."""
        level = _vocab(Priority, priority, "priority")
        if self.triaged_at is not None:
            raise PolicyViolation("5.1", "the case has already been triaged")
        if level != Priority.HIGHEST:
            raise PolicyViolation(
                "5.1, 8.1", "hate is treated with the highest priority in the first instance"
            )
        self._record(
            ev.CaseTriaged, actor, at, priority=level, notes=personal_or_none(self._victim, notes)
        )

    def allocate(self, *, officer: str, team: str, actor: str, at: datetime) -> None:
        """Name the officer responsible for the case (5.1, 8.1)."""
        if not officer.strip():
            raise InvalidCommand("officer", "is required")
        if self.triaged_at is None:
            raise PolicyViolation("5.1", "a case is triaged by the Customer Hub before allocation")
        if self.officer is not None:
            raise PolicyViolation(
                "8.1", "the case already has a named officer; reassign it with a reason"
            )
        self._record(ev.OfficerAllocated, actor, at, officer=officer, team=team)

    def reassign(self, *, officer: str, team: str, reason: str, actor: str, at: datetime) -> None:
        if self.officer is None:
            raise PolicyViolation("8.1", "the case has no named officer yet; allocate it first")
        if officer == self.officer:
            raise InvalidCommand("officer", "the case is already with this officer")
        self._record(
            ev.OfficerReassigned,
            actor,
            at,
            officer=officer,
            team=team,
            reason=_text(self._victim, reason, "reason"),
        )

    def link_subject(
        self,
        *,
        subject_id: UUID,
        role: str,
        elected_representative: bool = False,
        actor: str,
        at: datetime,
    ) -> None:
        """Add a witness, representative or household member to the case by reference."""
        part = _vocab(SubjectRole, role, "role")
        if part in (SubjectRole.VICTIM, SubjectRole.PERPETRATOR):
            raise InvalidCommand("role", "victims are named at report, perpetrators identified")
        if elected_representative and part != SubjectRole.REPRESENTATIVE:
            raise InvalidCommand("elected_representative", "only a representative is elected")
        if part in self.subjects.get(subject_id, set()):
            raise InvalidCommand("subject_id", f"already linked as {part}")
        self._record(
            ev.SubjectLinked,
            actor,
            at,
            subject_id=subject_id,
            role=part,
            elected_representative=elected_representative,
        )

    def revise_classification(
        self,
        *,
        strands: Sequence[str],
        forms: Sequence[str],
        victim_agrees: bool,
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Revise strands and forms. The victim's own definition stands (5.4): a revision that
        drops every strand needs a manager's recorded dispute instead."""
        strands = _vocab_list(Strand, strands, "strands")
        forms = _vocab_list(Form, forms, "forms")
        if not strands and not self.hate_definition_decision:
            raise PolicyViolation(
                "5.4",
                "an incident is hate if the victim defines it so; record a manager's dispute",
            )
        if not forms:
            raise InvalidCommand("forms", "name at least one form (policy 4.4)")
        if self.victim_perceives_hate and not victim_agrees and not self.hate_definition_decision:
            removed = set(self.strands) - set(strands)
            if removed:
                raise PolicyViolation(
                    "5.4",
                    "strands the victim defined cannot be removed without their agreement "
                    "unless a manager records they are proven otherwise or unreasonable",
                )
        self._record(
            ev.ClassificationRevised,
            actor,
            at,
            strands=strands,
            forms=forms,
            victim_agrees=victim_agrees,
            reason=_text(self._victim, reason, "reason"),
        )

    def dispute_hate_definition(
        self, *, decision: str, reasons: str, actor: str, at: datetime
    ) -> None:
        """A manager records that the victim's definition is proven otherwise or unreasonable."""
        finding = _vocab(HateDefinitionDecision, decision, "decision")
        if self.hate_definition_decision is not None:
            raise PolicyViolation("5.4", "the definition has already been disputed")
        self._record(
            ev.HateDefinitionDisputed,
            actor,
            at,
            decision=finding,
            reasons=_text(self._victim, reasons, "reasons"),
        )

    # --- victim care ---------------------------------------------------------------------

    def assess_risk(
        self,
        *,
        matrix: RiskMatrix,
        answers: Mapping[str, int],
        level: str | None = None,
        override_reason: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> RiskLevel:
        """Score the risk assessment (5.5); an officer may override the band with a reason."""
        score = matrix.score(answers)
        computed = matrix.band(score)
        final = RiskLevel(_vocab(RiskLevel, level, "level")) if level else computed
        if final != computed and not (override_reason and override_reason.strip()):
            raise PolicyViolation(
                "5.5", f"overriding the computed {computed.value} risk level needs a reason"
            )
        if final == computed and override_reason:
            raise InvalidCommand("override_reason", "only an override of the band has a reason")
        self._record(
            ev.RiskAssessed,
            actor,
            at,
            matrix_version=matrix.version,
            answers=dict(answers),
            score=score,
            computed_level=computed.value,
            level=final.value,
            override_reason=personal_or_none(self._victim, override_reason),
            notes=personal_or_none(self._victim, notes),
        )
        return final

    def agree_action_plan(
        self, *, actions: Sequence[Mapping[str, Any]], actor: str, at: datetime
    ) -> None:
        """Agree an action plan informed by the risk assessment (5.5, 8.1)."""
        if self.risk_assessment_count == 0:
            raise PolicyViolation("5.5, 8.1", "assess risk before agreeing an action plan")
        if not actions:
            raise InvalidCommand("actions", "an action plan has at least one action")
        version = self.action_plan_version + 1
        planned = []
        for n, action in enumerate(actions, start=1):
            due_on = action.get("due_on")
            if due_on is not None and not isinstance(due_on, date):
                raise InvalidCommand(f"actions.{n}.due_on", "must be a date")
            owner = str(action.get("owner") or "").strip()
            if not owner:
                raise InvalidCommand(f"actions.{n}.owner", "is required")
            planned.append(
                {
                    "action_id": f"plan-{version}.{n}",
                    "owner": owner,
                    "due_on": due_on.isoformat() if due_on else None,
                    "description": _text(
                        self._victim, action.get("description"), f"actions.{n}.description"
                    ),
                }
            )
        self._record(ev.ActionPlanAgreed, actor, at, plan_version=version, actions=planned)

    def complete_action(
        self, *, action_id: str, outcome: str | None = None, actor: str, at: datetime
    ) -> None:
        if action_id not in self.open_actions:
            raise InvalidCommand("action_id", "no open action with this id in the current plan")
        self._record(
            ev.ActionCompleted,
            actor,
            at,
            action_id=action_id,
            outcome=personal_or_none(self._victim, outcome),
        )

    def agree_contact_arrangement(
        self,
        *,
        method: str,
        frequency_days: int,
        safe_venue: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Agree how and how often the victim hears from us (5.2, 5.12, 8.1)."""
        how = self._private_method(method)
        if how == ContactMethod.SAFE_VENUE and not safe_venue:
            raise InvalidCommand("safe_venue", "name the agreed safe venue (policy 5.2)")
        if not 1 <= frequency_days <= 90:
            raise InvalidCommand("frequency_days", "must be between 1 and 90 days")
        self._record(
            ev.ContactArrangementAgreed,
            actor,
            at,
            method=how,
            frequency_days=frequency_days,
            safe_venue=personal_or_none(self._victim, safe_venue),
            notes=personal_or_none(self._victim, notes),
        )

    def record_contact(
        self,
        *,
        method: str,
        direction: str,
        outcome: str = ContactOutcome.MADE.value,
        summary: str | None = None,
        subject_id: UUID | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Log a contact, including a failed attempt (8.1)."""
        who = subject_id or self._victim
        if who not in self.subjects:
            raise InvalidCommand("subject_id", "the person is not part of this case")
        self._record(
            ev.ContactMade,
            actor,
            at,
            contact_id=f"contact-{self.contact_count + 1}",
            subject_id=who,
            method=self._private_method(method),
            direction=_vocab(ContactDirection, direction, "direction"),
            outcome=_vocab(ContactOutcome, outcome, "outcome"),
            summary=personal_or_none(self._victim, summary),
        )

    def agree_reasonable_adjustment(
        self, *, adjustment: str, subject_id: UUID | None = None, actor: str, at: datetime
    ) -> None:
        """Policy 7: agree what the person needs to report and take part."""
        who = subject_id or self._victim
        if who not in self.subjects:
            raise InvalidCommand("subject_id", "the person is not part of this case")
        self._record(
            ev.ReasonableAdjustmentAgreed,
            actor,
            at,
            subject_id=who,
            adjustment=_text(who, adjustment, "adjustment"),
        )

    def refer_for_support(
        self,
        *,
        agency: str,
        consent_id: str | None = None,
        notes: str | None = None,
        subject_id: UUID | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Refer to a support agency (8.1); it shares the person's details, so consent (9.4)."""
        who = subject_id or self._victim
        if not agency.strip():
            raise InvalidCommand("agency", "is required")
        if DisclosureBasis.SAFEGUARDING not in lawful_bases(
            Recipient.SUPPORT_AGENCY, (), self._has_safeguarding_concern
        ):
            self._consent_in_force(
                consent_id, Recipient.SUPPORT_AGENCY, "9.4", subject=who, recipient_name=agency
            )
        self._record(
            ev.SupportReferralMade,
            actor,
            at,
            referral_id=f"support-{self.support_referral_count + 1}",
            subject_id=who,
            agency=agency,
            consent_id=consent_id,
            notes=personal_or_none(self._victim, notes),
        )

    def provide_security_measures(self, *, measures: str, actor: str, at: datetime) -> None:
        """Extra security to the home in line with the risk assessment and plan (5.10)."""
        if self.risk_assessment_count == 0:
            raise PolicyViolation(
                "5.10", "security measures follow the completed risk assessment and action plan"
            )
        self._record(
            ev.SecurityMeasuresProvided,
            actor,
            at,
            measures=_text(self._victim, measures, "measures"),
        )

    def request_repair(
        self,
        *,
        kind: str,
        description: str,
        contractor: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Order an emergency repair (24 hours) or graffiti removal (1 working day) (5.10)."""
        repair_id = f"repair-{len(self.repairs) + 1}"
        self._record(
            ev.RepairRequested,
            actor,
            at,
            repair_id=repair_id,
            kind=_vocab(RepairKind, kind, "kind"),
            description=_text(self._victim, description, "description"),
            contractor=contractor,
        )
        return repair_id

    def complete_repair(
        self, *, repair_id: str, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        repair = self.repairs.get(repair_id)
        if repair is None:
            raise InvalidCommand("repair_id", "no such repair on this case")
        if repair.completed_at is not None:
            raise InvalidCommand("repair_id", "the repair is already completed")
        self._record(
            ev.RepairCompleted,
            actor,
            at,
            repair_id=repair_id,
            notes=personal_or_none(self._victim, notes),
        )

    # --- consent and sharing -------------------------------------------------------------

    def grant_consent(
        self,
        *,
        recipient: str,
        recipient_name: str,
        form: str,
        representative_id: UUID | None = None,
        evidence_reference: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Record the victim's consent to share with a named recipient (6.2, 9.2-9.4)."""
        to = _vocab(Recipient, recipient, "recipient")
        how = _vocab(ConsentForm, form, "form")
        if not recipient_name.strip():
            raise InvalidCommand("recipient_name", "name who the consent is for")
        if to == Recipient.REPRESENTATIVE:
            if representative_id is None:
                raise InvalidCommand("representative_id", "name the representative")
            if SubjectRole.REPRESENTATIVE.value not in self.subjects.get(representative_id, set()):
                raise InvalidCommand("representative_id", "is not a representative on this case")
            if how != ConsentForm.WRITTEN:
                raise PolicyViolation(
                    "6.2", "talking to a representative needs the victim's written consent"
                )
        elif representative_id is not None:
            raise InvalidCommand("representative_id", "only for consent to a representative")
        consent_id = f"consent-{len(self.consents) + 1}"
        self._record(
            ev.ConsentGranted,
            actor,
            at,
            consent_id=consent_id,
            subject_id=self._victim,
            recipient=to,
            recipient_name=_recipient_name(recipient_name, representative_id),
            representative_id=representative_id,
            form=how,
            evidence_reference=personal_or_none(self._victim, evidence_reference),
        )
        return consent_id

    def withdraw_consent(
        self, *, consent_id: str, reason: str | None = None, actor: str, at: datetime
    ) -> None:
        consent = self.consents.get(consent_id)
        if consent is None or not consent.in_force:
            raise InvalidCommand("consent_id", "no consent in force with this id")
        self._record(
            ev.ConsentWithdrawn,
            actor,
            at,
            consent_id=consent_id,
            reason=personal_or_none(self._victim, reason),
        )

    def raise_safeguarding_concern(
        self, *, about: str, referred_to: Sequence[str], details: str, actor: str, at: datetime
    ) -> None:
        """A concern that an adult or child is at risk: referred to police and/or LA (8.2)."""
        targets = _vocab_list(Recipient, referred_to, "referred_to")
        allowed = {Recipient.POLICE.value, Recipient.LOCAL_AUTHORITY.value}
        if not targets or not set(targets) <= allowed:
            raise PolicyViolation(
                "8.2", "a safeguarding concern is reported to the police and/or local authority"
            )
        self._record(
            ev.SafeguardingConcernRaised,
            actor,
            at,
            concern_id=f"safeguarding-{len(self.safeguarding_concerns) + 1}",
            about=_vocab(SafeguardingSubject, about, "about"),
            referred_to=targets,
            details=_text(self._victim, details, "details"),
        )

    def report_to_police(
        self,
        *,
        basis: str,
        consent_id: str | None = None,
        legal_basis: str | None = None,
        police_reference: str | None = None,
        details: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Third-party reporting (9.2): with consent, on a legal obligation, or anonymously."""
        how = _vocab(PoliceReportBasis, basis, "basis")
        if how == PoliceReportBasis.CONSENT:
            self._consent_in_force(consent_id, Recipient.POLICE, "9.2")
        elif consent_id is not None:
            raise InvalidCommand("consent_id", "only for a report made with consent")
        if how == PoliceReportBasis.LEGAL_OBLIGATION and not (legal_basis or "").strip():
            raise PolicyViolation("9.2", "name the legal obligation to report without consent")
        identified = how != PoliceReportBasis.ANONYMOUS_INTELLIGENCE
        if not identified and details:
            raise PolicyViolation(
                "9.2",
                "anonymous intelligence carries no victim details; report the incident "
                "through the anonymous route without free text about the victim",
            )
        self._record(
            ev.PoliceReportMade,
            actor,
            at,
            police_report_id=f"police-{self.police_report_count + 1}",
            basis=how,
            consent_id=consent_id,
            legal_basis=legal_basis,
            police_reference=police_reference,
            victim_identified=identified,
            details=personal_or_none(self._victim, details),
        )

    def refer_to_multi_agency_panel(
        self,
        *,
        panel: str,
        reason: str,
        consent_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Multi-agency referral needs the victim's agreement (9.3)."""
        if not panel.strip():
            raise InvalidCommand("panel", "is required")
        self._consent_in_force(consent_id, Recipient.MULTI_AGENCY_PANEL, "9.3")
        assert consent_id is not None
        self._record(
            ev.MultiAgencyReferralMade,
            actor,
            at,
            referral_id=f"panel-{self.multi_agency_referral_count + 1}",
            panel=panel,
            consent_id=consent_id,
            reason=_text(self._victim, reason, "reason"),
        )

    def disclose(
        self,
        *,
        recipient: str,
        recipient_name: str,
        basis: str,
        what: str,
        consent_id: str | None = None,
        legal_basis: str | None = None,
        representative_id: UUID | None = None,
        subjects: Sequence[UUID] = (),
        actor: str,
        at: datetime,
    ) -> None:
        """Share information only as consent, safeguarding or the law allows (6.2, 6.3, 9.4)."""
        to = _vocab(Recipient, recipient, "recipient")
        on = _vocab(DisclosureBasis, basis, "basis")
        for subject_id in subjects:
            if subject_id not in self.subjects:
                raise InvalidCommand("subjects", "a person named is not part of this case")
        if to == Recipient.REPRESENTATIVE:
            self._check_representative_disclosure(representative_id, consent_id, on)
        elif representative_id is not None:
            raise InvalidCommand("representative_id", "only for a disclosure to a representative")
        if on == DisclosureBasis.CONSENT and not (
            to == Recipient.REPRESENTATIVE and representative_id in self.elected_representatives
        ):
            consent = self._consent_in_force(
                consent_id, Recipient(to), "9.4", recipient_name=recipient_name
            )
            if to == Recipient.REPRESENTATIVE and consent.representative_id != representative_id:
                raise PolicyViolation("6.2", "the consent is for another representative")
        elif on == DisclosureBasis.SAFEGUARDING and on not in lawful_bases(
            to, (), self._has_safeguarding_concern
        ):
            raise PolicyViolation(
                "9.4", "no safeguarding concern is recorded: disclose only with prior consent"
            )
        elif on == DisclosureBasis.LEGAL_OBLIGATION and not (legal_basis or "").strip():
            raise PolicyViolation("9.4", "name the law that requires the disclosure")
        self._record(
            ev.InformationDisclosed,
            actor,
            at,
            disclosure_id=f"disclosure-{self.disclosure_count + 1}",
            recipient=to,
            recipient_name=_recipient_name(recipient_name, representative_id),
            representative_id=representative_id,
            basis=on,
            consent_id=consent_id,
            legal_basis=legal_basis,
            subjects=list(subjects) or [self._victim],
            what=_text(self._victim, what, "what"),
        )

    # --- perpetrators --------------------------------------------------------------------

    def identify_perpetrator(
        self, *, subject_id: UUID, link: str, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        how = _vocab(PerpetratorLink, link, "link")
        if subject_id == self.victim_id:
            raise InvalidCommand("subject_id", "the victim cannot be the alleged perpetrator")
        if subject_id in self.perpetrators:
            raise InvalidCommand("subject_id", "already identified on this case")
        self._record(
            ev.PerpetratorIdentified,
            actor,
            at,
            subject_id=subject_id,
            link=how,
            notes=personal_or_none(self._victim, notes),
        )

    def take_intervention(
        self,
        *,
        subject_id: UUID,
        kind: str,
        legal_power: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Early intervention or enforcement against an alleged perpetrator (5.6-5.9)."""
        what = InterventionKind(_vocab(InterventionKind, kind, "kind"))
        link = self.perpetrators.get(subject_id)
        if link is None:
            raise InvalidCommand("subject_id", "identify the alleged perpetrator first")
        if link == PerpetratorLink.STAFF:
            raise PolicyViolation(
                "5.11", "hate by our staff goes through the disciplinary procedure"
            )
        if what.is_tenancy_enforcement:
            if link not in (PerpetratorLink.TENANT, PerpetratorLink.HOUSEHOLD_MEMBER):
                raise PolicyViolation(
                    "5.7", "tenancy enforcement applies only to a tenant or household member"
                )
            if not (legal_power or "").strip():
                raise PolicyViolation("5.6", "name the legal power used for enforcement")
        self._record(
            ev.InterventionTaken,
            actor,
            at,
            intervention_id=f"intervention-{self.intervention_count + 1}",
            subject_id=subject_id,
            kind=what.value,
            legal_power=legal_power,
            notes=personal_or_none(self._victim, notes),
        )

    def refer_staff_matter(
        self, *, subject_id: UUID, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        """Hate by an employee goes to internal disciplinary procedures (5.11)."""
        if self.perpetrators.get(subject_id) != PerpetratorLink.STAFF:
            raise PolicyViolation("5.11", "only a staff perpetrator is referred to discipline")
        self._record(
            ev.StaffMatterReferred,
            actor,
            at,
            subject_id=subject_id,
            notes=personal_or_none(self._victim, notes),
        )

    # --- closing -------------------------------------------------------------------------

    def propose_closure(
        self, *, grounds: Sequence[str], reasons: str, actor: str, at: datetime
    ) -> None:
        """Propose closing when risks are sufficiently mitigated (10.1)."""
        chosen = self._closure_grounds(grounds)
        if self.risk_assessment_count == 0:
            raise PolicyViolation("5.5, 10.1", "assess risk before proposing closure")
        if self.risk_level == RiskLevel.HIGH and ClosureGround.OTHER_AGENCY_DEALING not in chosen:
            raise PolicyViolation(
                "10.1",
                "the latest risk level is high: risks are not yet sufficiently mitigated",
            )
        self._record(
            ev.ClosureProposed,
            actor,
            at,
            grounds=chosen,
            reasons=_text(self._victim, reasons, "reasons"),
        )

    def discuss_closure(
        self, *, method: str, victim_agrees: bool, victim_view: str, actor: str, at: datetime
    ) -> None:
        """Discuss the proposed closure with the victim (10.1)."""
        if self.proposed_grounds is None:
            raise PolicyViolation("10.1", "propose closure before discussing it with the victim")
        self._record(
            ev.ClosureDiscussedWithVictim,
            actor,
            at,
            method=self._private_method(method),
            victim_agrees=victim_agrees,
            victim_view=_text(self._victim, victim_view, "victim_view"),
        )

    def close_case(
        self,
        *,
        grounds: Sequence[str],
        reasons: str,
        victim_view: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Close for at least one 10.1 ground, with reasons, after discussing it with the victim."""
        chosen = self._closure_grounds(grounds)
        if self.proposed_grounds is None or not self.closure_discussed:
            raise PolicyViolation(
                "10.1", "a case is closed only after the closure was discussed with the victim"
            )
        self._check_risk_mitigated(chosen)
        self._record(
            ev.CaseClosed,
            actor,
            at,
            grounds=chosen,
            reasons=_text(self._victim, reasons, "reasons"),
            victim_view=personal_or_none(self._victim, victim_view),
        )

    def reopen(self, *, reason: str, actor: str, at: datetime) -> None:
        if self.status != CaseStatus.CLOSED:
            raise PolicyViolation("10.1", "only a closed case can be reopened")
        self._record(ev.CaseReopened, actor, at, reason=_text(self._victim, reason, "reason"))

    # --- after the case ------------------------------------------------------------------

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
        level = _vocab(ComplaintStage, stage, "stage")
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
            summary=_text(self._victim, summary, "summary"),
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
            outcome=_vocab(ComplaintOutcome, outcome, "outcome"),
            response=_text(self._victim, response, "response"),
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
            reasons=_text(self._victim, reasons, "reasons"),
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
            recommendation=_text(self._victim, recommendation, "recommendation"),
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
        choice = _vocab(RecommendationAnswer, answer, "answer")
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
            reasons=_text(self._victim, reasons, "reasons"),
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
        chosen = _vocab(EvidencePackPurpose, purpose, "purpose")
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

    # --- rule helpers --------------------------------------------------------------------

    @property
    def _victim(self) -> UUID:
        assert self.victim_id is not None
        return self.victim_id

    @property
    def _has_safeguarding_concern(self) -> bool:
        return bool(self.safeguarding_concerns)

    def consents_in_force(self) -> list[Consent]:
        return [c for c in self.consents.values() if c.in_force]

    def _record(
        self, event_class: type[ev.CaseEvent], actor: str, at: datetime, **data: Any
    ) -> None:
        aware(at, "at")
        if self.status == CaseStatus.CLOSED and event_class not in _ALLOWED_WHEN_CLOSED:
            raise PolicyViolation("10.1", "a closed case takes no new actions until reopened")
        self.trigger_event(
            event_class, actor=actor, occurred_at=at, policy_version=POLICY_VERSION, **data
        )

    def _private_method(self, method: str) -> str:
        how = _vocab(ContactMethod, method, "method")
        if how == ContactMethod.SOCIAL_MEDIA_PUBLIC_REPLY:
            raise PolicyViolation(
                "6.1", "reports through social media are answered by private message only"
            )
        return how

    def _consent_in_force(
        self,
        consent_id: str | None,
        recipient: Recipient,
        clause: str,
        subject: UUID | None = None,
        recipient_name: str | None = None,
    ) -> Consent:
        """The consent in force for this recipient; a support agency must be the one named."""
        consent = self.consents.get(consent_id or "")
        if consent is None or not consent.in_force or consent.recipient != recipient:
            raise PolicyViolation(
                clause,
                f"no consent in force from the victim to share with the {recipient.value}"
                + ("" if clause == "9.3" else " and no safeguarding concern is recorded"),
            )
        if subject is not None and consent.subject_id != subject:
            raise PolicyViolation(clause, "the consent was given by someone else")
        if (
            recipient == Recipient.SUPPORT_AGENCY
            and recipient_name is not None
            and _same_name(consent.recipient_name) != _same_name(recipient_name)
        ):
            raise PolicyViolation(clause, "the consent is for another support agency")
        return consent

    def _check_representative_disclosure(
        self, representative_id: UUID | None, consent_id: str | None, basis: str
    ) -> None:
        if representative_id is None:
            raise InvalidCommand("representative_id", "name the representative")
        if SubjectRole.REPRESENTATIVE.value not in self.subjects.get(representative_id, set()):
            raise InvalidCommand("representative_id", "is not a representative on this case")
        if representative_id in self.elected_representatives:
            return  # councillors and MPs need no written consent (6.3)
        if basis != DisclosureBasis.CONSENT:
            raise PolicyViolation("6.2", "a representative is told only with written consent")
        consent = self._consent_in_force(consent_id, Recipient.REPRESENTATIVE, "6.2")
        if consent.form != ConsentForm.WRITTEN:
            raise PolicyViolation("6.2", "the representative needs the victim's written consent")

    def _check_risk_mitigated(self, grounds: list[str]) -> None:
        """Close only when risks are sufficiently mitigated, or another agency leads (10.1)."""
        if self.risk_level == RiskLevel.HIGH and ClosureGround.OTHER_AGENCY_DEALING not in grounds:
            raise PolicyViolation(
                "10.1", "the latest risk level is high: risks are not yet sufficiently mitigated"
            )

    def _closure_grounds(self, grounds: Sequence[str]) -> list[str]:
        chosen = _vocab_list(ClosureGround, grounds, "grounds")
        if not chosen:
            raise PolicyViolation("10.1", "name at least one of the policy 10.1 grounds")
        return chosen

    def _review(self, review_id: str) -> CaseReview:
        review = self.reviews.get(review_id)
        if review is None:
            raise InvalidCommand("review_id", "no such case review on this case")
        return review

    # --- applying events (state only, never rules) ---------------------------------------

    def when(self, event: Any) -> None:
        self.status = status_after(self.status, event, self.officer is not None)
        self._apply(event)

    @singledispatchmethod
    def _apply(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @_apply.register
    def _(self, e: ev.CaseReported) -> None:
        self.reference = e.reference
        self.received_at = e.received_at
        self.channel = e.channel
        self.reporter_role = e.reporter_role
        self.victim_id = e.victim_id
        self.reporter_id = e.reporter_id
        self.description = e.description
        self.location = e.location
        self.strands = list(e.strands)
        self.forms = list(e.forms)
        self.victim_perceives_hate = e.victim_perceives_hate
        self.subjects[e.victim_id] = {SubjectRole.VICTIM.value}
        if e.reporter_id is not None:
            self.subjects.setdefault(e.reporter_id, set()).add(SubjectRole.REPORTER.value)
            if ReporterRole(e.reporter_role).is_elected_representative:
                self.subjects[e.reporter_id].add(SubjectRole.REPRESENTATIVE.value)
                self.elected_representatives.add(e.reporter_id)

    @_apply.register
    def _(self, e: ev.FurtherIncidentReported) -> None:
        self.incident_count += 1
        self.strands = list(dict.fromkeys([*self.strands, *e.strands]))
        self.forms = list(dict.fromkeys([*self.forms, *e.forms]))

    @_apply.register
    def _(self, e: ev.CaseTriaged) -> None:
        self.priority = e.priority
        self.triaged_at = e.occurred_at

    @_apply.register
    def _(self, e: ev.OfficerAllocated) -> None:
        self.officer = e.officer
        self.team = e.team
        self.allocated_at = e.occurred_at

    @_apply.register
    def _(self, e: ev.OfficerReassigned) -> None:
        self.officer = e.officer
        self.team = e.team

    @_apply.register
    def _(self, e: ev.SubjectLinked) -> None:
        self.subjects.setdefault(e.subject_id, set()).add(e.role)
        if e.elected_representative:
            self.elected_representatives.add(e.subject_id)

    @_apply.register
    def _(self, e: ev.ClassificationRevised) -> None:
        self.strands = list(e.strands)
        self.forms = list(e.forms)

    @_apply.register
    def _(self, e: ev.HateDefinitionDisputed) -> None:
        self.hate_definition_decision = e.decision

    @_apply.register
    def _(self, e: ev.RiskAssessed) -> None:
        self.risk_level = e.level
        self.risk_assessed_at = e.occurred_at
        self.risk_assessment_count += 1

    @_apply.register
    def _(self, e: ev.ActionPlanAgreed) -> None:
        self.action_plan_version = e.plan_version
        self.open_actions = {a["action_id"]: dict(a) for a in e.actions}

    @_apply.register
    def _(self, e: ev.ActionCompleted) -> None:
        self.open_actions.pop(e.action_id, None)

    @_apply.register
    def _(self, e: ev.ContactArrangementAgreed) -> None:
        self.contact_method = e.method
        self.contact_frequency_days = e.frequency_days

    @_apply.register
    def _(self, e: ev.ContactMade) -> None:
        self.contact_count += 1
        if e.outcome == ContactOutcome.MADE:
            self.last_contact_at = e.occurred_at

    @_apply.register
    def _(self, e: ev.ReasonableAdjustmentAgreed) -> None:
        self.adjustment_count += 1

    @_apply.register
    def _(self, e: ev.SupportReferralMade) -> None:
        self.support_referral_count += 1

    @_apply.register
    def _(self, e: ev.SecurityMeasuresProvided) -> None:
        pass

    @_apply.register
    def _(self, e: ev.RepairRequested) -> None:
        self.repairs[e.repair_id] = Repair(e.repair_id, e.kind, e.occurred_at)

    @_apply.register
    def _(self, e: ev.RepairCompleted) -> None:
        self.repairs[e.repair_id].completed_at = e.occurred_at

    @_apply.register
    def _(self, e: ev.ConsentGranted) -> None:
        self.consents[e.consent_id] = Consent(
            e.consent_id, e.subject_id, e.recipient, e.recipient_name, e.representative_id, e.form
        )

    @_apply.register
    def _(self, e: ev.ConsentWithdrawn) -> None:
        self.consents[e.consent_id].in_force = False

    @_apply.register
    def _(self, e: ev.SafeguardingConcernRaised) -> None:
        self.safeguarding_concerns.append(e.concern_id)

    @_apply.register
    def _(self, e: ev.PoliceReportMade) -> None:
        self.police_report_count += 1

    @_apply.register
    def _(self, e: ev.MultiAgencyReferralMade) -> None:
        self.multi_agency_referral_count += 1

    @_apply.register
    def _(self, e: ev.InformationDisclosed) -> None:
        self.disclosure_count += 1

    @_apply.register
    def _(self, e: ev.PerpetratorIdentified) -> None:
        self.perpetrators[e.subject_id] = e.link
        self.subjects.setdefault(e.subject_id, set()).add(SubjectRole.PERPETRATOR.value)

    @_apply.register
    def _(self, e: ev.InterventionTaken) -> None:
        self.intervention_count += 1

    @_apply.register
    def _(self, e: ev.StaffMatterReferred) -> None:
        pass

    @_apply.register
    def _(self, e: ev.ClosureProposed) -> None:
        self.proposed_grounds = list(e.grounds)
        self.closure_discussed = False

    @_apply.register
    def _(self, e: ev.ClosureDiscussedWithVictim) -> None:
        self.closure_discussed = True

    @_apply.register
    def _(self, e: ev.CaseClosed) -> None:
        self.closed_at = e.occurred_at
        self.closure_grounds = list(e.grounds)

    @_apply.register
    def _(self, e: ev.CaseReopened) -> None:
        self.closed_at = None
        self.proposed_grounds = None
        self.closure_discussed = False
        self.reopen_count += 1

    @_apply.register
    def _(self, e: ev.ComplaintReceived) -> None:
        complaint = self.complaints.setdefault(
            e.complaint_id, Complaint(e.complaint_id, e.complainant_id)
        )
        complaint.stages_received[e.stage] = e.occurred_at

    @_apply.register
    def _(self, e: ev.ComplaintResponded) -> None:
        self.complaints[e.complaint_id].stages_responded[e.stage] = e.occurred_at

    @_apply.register
    def _(self, e: ev.CaseReviewRequested) -> None:
        self.reviews[e.review_id] = CaseReview(e.review_id)

    @_apply.register
    def _(self, e: ev.CaseReviewThresholdDecided) -> None:
        self.reviews[e.review_id].threshold_met = e.threshold_met

    @_apply.register
    def _(self, e: ev.PanelRecommendationReceived) -> None:
        self.reviews[e.review_id].recommendations[e.recommendation_id] = False
        self.recommendation_reviews[e.recommendation_id] = e.review_id

    @_apply.register
    def _(self, e: ev.PanelRecommendationAnswered) -> None:
        review_id = self.recommendation_reviews[e.recommendation_id]
        self.reviews[review_id].recommendations[e.recommendation_id] = True

    @_apply.register
    def _(self, e: ev.EvidencePackProduced) -> None:
        self.evidence_packs.append(e.purpose)
