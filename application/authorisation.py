"""Who may do what, and who may see which case (docs/roles.md).

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
from application.roles import ADMIN, AUDITOR, COMPLAINTS, DPO, HUB, MANAGER, OFFICER
from domain.vocabulary import StaffRole
from projections.case_summaries import Seen

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
    # Reminders by outcome (failed deliveries, members with no address): references only.
    "reminder-deliveries": frozenset({AUDITOR, ADMIN}),
}


@dataclass(frozen=True)
class CaseAccess:
    """What authorisation needs to know about a case."""

    officer: str | None
    team: str | None
    under_complaint_or_review: bool


def sight(actor: Actor) -> tuple[Seen, ...]:
    """The ways the actor sees a case (any one will do): the Customer Hub until allocation;
    officers their own cases; managers their team's and unallocated ones; the complaints
    liaison the cases under complaint or review; DPO, auditor and admin none. Each names one
    indexed column of the caseload view, so a list reads each in order."""
    if actor.role == HUB:
        return (Seen("officer", None),)
    if actor.role == OFFICER:
        return (Seen("officer", actor.username),)
    if actor.role == MANAGER:
        return (Seen("team", None), Seen("team", actor.team))
    if actor.role == COMPLAINTS:
        return (Seen("under_complaint_or_review", True),)
    return ()


def may_see(actor: Actor, case: CaseAccess) -> bool:
    """Whether the actor sees this case: `sight` applied to one case."""
    return any(getattr(case, seen.attribute) == seen.value for seen in sight(actor))


def may_target(
    actor: Actor,
    command: type[CaseCommand[object]],
    case: CaseAccess,
    *,
    by_reference: bool = False,
) -> bool:
    """May the actor address this case with this command at all (else it is not found)?

    The complaints liaison sees only cases under complaint or review. A complaint or a case
    review request arrives naming a case by its reference (the victim has it from their
    letters), so the liaison may record one on any case it names *by that reference*
    (`POST /complaints`, `POST /case-reviews`, logged with their purpose); a case id it cannot
    see is not found for it, as for everyone."""
    if by_reference and actor.role == COMPLAINTS and command.opens_to_complaints:
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
