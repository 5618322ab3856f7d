"""Commands about the people alleged to be responsible (policy 5.6-5.9, 5.11)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text, short_text
from application.commands.people import PersonDetails
from application.roles import CASE_WORKERS, MANAGER, MANAGERS
from domain.hate_case import HateCase
from domain.vocabulary import InterventionKind, PerpetratorLink, StaffRole

_PERPETRATOR = "The alleged perpetrator identified on the case"


@dataclass(frozen=True, kw_only=True)
class IdentifyPerpetrator(CaseCommand[UUID]):
    """An alleged perpetrator is a data subject of their own, referenced from the case."""

    noun = "perpetrators"
    title = "Identify an alleged perpetrator"
    clauses = ("5.7", "5.8", "5.11")
    roles = CASE_WORKERS
    recorded_as = "subject_id"

    link: PerpetratorLink = described("Their link to us (a tenant, staff, ...)")
    details: PersonDetails | None = described("A new person's details", default=None)
    subject_id: UUID | None = described("Or a person the ledger knows", default=None)
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> UUID:
        person = acting.person(self.details, self.subject_id)
        case.identify_perpetrator(
            subject_id=person, link=self.link, notes=self.notes, actor=acting.actor, at=acting.at
        )
        return person


@dataclass(frozen=True, kw_only=True)
class TakeIntervention(CaseCommand[str]):
    noun = "interventions"
    title = "Early intervention or enforcement"
    clauses = ("5.6", "5.7")
    roles = CASE_WORKERS
    recorded_as = "intervention_id"

    subject_id: UUID = described(_PERPETRATOR)
    kind: InterventionKind = described("What is done (enforcement is a manager's decision)")
    legal_power: str | None = short_text(
        "The legal power used, for enforcement", default=None, max_length=500
    )
    notes: str | None = free_text(default=None)

    def refusal(self, role: StaffRole) -> str | None:
        if self.kind.is_tenancy_enforcement and role != MANAGER:
            return "tenancy enforcement is a manager's decision"
        return None

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.take_intervention(
            subject_id=self.subject_id,
            kind=self.kind,
            legal_power=self.legal_power,
            notes=self.notes,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReferStaffMatter(CaseCommand[None]):
    noun = "staff-matter-referrals"
    title = "Refer a staff perpetrator to the disciplinary procedure"
    clauses = ("5.11",)
    roles = MANAGERS

    subject_id: UUID = described(_PERPETRATOR)
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.refer_staff_matter(
            subject_id=self.subject_id, notes=self.notes, actor=acting.actor, at=acting.at
        )
