"""The subject access export: everything held about one person, in plain words, as they may
see it (UK GDPR art. 15). The JSON is the export; the PDF (`sar_pdf`) is rendered from it.

What goes in, from the material the use case gathers through the subject index:

- the request itself: when it arrived, when the answer is due, any extension and why;
- the person's details and the history of their record;
- every case they are on: a victim sees the whole history of their case (it is all about
  them); anyone else the events that name them or hold their data, and an alleged
  perpetrator also what they are alleged to have done (the report and every further
  incident: an allegation about a person is their personal data), with everyone else
  removed as for any reader and the free text under the DPO's review. "Your part" says what
  they were in each case (victim, witness, complainant...);
- who their information went to outside the landlord (art. 15(1)(c));
- their requests to us;
- what was withheld, as far as saying so does not defeat the exemption
  (`domain.subject_requests.TOLD_BY_DEFAULT`), and what was removed about other people:
  what kind of item, about whom (by role) and why (`domain.redaction`, the one rule every
  document applies, with the DPO's decisions about free text).

Each event is read by `application.exports.reading` (no ids, no codes, UK local time); an
event type without a stated place (`reading.PLACES`) stops the export rather than being
left out. Built on request and never stored, so an erasure leaves no copy behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.exports.reading import (
    PLACES,
    Narrator,
    alleged,
    day,
    detail_lines,
    file_size_words,
    file_type_words,
    when,
)
from domain import case_events as ev
from domain.case_files import EXTENSIONS
from domain.data_subject import DataSubject
from domain.plain_words import PARTS, words
from domain.redaction import Passage, Person, Redaction, ReviewedWords, summarise
from domain.risk import RiskMatrix
from domain.subject_requests import EXEMPTION_CLAUSES, ItemWithheld, RequestKind, SubjectRequest
from domain.vocabulary import FileKind

FORMAT = "caseledger-subject-access-export/2"
YOU = "you"

ABOUT = {
    "Who holds it": "the landlord (housing association), as data controller",
    "Why we hold it": (
        "To record and act on reports of hate incidents: supporting victims, assessing risk, "
        "taking action against perpetrators, sharing information with partner agencies where "
        "consent, safeguarding or the law allows, and answering complaints and case reviews."
    ),
    "What kinds of information": (
        "Contact details, the reports made and what was done about them; this may include "
        "special category data such as race, religion, sexual orientation, disability or "
        "gender identity, and information about alleged offences."
    ),
    "Where it came from": "You, people who reported incidents, staff, and partner agencies.",
    "How long we keep it": "As the landlord's retention schedule for hate incident records "
    "sets out.",
    "Your rights": (
        "You may ask us to correct (UK GDPR art. 16) or erase (art. 17) your data, to restrict "
        "or object to its use (arts. 18, 21), and you may complain to the Information "
        "Commissioner's Office (ico.org.uk)."
    ),
}
WITHHELD_STATEMENT = (
    "The law lets us withhold some information, for example where giving it to you would be "
    "likely to prejudice the prevention or detection of crime (Data Protection Act 2018, "
    "Schedule 2, paragraph 2) or would reveal information about someone else (paragraph 16). "
    "Where telling you that we hold a record would itself cause that harm, we do not list it."
)
OTHERS_STATEMENT = (
    "Information about other people has been removed. Other people on a case are called by "
    "their part in it (for example 'witness 1'), and their names are taken out of notes."
)


FILES_STATEMENT = (
    "These are the photos, recordings, letters and other files we hold about you. A copy of "
    "each comes with this document, named as below. Photos come without the location and "
    "camera details stored inside them, unless we tell you otherwise. The SHA-256 is a "
    "fingerprint of the file as we received it: anyone can check a copy against it."
)


def files_about(
    subject_id: UUID, case: CaseMaterial, decisions: Mapping[str, ItemWithheld]
) -> list[tuple[str, dict[str, Any]]]:
    """The files on the case about the requester (their id and entry), unless the DPO
    withheld their entry: what the export lists and the copy sent with it holds."""
    listed: dict[str, dict[str, Any]] = {}
    for event in case.events:
        if isinstance(event, ev.EvidenceFileWithdrawn) and event.file_id in listed:
            listed[event.file_id]["withdrawn"] = when(event.occurred_at)
        if not (isinstance(event, ev.EvidenceFileAttached) and event.about == subject_id):
            continue
        if f"{case.case_id}:{event.originator_version}" in decisions:
            continue
        listed[event.file_id] = {
            "case": case.reference,
            "what": words(FileKind, event.kind),
            "taken": when(event.taken_at),
            "received": when(event.occurred_at),
            "type": file_type_words(event.media_type),
            "size": file_size_words(event.size),
            "SHA-256": event.sha256,
            "file": f"{case.reference}/{event.file_id}.{EXTENSIONS.get(event.media_type, 'bin')}",
            "withdrawn": "",
        }
    return list(listed.items())


@dataclass(frozen=True)
class CaseMaterial:
    """One case: its events, the versions that name the requester by reference (`named`),
    the parts they play in it, everyone on it, and the DPO's free-text decisions. Its victim
    is shown every event; anyone else the events that name them, by reference or in the
    free text (a witness named in a contact note), and an alleged perpetrator the
    allegations too."""

    case_id: UUID
    reference: str
    events: Sequence[Any]
    named: frozenset[int]
    parts: Sequence[str]
    people: Mapping[UUID, tuple[Sequence[str], DataSubject]]
    reviewed: Sequence[ReviewedWords] = ()


@dataclass(frozen=True)
class ExportMaterial:
    subject: DataSubject
    subject_events: Sequence[Any]
    cases: Sequence[CaseMaterial]
    requests: Sequence[tuple[SubjectRequest, Sequence[Any]]]  # each request and its events
    request: SubjectRequest | None
    generated_at: datetime
    matrix: RiskMatrix | None = None


@dataclass(frozen=True)
class Built:
    """The export, and what the DPO reviews before it is released."""

    export: dict[str, Any]
    items: list[dict[str, str]]  # every case entry: its item key, for a decision to withhold
    passages: list[Passage]  # every passage of free text shown


_ROLE_ORDER = ("victim", "perpetrator", "representative", "witness", "reporter")


def _role(roles: Sequence[str]) -> str:
    ordered = sorted(roles, key=lambda r: _ROLE_ORDER.index(r) if r in _ROLE_ORDER else 9)
    return PARTS.get(ordered[0], ordered[0].replace("_", " ")) if ordered else "person"


def _name(subject: DataSubject) -> str:
    details = subject.details
    if subject.erased or details is None or details.erased or details.sealed is not None:
        return ""
    return str(details.value.get("name", "") or "")


def case_people(
    requester: DataSubject, people: Mapping[UUID, tuple[Sequence[str], DataSubject]]
) -> dict[UUID, Person]:
    """Everyone on a case as an export names them: the requester "you", others by their part
    and a number ("witness 1")."""
    counts: dict[str, int] = {}
    named = {requester.id: Person(requester.id, YOU, YOU, _name(requester))}
    for subject_id, (roles, subject) in people.items():
        if subject_id == requester.id:
            continue
        role = _role(roles)
        counts[role] = counts.get(role, 0) + 1
        erased = subject.erased or (subject.details is not None and subject.details.erased)
        shown = f"{role} {counts[role]}" + (" (erased)" if erased else "")
        named[subject_id] = Person(subject_id, shown, role, _name(subject), erased)
    return named


def _entry(reading_title: str, at: datetime, details: dict[str, Any]) -> dict[str, Any]:
    return {"when": when(at), "what": reading_title, "details": details}


def _shared_about(event: Any, victim_id: UUID | None) -> set[UUID]:
    """Whose information a sharing event sent outside the landlord: a support referral the
    referred person's (policy 5.9: a perpetrator's referral is not the victim's data), a
    disclosure its subjects', a panel referral or a police report naming the victim the
    victim's."""
    if isinstance(event, ev.SupportReferralMade):
        return {event.subject_id}
    if isinstance(event, ev.InformationDisclosed):
        return set(event.subjects)
    named_to_police = isinstance(event, ev.PoliceReportMade) and event.victim_identified
    if isinstance(event, ev.MultiAgencyReferralMade) or named_to_police:
        return {victim_id} if victim_id else set()
    return set()


