"""How a person reads an event: a title and lines in plain words, the same in every document
(the subject access export, the evidence pack) and, later, on the staff screens.

No ids, no field names, no codes: vocabulary values through `domain.plain_words`, people as
the document names them, personal values through the document's `Redaction` (one rule for
every document), instants in UK local time labelled GMT or BST. The ids events use to refer
to each other (a repair, an action, a complaint, a consent) are remembered as the case is
read in order and told in words instead ("Emergency repair done", "Action done: Fit a
letterbox guard").

`PLACES` says where every event type of the ledger appears in a subject access export, or
why it has no entry of its own; a test walks the event catalogue against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain import access_record as access
from domain import case_events as ev
from domain import data_subject as ds
from domain import reminder as rm
from domain import staff
from domain import subject_requests as sr
from domain import text_review as tr
from domain.case_files import FILE_TYPES
from domain.data_subject import DETAIL_FIELDS
from domain.personal import Personal
from domain.plain_words import words
from domain.redaction import Redaction
from domain.risk import RiskMatrix
from domain.vocabulary import (
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

LONDON = ZoneInfo("Europe/London")
_ANSWER_WORDS = {0: "no", 1: "some", 2: "serious"}


def when(value: datetime | str | None) -> str:
    """An instant in UK local time, labelled: "Tue 10 Nov 2026, 14:04 GMT" (BST in summer)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(LONDON).strftime("%a %-d %b %Y, %H:%M %Z")


def day(value: date | str | None) -> str:
    """A calendar date: "Mon 4 Jan 2027"."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%a %-d %b %Y")


def yes_no(value: bool | None, unknown: str = "not known") -> str:
    return unknown if value is None else "yes" if value else "no"


def listed(enum_cls: type[StrEnum], values: Sequence[str]) -> str:
    return ", ".join(words(enum_cls, v) for v in values)


Value = str | list[str]


@dataclass(frozen=True)
class Reading:
    """An event as a person reads it."""

    title: str
    lines: tuple[tuple[str, Value], ...]

    def as_json(self) -> dict[str, Value]:
        return dict(self.lines)


@dataclass
class Narrator:
    """Reads one aggregate's events in order. `redaction` decides what of each personal
    value the document's readers see; `matrix` is the risk question set in force, to show
    the questions, the scale and the bands of an assessment scored on it; `alleged` are the
    case's alleged perpetrators, whom its allegations are about (`about`)."""

    redaction: Redaction
    matrix: RiskMatrix | None = None
    alleged: frozenset[UUID] = frozenset()
    _names: dict[str, str] = field(default_factory=dict)  # an id the events use -> words
    _event: Any = None
    _about: frozenset[UUID] = frozenset()

    def read(self, event: Any) -> Reading:
        self._event = event
        self._about = self.about(event)
        reader = READERS.get(type(event))
        if reader is None:
            raise LookupError(f"no reading for {type(event).__name__}")
        title, lines = reader(self, event)
        return Reading(title, tuple((k, v) for k, v in lines if v not in ("", [], None)))

    def about(self, event: Any) -> frozenset[UUID]:
        """Whom `event` is about: whoever it names by reference and, for an allegation (the
        report, a further incident), the alleged perpetrators: what a person is said to have
        done is their personal data too (UK GDPR art. 4(1)), others' removed as always."""
        named = frozenset(_people_named(event))
        return named | self.alleged if isinstance(event, ALLEGATIONS) else named

    # --- what the readers see ----------------------------------------------------------

    def text(self, value: Personal | str | None, name: str, label: str) -> Any:
        if not isinstance(value, Personal):
            return value or ""
        passage = f"{self._event.originator_id}:{self._event.originator_version}:{name}"
        return self.redaction.value(value, passage=passage, label=label, about=self._about)

    def person(self, subject_id: UUID | None) -> str:
        return "" if subject_id is None else self.redaction.person(subject_id)

    def remember(self, key: str, name: str) -> None:
        self._names[key] = name

    def recall(self, key: str | None, default: str = "") -> str:
        return self._names.get(key or "", default)


ALLEGATIONS = (ev.CaseReported, ev.FurtherIncidentReported)


