"""Consent and sharing (policy 6.2, 6.3, 8.2, 9.2-9.4): consents, safeguarding, police
reports, multi-agency referrals and disclosures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    CaseState,
    recipient_name_of,
    required_text,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.lawful_bases import lawful_bases
from domain.personal import personal_or_none
from domain.vocabulary import (
    ConsentForm,
    DisclosureBasis,
    PoliceReportBasis,
    Recipient,
    SafeguardingSubject,
    SubjectRole,
    term,
    terms,
)


class ConsentAndSharing(CaseState):
    """Commands that share information, only as consent, safeguarding or the law allow."""

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
        to = term(Recipient, recipient, "recipient")
        how = term(ConsentForm, form, "form")
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
            recipient_name=recipient_name_of(recipient_name, representative_id),
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
        targets = terms(Recipient, referred_to, "referred_to")
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
            about=term(SafeguardingSubject, about, "about"),
            referred_to=targets,
            details=required_text(self._victim, details, "details"),
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
        how = term(PoliceReportBasis, basis, "basis")
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
            reason=required_text(self._victim, reason, "reason"),
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
        to = term(Recipient, recipient, "recipient")
        on = term(DisclosureBasis, basis, "basis")
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
                "9.4",
                "without consent, only a recorded safeguarding concern allows sharing, and only "
                "with the safeguarding bodies (police, local authority)",
            )
        elif on == DisclosureBasis.LEGAL_OBLIGATION and not (legal_basis or "").strip():
            raise PolicyViolation("9.4", "name the law that requires the disclosure")
        self._record(
            ev.InformationDisclosed,
            actor,
            at,
            disclosure_id=f"disclosure-{self.disclosure_count + 1}",
            recipient=to,
            recipient_name=recipient_name_of(recipient_name, representative_id),
            representative_id=representative_id,
            basis=on,
            consent_id=consent_id,
            legal_basis=legal_basis,
            subjects=list(subjects) or [self._victim],
            what=required_text(self._victim, what, "what"),
        )
