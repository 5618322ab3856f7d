"""Who may do what, and who may see which case (DESIGN.md, 'Who uses it').

This is the one place that says which staff role may run which command and read which case.
Policy rules about the case itself live in the domain; this module only knows roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.actors import Actor
from application.errors import Forbidden
from domain.vocabulary import InterventionKind, StaffRole

HUB, OFFICER, MANAGER = StaffRole.HUB, StaffRole.OFFICER, StaffRole.MANAGER
DPO, COMPLAINTS = StaffRole.DPO, StaffRole.COMPLAINTS
AUDITOR = StaffRole.AUDITOR
CASE_WORKERS = frozenset({OFFICER, MANAGER})
INTAKE = frozenset({HUB, OFFICER, MANAGER})

# Command (its API name) -> the roles that may run it.
COMMAND_ROLES: dict[str, frozenset[StaffRole]] = {
    "report": INTAKE,
    "further-incidents": INTAKE,
    "triage": frozenset({HUB, MANAGER}),
    "allocation": frozenset({HUB, MANAGER}),
    "reassignment": frozenset({MANAGER}),
    "subjects": INTAKE,
    "classification": CASE_WORKERS,
    "hate-definition-disputes": frozenset({MANAGER}),
    "risk-assessments": CASE_WORKERS,
    "action-plans": CASE_WORKERS,
    "action-completions": CASE_WORKERS,
    "contact-arrangements": CASE_WORKERS,
    "contacts": INTAKE,
    "reasonable-adjustments": INTAKE,
    "support-referrals": CASE_WORKERS,
    "security-measures": CASE_WORKERS,
    "repairs": INTAKE,
    "repair-completions": INTAKE,
    "consents": INTAKE,
    "consent-withdrawals": INTAKE,
    "safeguarding-concerns": INTAKE,
    "police-reports": CASE_WORKERS,
    "referrals": CASE_WORKERS,
    "disclosures": CASE_WORKERS,
    "perpetrators": CASE_WORKERS,
    "interventions": CASE_WORKERS,
    "staff-matter-referrals": frozenset({MANAGER}),
    "closure-proposals": CASE_WORKERS,
    "closure-discussions": CASE_WORKERS,
    "closure": frozenset({MANAGER}),
    "reopening": CASE_WORKERS,
    "complaints": frozenset({COMPLAINTS, MANAGER}),
    "complaint-responses": frozenset({COMPLAINTS, MANAGER}),
    "case-reviews": frozenset({COMPLAINTS, MANAGER}),
    "case-review-thresholds": frozenset({COMPLAINTS, MANAGER}),
    "panel-recommendations": frozenset({COMPLAINTS, MANAGER}),
    "panel-recommendation-answers": frozenset({MANAGER}),
    # Complaint (11) and ASB Case Review (12.2) evidence packs.
    "evidence-packs": frozenset({COMPLAINTS, MANAGER}),
    # Data subjects' rights (UK GDPR arts. 15-17): the DPO's alone, and no case work.
    "subject-access": frozenset({DPO}),
    "rectification": frozenset({DPO}),
    "erasure": frozenset({DPO}),
    # Who read what: ids only, so the auditor may read it as well as the DPO.
    "access-log": frozenset({AUDITOR, DPO}),
    # Recomputing the integrity log reads every stored event: the auditor's alone.
    "audit-verify": frozenset({AUDITOR}),
    # Landlord-wide counts (TSM NM01 and service levels), no personal data.
    "statistics": frozenset({MANAGER, AUDITOR}),
}

# Commands that open a case to the complaints liaison before it is under complaint or review.
_OPENS_TO_COMPLAINTS = frozenset({"complaints", "case-reviews"})


@dataclass(frozen=True)
class CaseAccess:
    """What authorisation needs to know about a case."""

    officer: str | None
    team: str | None
    under_complaint_or_review: bool


def may_see(actor: Actor, case: CaseAccess) -> bool:
    """Hub until allocation; officers their own cases; managers their team's and unallocated;
    complaints liaison the cases under complaint or review; DPO, auditor and admin no case."""
    if actor.role == HUB:
        return case.officer is None
    if actor.role == OFFICER:
        return case.officer == actor.username
    if actor.role == MANAGER:
        return case.team is None or case.team == actor.team
    if actor.role == COMPLAINTS:
        return case.under_complaint_or_review
    return False


Condition = tuple[str, tuple[object, ...]]


def visibility_conditions(actor: Actor) -> list[Condition]:
    """`may_see` as SQL conditions over the caseload view, any of which lets a case be seen
    (none: nothing is). Each names one indexed column, so a list can read each in order."""
    if actor.role == HUB:
        return [("officer IS NULL", ())]
    if actor.role == OFFICER:
        return [("officer = ?", (actor.username,))]
    if actor.role == MANAGER:
        return [("team IS NULL", ()), ("team = ?", (actor.team,))]
    if actor.role == COMPLAINTS:
        return [("under_complaint_or_review = 1", ())]
    return []


def visibility_filter(actor: Actor) -> Condition:
    """`visibility_conditions` as one SQL condition."""
    conditions = visibility_conditions(actor)
    if not conditions:
        return "1 = 0", ()
    sql = " OR ".join(condition for condition, _ in conditions)
    return f"({sql})", tuple(v for _, params in conditions for v in params)


def may_target(actor: Actor, command: str, case: CaseAccess) -> bool:
    """May the actor address this case with this command at all (else it is not found)?"""
    if actor.role == COMPLAINTS and command in _OPENS_TO_COMPLAINTS:
        return True
    return may_see(actor, case)


def authorise(actor: Actor, command: str, intervention_kind: str | None = None) -> None:
    """Raise Forbidden unless the actor's role may run the command.

    Enforcement against a tenancy is a manager's decision (DESIGN.md roles table).
    """
    roles = COMMAND_ROLES.get(command)
    if roles is None or actor.role not in roles:
        raise Forbidden(f"the {actor.role.value} role may not do '{command}'")
    if intervention_kind is not None:
        try:
            enforcement = InterventionKind(intervention_kind).is_tenancy_enforcement
        except ValueError:
            return  # the domain refuses the unknown kind with a field error
        if enforcement and actor.role != MANAGER:
            raise Forbidden("tenancy enforcement is a manager's decision")


def may_read_cases(actor: Actor) -> bool:
    return actor.role in (HUB, OFFICER, MANAGER, COMPLAINTS)
