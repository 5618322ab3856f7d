"""The state of a `HateCase` and how each event changes it; the helpers its rules share.

`when` applies events to state and never checks a rule, so a case replays the same way
whatever the rules are today. The commands live in one module per part of the policy
(`case_reporting`, `case_care`, `case_sharing`, `case_perpetrators`, `case_closing`,
`case_after`) and are put together in `domain.hate_case`.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import case_events as ev
from domain.case_status import status_after
from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware
from domain.lawful_bases import SAFEGUARDING_RECIPIENTS, sharing_clause
from domain.personal import Personal
from domain.policy import POLICY_VERSION
from domain.vocabulary import (
    CaseStatus,
    ClosureGround,
    ConsentForm,
    ContactMethod,
    ContactOutcome,
    DisclosureBasis,
    Recipient,
    ReporterRole,
    RiskLevel,
    SubjectRole,
    term,
    terms,
)

# A contact attempt that did not reach the person (a refusal reached them: they said no).
UNANSWERED = frozenset({ContactOutcome.NO_ANSWER.value, ContactOutcome.LEFT_MESSAGE.value})

# Recorded after closure without reopening: the customer's rights outlive the case
# (complaints 11.1, case reviews 12, withdrawing consent at any time).
_ALLOWED_WHEN_CLOSED = frozenset(
    {
        ev.ComplaintReceived,
        ev.ComplaintResponded,
        ev.ComplaintAcknowledged,
        ev.ComplaintResponseExtended,
        ev.ComplaintReferredToOmbudsman,
        ev.CaseReviewRequested,
        ev.CaseReviewThresholdDecided,
        ev.PanelRecommendationReceived,
        ev.PanelRecommendationAnswered,
        ev.ConsentWithdrawn,
        ev.CaseReopened,
        ev.VictimToldOfCaseReviewRight,
        ev.EvidencePackProduced,
        ev.EvidenceFileWithdrawn,
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
class Adjustment:
    """A reasonable adjustment for a person on the case (7.1-7.3): `agreed`, or
    `under_consideration` until `review_on` (an ISO date)."""

    adjustment_id: str
    subject_id: UUID
    adjustment: Personal
    status: str
    since: datetime
    review_on: str | None = None


AGREED, UNDER_CONSIDERATION = "agreed", "under_consideration"


@dataclass
class Complaint:
    complaint_id: str
    complainant_id: UUID
    stages_received: dict[str, datetime] = field(default_factory=dict)
    stages_responded: dict[str, datetime] = field(default_factory=dict)
    stages_acknowledged: dict[str, datetime] = field(default_factory=dict)
    extensions: dict[str, int] = field(default_factory=dict)  # stage -> working days, in all
    extension_count: dict[str, int] = field(default_factory=dict)  # stage -> extensions
    referred_to_ombudsman_at: datetime | None = None

    def open_stage(self) -> str | None:
        """The stage received and not yet answered, if any."""
        waiting = set(self.stages_received) - set(self.stages_responded)
        return max(waiting) if waiting else None


@dataclass
class CaseReview:
    review_id: str
    threshold_met: bool | None = None
    recommendations: dict[str, bool] = field(default_factory=dict)  # id -> answered


@dataclass
class EvidenceFile:
    """A file on the case, as its events left it."""

    file_id: str
    kind: str
    about: UUID | None
    key_owner: UUID
    media_type: str
    size: int
    sha256: str
    blob: str
    taken_at: datetime | None
    description: Personal | None
    data_key: Personal
    metadata_free: dict[str, Any] | None
    attached_at: datetime
    attached_by: str
    withdrawn_at: datetime | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def key(self) -> bytes | None:
        """The file's key, or None once its owner's key is destroyed (erasure)."""
        if self.data_key.erased:
            return None
        return base64.b64decode(self.data_key.shown())


def case_reference(case_id: UUID, received_at: datetime) -> str:
    """A short human reference, e.g. `HC-2026-7KQ4MZ`, derived from the case id."""
    code = base64.b32encode(case_id.bytes).decode()[:6]
    return f"HC-{received_at.year}-{code}"


def required_text(subject_id: UUID, value: str | None, field_name: str) -> Personal:
    if value is None or not str(value).strip():
        raise InvalidCommand(field_name, "is required")
    return Personal(subject_id, str(value))


def recipient_name_of(name: str, representative_id: UUID | None) -> str | Personal:
    """An agency's name is not personal data; a representative's name is theirs."""
    return Personal(representative_id, name) if representative_id else name


def same_name(name: str | Personal) -> str:
    text = name.shown() if isinstance(name, Personal) else name
    return str(text).strip().casefold()


class CaseState(Aggregate):
    """What the ledger knows about a case now, and the rule helpers the commands share."""

    def __init__(self) -> None:
        self.reference = ""
        self.status = CaseStatus.REPORTED.value
        self.received_at: datetime | None = None
        self.updated_at: datetime | None = None
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
        self.adjustments: dict[str, Adjustment] = {}
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
        # Failed attempts to reach the victim since they were last reached: id, method, when.
        self.unanswered_attempts: list[tuple[str, str, datetime]] = []
        self.victim_unreachable_attempts: list[str] | None = None  # the closure's finding
        self.closed_at: datetime | None = None
        self.closure_grounds: list[str] = []
        self.reopen_count = 0
        self.case_review_right_told_at: datetime | None = None
        self.case_review_right_owed = False  # dissatisfied since last told (12.1)
        self.complaints: dict[str, Complaint] = {}
        self.reviews: dict[str, CaseReview] = {}
        self.recommendation_reviews: dict[str, str] = {}
        self.evidence_packs: list[str] = []  # the purpose of pack n at index n - 1
        self.files: dict[str, EvidenceFile] = {}

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
        how = term(ContactMethod, method, "method")
        if how == ContactMethod.SOCIAL_MEDIA_PUBLIC_REPLY:
            raise PolicyViolation(
                "6.1", "reports through social media are answered by private message only"
            )
        return how

    def _sharing_clause(self, recipient: Recipient, whose: UUID) -> str:
        """The clause a refusal names: the recipient's (`domain.lawful_bases.sharing_clause`),
        or 5.9 when the information is another person's than the victim's."""
        return sharing_clause(recipient) if whose == self._victim else "5.9"

    def _consent_in_force(
        self,
        consent_id: str | None,
        recipient: Recipient,
        subject: UUID | None = None,
        recipient_name: str | None = None,
    ) -> Consent:
        """The consent in force for this recipient, given by the person whose information is
        shared (`subject`, by default the victim: 5.9, 9.4); a support agency must be the one
        named."""
        whose = subject or self._victim
        clause = self._sharing_clause(recipient, whose)
        consent = self.consents.get(consent_id or "")
        if consent is None or not consent.in_force or consent.recipient != recipient:
            giver = "the victim" if whose == self.victim_id else "the person referred"
            raise PolicyViolation(
                clause, f"no consent in force from {giver} to share with the {recipient.value}"
            )
        if consent.subject_id != whose:
            raise PolicyViolation(
                clause,
                "the consent was given by someone else: only the person whose information is "
                "shared can consent to it",
            )
        if (
            recipient == Recipient.SUPPORT_AGENCY
            and recipient_name is not None
            and same_name(consent.recipient_name) != same_name(recipient_name)
        ):
            raise PolicyViolation(clause, "the consent is for another support agency")
        return consent

    def _check_sharing_basis(
        self,
        recipient: Recipient,
        basis: str,
        *,
        consent_id: str | None,
        concern_id: str | None,
        legal_basis: str | None,
        subject: UUID | None = None,
        recipient_name: str | None = None,
    ) -> None:
        """The basis of sharing with an agency (9.4; `domain.lawful_bases`): consent in force from
        the person whose information it is, a recorded safeguarding concern named by its id,
        or a named legal obligation. Each id belongs to its own basis only. A refusal names the
        recipient's clause, whichever command asked (`_sharing_clause`)."""
        clause = self._sharing_clause(recipient, subject or self._victim)
        if basis != DisclosureBasis.CONSENT and consent_id is not None:
            raise InvalidCommand("consent_id", "only for sharing on consent")
        if basis != DisclosureBasis.SAFEGUARDING and concern_id is not None:
            raise InvalidCommand("concern_id", "only for sharing on a safeguarding concern")
        if basis != DisclosureBasis.LEGAL_OBLIGATION and legal_basis is not None:
            raise InvalidCommand("legal_basis", "only for sharing on a legal obligation")
        if basis == DisclosureBasis.CONSENT:
            self._consent_in_force(consent_id, recipient, subject, recipient_name)
        elif basis == DisclosureBasis.SAFEGUARDING:
            if recipient not in SAFEGUARDING_RECIPIENTS:
                raise PolicyViolation(
                    clause, "a safeguarding concern allows telling an agency, not a representative"
                )
            if not self.safeguarding_concerns:
                raise PolicyViolation(
                    clause,
                    "without consent, only a recorded safeguarding concern allows sharing: "
                    "none is recorded",
                )
            if concern_id not in self.safeguarding_concerns:
                raise InvalidCommand(
                    "concern_id", "name the safeguarding concern this rests on, e.g. safeguarding-1"
                )
        elif not (legal_basis or "").strip():
            raise PolicyViolation(clause, "name the law that requires the sharing")

    def _check_representative_disclosure(
        self, representative_id: UUID | None, consent_id: str | None, basis: str
    ) -> None:
        """A representative is told only with the victim's written consent naming them (6.2);
        a councillor or MP needs none (6.3). A safeguarding concern does not change this."""
        if representative_id is None:
            raise InvalidCommand("representative_id", "name the representative")
        if SubjectRole.REPRESENTATIVE.value not in self.subjects.get(representative_id, set()):
            raise InvalidCommand("representative_id", "is not a representative on this case")
        if representative_id in self.elected_representatives:
            return  # councillors and MPs need no written consent (6.3)
        if basis != DisclosureBasis.CONSENT:
            raise PolicyViolation("6.2", "a representative is told only with written consent")
        consent = self._consent_in_force(consent_id, Recipient.REPRESENTATIVE)
        if consent.form != ConsentForm.WRITTEN:
            raise PolicyViolation("6.2", "the representative needs the victim's written consent")
        if consent.representative_id != representative_id:
            raise PolicyViolation("6.2", "the consent is for another representative")

    def _check_risk_mitigated(self, grounds: list[str]) -> None:
        """Close only when risks are sufficiently mitigated, or another agency leads (10.1)."""
        if self.risk_level == RiskLevel.HIGH and ClosureGround.OTHER_AGENCY_DEALING not in grounds:
            raise PolicyViolation(
                "10.1", "the latest risk level is high: risks are not yet sufficiently mitigated"
            )

    def _closure_grounds(self, grounds: Sequence[str]) -> list[str]:
        chosen = terms(ClosureGround, grounds, "grounds")
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
        self.updated_at = event.occurred_at
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
        if e.subject_id != self.victim_id:
            return
        if e.outcome in UNANSWERED:
            self.unanswered_attempts.append((e.contact_id, e.method, e.occurred_at))
        else:  # the victim was reached: nothing found so far about reaching them stands
            self.unanswered_attempts = []
            self.victim_unreachable_attempts = None

    @_apply.register
    def _(self, e: ev.ReasonableAdjustmentAgreed) -> None:
        adjustment_id = e.adjustment_id or f"adjustment-{len(self.adjustments) + 1}"
        self.adjustments[adjustment_id] = Adjustment(
            adjustment_id, e.subject_id, e.adjustment, AGREED, e.occurred_at
        )

    @_apply.register
    def _(self, e: ev.ReasonableAdjustmentUnderConsideration) -> None:
        self.adjustments[e.adjustment_id] = Adjustment(
            e.adjustment_id, e.subject_id, e.need, UNDER_CONSIDERATION, e.occurred_at, e.review_on
        )

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
    def _(self, e: ev.DamageFound) -> None:
        pass  # the repair clock it starts is `domain.case_timers`'

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
        self.victim_unreachable_attempts = None

    @_apply.register
    def _(self, e: ev.ClosureDiscussedWithVictim) -> None:
        self.closure_discussed = True
        if not e.victim_agrees:
            self.case_review_right_owed = True

    @_apply.register
    def _(self, e: ev.VictimCouldNotBeReached) -> None:
        self.victim_unreachable_attempts = list(e.attempts)

    @_apply.register
    def _(self, e: ev.CaseClosed) -> None:
        self.closed_at = e.occurred_at
        self.closure_grounds = list(e.grounds)

    @_apply.register
    def _(self, e: ev.CaseReopened) -> None:
        self.closed_at = None
        self.proposed_grounds = None
        self.closure_discussed = False
        self.victim_unreachable_attempts = None
        self.case_review_right_told_at = None  # told again before it closes again (12.1)
        self.reopen_count += 1

    @_apply.register
    def _(self, e: ev.ComplaintReceived) -> None:
        complaint = self.complaints.setdefault(
            e.complaint_id, Complaint(e.complaint_id, e.complainant_id)
        )
        complaint.stages_received[e.stage] = e.occurred_at
        if e.complainant_id == self.victim_id:
            self.case_review_right_owed = True

    @_apply.register
    def _(self, e: ev.ComplaintResponded) -> None:
        self.complaints[e.complaint_id].stages_responded[e.stage] = e.occurred_at

    @_apply.register
    def _(self, e: ev.ComplaintAcknowledged) -> None:
        self.complaints[e.complaint_id].stages_acknowledged[e.stage] = e.occurred_at

    @_apply.register
    def _(self, e: ev.ComplaintResponseExtended) -> None:
        complaint = self.complaints[e.complaint_id]
        complaint.extensions[e.stage] = complaint.extensions.get(e.stage, 0) + e.working_days
        complaint.extension_count[e.stage] = complaint.extension_count.get(e.stage, 0) + 1

    @_apply.register
    def _(self, e: ev.ComplaintReferredToOmbudsman) -> None:
        self.complaints[e.complaint_id].referred_to_ombudsman_at = e.occurred_at

    @_apply.register
    def _(self, e: ev.VictimToldOfCaseReviewRight) -> None:
        self.case_review_right_told_at = e.occurred_at
        self.case_review_right_owed = False

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

    @_apply.register
    def _(self, e: ev.EvidenceFileAttached) -> None:
        self.files[e.file_id] = EvidenceFile(
            file_id=e.file_id,
            kind=e.kind,
            about=e.about,
            key_owner=e.key_owner,
            media_type=e.media_type,
            size=e.size,
            sha256=e.sha256,
            blob=e.blob,
            taken_at=e.taken_at,
            description=e.description,
            data_key=e.data_key,
            metadata_free=e.metadata_free,
            attached_at=e.occurred_at,
            attached_by=e.actor,
        )

    @_apply.register
    def _(self, e: ev.EvidenceFileWithdrawn) -> None:
        self.files[e.file_id].withdrawn_at = e.occurred_at