def _disclosure(
    event: Any, requester: UUID, victim_id: UUID | None, reference: str, reading: dict[str, Any]
) -> dict[str, Any] | None:
    """A disclosure of the requester's data outside the landlord (art. 15(1)(c))."""
    if requester not in _shared_about(event, victim_id):
        return None
    return {"case": reference, "when": when(event.occurred_at)} | reading


def _request_summary(request: SubjectRequest, now: datetime) -> dict[str, Any]:
    assert request.received_at is not None
    summary: dict[str, Any] = {
        "what you asked for": words(RequestKind, request.kind),
        "received": when(request.received_at),
        "answer due by": day(request.due_on),
    }
    if request.extended:
        summary["extended"] = "yes, by two further months (UK GDPR art. 12(3))"
    if request.completed_at is not None:
        summary["answered"] = when(request.completed_at)
    elif request.timer().state(now) == "overdue":
        summary["answer due by"] += " (late: we are sorry)"
    return summary


def _withheld(decision: ItemWithheld, reference: str, title: str) -> dict[str, str]:
    return {
        "case": reference,
        "what": title,
        "why": EXEMPTION_CLAUSES.get(decision.exemption, decision.exemption),
    }


def build(material: ExportMaterial) -> Built:
    subject = material.subject
    request = material.request
    decisions: Mapping[str, ItemWithheld] = request.withheld if request else {}
    items: list[dict[str, str]] = []
    passages: list[Passage] = []
    removals = []
    cases: list[dict[str, Any]] = []
    disclosures: list[dict[str, Any]] = []
    withheld: list[dict[str, str]] = []

    files: list[dict[str, Any]] = []
    for case in material.cases:
        files += [entry for _, entry in files_about(subject.id, case, decisions)]
        redaction = Redaction(
            frozenset({subject.id}), case_people(subject, case.people), case.reviewed
        )
        victim = "victim" in case.parts
        narrator = Narrator(redaction, material.matrix, alleged(case.people))
        entries = []
        victim_id = next((e.victim_id for e in case.events if isinstance(e, ev.CaseReported)), None)
        for event in case.events:
            if PLACES.get(type(event)) != "case":
                raise LookupError(f"{type(event).__name__} has no place in the export")
            named = victim or event.originator_version in case.named
            about = redaction.readers & narrator.about(event)
            if not (named or about or redaction.names_a_reader(vars(event))):
                continue
            reading = narrator.read(event)
            item = f"{case.case_id}:{event.originator_version}"
            items.append(
                {
                    "item": item,
                    "case": case.reference,
                    "what": reading.title,
                    "when": when(event.occurred_at),
                }
            )
            decision = decisions.get(item)
            if decision is not None:
                if decision.told:
                    withheld.append(_withheld(decision, case.reference, reading.title))
                continue
            details = reading.as_json()
            entries.append(_entry(reading.title, event.occurred_at, details))
            disclosure = _disclosure(
                event, subject.id, victim_id, case.reference, {"what": reading.title} | details
            )
            if disclosure is not None:
                disclosures.append(disclosure)
        parts = [PARTS[p] for p in PARTS if p in case.parts]  # victim first, as PARTS runs
        cases.append(
            {
                "reference": case.reference,
                "your part": " and ".join(parts) if parts else "named in the case records",
                "events": entries,
            }
        )
        passages += redaction.passages
        removals += redaction.removals

    own = Redaction(frozenset({subject.id}), {subject.id: Person(subject.id, YOU, YOU)})
    record = Narrator(own, material.matrix)
    history = [
        _entry(r.title, e.occurred_at, r.as_json())
        for e in material.subject_events
        for r in [record.read(e)]
    ]
    your_requests = []
    for each, events in material.requests:
        narrator = Narrator(own, material.matrix)
        shown = [e for e in events if PLACES.get(type(e)) == "requests"]
        your_requests.append(
            _request_summary(each, material.generated_at)
            | {
                "history": [
                    _entry(r.title, e.occurred_at, r.as_json())
                    for e in shown
                    for r in [narrator.read(e)]
                ]
            }
        )
    held = subject.details
    your_details = [] if held is None or held.erased else detail_lines(held.value)
    removed = summarise(removals)
    export: dict[str, Any] = {
        "format": FORMAT,
        "title": "A copy of your personal data",
        "prepared": when(material.generated_at),
        "draft": request is None or request.reviewed_at is None,
        "your request": _request_summary(request, material.generated_at) if request else None,
        "your details": {
            "erased": subject.erased,
            "recorded anonymously": subject.anonymous,
            "details": your_details,
        },
        "history of your record": history,
        "cases": cases,
        "files about you": {"statement": FILES_STATEMENT, "files": files},
        "who we shared your information with": disclosures,
        "information withheld": {"statement": WITHHELD_STATEMENT, "items": withheld},
        "information about other people": {
            "statement": OTHERS_STATEMENT,
            "items removed": len(removals),
            "what was removed": removed,
        },
        "your requests": your_requests,
        "about this information": ABOUT,
    }
    return Built(export, items, passages)
