"""The words of the Hate Policy and the housing world, as closed sets of values.

Each enum's values are the strings the API accepts and the events store, so renaming a
member's *value* is a data migration (upcast), while renaming its Python name is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from domain.errors import InvalidCommand


def term(enum_cls: type[StrEnum], value: Any, field_name: str) -> str:
    """The stored value of a policy term, or InvalidCommand naming the field and the choices."""
    try:
        return str(enum_cls(value).value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise InvalidCommand(field_name, f"must be one of: {allowed}") from None


def terms(enum_cls: type[StrEnum], values: Iterable[Any], field_name: str) -> list[str]:
    """Several terms, each checked, in the order given, without repeats."""
    return list(dict.fromkeys(term(enum_cls, v, field_name) for v in values))


class Vocabulary(StrEnum):
    """A closed set of policy terms stored by value."""


class Channel(Vocabulary):
    """How a report reached us (policy 5.2, 6.1)."""

    PHONE = "phone"
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    LETTER = "letter"
    IN_PERSON = "in_person"
    WEB_FORM = "web_form"
    STAFF = "staff"
    PARTNER_AGENCY = "partner_agency"
    VOICEMAIL = "voicemail"


class ReporterRole(Vocabulary):
    """Who made the report (policy 5.3, 6.2, 6.3)."""

    VICTIM = "victim"
    WITNESS = "witness"
    THIRD_PARTY = "third_party"
    COUNCILLOR = "councillor"
    MP = "mp"
    STAFF = "staff"
    CONTRACTOR = "contractor"
    ANONYMOUS = "anonymous"

    @property
    def is_elected_representative(self) -> bool:
        """Councillors and MPs need no written consent to enquire (policy 6.3)."""
        return self in (ReporterRole.COUNCILLOR, ReporterRole.MP)


class Strand(Vocabulary):
    """What the hostility is aimed at (policy 4.2, 4.3)."""

    RACE = "race"
    RELIGION_OR_BELIEF = "religion_or_belief"
    SEXUAL_ORIENTATION = "sexual_orientation"
    DISABILITY = "disability"
    TRANSGENDER_IDENTITY = "transgender_identity"
    AGE = "age"
    SEX_OR_GENDER = "sex_or_gender"
    OTHER = "other"

    @property
    def is_monitored(self) -> bool:
        """One of the five centrally monitored strands (policy 4.2)."""
        return self in MONITORED_STRANDS


MONITORED_STRANDS = frozenset(
    {
        Strand.RACE,
        Strand.RELIGION_OR_BELIEF,
        Strand.SEXUAL_ORIENTATION,
        Strand.DISABILITY,
        Strand.TRANSGENDER_IDENTITY,
    }
)


class Form(Vocabulary):
    """How the hate was expressed (policy 4.4)."""

    VERBAL_ABUSE = "verbal_abuse"
    VANDALISM = "vandalism"
    ARSON = "arson"
    GRAFFITI = "graffiti"
    OFFENSIVE_LITERATURE = "offensive_literature"
    THREATENING_BEHAVIOUR = "threatening_behaviour"
    PHYSICAL_VIOLENCE = "physical_violence"
    ONLINE = "online"
    OTHER = "other"


class Priority(Vocabulary):
    """Triage priority. Hate starts at the highest priority (policy 5.1, 8.1)."""

    HIGHEST = "highest"
    HIGH = "high"
    STANDARD = "standard"


class RiskLevel(Vocabulary):
    """Bands of the risk assessment (policy 5.5)."""

    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class ContactMethod(Vocabulary):
    """How we keep in touch with the victim (policy 5.12, 8.1); social media is private only."""

    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    HOME_VISIT = "home_visit"
    OFFICE = "office"
    SAFE_VENUE = "safe_venue"
    TEXT_MESSAGE = "text_message"
    SOCIAL_MEDIA_PRIVATE_MESSAGE = "social_media_private_message"
    VIDEO_CALL = "video_call"
    SOCIAL_MEDIA_PUBLIC_REPLY = "social_media_public_reply"  # refused by policy 6.1


class ContactDirection(Vocabulary):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ContactOutcome(Vocabulary):
    """Whether a contact reached the person; failed attempts are recorded too."""

    MADE = "made"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    REFUSED = "refused"


class RepairKind(Vocabulary):
    """Repairs after hate (policy 5.10)."""

    EMERGENCY = "emergency"
    GRAFFITI_REMOVAL = "graffiti_removal"


class Recipient(Vocabulary):
    """To whom information about a case may be shared (policy 6.2, 9.2-9.4)."""

    REPRESENTATIVE = "representative"
    POLICE = "police"
    LOCAL_AUTHORITY = "local_authority"
    MULTI_AGENCY_PANEL = "multi_agency_panel"
    SUPPORT_AGENCY = "support_agency"


class ConsentForm(Vocabulary):
    WRITTEN = "written"
    VERBAL = "verbal"


class SafeguardingSubject(Vocabulary):
    ADULT = "adult"
    CHILD = "child"


class PoliceReportBasis(Vocabulary):
    """The three ways we report to the police as a third-party reporting centre (policy 9.2)."""

    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"
    ANONYMOUS_INTELLIGENCE = "anonymous_intelligence"


class DisclosureBasis(Vocabulary):
    """The lawful basis of a disclosure (policy 9.4)."""

    CONSENT = "consent"
    SAFEGUARDING = "safeguarding"
    LEGAL_OBLIGATION = "legal_obligation"


class PerpetratorLink(Vocabulary):
    """How an alleged perpetrator is linked to us (policy 5.7, 5.8, 5.11; 3.2)."""

    TENANT = "tenant"
    HOUSEHOLD_MEMBER = "household_member"
    VISITOR = "visitor"
    NOT_LINKED = "not_linked"
    STAFF = "staff"
    CONTRACTOR = "contractor"
    UNKNOWN = "unknown"


class InterventionKind(Vocabulary):
    """Early intervention and enforcement tools (policy 5.6, 5.7, 5.9)."""

    WARNING_LETTER = "warning_letter"
    ACCEPTABLE_BEHAVIOUR_CONTRACT = "acceptable_behaviour_contract"
    MEDIATION = "mediation"
    SUPPORT_REFERRAL = "support_referral"
    COMMUNITY_PROTECTION_WARNING = "community_protection_warning"
    INJUNCTION = "injunction"
    NOTICE_OF_SEEKING_POSSESSION = "notice_of_seeking_possession"
    POSSESSION_PROCEEDINGS = "possession_proceedings"
    DEMOTION = "demotion"
    PARTNER_ACTION = "partner_action"

    @property
    def is_tenancy_enforcement(self) -> bool:
        """Actions on a tenancy: only against a tenant or their household (policy 5.7)."""
        return self in (
            InterventionKind.NOTICE_OF_SEEKING_POSSESSION,
            InterventionKind.POSSESSION_PROCEEDINGS,
            InterventionKind.DEMOTION,
        )


class ClosureGround(Vocabulary):
    """The four things policy 10.1 says we consider before closing."""

    RESOLVED_TO_SATISFACTION = "resolved_to_satisfaction"
    ALL_ACTION_TAKEN = "all_action_taken"
    NO_FURTHER_REPORTS_NEEDS_VICTIM = "no_further_reports_needs_victim"
    OTHER_AGENCY_DEALING = "other_agency_dealing"


class HateDefinitionDecision(Vocabulary):
    """A manager's finding against the victim's own definition (policy 5.4)."""

    PROVEN_OTHERWISE = "proven_otherwise"
    UNREASONABLE = "unreasonable"


class ComplaintStage(Vocabulary):
    STAGE_1 = "stage_1"
    STAGE_2 = "stage_2"


class ComplaintOutcome(Vocabulary):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


class RecommendationAnswer(Vocabulary):
    """Our answer to an ASB Case Review panel recommendation (policy 12.3)."""

    ACCEPTED = "accepted"
    ALTERNATIVE_APPROACH = "alternative_approach"


class EvidencePackPurpose(Vocabulary):
    """Who an evidence pack is for: a complaint panel (policy 11) or an ASB Case Review (12.2)."""

    COMPLAINT = "complaint"
    CASE_REVIEW = "case-review"


class FileKind(Vocabulary):
    """What an evidence file on a case is (policy 5.12: we record every case of hate)."""

    PHOTO = "photo"
    RECORDING = "recording"
    LETTER = "letter"
    DIARY_SHEET = "diary_sheet"
    OTHER = "other"


class CaseStatus(Vocabulary):
    REPORTED = "reported"
    TRIAGED = "triaged"
    ALLOCATED = "allocated"
    CLOSURE_PROPOSED = "closure_proposed"
    CLOSED = "closed"


class SubjectRole(Vocabulary):
    """The part a person plays in a case."""

    VICTIM = "victim"
    WITNESS = "witness"
    REPORTER = "reporter"
    REPRESENTATIVE = "representative"
    PERPETRATOR = "perpetrator"
    HOUSEHOLD_MEMBER = "household_member"


class StaffRole(Vocabulary):
    """Who uses the ledger (docs/roles.md)."""

    HUB = "hub"
    OFFICER = "officer"
    MANAGER = "manager"
    DPO = "dpo"
    COMPLAINTS = "complaints"
    AUDITOR = "auditor"
    ADMIN = "admin"
