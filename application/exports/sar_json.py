"""The subject access export as JSON: everything held about one person, as they may see it.

The export is built from material the use case gathers through the subject index (the
person's own record, the case events that mention them, their requests) and applies the
two rules of `domain.subject_requests`: events of a withheld category are left out and
listed with the exemption (DPA 2018 Sch 2 para 2), and every value of another person is
redacted (Sch 2 para 16). Who recorded each event is given as "staff", not by name.

Free text about several people is held under the victim's key (see `domain.personal`), so
it is shown to the victim in full and redacted for everyone else; the export says so, and
the DPO reviews free text before sending, as the ICO expects for mixed information.

Built on request and never stored, so an erasure leaves no copy behind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.json_values import to_json as plain
from domain import case_events as ev
from domain.data_subject import DataSubject
from domain.subject_requests import (
    CRIME_EXEMPTION,
    GROUND_CLAUSES,
    OTHERS_EXEMPTION,
    Redaction,
    SubjectRequest,
    withholding_category,
)

FORMAT = "caseledger-subject-access-export/1"
_LEFT_OUT = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
)

ABOUT = {
    "controller": "the landlord (housing association), as data controller",
    "purposes": (
        "To record and act on reports of hate incidents: supporting victims, assessing risk, "
        "taking action against perpetrators, sharing information with partner agencies where "
        "consent, safeguarding or the law allows, and answering complaints and case reviews."
    ),
    "categories": (
        "Contact details, the reports made and what was done about them; this may include "
        "special category data such as race, religion, sexual orientation, disability or "
        "gender identity, and information about alleged offences."
    ),
    "sources": "You, people who reported incidents, staff, and partner agencies.",
    "retention": "As the landlord's retention schedule for hate incident records sets out.",
    "rights": (
        "You may ask us to correct (UK GDPR art. 16) or erase (art. 17) your data, to restrict "
        "or object to its use (arts. 18, 21), and you may complain to the Information "
        "Commissioner's Office (ico.org.uk)."
    ),
}


@dataclass(frozen=True)
class CaseMaterial:
    """One case and the events of it that mention the requester, with their parts in each."""

    case_id: UUID
    reference: str
    events: Sequence[tuple[Any, Sequence[str]]]


@dataclass(frozen=True)
class ExportMaterial:
    subject: DataSubject
    subject_events: Sequence[Any]
    cases: Sequence[CaseMaterial]
    requests: Sequence[SubjectRequest]
    request: SubjectRequest | None
    withheld_categories: Sequence[str]
    generated_at: datetime


def label(event: Any) -> str:
    """`ContactMade` -> "Contact made"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(event).__name__).capitalize()


def _event_entry(event: Any, redaction: Redaction, parts: Sequence[str] = ()) -> dict[str, Any]:
    state = {k: v for k, v in vars(event).items() if k not in _LEFT_OUT}
    state.pop("policy_version", None)
    occurred_at = state.pop("occurred_at", event.timestamp)
    entry: dict[str, Any] = {
        "type": type(event).__name__,
        "label": label(event),
        "version": event.originator_version,
        "occurred_at": occurred_at,
        "recorded_by": "staff",
    }
    if parts:
        entry["your_part"] = list(parts)
    entry["data"] = redaction.apply(state)
    return entry


def _disclosure(event: Any, reference: str, redaction: Redaction) -> dict[str, Any] | None:
    """A disclosure of the requester's data to someone outside the landlord (art. 15(1)(c))."""
    sent: dict[str, Any]
    if isinstance(event, ev.InformationDisclosed):
        sent = {
            "recipient": event.recipient,
            "recipient_name": event.recipient_name,
            "basis": event.basis,
            "legal_basis": event.legal_basis,
            "what": event.what,
        }
    elif isinstance(event, ev.MultiAgencyReferralMade):
        sent = {"recipient": "multi_agency_panel", "recipient_name": event.panel}
        sent |= {"basis": "consent", "what": event.reason}
    elif isinstance(event, ev.SupportReferralMade):
        sent = {"recipient": "support_agency", "recipient_name": event.agency}
        sent |= {"basis": "consent", "what": event.notes}
    elif isinstance(event, ev.PoliceReportMade) and event.victim_identified:
        sent = {"recipient": "police", "basis": event.basis, "legal_basis": event.legal_basis}
        sent |= {"what": event.details}
    else:
        return None
    return {"case_reference": reference, "occurred_at": event.occurred_at} | redaction.apply(sent)


def _request_entry(request: SubjectRequest, now: datetime) -> dict[str, Any]:
    return {
        "request_id": request.id,
        "kind": request.kind,
        "received_at": request.received_at,
        "due_on": request.due_on,
        "extended": request.extended,
        "completed_at": request.completed_at,
        "outcome": request.outcome,
        "ground": GROUND_CLAUSES.get(request.ground or ""),
        "timer": request.timer().state(now),
    }


def build_export(material: ExportMaterial) -> dict[str, Any]:
    subject = material.subject
    redaction = Redaction(requester=subject.id)
    cases: list[dict[str, Any]] = []
    disclosures: list[dict[str, Any]] = []
    withheld: list[dict[str, Any]] = []
    for case in material.cases:
        entries = []
        for event, parts in case.events:
            category = withholding_category(event, material.withheld_categories)
            if category is not None:
                withheld.append(
                    {
                        "case_reference": case.reference,
                        "type": type(event).__name__,
                        "label": label(event),
                        "occurred_at": event.occurred_at,
                        "category": category,
                        "exemption": CRIME_EXEMPTION,
                    }
                )
                continue
            entries.append(_event_entry(event, redaction, parts))
            disclosure = _disclosure(event, case.reference, redaction)
            if disclosure is not None:
                disclosures.append(disclosure)
        roles = sorted({part for _, parts in case.events for part in parts})
        cases.append(
            {
                "case_id": case.case_id,
                "reference": case.reference,
                "your_parts": roles,
                "events": entries,
            }
        )
    export = {
        "format": FORMAT,
        "title": "Copy of your personal data (UK GDPR art. 15)",
        "generated_at": material.generated_at,
        "request": (
            _request_entry(material.request, material.generated_at) if material.request else None
        ),
        "subject": {
            "subject_id": subject.id,
            "erased": subject.erased,
            "anonymous": subject.anonymous,
            "details": redaction.apply(subject.details) if subject.details else {},
        },
        "record_history": [_event_entry(e, redaction) for e in material.subject_events],
        "cases": cases,
        "disclosures": disclosures,
        "withheld": withheld,
        "your_requests": [_request_entry(r, material.generated_at) for r in material.requests],
        "redactions": {
            "exemption": OTHERS_EXEMPTION,
            "values_redacted": redaction.count,
            "note": (
                "Information about other people has been removed. Notes written about "
                "several people are kept with the victim's record: they are shown to the "
                "victim and removed for everyone else."
            ),
        },
        "about_this_data": ABOUT,
    }
    result: dict[str, Any] = plain(export)
    return result