def alleged(people: Mapping[UUID, tuple[Sequence[str], Any]]) -> frozenset[UUID]:
    """The alleged perpetrators among a case's people (person -> their roles, record)."""
    return frozenset(p for p, (roles, _) in people.items() if SubjectRole.PERPETRATOR in roles)


def _people_named(event: Any) -> list[UUID]:
    """The people an event is about: whoever it names by reference."""
    found: list[UUID] = []
    for name in (
        "victim_id",
        "reporter_id",
        "subject_id",
        "complainant_id",
        "requested_by",
        "about",
    ):
        value = getattr(event, name, None)
        if isinstance(value, UUID):
            found.append(value)
    found += list(getattr(event, "subjects", None) or [])
    return found


Lines = list[tuple[str, Any]]
Reader = Callable[[Narrator, Any], tuple[str, Lines]]
READERS: dict[type, Reader] = {}


def reads(*types: type) -> Callable[[Reader], Reader]:
    def register(reader: Reader) -> Reader:
        for t in types:
            READERS[t] = reader
        return reader

    return register


def detail_lines(details: Mapping[str, Any]) -> list[str]:
    """A person's recorded details, each with its label: "Date of birth: 1980-02-01"."""
    return [
        f"{k.replace('_', ' ').capitalize()}: {details[k]}" for k in DETAIL_FIELDS if k in details
    ]


def _details(n: Narrator, details: Personal | None, name: str) -> Any:
    shown = n.text(details, name, "details")
    return detail_lines(shown) if isinstance(shown, dict) else shown


# --- report and triage --------------------------------------------------------------------


@reads(ev.CaseReported)
def _reported(n: Narrator, e: ev.CaseReported) -> tuple[str, Lines]:
    reporter = words(ReporterRole, e.reporter_role)
    if e.reporter_id is not None:
        reporter = f"{reporter} ({n.person(e.reporter_id)})"
    return "Report received", [
        ("Received", when(e.received_at)),
        ("How it reached us", words(Channel, e.channel)),
        ("Reported by", reporter),
        ("Victim", n.person(e.victim_id)),
        ("When it happened", when(e.incident_at)),
        ("Where", n.text(e.location, "location", "place of the incident")),
        ("What happened", n.text(e.description, "description", "description")),
        ("Hate aimed at", listed(Strand, e.strands)),
        ("Form of the hate", listed(Form, e.forms)),
        ("The victim sees it as hate", yes_no(e.victim_perceives_hate)),
        ("A crime is alleged", yes_no(e.criminal_offence_alleged)),
    ]


@reads(ev.FurtherIncidentReported)
def _further(n: Narrator, e: ev.FurtherIncidentReported) -> tuple[str, Lines]:
    return "Further incident reported", [
        ("Reported by", words(ReporterRole, e.reporter_role)),
        ("When it happened", when(e.incident_at)),
        ("Where", n.text(e.location, "location", "place of the incident")),
        ("What happened", n.text(e.description, "description", "description")),
        ("Hate aimed at", listed(Strand, e.strands)),
        ("Form of the hate", listed(Form, e.forms)),
    ]


@reads(ev.CaseTriaged)
def _triaged(n: Narrator, e: ev.CaseTriaged) -> tuple[str, Lines]:
    return "Report assessed and prioritised", [
        ("Priority", words(Priority, e.priority)),
        ("Notes", n.text(e.notes, "notes", "triage notes")),
    ]


@reads(ev.OfficerAllocated)
def _allocated(n: Narrator, e: ev.OfficerAllocated) -> tuple[str, Lines]:
    return "Officer allocated", [("Officer", e.officer), ("Team", e.team)]


@reads(ev.OfficerReassigned)
def _reassigned(n: Narrator, e: ev.OfficerReassigned) -> tuple[str, Lines]:
    return "Case passed to another officer", [
        ("Officer", e.officer),
        ("Team", e.team),
        ("Reason", n.text(e.reason, "reason", "reason for the change")),
    ]


@reads(ev.SubjectLinked)
def _linked(n: Narrator, e: ev.SubjectLinked) -> tuple[str, Lines]:
    role = words(SubjectRole, e.role)
    return f"{role.capitalize()} added to the case", [
        ("Person", n.person(e.subject_id)),
        ("Elected representative", "yes" if e.elected_representative else ""),
    ]


