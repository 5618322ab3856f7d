"""Cases for the integration and reliability tests, made through the ledger's typed commands.

One fictional victim, one report, and the steps most tests take with it (triage and
allocation, a contact, closure), so each test module says only what is particular to it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from application.actors import Actor
from application.commands.after_the_case import TellVictimOfCaseReviewRight
from application.commands.base import CaseCommand
from application.commands.closing import CloseCase, DiscussClosure, ProposeClosure
from application.commands.people import PersonDetails
from application.commands.reporting import Allocate, ReportCase, Triage
from application.commands.victim_care import RecordContact
from domain.hate_case import HateCase
from domain.vocabulary import (
    Channel,
    ClosureGround,
    ContactDirection,
    ContactMethod,
    FileKind,
    Form,
    ReporterRole,
    StaffRole,
    Strand,
)
from interface.config import Services
from tests.conftest import HUB, MANAGER, OFFICER

VICTIM_NAME = "Zainab Quorindale"
DESCRIPTION = "Quorindale family targeted with slurs by the bins"
LOW_RISK = {
    "fear_for_safety": 1,
    "violence_or_threats": 0,
    "repeat_victimisation": 0,
    "escalation": 0,
    "targets_home": 0,
    "perpetrator_nearby": 0,
    "vulnerability": 0,
    "children_affected": 0,
    "isolation": 0,
    "health_impact": 0,
}
REPORT = ReportCase(
    channel=Channel.PHONE,
    reporter_role=ReporterRole.VICTIM,
    description=DESCRIPTION,
    strands=(Strand.RACE,),
    forms=(Form.VERBAL_ABUSE,),
    victim=PersonDetails(name=VICTIM_NAME, phone="07700 900111"),
)


def act(services: Services, case: HateCase, actor: Actor, command: CaseCommand[Any]) -> HateCase:
    """Run a command on the case as the actor saw it; the case as it now is. The complaints
    liaison names a case by its reference (as `POST /complaints` does) for the commands that
    open it to them."""
    by_reference = actor.role == StaffRole.COMPLAINTS and type(command).opens_to_complaints
    return services.ledger.execute(
        case.id, command, actor=actor, seen_version=case.version, by_reference=by_reference
    ).case


def report(services: Services, name: str = VICTIM_NAME, **overrides: Any) -> HateCase:
    """A victim's phone report taken by the hub; `overrides` replace fields of `REPORT`."""
    victim = PersonDetails(name=name, phone="07700 900111")
    return services.ledger.report(
        dataclasses.replace(REPORT, **{"victim": victim, **overrides}), actor=HUB
    )


def allocate(services: Services, case: HateCase, officer: Actor = OFFICER) -> HateCase:
    case = act(services, case, HUB, Triage())
    return act(services, case, HUB, Allocate(officer=officer.username, team=officer.team))


def allocated(services: Services) -> HateCase:
    return allocate(services, report(services))


def contact(
    services: Services, case: HateCase, actor: Actor = OFFICER, **overrides: Any
) -> HateCase:
    """A phone call to the victim (`overrides`: other fields of `RecordContact`)."""
    call = RecordContact(method=ContactMethod.PHONE, direction=ContactDirection.OUTBOUND)
    return act(services, case, actor, dataclasses.replace(call, **overrides))


def close(services: Services, case: HateCase) -> HateCase:
    """Propose closure, discuss it with the victim, tell them of their right to an ASB Case
    Review, and close it (policy 10.1, 12.1)."""
    grounds = (ClosureGround.RESOLVED_TO_SATISFACTION,)
    case = act(
        services, case, OFFICER, ProposeClosure(grounds=grounds, reasons="No further incidents")
    )
    case = act(
        services,
        case,
        OFFICER,
        DiscussClosure(
            method=ContactMethod.PHONE, victim_agrees=True, victim_view="Happy for it to close"
        ),
    )
    case = act(services, case, OFFICER, TellVictimOfCaseReviewRight(method=ContactMethod.PHONE))
    return act(services, case, MANAGER, CloseCase(grounds=grounds, reasons="Resolved"))


def attach_file(
    services: Services,
    case: HateCase,
    content: bytes,
    actor: Actor = OFFICER,
    piece: int = 64 * 1024,
    **fields: Any,
) -> HateCase:
    """Attach a file the way every interface does: received piece by piece, then the
    command through the ledger's one path."""
    receiving = services.files.receiving(None)
    for start in range(0, len(content), piece):
        receiving.write(content[start : start + piece])
    received = receiving.finish()
    done = services.files.attach(
        actor, case.id, received, {"kind": FileKind.PHOTO, **fields}, case.version
    )
    return done.case
