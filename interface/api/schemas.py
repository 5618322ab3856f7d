"""Request bodies of the staff API: shape and size only; policy rules stay in the domain.

Vocabulary fields accept exactly the domain's enum values, read from the enums themselves,
and instants the range the domain accepts (`domain.instants`; the domain then refuses what is
later than its clock).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from domain.instants import out_of_range
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
    Strand,
    SubjectRole,
)

SHORT = 200
TEXT = 10_000


def one_of(enum_cls: type[Enum], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def text(required: bool = True, max_length: int = TEXT) -> fields.String:
    return fields.String(
        required=required,
        allow_none=not required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
    )


def name(required: bool = True) -> fields.String:
    return text(required, SHORT)


def _in_range(value: datetime) -> None:
    reason = out_of_range(value)
    if reason is not None:
        raise ValidationError(reason)


def instant(**kwargs: Any) -> fields.AwareDateTime:
    """An instant with its offset, within the ledger's range: 422 naming the field if not."""
    return fields.AwareDateTime(validate=_in_range, **kwargs)


class PersonDetails(Schema):
    """A person's details; every field optional (an anonymous person has none)."""

    name = text(False, SHORT)
    date_of_birth = fields.Date(allow_none=True)
    address = text(False, 500)
    phone = text(False, 50)
    email = fields.Email(allow_none=True, validate=validate.Length(max=SHORT))
    preferred_language = text(False, 50)
    tenancy_reference = text(False, 50)


class ReportCase(Schema):
    channel = one_of(Channel, required=True)
    reporter_role = one_of(ReporterRole, required=True)
    received_at = instant(allow_none=True)
    incident_at = instant(allow_none=True)
    location = text(False, 500)
    description = text()
    strands = fields.List(one_of(Strand), required=True, validate=validate.Length(min=1, max=8))
    forms = fields.List(one_of(Form), required=True, validate=validate.Length(min=1, max=9))
    victim_perceives_hate = fields.Boolean(load_default=True)
    criminal_offence_alleged = fields.Boolean(allow_none=True)
    victim = fields.Nested(PersonDetails, allow_none=True)
    victim_id = fields.UUID(allow_none=True)
    reporter = fields.Nested(PersonDetails, allow_none=True)


class FurtherIncident(Schema):
    reporter_role = one_of(ReporterRole, required=True)
    incident_at = instant(allow_none=True)
    location = text(False, 500)
    description = text()
    strands = fields.List(one_of(Strand), required=True, validate=validate.Length(min=1, max=8))
    forms = fields.List(one_of(Form), required=True, validate=validate.Length(min=1, max=9))


class Triage(Schema):
    priority = one_of(Priority, load_default=Priority.HIGHEST.value)
    notes = text(False)


class Allocation(Schema):
    officer = name()
    team = name()


class Reassignment(Schema):
    officer = name()
    team = name()
    reason = text()


class AddPerson(Schema):
    role = fields.String(
        required=True,
        validate=validate.OneOf(
            [SubjectRole.WITNESS, SubjectRole.REPRESENTATIVE, SubjectRole.HOUSEHOLD_MEMBER]
        ),
    )
    details = fields.Nested(PersonDetails, load_default=dict)
    subject_id = fields.UUID(allow_none=True)
    elected_representative = fields.Boolean(load_default=False)


class Classification(Schema):
    strands = fields.List(one_of(Strand), required=True, validate=validate.Length(max=8))
    forms = fields.List(one_of(Form), required=True, validate=validate.Length(min=1, max=9))
    victim_agrees = fields.Boolean(required=True)
    reason = text()


class HateDefinitionDispute(Schema):
    decision = one_of(HateDefinitionDecision, required=True)
    reasons = text()


class RiskAssessment(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=100)),
        values=fields.Integer(strict=True),
        required=True,
        validate=validate.Length(max=100),
    )
    level = one_of(RiskLevel, allow_none=True)
    override_reason = text(False)
    notes = text(False)


class PlannedAction(Schema):
    description = text(max_length=2000)
    owner = name()
    due_on = fields.Date(allow_none=True)


class ActionPlan(Schema):
    actions = fields.List(
        fields.Nested(PlannedAction), required=True, validate=validate.Length(min=1, max=50)
    )


class ActionCompletion(Schema):
    action_id = name()
    outcome = text(False)


