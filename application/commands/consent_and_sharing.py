"""Commands that share information, only as consent, safeguarding or the law allow (policy 5.9,
6.2, 6.3, 8.2, 9.2-9.4). The rules are `domain.lawful_bases`'s and the case's."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text, short_text
from application.roles import CASE_WORKERS, INTAKE
from domain.hate_case import HateCase
from domain.vocabulary import (
    ConsentForm,
    DisclosureBasis,
    PoliceReportBasis,
    Recipient,
    SafeguardingSubject,
)

_CONSENT = "On consent: the victim's consent in force for this, e.g. consent-2"
_CONCERN = "On safeguarding: the recorded safeguarding concern it rests on, e.g. safeguarding-1"
_LEGAL_BASIS = "On a legal obligation: the law that requires it"
_REPRESENTATIVE = "The representative on the case, when the recipient is one"


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand[str]):
    """The victim consents to sharing the case; another person on it (an alleged perpetrator,
    a witness) only to their own referral to a support agency (5.9)."""

    noun = "consents"
    title = "Record a consent to share"
    clauses = ("5.9", "6.2", "9.4")
    roles = INTAKE
    recorded_as = "consent_id"

    recipient: Recipient = described("Who may be told")
    recipient_name: str = short_text("The agency, or the representative's name")
    form: ConsentForm = described("How the consent was given (a representative needs it written)")
    representative_id: UUID | None = described(_REPRESENTATIVE, default=None)
    evidence_reference: str | None = short_text(
        "Where the signed form or note is kept", default=None, max_length=500, personal=True
    )
    subject_id: UUID | None = described(
        "Whose consent it is (default: the victim's); anyone else consents only to their own "
        "support referral",
        default=None,
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.grant_consent(
            recipient=self.recipient,
            recipient_name=self.recipient_name,
            form=self.form,
            representative_id=self.representative_id,
            evidence_reference=self.evidence_reference,
            subject_id=self.subject_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(CaseCommand[None]):
    noun = "consent-withdrawals"
    title = "Record that a consent was withdrawn"
    roles = INTAKE

    consent_id: str = short_text("The consent withdrawn, e.g. consent-1")
    reason: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.withdraw_consent(
            consent_id=self.consent_id, reason=self.reason, actor=acting.actor, at=acting.at
        )


@dataclass(frozen=True, kw_only=True)
class RaiseSafeguardingConcern(CaseCommand[str]):
    """Once recorded, any relevant agency may be told on the safeguarding basis, naming this
    concern (9.4)."""

    noun = "safeguarding-concerns"
    title = "Raise a safeguarding concern"
    clauses = ("8.2", "9.4")
    roles = INTAKE
    recorded_as = "concern_id"

    about: SafeguardingSubject = described("Who is at risk")
    referred_to: tuple[Recipient, ...] = described(
        "The police and/or the local authority (8.2)", min_items=1
    )
    details: str = free_text("What the concern is")

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.raise_safeguarding_concern(
            about=self.about,
            referred_to=self.referred_to,
            details=self.details,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReportToPolice(CaseCommand[str]):
    """Anonymous intelligence tells the police what happened, never who it happened to: the
    text passed on is recorded word for word, and refused if it holds the victim's details."""

    noun = "police-reports"
    title = "Report to the police: consent, legal obligation or anonymous"
    clauses = ("9.2",)
    roles = CASE_WORKERS
    recorded_as = "police_report_id"

    basis: PoliceReportBasis = described("On what basis we report")
    consent_id: str | None = short_text(_CONSENT, default=None)
    legal_basis: str | None = short_text(_LEGAL_BASIS, default=None, max_length=500)
    police_reference: str | None = short_text("The police's reference", default=None)
    details: str | None = free_text(
        "What was passed on, word for word; for anonymous intelligence, what happened without "
        "the victim's name, address or other details",
        default=None,
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        assert case.victim_id is not None
        return case.report_to_police(
            basis=self.basis,
            consent_id=self.consent_id,
            legal_basis=self.legal_basis,
            police_reference=self.police_reference,
            details=self.details,
            victim_details=acting.details_of(case.victim_id),
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReferToMultiAgencyPanel(CaseCommand[str]):
    """With the victim's agreement (consent in force), or on a recorded safeguarding concern
    (9.4); never on anything else."""

    noun = "referrals"
    title = "Refer to a multi-agency panel"
    clauses = ("9.3", "9.4")
    roles = CASE_WORKERS
    recorded_as = "referral_id"

    panel: str = short_text("The panel, e.g. the local MARAC")
    reason: str = free_text("Why the case goes to the panel")
    basis: DisclosureBasis = described(
        "The victim's agreement, or a recorded safeguarding concern",
        default=DisclosureBasis.CONSENT,
        choices=(DisclosureBasis.CONSENT, DisclosureBasis.SAFEGUARDING),
    )
    consent_id: str | None = short_text(_CONSENT, default=None)
    concern_id: str | None = short_text(_CONCERN, default=None)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.refer_to_multi_agency_panel(
            panel=self.panel,
            reason=self.reason,
            basis=self.basis,
            consent_id=self.consent_id,
            concern_id=self.concern_id,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class Disclose(CaseCommand[str]):
    """On the victim's consent, a recorded safeguarding concern (any relevant agency; not a
    representative) or a named legal obligation."""

    noun = "disclosures"
    title = "Record information disclosed and its basis"
    clauses = ("6.2", "6.3", "9.4")
    roles = CASE_WORKERS
    recorded_as = "disclosure_id"

    recipient: Recipient = described("Who was told")
    recipient_name: str = short_text("The agency, or the representative's name")
    basis: DisclosureBasis = described("Why it may be told")
    what: str = free_text("What was disclosed")
    consent_id: str | None = short_text(_CONSENT, default=None)
    concern_id: str | None = short_text(_CONCERN, default=None)
    legal_basis: str | None = short_text(_LEGAL_BASIS, default=None, max_length=500)
    representative_id: UUID | None = described(_REPRESENTATIVE, default=None)
    subjects: tuple[UUID, ...] = described(
        "Whose information it was (default: the victim's)", default=(), max_items=50
    )

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.disclose(
            recipient=self.recipient,
            recipient_name=self.recipient_name,
            basis=self.basis,
            what=self.what,
            consent_id=self.consent_id,
            concern_id=self.concern_id,
            legal_basis=self.legal_basis,
            representative_id=self.representative_id,
            subjects=self.subjects,
            actor=acting.actor,
            at=acting.at,
        )
