"""What the API answers: each resource in one shape, declared once as a schema.

Every identifier has one name wherever it appears: a case is `case_id` in its own
representation, in a list of cases, in its timers and its events; a person is `subject_id`.
A case in a list (`CaseSummary`) is the first part of the whole case (`Case`): the same
fields, by the same names. The schemas describe the answers in the OpenAPI document, and the
producers below build each answer from the schema's field names, so a field cannot be added
to one without the other (a test compares them).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marshmallow import Schema, fields

from application.caseload import TimerView
from application.json_values import to_json as jsonable
from domain.hate_case import EvidenceFile as CaseFile
from domain.hate_case import HateCase
from projections.reminders_view import ReminderRecord


class CaseSummary(Schema):
    """A case as a list shows it: no personal data."""

    case_id = fields.UUID()
    reference = fields.String()
    status = fields.String()
    version = fields.Integer(metadata={"description": "send it back as If-Match"})
    received_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime(metadata={"description": "when its latest event occurred"})
    channel = fields.String()
    strands = fields.List(fields.String())
    priority = fields.String(allow_none=True)
    officer = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    risk_level = fields.String(allow_none=True)
    under_complaint_or_review = fields.Boolean()


_OBJECT = fields.Dict()
_OBJECTS = fields.List(fields.Dict())


class Case(CaseSummary):
    """The whole case as its officer's screen shows it (personal data opened for the reader)."""

    victim_id = fields.UUID()
    reporter_id = fields.UUID(allow_none=True)
    description = fields.String()
    location = fields.String(allow_none=True)
    allocated_at = fields.AwareDateTime(allow_none=True)
    forms = fields.List(fields.String())
    victim_perceives_hate = fields.Boolean()
    hate_definition_decision = fields.String(allow_none=True)
    people = _OBJECTS
    risk_assessed_at = fields.AwareDateTime(allow_none=True)
    risk_assessment_count = fields.Integer()
    reasonable_adjustments = fields.List(
        fields.Dict(),
        metadata={
            "description": "agreed (show them wherever the case is) and under consideration "
            "(with their review date), policy 7.1-7.3"
        },
    )
    action_plan = _OBJECT
    contact_arrangement = _OBJECT
    repairs = _OBJECTS
    consents_in_force = _OBJECTS
    safeguarding_concerns = fields.List(fields.String())
    perpetrators = _OBJECTS
    closure = _OBJECT
    complaints = _OBJECTS
    case_reviews = _OBJECTS


class Timer(Schema):
    """A service-level timer on a case."""

    case_id = fields.UUID()
    reference = fields.String()
    key = fields.String()
    kind = fields.String()
    clause = fields.String()
    subject = fields.String(allow_none=True)
    started_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    stopped_at = fields.AwareDateTime(allow_none=True)
    state = fields.String()
    due_today = fields.Boolean()


class ReminderLine(Schema):
    case_id = fields.UUID()
    reference = fields.String()
    timer = fields.String(metadata={"description": "the timer's key ('' for a report)"})
    kind = fields.String(metadata={"description": "the timer's kind, or 'report'"})
    due_at = fields.AwareDateTime(allow_none=True)
    why = fields.String()


class Reminder(Schema):
    """A reminder recorded on the ledger (a digest or an escalation) and what became of it."""

    reminder_id = fields.UUID()
    kind = fields.String(metadata={"description": "digest or escalation"})
    audience = fields.String(metadata={"description": "officer, hub, manager, head_of_service"})
    recipient = fields.String(metadata={"description": "a username, head-of-service, or ''"})
    team = fields.String()
    message_id = fields.String()
    recorded_at = fields.AwareDateTime()
    outcome = fields.String(metadata={"description": "pending, delivered, failed or undeliverable"})
    settled_at = fields.AwareDateTime(allow_none=True)
    attempts = fields.Integer()
    reply = fields.String(metadata={"description": "the SMTP server's reply, or why not sent"})
    lines = fields.List(fields.Nested(ReminderLine))


class CaseWithTimers(Case):
    """`GET /cases/{case_id}`: the case, its timers, and who was reminded of them."""

    timers = fields.List(fields.Nested(Timer))
    reminders = fields.List(fields.Nested(Reminder))


class ReminderList(Schema):
    items = fields.List(fields.Nested(Reminder))
    limit = fields.Integer()
    offset = fields.Integer()


class CaseAfterCommand(Case):
    """A command's answer: the case as it now is, and what the command recorded."""

    recorded = fields.Dict(
        metadata={"description": "the id of what was recorded, e.g. consent_id, subject_id"}
    )


class CaseList(Schema):
    items = fields.List(fields.Nested(CaseSummary))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()
    projection_position = fields.Integer()


class TimerList(Schema):
    items = fields.List(fields.Nested(Timer))
    total = fields.Integer()