class ContactArrangement(Schema):
    method = one_of(ContactMethod, required=True)
    frequency_days = fields.Integer(required=True, strict=True)
    safe_venue = text(False, 500)
    notes = text(False)


class Contact(Schema):
    method = one_of(ContactMethod, required=True)
    direction = one_of(ContactDirection, required=True)
    outcome = one_of(ContactOutcome, load_default=ContactOutcome.MADE.value)
    summary = text(False)
    subject_id = fields.UUID(allow_none=True)


class ReasonableAdjustment(Schema):
    adjustment = text(max_length=2000)
    subject_id = fields.UUID(allow_none=True)


class SupportReferral(Schema):
    agency = name()
    consent_id = name(False)
    notes = text(False)
    subject_id = fields.UUID(allow_none=True)


class SecurityMeasures(Schema):
    measures = text(max_length=2000)


class Repair(Schema):
    kind = one_of(RepairKind, required=True)
    description = text(max_length=2000)
    contractor = name(False)


class RepairCompletion(Schema):
    repair_id = name()
    notes = text(False)


class ConsentGrant(Schema):
    recipient = one_of(Recipient, required=True)
    recipient_name = name()
    form = one_of(ConsentForm, required=True)
    representative_id = fields.UUID(allow_none=True)
    evidence_reference = text(False, 500)


class ConsentWithdrawal(Schema):
    consent_id = name()
    reason = text(False)


class SafeguardingConcern(Schema):
    about = one_of(SafeguardingSubject, required=True)
    referred_to = fields.List(one_of(Recipient), required=True, validate=validate.Length(min=1))
    details = text()


class PoliceReport(Schema):
    basis = one_of(PoliceReportBasis, required=True)
    consent_id = name(False)
    legal_basis = text(False, 500)
    police_reference = name(False)
    details = text(False)


class MultiAgencyReferral(Schema):
    panel = name()
    consent_id = name(False)
    reason = text()


class Disclosure(Schema):
    recipient = one_of(Recipient, required=True)
    recipient_name = name()
    basis = one_of(DisclosureBasis, required=True)
    what = text()
    consent_id = name(False)
    legal_basis = text(False, 500)
    representative_id = fields.UUID(allow_none=True)
    subjects = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=50))


class Perpetrator(Schema):
    link = one_of(PerpetratorLink, required=True)
    details = fields.Nested(PersonDetails, load_default=dict)
    subject_id = fields.UUID(allow_none=True)
    notes = text(False)


class Intervention(Schema):
    subject_id = fields.UUID(required=True)
    kind = one_of(InterventionKind, required=True)
    legal_power = text(False, 500)
    notes = text(False)


class StaffMatterReferral(Schema):
    subject_id = fields.UUID(required=True)
    notes = text(False)


def _grounds() -> fields.List:
    return fields.List(one_of(ClosureGround), required=True, validate=validate.Length(max=4))


class ClosureProposal(Schema):
    grounds = _grounds()
    reasons = text()


class ClosureDiscussion(Schema):
    method = one_of(ContactMethod, required=True)
    victim_agrees = fields.Boolean(required=True)
    victim_view = text()


class Closure(Schema):
    grounds = _grounds()
    reasons = text()
    victim_view = text(False)


class Reopening(Schema):
    reason = text()


class Complaint(Schema):
    stage = one_of(ComplaintStage, required=True)
    summary = text()
    complainant_id = fields.UUID(allow_none=True)
    complaint_id = name(False)


class ComplaintResponse(Schema):
    complaint_id = name()
    outcome = one_of(ComplaintOutcome, required=True)
    response = text()


class CaseReview(Schema):
    local_authority = name()
    requested_by = fields.UUID(allow_none=True)


class CaseReviewThreshold(Schema):
    review_id = name()
    threshold_met = fields.Boolean(required=True)
    reasons = text()


class PanelRecommendation(Schema):
    review_id = name()
    recommendation = text()


class PanelRecommendationAnswer(Schema):
    recommendation_id = name()
    answer = one_of(RecommendationAnswer, required=True)
    reasons = text()


class StaffAccount(Schema):
    username = name()
    role = fields.String(required=True)
    display_name = fields.String(load_default="", validate=validate.Length(max=SHORT))
    team = fields.String(load_default="default", validate=validate.Length(min=1, max=SHORT))