@reads(ev.ClassificationRevised)
def _revised(n: Narrator, e: ev.ClassificationRevised) -> tuple[str, Lines]:
    return "Type of hate revised", [
        ("Hate aimed at", listed(Strand, e.strands)),
        ("Form of the hate", listed(Form, e.forms)),
        ("The victim agrees", yes_no(e.victim_agrees)),
        ("Reason", n.text(e.reason, "reason", "reason for the revision")),
    ]


@reads(ev.HateDefinitionDisputed)
def _disputed(n: Narrator, e: ev.HateDefinitionDisputed) -> tuple[str, Lines]:
    return "A manager's finding on whether this is hate", [
        ("Finding", words(HateDefinitionDecision, e.decision)),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for the finding")),
    ]


# --- victim care --------------------------------------------------------------------------


@reads(ev.RiskAssessed)
def _risk(n: Narrator, e: ev.RiskAssessed) -> tuple[str, Lines]:
    matrix = n.matrix if n.matrix and n.matrix.version == e.matrix_version else None
    level = words(RiskLevel, e.level)
    lines: Lines = []
    if matrix is not None:
        top = sum(q.max_score for q in matrix.questions)
        answers = [
            f"{q.text} {_ANSWER_WORDS.get(e.answers.get(q.key, 0), e.answers.get(q.key))} "
            f"({e.answers.get(q.key, 0)} of {q.max_score})"
            for q in matrix.questions
        ]
        lines += [
            ("Answers", answers),
            ("Score", f"{e.score} out of {top}"),
            (
                "Risk bands",
                f"standard 0 to {matrix.medium_from - 1}, medium {matrix.medium_from} to "
                f"{matrix.high_from - 1}, high {matrix.high_from} to {top} "
                f"(question set {matrix.version})",
            ),
        ]
    else:
        answers = [f"{k.replace('_', ' ')}: {v}" for k, v in e.answers.items()]
        lines += [
            ("Answers", answers),
            ("Score", f"{e.score} (question set {e.matrix_version}, not the one in use now)"),
        ]
    if e.level != e.computed_level:
        computed = words(RiskLevel, e.computed_level)
        lines.append(("Level", f"{level}, set by the officer instead of {computed} as scored"))
        lines.append(("Why", n.text(e.override_reason, "override_reason", "reason")))
    else:
        lines.append(("Level", f"{level}, as scored"))
    lines.append(("Notes", n.text(e.notes, "notes", "risk assessment notes")))
    return f"Risk assessed: {level} risk", lines


@reads(ev.ActionPlanAgreed)
def _plan(n: Narrator, e: ev.ActionPlanAgreed) -> tuple[str, Lines]:
    actions = []
    for action in e.actions:
        text = n.text(action.get("description"), "actions", "action plan")
        n.remember(str(action.get("action_id")), str(text))
        due = f", by {day(action['due_on'])}" if action.get("due_on") else ""
        actions.append(f"{text} (who: {action.get('owner')}{due})")
    title = "Action plan agreed" if e.plan_version == 1 else "Action plan revised"
    return title, [("Actions", actions)]


@reads(ev.ActionCompleted)
def _action_done(n: Narrator, e: ev.ActionCompleted) -> tuple[str, Lines]:
    return f"Action done: {n.recall(e.action_id, 'an action of the plan')}", [
        ("Outcome", n.text(e.outcome, "outcome", "outcome of the action")),
    ]


@reads(ev.ContactArrangementAgreed)
def _arrangement(n: Narrator, e: ev.ContactArrangementAgreed) -> tuple[str, Lines]:
    return "How we keep in touch agreed", [
        ("How", words(ContactMethod, e.method)),
        ("How often", f"every {e.frequency_days} days" if e.frequency_days != 1 else "daily"),
        ("Safe place to meet", n.text(e.safe_venue, "safe_venue", "safe place")),
        ("Notes", n.text(e.notes, "notes", "notes on keeping in touch")),
    ]


_CONTACT_TITLES = {
    ContactOutcome.MADE.value: "Contact made",
    ContactOutcome.NO_ANSWER.value: "Contact attempted: no answer",
    ContactOutcome.LEFT_MESSAGE.value: "Contact attempted: message left",
    ContactOutcome.REFUSED.value: "Contact attempted: they did not want to talk",
}


