"""The case commands of the API: the URL noun, its body schema and the ledger method it runs."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema

from interface.api import schemas as s


@dataclass(frozen=True)
class CaseCommand:
    noun: str
    schema: type[Schema]
    method: str
    summary: str


CASE_COMMANDS: tuple[CaseCommand, ...] = (
    CaseCommand(
        "further-incidents",
        s.FurtherIncident,
        "report_further_incident",
        "Record a further incident on the case (policy 5.2)",
    ),
    CaseCommand("triage", s.Triage, "triage", "Customer Hub triage (policy 5.1, 8.1)"),
    CaseCommand("allocation", s.Allocation, "allocate", "Name the case officer (policy 8.1)"),
    CaseCommand(
        "reassignment",
        s.Reassignment,
        "reassign",
        "Reassign to another officer, with a reason (manager)",
    ),
    CaseCommand(
        "subjects", s.AddPerson, "add_person", "Add a witness, representative or household member"
    ),
    CaseCommand(
        "classification",
        s.Classification,
        "revise_classification",
        "Revise strands and forms (policy 4, 5.4)",
    ),
    CaseCommand(
        "hate-definition-disputes",
        s.HateDefinitionDispute,
        "dispute_hate_definition",
        "Manager finds the victim's definition proven otherwise or unreasonable (5.4)",
    ),
    CaseCommand(
        "risk-assessments",
        s.RiskAssessment,
        "assess_risk",
        "Score the risk assessment; override the band with a reason (policy 5.5)",
    ),
    CaseCommand(
        "action-plans",
        s.ActionPlan,
        "agree_action_plan",
        "Agree a new version of the action plan (policy 8.1)",
    ),
    CaseCommand(
        "action-completions",
        s.ActionCompletion,
        "complete_action",
        "Complete an action of the current plan",
    ),
    CaseCommand(
        "contact-arrangements",
        s.ContactArrangement,
        "agree_contact_arrangement",
        "Agree how and how often the victim hears from us (policy 5.12, 8.1)",
    ),
    CaseCommand(
        "contacts",
        s.Contact,
        "record_contact",
        "Log a contact, including a failed attempt (policy 8.1)",
    ),
    CaseCommand(
        "reasonable-adjustments",
        s.ReasonableAdjustment,
        "agree_reasonable_adjustment",
        "Agree a reasonable adjustment (policy 7)",
    ),
    CaseCommand(
        "support-referrals",
        s.SupportReferral,
        "refer_for_support",
        "Refer to a support agency (policy 8.1, 9.4)",
    ),
    CaseCommand(
        "security-measures",
        s.SecurityMeasures,
        "provide_security_measures",
        "Provide extra security to the home (policy 5.10)",
    ),
    CaseCommand(
        "repairs",
        s.Repair,
        "request_repair",
        "Order an emergency repair or graffiti removal (policy 5.10)",
    ),
    CaseCommand(
        "repair-completions", s.RepairCompletion, "complete_repair", "Record a repair as completed"
    ),
    CaseCommand(
        "consents",
        s.ConsentGrant,
        "grant_consent",
        "Record the victim's consent to share (policy 6.2, 9.4)",
    ),
    CaseCommand(
        "consent-withdrawals",
        s.ConsentWithdrawal,
        "withdraw_consent",
        "Record that a consent was withdrawn",
    ),
    CaseCommand(
        "safeguarding-concerns",
        s.SafeguardingConcern,
        "raise_safeguarding_concern",
        "Raise a safeguarding concern (policy 8.2)",
    ),
    CaseCommand(
        "police-reports",
        s.PoliceReport,
        "report_to_police",
        "Report to the police: consent, legal obligation or anonymous (policy 9.2)",
    ),
    CaseCommand(
        "referrals",
        s.MultiAgencyReferral,
        "refer_to_multi_agency_panel",
        "Refer to a multi-agency panel with the victim's agreement (policy 9.3)",
    ),
    CaseCommand(
        "disclosures",
        s.Disclosure,
        "disclose",
        "Record information disclosed and its basis (policy 6.2, 6.3, 9.4)",
    ),
    CaseCommand(
        "perpetrators",
        s.Perpetrator,
        "identify_perpetrator",
        "Identify an alleged perpetrator (policy 5.7, 5.8, 5.11)",
    ),
    CaseCommand(
        "interventions",
        s.Intervention,
        "take_intervention",
        "Early intervention or enforcement (policy 5.6, 5.7)",
    ),
    CaseCommand(
        "staff-matter-referrals",
        s.StaffMatterReferral,
        "refer_staff_matter",
        "Refer a staff perpetrator to the disciplinary procedure (policy 5.11)",
    ),
    CaseCommand(
        "closure-proposals",
        s.ClosureProposal,
        "propose_closure",
        "Propose closure on policy 10.1 grounds",
    ),
    CaseCommand(
        "closure-discussions",
        s.ClosureDiscussion,
        "discuss_closure",
        "Record the closure discussion with the victim (policy 10.1)",
    ),
    CaseCommand(
        "closure",
        s.Closure,
        "close_case",
        "Close the case with grounds and reasons (policy 10.1, manager)",
    ),
    CaseCommand("reopening", s.Reopening, "reopen_case", "Reopen a closed case"),
    CaseCommand(
        "complaints",
        s.Complaint,
        "receive_complaint",
        "Record a stage 1 complaint or a stage 2 escalation (policy 11.1)",
    ),
    CaseCommand(
        "complaint-responses",
        s.ComplaintResponse,
        "respond_to_complaint",
        "Record our response at the complaint's current stage",
    ),
    CaseCommand(
        "case-reviews",
        s.CaseReview,
        "request_case_review",
        "Record a request for an ASB Case Review (policy 12.1)",
    ),
    CaseCommand(
        "case-review-thresholds",
        s.CaseReviewThreshold,
        "decide_review_threshold",
        "Record whether the review threshold was met (policy 12.1)",
    ),
    CaseCommand(
        "panel-recommendations",
        s.PanelRecommendation,
        "receive_panel_recommendation",
        "Record a review panel recommendation (policy 12.3)",
    ),
    CaseCommand(
        "panel-recommendation-answers",
        s.PanelRecommendationAnswer,
        "answer_panel_recommendation",
        "Accept a recommendation or give the alternative approach (policy 12.3)",
    ),
)

BY_NOUN = {c.noun: c for c in CASE_COMMANDS}
