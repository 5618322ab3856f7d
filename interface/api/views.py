"""JSON shapes of what the API returns: the case as an officer's screen needs it, its events."""

from __future__ import annotations

from typing import Any

from application.caseload import TimerView
from application.json_values import to_json as jsonable
from domain.hate_case import HateCase


def case_view(case: HateCase) -> dict[str, Any]:
    return jsonable(
        {
            "id": case.id,
            "reference": case.reference,
            "status": case.status,
            "version": case.version,
            "received_at": case.received_at,
            "channel": case.channel,
            "reporter_role": case.reporter_role,
            "victim_id": case.victim_id,
            "reporter_id": case.reporter_id,
            "description": case.description,
            "location": case.location,
            "priority": case.priority,
            "officer": case.officer,
            "team": case.team,
            "allocated_at": case.allocated_at,
            "strands": case.strands,
            "forms": case.forms,
            "victim_perceives_hate": case.victim_perceives_hate,
            "hate_definition_decision": case.hate_definition_decision,
            "people": [
                {"subject_id": sid, "roles": sorted(roles)} for sid, roles in case.subjects.items()
            ],
            "risk": {
                "level": case.risk_level,
                "assessed_at": case.risk_assessed_at,
                "assessments": case.risk_assessment_count,
            },
            "action_plan": {
                "version": case.action_plan_version,
                "open_actions": list(case.open_actions.values()),
            },
            "contact_arrangement": {
                "method": case.contact_method,
                "frequency_days": case.contact_frequency_days,
                "last_contact_at": case.last_contact_at,
            },
            "repairs": list(case.repairs.values()),
            "consents_in_force": case.consents_in_force(),
            "safeguarding_concerns": case.safeguarding_concerns,
            "perpetrators": [
                {"subject_id": sid, "link": link} for sid, link in case.perpetrators.items()
            ],
            "closure": {
                "proposed_grounds": case.proposed_grounds,
                "discussed_with_victim": case.closure_discussed,
                "closed_at": case.closed_at,
                "grounds": case.closure_grounds,
            },
            "complaints": list(case.complaints.values()),
            "case_reviews": list(case.reviews.values()),
        }
    )


def timer_view(view: TimerView) -> dict[str, Any]:
    timer = view.timer
    return jsonable(
        {
            "case_id": view.case_id,
            "reference": view.reference,
            "key": view.key,
            "kind": timer.kind,
            "clause": timer.clause,
            "subject": timer.subject,
            "started_at": timer.started_at,
            "due_at": timer.due_at,
            "stopped_at": timer.stopped_at,
            "state": view.state,
            "due_today": view.due_today,
        }
    )


_ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


def event_view(event: Any) -> dict[str, Any]:
    data = {k: v for k, v in vars(event).items() if k not in _ENVELOPE}
    return {
        "type": type(event).__name__,
        "version": event.originator_version,
        "occurred_at": jsonable(data.pop("occurred_at", event.timestamp)),
        "recorded_at": event.timestamp.isoformat(),
        "actor": data.pop("actor", None),
        "policy_version": data.pop("policy_version", None),
        "data": jsonable(data),
    }