@reads(ev.ContactMade)
def _contact(n: Narrator, e: ev.ContactMade) -> tuple[str, Lines]:
    title = _CONTACT_TITLES.get(e.outcome, "Contact")
    n.remember(e.contact_id, f"{title} ({words(ContactMethod, e.method)}, {when(e.occurred_at)})")
    return title, [
        ("With", n.person(e.subject_id)),
        ("How", words(ContactMethod, e.method)),
        ("Contact was", words(ContactDirection, e.direction)),
        ("Notes", n.text(e.summary, "summary", "contact notes")),
    ]


@reads(ev.ReasonableAdjustmentAgreed)
def _adjustment(n: Narrator, e: ev.ReasonableAdjustmentAgreed) -> tuple[str, Lines]:
    considered = n.recall(e.adjustment_id)
    return "Reasonable adjustment agreed", [
        ("For", n.person(e.subject_id)),
        ("Adjustment", n.text(e.adjustment, "adjustment", "reasonable adjustment")),
        ("Settles", considered),
    ]


@reads(ev.ReasonableAdjustmentUnderConsideration)
def _adjustment_considered(
    n: Narrator, e: ev.ReasonableAdjustmentUnderConsideration
) -> tuple[str, Lines]:
    n.remember(e.adjustment_id, f"the adjustment under consideration since {when(e.occurred_at)}")
    return "Reasonable adjustment under consideration", [
        ("For", n.person(e.subject_id)),
        ("What is needed", n.text(e.need, "need", "adjustment needed")),
        ("To be reviewed by", day(e.review_on)),
        ("Advice sought from", e.advice_from or ""),
    ]


def _sharing_basis(n: Narrator, e: Any) -> Lines:
    """The basis a disclosure or referral rests on, and the consent or concern it names."""
    return [
        ("Basis", words(DisclosureBasis, e.basis)),
        ("Consent", n.recall(e.consent_id)),
        ("Safeguarding concern", n.recall(e.concern_id)),
        ("Legal basis", getattr(e, "legal_basis", None) or ""),
    ]


@reads(ev.SupportReferralMade)
def _support(n: Narrator, e: ev.SupportReferralMade) -> tuple[str, Lines]:
    return f"Referred for support to {e.agency}", [
        ("Person", n.person(e.subject_id)),
        *_sharing_basis(n, e),
        ("Notes", n.text(e.notes, "notes", "referral notes")),
    ]


@reads(ev.SecurityMeasuresProvided)
def _security(n: Narrator, e: ev.SecurityMeasuresProvided) -> tuple[str, Lines]:
    return "Security measures provided", [
        ("Measures", n.text(e.measures, "measures", "security measures")),
    ]


@reads(ev.RepairRequested)
def _repair(n: Narrator, e: ev.RepairRequested) -> tuple[str, Lines]:
    kind = words(RepairKind, e.kind)
    description = n.text(e.description, "description", "repair description")
    n.remember(e.repair_id, kind)
    return f"{kind.capitalize()} ordered", [
        ("What", description),
        ("Contractor", e.contractor or ""),
    ]


@reads(ev.DamageFound)
def _damage(n: Narrator, e: ev.DamageFound) -> tuple[str, Lines]:
    return f"Damage found: needs {words(RepairKind, e.kind)}", [
        ("Reported to us", when(e.reported_at)),
        ("What", n.text(e.description, "description", "damage description")),
    ]


@reads(ev.EvidenceFileAttached)
def _file(n: Narrator, e: ev.EvidenceFileAttached) -> tuple[str, Lines]:
    kind = words(FileKind, e.kind)
    n.remember(e.file_id, kind)
    return f"{kind.capitalize()} attached", [
        ("About", n.person(e.about) if e.about else "the case"),
        ("Taken", when(e.taken_at)),
        ("What it shows", n.text(e.description, "description", "file description")),
        ("File", f"{file_type_words(e.media_type)}, {file_size_words(e.size)}"),
    ]


@reads(ev.EvidenceFileWithdrawn)
def _file_withdrawn(n: Narrator, e: ev.EvidenceFileWithdrawn) -> tuple[str, Lines]:
    kind = n.recall(e.file_id, "file")
    return f"{kind.capitalize()} withdrawn", [("Why", n.text(e.reason, "reason", "reason"))]


