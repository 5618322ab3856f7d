"""Who may do what, and who may see which case (DESIGN.md, 'Who uses it').

Which roles may issue a command is declared by the command (`application.commands`); this
module gathers that into the roles table, adds what is not a command, and says who may see
which case. Policy rules about the case itself live in the domain; this module knows roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.actors import Actor
from application.commands.base import CaseCommand, Command
from application.commands.catalogue import commands
from application.errors import Forbidden
from application.roles import AUDITOR, COMPLAINTS, DPO, HUB, MANAGER, OFFICER
from domain.vocabulary import StaffRole

# What each role may do: every command of the catalogue, by its noun, and what is not a command.
COMMAND_ROLES: dict[str, frozenset[StaffRole]] = {c.noun: c.roles for c in commands()} | {
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


def may_target(actor: Actor, command: type[CaseCommand[object]], case: CaseAccess) -> bool:
    """May the actor address this case with this command at all (else it is not found)?"""
    if actor.role == COMPLAINTS and command.opens_to_complaints:
        return True
    return may_see(actor, case)


def authorise(actor: Actor, permission: str) -> None:
    """Raise Forbidden unless the actor's role has the permission (a command's noun, or
    one of the others of `COMMAND_ROLES`)."""
    roles = COMMAND_ROLES.get(permission)
    if roles is None or actor.role not in roles:
        raise Forbidden(f"the {actor.role.value} role may not do '{permission}'")


def authorise_command(actor: Actor, command: Command) -> None:
    """Raise Forbidden unless the actor's role may issue this command with these values."""
    authorise(actor, command.noun)
    refusal = command.refusal(actor.role)
    if refusal is not None:
        raise Forbidden(refusal)


def may_read_cases(actor: Actor) -> bool:
    return actor.role in (HUB, OFFICER, MANAGER, COMPLAINTS)
