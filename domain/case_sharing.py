"""Consent and sharing (policy 5.9, 6.2, 6.3, 8.2, 9.2-9.4): consents, safeguarding, police
reports, multi-agency referrals and disclosures. The rules of whose consent, which agencies a
safeguarding concern opens and what anonymous intelligence may say are `domain.lawful_bases`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    CaseState,
    recipient_name_of,
    required_text,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.lawful_bases import OWN_CONSENT_RECIPIENTS, victim_details_in
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
        subject_id: UUID | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Record a person's consent to share their information with a named recipient (6.2,
        9.2-9.4). The victim consents to sharing the case; anyone else on the case (`subject_id`)
        only to their own referral for support (5.9): consent is the consenting person's, and
        its record is kept under their key."""
        to = term(Recipient, recipient, "recipient")
        how = term(ConsentForm, form, "form")
        who = subject_id or self._victim
        if who not in self.subjects:
            raise InvalidCommand("subject_id", "the person is not part of this case")
        if who != self._victim and to not in OWN_CONSENT_RECIPIENTS:
            raise PolicyViolation(
                "5.9, 9.4",
                "only the victim consents to sharing the case; another person consents only "
                "to their own referral to a support agency",
            )
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
            subject_id=who,
            recipient=to,
            recipient_name=recipient_name_of(recipient_name, representative_id),
            representative_id=representative_id,
            form=how,
            evidence_reference=personal_or_none(who, evidence_reference),
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
            reason=personal_or_none(consent.subject_id, reason),
        )

    def raise_safeguarding_concern(
        self, *, about: str, referred_to: Sequence[str], details: str, actor: str, at: datetime
    ) -> str:
        """A concern that an adult or child is at risk, reported to the police and/or the local
        authority (8.2); returns its id, which a disclosure on the safeguarding basis names
        (9.4)."""
        targets = terms(Recipient, referred_to, "referred_to")
        allowed = {Recipient.POLICE.value, Recipient.LOCAL_AUTHORITY.value}
        if not targets or not set(targets) <= allowed:
            raise PolicyViolation(
                "8.2", "a safeguarding concern is reported to the police and/or local authority"
            )
        concern_id = f"safeguarding-{len(self.safeguarding_concerns) + 1}"
        self._record(
            ev.SafeguardingConcernRaised,
            actor,
            at,
            concern_id=concern_id,
            about=term(SafeguardingSubject, about, "about"),
            referred_to=targets,
            details=required_text(self._victim, details, "details"),
        )
        return concern_id

    def report_to_police(
        self,
        *,
        basis: str,
        consent_id: str | None = None,
        legal_basis: str | None = None,
        police_reference: str | None = None,
        details: str | None = None,
        victim_details: Mapping[str, str] | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Third-party reporting (9.2): with consent, on a legal obligation, or anonymously.

        Anonymous intelligence says what happened but not who it happened to: `details` (what
        was passed on, word for word) is required, and refused if it holds any of the victim's
        recorded details (`victim_details`, `domain.lawful_bases.victim_details_in`)."""
        how = term(PoliceReportBasis, basis, "basis")
        if how == PoliceReportBasis.CONSENT:
            self._consent_in_force(consent_id, Recipient.POLICE)
        elif consent_id is not None:
            raise InvalidCommand("consent_id", "only for a report made with consent")
        if how == PoliceReportBasis.LEGAL_OBLIGATION and not (legal_basis or "").strip():
            raise PolicyViolation("9.2", "name the legal obligation to report without consent")
        identified = how != PoliceReportBasis.ANONYMOUS_INTELLIGENCE
        if not identified:
            if not (details or "").strip():
                raise InvalidCommand(
                    "details", "record exactly what was passed on to the police (9.2)"
                )
            leaked = victim_details_in(str(details), victim_details or {})
            if leaked:
                raise PolicyViolation(
                    "9.2",
                    "anonymous intelligence shares what happened without the victim's details: "
                    f"the text holds the victim's {', '.join(k.replace('_', ' ') for k in leaked)}",
                )
        police_report_id = f"police-{self.police_report_count + 1}"
        self._record(
            ev.PoliceReportMade,
            actor,
            at,
            police_report_id=police_report_id,
            basis=how,
            consent_id=consent_id,
            legal_basis=legal_basis,
            police_reference=police_reference,
            victim_identified=identified,
            details=personal_or_none(self._victim, details),
        )
        return police_report_id

    def refer_to_multi_agency_panel(
        self,
        *,
        panel: str,
        reason: str,
        basis: str = DisclosureBasis.CONSENT.value,
        consent_id: str | None = None,
        concern_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """A multi-agency panel referral (9.3): with the victim's agreement (consent in force),
        or on a recorded safeguarding concern named by its id (9.4); never on anything else."""
        on = term(DisclosureBasis, basis, "basis")
        if not panel.strip():
            raise InvalidCommand("panel", "is required")
        if on == DisclosureBasis.LEGAL_OBLIGATION:
            raise PolicyViolation(
                "9.3", "a panel referral rests on the victim's agreement or a safeguarding concern"
            )
        self._check_sharing_basis(
            Recipient.MULTI_AGENCY_PANEL,
            on,
            consent_id=consent_id,
            concern_id=concern_id,
            legal_basis=None,
        )
        referral_id = f"panel-{self.multi_agency_referral_count + 1}"
        self._record(
            ev.MultiAgencyReferralMade,
            actor,
            at,
            referral_id=referral_id,
            panel=panel,
            basis=on,
            consent_id=consent_id,
            concern_id=concern_id,
            reason=required_text(self._victim, reason, "reason"),
        )
        return referral_id

    def disclose(
        self,
        *,
        recipient: str,
        recipient_name: str,
        basis: str,
        what: str,
        consent_id: str | None = None,
        concern_id: str | None = None,
        legal_basis: str | None = None,
        representative_id: UUID | None = None,
        subjects: Sequence[UUID] = (),
        actor: str,
        at: datetime,
    ) -> str:
        """Share information only as the victim's consent, a recorded safeguarding concern
        (named by `concern_id`) or the law allows (6.2, 6.3, 9.4); returns its id."""
        to = Recipient(term(Recipient, recipient, "recipient"))
        on = term(DisclosureBasis, basis, "basis")
        for subject_id in subjects:
            if subject_id not in self.subjects:
                raise InvalidCommand("subjects", "a person named is not part of this case")
        if to == Recipient.REPRESENTATIVE:
            if concern_id is not None:
                raise InvalidCommand("concern_id", "a representative is not told on safeguarding")
            self._check_representative_disclosure(representative_id, consent_id, on)
        else:
            if representative_id is not None:
                raise InvalidCommand(
                    "representative_id", "only for a disclosure to a representative"
                )
            self._check_sharing_basis(
                to,
                on,
                consent_id=consent_id,
                concern_id=concern_id,
                legal_basis=legal_basis,
                recipient_name=recipient_name,
            )
        disclosure_id = f"disclosure-{self.disclosure_count + 1}"
        self._record(
            ev.InformationDisclosed,
            actor,
            at,
            disclosure_id=disclosure_id,
            recipient=to.value,
            recipient_name=recipient_name_of(recipient_name, representative_id),
            representative_id=representative_id,
            basis=on,
            consent_id=consent_id,
            concern_id=concern_id,
            legal_basis=legal_basis,
            subjects=list(subjects) or [self._victim],
            what=required_text(self._victim, what, "what"),
        )
        return disclosure_id