def file_type_words(media_type: str) -> str:
    """`image/jpeg` -> "JPEG image"."""
    return FILE_TYPES.get(media_type, media_type)


def file_size_words(size: int) -> str:
    """1234567 -> "1.2 MB"; 2048 -> "2.0 kB"; 12 -> "12 bytes"."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.1f} kB" if size >= 1000 else f"{size} bytes"


@reads(ev.RepairCompleted)
def _repair_done(n: Narrator, e: ev.RepairCompleted) -> tuple[str, Lines]:
    kind = n.recall(e.repair_id, "repair")
    return f"{kind.capitalize()} done", [("Notes", n.text(e.notes, "notes", "repair notes"))]


# --- consent and sharing ------------------------------------------------------------------


@reads(ev.ConsentGranted)
def _consent(n: Narrator, e: ev.ConsentGranted) -> tuple[str, Lines]:
    name = n.text(e.recipient_name, "recipient_name", "representative's name")
    n.remember(e.consent_id, f"consent to share with {name}")
    return f"Consent given to share with {name}", [
        ("Given by", n.person(e.subject_id)),
        ("Who may receive it", words(Recipient, e.recipient)),
        ("How it was given", words(ConsentForm, e.form)),
        ("Record of it", n.text(e.evidence_reference, "evidence_reference", "consent record")),
    ]


@reads(ev.ConsentWithdrawn)
def _withdrawn(n: Narrator, e: ev.ConsentWithdrawn) -> tuple[str, Lines]:
    return f"Consent withdrawn: {n.recall(e.consent_id, 'consent to share')}", [
        ("Reason", n.text(e.reason, "reason", "reason for withdrawing consent")),
    ]


@reads(ev.SafeguardingConcernRaised)
def _safeguarding(n: Narrator, e: ev.SafeguardingConcernRaised) -> tuple[str, Lines]:
    n.remember(e.concern_id, f"safeguarding concern raised on {day(e.occurred_at.date())}")
    return "Safeguarding concern raised", [
        ("About", words(SafeguardingSubject, e.about)),
        ("Referred to", listed(Recipient, e.referred_to)),
        ("Details", n.text(e.details, "details", "safeguarding details")),
    ]


@reads(ev.PoliceReportMade)
def _police(n: Narrator, e: ev.PoliceReportMade) -> tuple[str, Lines]:
    return "Reported to the police", [
        ("Basis", words(PoliceReportBasis, e.basis)),
        ("Consent", n.recall(e.consent_id)),
        ("Legal basis", e.legal_basis or ""),
        ("Police reference", e.police_reference or ""),
        ("The victim was named to the police", yes_no(e.victim_identified)),
        ("What was passed on", n.text(e.details, "details", "police report details")),
    ]


@reads(ev.MultiAgencyReferralMade)
def _panel(n: Narrator, e: ev.MultiAgencyReferralMade) -> tuple[str, Lines]:
    return f"Referred to a multi-agency panel: {e.panel}", [
        *_sharing_basis(n, e),
        ("Reason", n.text(e.reason, "reason", "referral reason")),
    ]


@reads(ev.InformationDisclosed)
def _disclosed(n: Narrator, e: ev.InformationDisclosed) -> tuple[str, Lines]:
    name = n.text(e.recipient_name, "recipient_name", "representative's name")
    return f"Information shared with {name}", [
        ("Who received it", words(Recipient, e.recipient)),
        *_sharing_basis(n, e),
        ("About", [n.person(s) for s in e.subjects]),
        ("What was shared", n.text(e.what, "what", "information shared")),
    ]


# --- perpetrators -------------------------------------------------------------------------


@reads(ev.PerpetratorIdentified)
def _perpetrator(n: Narrator, e: ev.PerpetratorIdentified) -> tuple[str, Lines]:
    return "Alleged perpetrator identified", [
        ("Person", n.person(e.subject_id)),
        ("Connection to us", words(PerpetratorLink, e.link)),
        ("Notes", n.text(e.notes, "notes", "notes on the alleged perpetrator")),
    ]


@reads(ev.InterventionTaken)
def _intervention(n: Narrator, e: ev.InterventionTaken) -> tuple[str, Lines]:
    kind = words(InterventionKind, e.kind)
    return f"Action taken against the alleged perpetrator: {kind}", [
        ("Person", n.person(e.subject_id)),
        ("Legal power", e.legal_power or ""),
        ("Notes", n.text(e.notes, "notes", f"notes on the {kind}")),
    ]


@reads(ev.StaffMatterReferred)
def _staff_matter(n: Narrator, e: ev.StaffMatterReferred) -> tuple[str, Lines]:
    return "Referred to be dealt with as a staff matter", [
        ("Person", n.person(e.subject_id)),
        ("Notes", n.text(e.notes, "notes", "staff matter notes")),
    ]


# --- closing ------------------------------------------------------------------------------


@reads(ev.ClosureProposed)
def _proposed(n: Narrator, e: ev.ClosureProposed) -> tuple[str, Lines]:
    return "Closure proposed", [
        ("Grounds", [words(ClosureGround, g) for g in e.grounds]),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for closing")),
    ]


@reads(ev.ClosureDiscussedWithVictim)
def _discussed(n: Narrator, e: ev.ClosureDiscussedWithVictim) -> tuple[str, Lines]:
    return "Closure discussed with the victim", [
        ("How", words(ContactMethod, e.method)),
        ("The victim agrees", yes_no(e.victim_agrees)),
        ("The victim's view", n.text(e.victim_view, "victim_view", "victim's view")),
    ]


@reads(ev.VictimCouldNotBeReached)
def _unreachable(n: Narrator, e: ev.VictimCouldNotBeReached) -> tuple[str, Lines]:
    return "The victim could not be reached to discuss closure", [
        ("Attempts it rests on", [n.recall(a, "a contact attempt") for a in e.attempts]),
        ("Notes", n.text(e.notes, "notes", "notes on the attempts")),
    ]


@reads(ev.CaseClosed)
def _closed(n: Narrator, e: ev.CaseClosed) -> tuple[str, Lines]:
    return "Case closed", [
        ("Grounds", [words(ClosureGround, g) for g in e.grounds]),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for closing")),
        ("The victim's view", n.text(e.victim_view, "victim_view", "victim's view")),
    ]


@reads(ev.CaseReopened)
def _reopened(n: Narrator, e: ev.CaseReopened) -> tuple[str, Lines]:
    return "Case reopened", [("Reason", n.text(e.reason, "reason", "reason for reopening"))]


# --- after the case -----------------------------------------------------------------------


@reads(ev.ComplaintReceived)
def _complaint(n: Narrator, e: ev.ComplaintReceived) -> tuple[str, Lines]:
    stage = words(ComplaintStage, e.stage)
    n.remember(e.complaint_id, "complaint")
    return f"Complaint received ({stage})", [
        ("Complainant", n.person(e.complainant_id)),
        ("Complaint", n.text(e.summary, "summary", "complaint")),
    ]


@reads(ev.ComplaintResponded)
def _complaint_answer(n: Narrator, e: ev.ComplaintResponded) -> tuple[str, Lines]:
    stage = words(ComplaintStage, e.stage)
    return f"Complaint answered ({stage}): {words(ComplaintOutcome, e.outcome)}", [
        ("Our response", n.text(e.response, "response", "complaint response")),
    ]


@reads(ev.ComplaintAcknowledged)
def _complaint_acknowledged(n: Narrator, e: ev.ComplaintAcknowledged) -> tuple[str, Lines]:
    return f"Complaint acknowledged ({words(ComplaintStage, e.stage)})", []


@reads(ev.ComplaintResponseExtended)
def _complaint_extended(n: Narrator, e: ev.ComplaintResponseExtended) -> tuple[str, Lines]:
    stage = words(ComplaintStage, e.stage)
    return f"Time to answer the complaint extended ({stage})", [
        ("By", f"{e.working_days} working days"),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for the extension")),
        ("The complainant agreed", yes_no(e.agreed_with_complainant)),
    ]


@reads(ev.ComplaintReferredToOmbudsman)
def _ombudsman(n: Narrator, e: ev.ComplaintReferredToOmbudsman) -> tuple[str, Lines]:
    return "Complaint taken to the Housing Ombudsman", [
        ("Ombudsman's reference", e.reference or ""),
    ]


@reads(ev.VictimToldOfCaseReviewRight)
def _review_right(n: Narrator, e: ev.VictimToldOfCaseReviewRight) -> tuple[str, Lines]:
    return "Victim told of their right to ask for an ASB Case Review", [
        ("How", words(ContactMethod, e.method)),
        ("Notes", n.text(e.notes, "notes", "notes")),
    ]


@reads(ev.CaseReviewRequested)
def _review(n: Narrator, e: ev.CaseReviewRequested) -> tuple[str, Lines]:
    return "ASB Case Review requested", [
        ("Asked for by", n.person(e.requested_by)),
        ("Council", e.local_authority),
    ]


@reads(ev.CaseReviewThresholdDecided)
def _threshold(n: Narrator, e: ev.CaseReviewThresholdDecided) -> tuple[str, Lines]:
    met = "met: the review goes ahead" if e.threshold_met else "not met: no review"
    return f"ASB Case Review threshold {met}", [
        ("Reasons", n.text(e.reasons, "reasons", "threshold decision")),
    ]


@reads(ev.PanelRecommendationReceived)
def _recommendation(n: Narrator, e: ev.PanelRecommendationReceived) -> tuple[str, Lines]:
    number = e.recommendation_id.rpartition("rec-")[2]
    n.remember(e.recommendation_id, f"panel recommendation {number}")
    return f"Panel recommendation {number} received", [
        ("Recommendation", n.text(e.recommendation, "recommendation", "panel recommendation")),
    ]


@reads(ev.PanelRecommendationAnswered)
def _answered(n: Narrator, e: ev.PanelRecommendationAnswered) -> tuple[str, Lines]:
    which = n.recall(e.recommendation_id, "panel recommendation")
    return f"{which.capitalize()} answered: {words(RecommendationAnswer, e.answer)}", [
        ("Reasons", n.text(e.reasons, "reasons", "answer to the panel")),
    ]


@reads(ev.EvidencePackProduced)
def _pack(n: Narrator, e: ev.EvidencePackProduced) -> tuple[str, Lines]:
    purpose = words(EvidencePackPurpose, e.purpose)
    return f"Evidence pack {e.pack_number} produced for {purpose}", [
        ("Produced by", f"{e.actor} ({words(StaffRole, e.actor_role)})"),
        (
            "Proof of growth from",
            f"checkpoint {e.since_checkpoint}" if e.since_checkpoint else "",
        ),
    ]


# --- a person's record and their requests -------------------------------------------------


@reads(ds.SubjectRecorded)
def _recorded(n: Narrator, e: ds.SubjectRecorded) -> tuple[str, Lines]:
    if e.anonymous:
        return "Recorded without any details (anonymously)", []
    return "Details recorded", [("Details", _details(n, e.details, "details"))]


@reads(ds.SubjectDetailsRectified)
def _rectified(n: Narrator, e: ds.SubjectDetailsRectified) -> tuple[str, Lines]:
    return "Details corrected", [
        ("Details now", _details(n, e.details, "details")),
        ("Reason", n.text(e.reason, "reason", "reason for the correction")),
    ]


@reads(ds.SubjectDetailsRecordedForCase)
def _recorded_for_case(n: Narrator, e: ds.SubjectDetailsRecordedForCase) -> tuple[str, Lines]:
    return "Details recorded for one case only", [
        ("Case", str(e.case_id)),
        ("Details", _details(n, e.details, "details")),
        ("Reason", n.text(e.reason, "reason", "reason for recording them")),
    ]


@reads(ds.SubjectErased)
def _erased(n: Narrator, e: ds.SubjectErased) -> tuple[str, Lines]:
    return "Details erased", [("Ground", e.ground)]


@reads(sr.AccessRequestReceived, sr.RectificationRequested, sr.ErasureRequested)
def _request(n: Narrator, e: sr.RequestReceived) -> tuple[str, Lines]:
    lines: Lines = [("Received", when(e.received_at)), ("Answer due by", day(e.due_on))]
    if isinstance(e, sr.RectificationRequested):
        lines.append(("Details to correct", [f.replace("_", " ") for f in e.fields]))
        return "Request to correct your details received", lines
    if isinstance(e, sr.ErasureRequested):
        ground = words(sr.ErasureGround, e.ground_claimed) if e.ground_claimed else ""
        lines.append(("Ground given", ground))
        return "Request to erase your data received", lines
    return "Request for a copy of your data received", lines


@reads(sr.AccessRequestExtended)
def _extended(n: Narrator, e: sr.AccessRequestExtended) -> tuple[str, Lines]:
    return "Time to answer extended (UK GDPR art. 12(3))", [
        ("Now due by", day(e.due_on)),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for the extension")),
    ]


@reads(sr.AccessResponseSent)
def _sent(n: Narrator, e: sr.AccessResponseSent) -> tuple[str, Lines]:
    return "Answer sent", [("Sent", when(e.sent_at)), ("How", words(sr.ResponseMethod, e.method))]


@reads(sr.RectificationCarriedOut)
def _corrected(n: Narrator, e: sr.RectificationCarriedOut) -> tuple[str, Lines]:
    return "Details corrected as asked", [("Details", [f.replace("_", " ") for f in e.fields])]


@reads(sr.ErasureDecided)
def _decided(n: Narrator, e: sr.ErasureDecided) -> tuple[str, Lines]:
    enum_cls = sr.ErasureGround if e.outcome == sr.ErasureOutcome.CARRIED_OUT else sr.RefusalGround
    ground = f"{words(enum_cls, e.ground)} ({sr.GROUND_CLAUSES.get(e.ground, '')})"
    return f"Erasure {words(sr.ErasureOutcome, e.outcome)}", [
        ("Ground", ground),
        ("Reasons", n.text(e.reasons, "reasons", "reasons for the decision")),
    ]


# Where each event type that can carry a person's data appears in a subject access export:
# "case" (the case's history, where the person is on the case; a disclosure also under
# "Who we shared your information with"), "record" (the history of their own record),
# "requests" (their requests to us), or, for a type with no entry of its own, why not.
PLACES: Mapping[type, str] = {
    **{t: "case" for t in READERS if issubclass(t, ev.CaseEvent | ev.CaseReported)},
    **{
        t: "record"
        for t in (
            ds.SubjectRecorded,
            ds.SubjectDetailsRectified,
            ds.SubjectDetailsRecordedForCase,
            ds.SubjectErased,
        )
    },
    **{
        t: "requests"
        for t in (
            sr.AccessRequestReceived,
            sr.RectificationRequested,
            sr.ErasureRequested,
            sr.AccessRequestExtended,
            sr.AccessResponseSent,
            sr.RectificationCarriedOut,
            sr.ErasureDecided,
        )
    },
    sr.ItemWithheld: "the DPO's decision: the item is left out, and listed under 'Information "
    "withheld' when the person may be told",
    sr.ItemReleased: "the DPO's decision: the item is shown again in its case",
    sr.FreeTextReviewed: "the DPO's review: the export is no longer a draft",
    tr.ReviewStarted: "the DPO's review of a case's free text: no personal data",
    tr.WordsRemoved: "the DPO's decision: the words are taken out of the passage wherever it "
    "is shown, and counted under 'Information about other people'",
    staff.StaffAdded: "a member of staff's account, not a data subject's record: a member of "
    "staff's own request is answered from the HR system",
    staff.StaffTokenRotated: "a member of staff's account (as above)",
    staff.StaffRemoved: "a member of staff's account (as above)",
    staff.StaffPasswordSet: "a member of staff's account (as above)",
    staff.StaffSecondFactorEnrolled: "a member of staff's account (as above)",
    staff.StaffSecondFactorReset: "a member of staff's account (as above)",
    staff.StaffEmailSet: "a member of staff's account (as above)",
    staff.StaffMovedTeam: "a member of staff's account (as above)",
    **{
        t: "a reminder to staff of a case's deadlines: case references and timers, never the "
        "person's information"
        for t in (
            rm.ReminderIntended,
            rm.ReminderDeferred,
            rm.ReminderDelivered,
            rm.ReminderFailed,
            rm.ReminderUndeliverable,
        )
    },
    access.AccessRecorded: "staff's reads of the record, kept for audit; they name staff and "
    "purposes, not the person's information, and no recipient outside the landlord "
    "(recipients are under 'Who we shared your information with')",
}