class EvidenceFile(Schema):
    """A file on a case (`GET /cases/{case_id}/files`; its bytes at `download`)."""

    case_id = fields.UUID()
    file_id = fields.String()
    kind = fields.String()
    about_id = fields.UUID(allow_none=True, metadata={"description": "null: the case itself"})
    taken_at = fields.DateTime(allow_none=True)
    description = fields.String(allow_none=True)
    media_type = fields.String(metadata={"description": "recognised from the bytes"})
    size = fields.Integer()
    sha256 = fields.String(metadata={"description": "of the file as uploaded (hex)"})
    attached_at = fields.DateTime()
    attached_by = fields.String()
    withdrawn = fields.Boolean()
    withdrawn_at = fields.DateTime(allow_none=True)
    erased = fields.Boolean(metadata={"description": "its person was erased: no bytes left"})
    copy_without_metadata = fields.Boolean(
        metadata={"description": "a copy without location and device metadata is kept"}
    )
    download = fields.String()


class EvidenceFileList(Schema):
    case_id = fields.UUID()
    items = fields.List(fields.Nested(EvidenceFile))
    total = fields.Integer()


SUMMARY_FIELDS = tuple(CaseSummary._declared_fields)
FILE_FIELDS = tuple(EvidenceFile._declared_fields)
CASE_FIELDS = tuple(Case._declared_fields)
TIMER_FIELDS = tuple(Timer._declared_fields)


def file_view(case_id: UUID, file: CaseFile, download: str) -> dict[str, Any]:
    """A file (with its personal values opened) in the `EvidenceFile` shape."""
    values = {
        "case_id": case_id,
        "file_id": file.file_id,
        "kind": file.kind,
        "about_id": file.about,
        "taken_at": file.taken_at,
        "description": file.description,
        "media_type": file.media_type,
        "size": file.size,
        "sha256": file.sha256,
        "attached_at": file.attached_at,
        "attached_by": file.attached_by,
        "withdrawn": file.withdrawn,
        "withdrawn_at": file.withdrawn_at,
        "erased": file.data_key.erased,
        "copy_without_metadata": file.metadata_free is not None,
        "download": download,
    }
    return {name: jsonable(values[name]) for name in FILE_FIELDS}


def summary_view(summary: dict[str, Any]) -> dict[str, Any]:
    """A case summary (from the caseload view) in the `CaseSummary` shape."""
    return {name: summary[name] for name in SUMMARY_FIELDS}


def case_view(case: HateCase) -> dict[str, Any]:
    values = {
        "case_id": case.id,
        "reference": case.reference,
        "status": case.status,
        "version": case.version,
        "received_at": case.received_at,
        "updated_at": case.updated_at,
        "channel": case.channel,
        "strands": case.strands,
        "priority": case.priority,
        "officer": case.officer,
        "team": case.team,
        "risk_level": case.risk_level,
        "under_complaint_or_review": bool(case.complaints or case.reviews),
        "victim_id": case.victim_id,
        "reporter_id": case.reporter_id,
        "description": case.description,
        "location": case.location,
        "allocated_at": case.allocated_at,
        "forms": case.forms,
        "victim_perceives_hate": case.victim_perceives_hate,
        "hate_definition_decision": case.hate_definition_decision,
        "people": [
            {"subject_id": sid, "roles": sorted(roles)} for sid, roles in case.subjects.items()
        ],
        "risk_assessed_at": case.risk_assessed_at,
        "risk_assessment_count": case.risk_assessment_count,
        "reasonable_adjustments": sorted(
            case.adjustments.values(), key=lambda a: (a.status != "agreed", a.adjustment_id)
        ),
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
            "victim_unreachable_attempts": case.victim_unreachable_attempts,
            "unanswered_attempts": [a[0] for a in case.unanswered_attempts],
            "case_review_right_told_at": case.case_review_right_told_at,
            "case_review_right_owed": case.case_review_right_owed,
            "closed_at": case.closed_at,
            "grounds": case.closure_grounds,
        },
        "complaints": list(case.complaints.values()),
        "case_reviews": list(case.reviews.values()),
    }
    return jsonable({name: values[name] for name in CASE_FIELDS})


def timer_view(view: TimerView) -> dict[str, Any]:
    timer = view.timer
    values = {
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
    return jsonable({name: values[name] for name in TIMER_FIELDS})


def reminder_view(record: ReminderRecord) -> dict[str, Any]:
    return jsonable(
        {
            "reminder_id": record.reminder_id,
            "kind": record.kind,
            "audience": record.audience,
            "recipient": record.recipient,
            "team": record.team,
            "message_id": record.message_id,
            "recorded_at": record.intended_at,
            "outcome": record.outcome or "pending",
            "settled_at": record.settled_at,
            "attempts": record.attempts,
            "reply": record.reply,
            "lines": [
                {
                    "case_id": line.case_id,
                    "reference": line.reference,
                    "timer": line.timer,
                    "kind": line.kind,
                    "due_at": line.due_at,
                    "why": line.why,
                }
                for line in record.lines
            ],
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
