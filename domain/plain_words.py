"""The words people read for the ledger's closed vocabularies: one mapping, used by every
document a person reads (the subject access export, the evidence pack) and by the screens.

Stored values are codes (`religion_or_belief`, `no_answer`, `stage_1`); nobody outside the
ledger should have to read one. `words(Enum, value)` gives the phrase for a value, written to
complete a sentence such as "Method: home visit" or "Outcome: partly upheld". Every member of
every vocabulary has its words (a test walks them all), so a new term cannot reach a
document as a code.

Also here: the parts a person can play in a case, in words ("victim", "alleged
perpetrator", "complainant"), and what a service-level timer's legal or policy basis is
called (the Hate Policy's clauses are "Hate Policy 5.10"; the Ombudsman's Code and UK GDPR
are named as themselves, never "policy").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from domain.case_timers import Change
from domain.nm01 import HateMeasure
from domain.reminder import Undeliverable
from domain.reminder_schedule import Audience, ReminderKind, Why
from domain.service_levels import TimerKind, TimerState
from domain.subject_requests import (
    ErasureGround,
    ErasureOutcome,
    Exemption,
    RefusalGround,
    RequestKind,
    ResponseMethod,
)
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
    FileKind,
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
    StaffRole,
    Strand,
    SubjectRole,
)

_WORDS: dict[type[StrEnum], dict[str, str]] = {
    Channel: {
        "phone": "phone",
        "email": "email",
        "social_media": "social media",
        "letter": "letter",
        "in_person": "in person",
        "web_form": "web form",
        "staff": "a member of staff",
        "partner_agency": "a partner agency",
        "voicemail": "voicemail",
    },
    ReporterRole: {
        "victim": "the victim",
        "witness": "a witness",
        "third_party": "someone else on the victim's behalf",
        "councillor": "a councillor",
        "mp": "a Member of Parliament",
        "staff": "a member of staff",
        "contractor": "a contractor",
        "anonymous": "someone who did not give their name",
    },
    Strand: {
        "race": "race",
        "religion_or_belief": "religion or belief",
        "sexual_orientation": "sexual orientation",
        "disability": "disability",
        "transgender_identity": "transgender identity",
        "age": "age",
        "sex_or_gender": "sex or gender",
        "other": "other",
    },
    Form: {
        "verbal_abuse": "verbal abuse",
        "vandalism": "vandalism",
        "arson": "arson",
        "graffiti": "graffiti",
        "offensive_literature": "offensive leaflets or letters",
        "threatening_behaviour": "threatening behaviour",
        "physical_violence": "physical violence",
        "online": "online abuse",
        "other": "other",
    },
    Priority: {"highest": "highest", "high": "high", "standard": "standard"},
    RiskLevel: {"standard": "standard", "medium": "medium", "high": "high"},
    ContactMethod: {
        "phone": "phone call",
        "email": "email",
        "letter": "letter",
        "home_visit": "home visit",
        "office": "meeting at our office",
        "safe_venue": "meeting at a safe place",
        "text_message": "text message",
        "social_media_private_message": "private message on social media",
        "video_call": "video call",
        "social_media_public_reply": "public reply on social media",
    },
    ContactDirection: {"inbound": "to us", "outbound": "from us"},
    ContactOutcome: {
        "made": "spoke with them",
        "no_answer": "no answer",
        "left_message": "left a message",
        "refused": "they did not want to talk",
    },
    RepairKind: {"emergency": "emergency repair", "graffiti_removal": "graffiti removal"},
    Recipient: {
        "representative": "a representative",
        "police": "the police",
        "local_authority": "the local council",
        "multi_agency_panel": "a multi-agency panel",
        "support_agency": "a support agency",
    },
    ConsentForm: {"written": "in writing", "verbal": "spoken (verbal)"},
    SafeguardingSubject: {"adult": "an adult", "child": "a child"},
    PoliceReportBasis: {
        "consent": "with the victim's consent",
        "legal_obligation": "because the law requires it",
        "anonymous_intelligence": "as anonymous information, without naming the victim",
    },
    DisclosureBasis: {
        "consent": "with consent",
        "safeguarding": "to keep someone safe (safeguarding)",
        "legal_obligation": "because the law requires it",
    },
    PerpetratorLink: {
        "tenant": "one of our tenants",
        "household_member": "a member of a tenant's household",
        "visitor": "a visitor to one of our homes",
        "not_linked": "not one of our tenants",
        "staff": "a member of our staff",
        "contractor": "one of our contractors",
        "unknown": "not known",
    },
    InterventionKind: {
        "warning_letter": "warning letter",
        "acceptable_behaviour_contract": "acceptable behaviour contract",
        "mediation": "mediation",
        "support_referral": "referral for support",
        "community_protection_warning": "community protection warning",
        "injunction": "injunction",
        "notice_of_seeking_possession": "notice of seeking possession",
        "possession_proceedings": "possession proceedings",
        "demotion": "demotion of the tenancy",
        "partner_action": "action by a partner agency",
    },
    ClosureGround: {
        "resolved_to_satisfaction": "the issues were resolved to the customer's satisfaction",
        "all_action_taken": "we took all the action we could to resolve the matter",
        "no_further_reports_needs_victim": "there were no further reports, and nothing more "
        "can be done without the victim's help",
        "other_agency_dealing": "another agency is dealing with the case and it no longer "
        "needs our officers",
    },
    HateMeasure: {
        "monitored": "a hate case counted in NM01 (one of the five monitored strands)",
        "other_characteristic": "hate against another characteristic (age, sex or other)",
        "disputed": "a case the landlord found was not hate (Hate Policy 5.4)",
    },
    HateDefinitionDecision: {
        "proven_otherwise": "shown by the evidence not to be a hate incident",
        "unreasonable": "the victim's view that it is hate was found unreasonable",
    },
    ComplaintStage: {"stage_1": "stage 1", "stage_2": "stage 2 (review)"},
    ComplaintOutcome: {
        "upheld": "upheld",
        "partly_upheld": "partly upheld",
        "not_upheld": "not upheld",
    },
    RecommendationAnswer: {
        "accepted": "accepted",
        "alternative_approach": "we will take a different approach",
    },
    EvidencePackPurpose: {"complaint": "a complaint", "case-review": "an ASB Case Review"},
    FileKind: {
        "photo": "photo",
        "recording": "recording",
        "letter": "letter",
        "diary_sheet": "diary sheet",
        "other": "other file",
    },
    CaseStatus: {
        "reported": "reported",
        "triaged": "triaged",
        "allocated": "with an officer",
        "closure_proposed": "closure proposed",
        "closed": "closed",
    },
    SubjectRole: {
        "victim": "victim",
        "witness": "witness",
        "reporter": "person who reported it",
        "representative": "representative",
        "perpetrator": "alleged perpetrator",
        "household_member": "household member",
    },
    StaffRole: {
        "hub": "Customer Hub adviser",
        "officer": "housing officer",
        "manager": "manager",
        "dpo": "data protection officer",
        "complaints": "complaints liaison",
        "auditor": "auditor",
        "admin": "administrator",
    },
    TimerKind: {
        "first_response": "First response and allocation",
        "emergency_repair": "Emergency repair",
        "graffiti_removal": "Graffiti removal",
        "victim_update": "Update to the victim",
        "risk_review": "Risk review",
        "subject_access": "Answer to a subject access request",
        "complaint_stage_1": "Stage 1 complaint response",
        "complaint_stage_2": "Stage 2 complaint response",
        "adjustment_review": "Review of a reasonable adjustment under consideration",
        "complaint_acknowledgement": "Acknowledgement of a complaint",
    },
    RequestKind: {
        "access": "a copy of your data",
        "rectification": "to correct your details",
        "erasure": "to erase your data",
    },
    ResponseMethod: {
        "email": "by email",
        "post": "by post",
        "portal": "through our online portal",
        "in_person": "in person",
    },
    ErasureOutcome: {"carried_out": "carried out", "refused": "refused"},
    ErasureGround: {
        "no_longer_necessary": "the data is no longer needed",
        "consent_withdrawn": "consent was withdrawn",
        "objection": "you objected to its use",
        "unlawfully_processed": "it was used unlawfully",
        "legal_obligation_to_erase": "the law requires it to be erased",
        "child_online_service": "it was collected from a child for an online service",
    },
    RefusalGround: {
        "freedom_of_expression": "freedom of expression and information",
        "legal_obligation": "we must keep it by law, or to carry out a public task",
        "public_health": "public health",
        "archiving_or_research": "archiving, research or statistics",
        "legal_claims": "it is needed for legal claims",
    },
    Exemption: {
        "crime": "the prevention or detection of crime",
        "rights_of_others": "protecting other people's rights",
        "legal_privilege": "legal professional privilege",
    },
    TimerState: {
        "running": "running",
        "met": "met",
        "breached": "missed (done late)",
        "overdue": "overdue (not done, past its deadline)",
    },
    Change: {"started": "started", "stopped": "stopped", "re-timed": "given a new deadline"},
    ReminderKind: {"digest": "daily digest", "escalation": "escalation"},
    Audience: {
        "officer": "the officer",
        "hub": "the Customer Hub",
        "manager": "the manager",
        "head_of_service": "the head of service",
    },
    Why: {w.value: w.value for w in Why},
    Undeliverable: {u.value: u.value for u in Undeliverable},
}

WORDS: Mapping[type[StrEnum], Mapping[str, str]] = MappingProxyType(
    {cls: MappingProxyType(values) for cls, values in _WORDS.items()}
)


def words(enum_cls: type[StrEnum], value: str) -> str:
    """The words for a stored value; an unknown value (a term retired since) as it was stored,
    with underscores as spaces, rather than an error in a document."""
    return _WORDS.get(enum_cls, {}).get(str(value), str(value).replace("_", " "))


# The parts a person plays in a case, as "Your part" and the people lists say them. The
# keys are `SubjectRole` values and the subject index's part names.
PARTS: Mapping[str, str] = MappingProxyType(
    {
        **_WORDS[SubjectRole],
        "complainant": "complainant",
        "review_requester": "person who asked for an ASB Case Review",
    }
)


def basis(clause: str) -> str:
    """What a timer's clause is: "Hate Policy 5.10", or the Code or law as named."""
    return f"Hate Policy {clause}" if clause[:1].isdigit() else clause
