"""Commands of intake and classification (policy 5.1-5.4, 6.1-6.3, 8.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from application.commands.base import Acting, CaseCommand, Command
from application.commands.fields import described, free_text, short_text
from application.commands.people import PersonDetails
from application.roles import CASE_WORKERS, INTAKE, MANAGERS, TRIAGE
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.vocabulary import (
    Channel,
    Form,
    HateDefinitionDecision,
    Priority,
    ReporterRole,
    Strand,
    SubjectRole,
)

_STRANDS = "What the hostility is aimed at, as the victim defines it (policy 4.2, 4.3, 5.4)"
_FORMS = "What happened (policy 4.4)"


@dataclass(frozen=True, kw_only=True)
class ReportCase(Command):
    """A new case: its victim (a new person or one the ledger knows) and its reporter."""

    noun = "report"  # served by POST /cases
    title = "Report a case"
    clauses = ("5.2", "5.3")
    roles = INTAKE

    channel: Channel = described("How the report reached us")
    reporter_role: ReporterRole = described("Who made the report")
    received_at: datetime | None = described("When it was received (default: now)", default=None)
    incident_at: datetime | None = described("When it happened, if known", default=None)
    location: str | None = short_text(
        "Where it happened", default=None, max_length=500, personal=True
    )
    description: str = free_text("What happened, in the reporter's words")
    strands: tuple[Strand, ...] = described(_STRANDS, min_items=1, max_items=8)
    forms: tuple[Form, ...] = described(_FORMS, min_items=1, max_items=9)
    victim_perceives_hate: bool = described("The victim perceives it as hate (5.4)", default=True)
    criminal_offence_alleged: bool | None = described("A crime is alleged", default=None)
    victim: PersonDetails | None = described("A new victim's details", default=None)
    victim_id: UUID | None = described("Or a person the ledger knows", default=None)
    reporter: PersonDetails | None = described(
        "The reporter's details, when not the victim or anonymous", default=None
    )

    def run(self, acting: Acting) -> HateCase:
        """The case, with the new people recorded by `acting`, ready to save together."""
        if self.victim_id is None:
            victim_id = acting.new_person(self.victim)
        else:
            acting.check_known_person(self.victim_id, "victim_id")
            victim_id = self.victim_id
        separate = self.reporter_role not in (ReporterRole.VICTIM, ReporterRole.ANONYMOUS)
        if not separate and self.reporter:
            raise InvalidCommand(
                "reporter", f"a report by the {self.reporter_role} has no separate reporter"
            )
        return HateCase.report(
            case_id=uuid4(),
            victim_id=victim_id,
            reporter_id=acting.new_person(self.reporter) if separate else None,
            channel=self.channel,
            reporter_role=self.reporter_role,
            received_at=self.received_at or acting.at,
            description=self.description,
            strands=self.strands,
            forms=self.forms,
            victim_perceives_hate=self.victim_perceives_hate,
            incident_at=self.incident_at,
            location=self.location,
            criminal_offence_alleged=self.criminal_offence_alleged,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReportFurtherIncident(CaseCommand[str]):
    noun = "further-incidents"
    title = "Record a further incident on the case"
    clauses = ("5.2",)
    roles = INTAKE
    recorded_as = "incident_id"

    reporter_role: ReporterRole = described("Who reported it")
    incident_at: datetime | None = described("When it happened, if known", default=None)
    location: str | None = short_text(
        "Where it happened", default=None, max_length=500, personal=True
    )
    description: str = free_text("What happened")
    strands: tuple[Strand, ...] = described(_STRANDS, min_items=1, max_items=8)
    forms: tuple[Form, ...] = described(_FORMS, min_items=1, max_items=9)

    def run(self, case: HateCase, acting: Acting) -> str:
        return case.report_further_incident(
            reporter_role=self.reporter_role,
            description=self.description,
            strands=self.strands,
            forms=self.forms,
            incident_at=self.incident_at,
            location=self.location,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class Triage(CaseCommand[None]):
    noun = "triage"
    title = "Customer Hub triage"
    clauses = ("5.1", "8.1")
    roles = TRIAGE

    priority: Priority = described(
        "Hate is the highest priority at first (8.1)", default=Priority.HIGHEST
    )
    notes: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.triage(priority=self.priority, notes=self.notes, actor=acting.actor, at=acting.at)


@dataclass(frozen=True, kw_only=True)
class Allocate(CaseCommand[None]):
    noun = "allocation"
    title = "Name the case officer"
    clauses = ("8.1",)
    roles = TRIAGE

    officer: str = short_text("The username of an active officer or manager")
    team: str = short_text("The officer's team")

    def run(self, case: HateCase, acting: Acting) -> None:
        acting.check_named_officer(self.officer, self.team)
        case.allocate(officer=self.officer, team=self.team, actor=acting.actor, at=acting.at)


@dataclass(frozen=True, kw_only=True)
class Reassign(CaseCommand[None]):
    noun = "reassignment"
    title = "Reassign to another officer, with a reason (manager)"
    clauses = ("8.1",)
    roles = MANAGERS

    officer: str = short_text("The username of an active officer or manager")
    team: str = short_text("The officer's team")
    reason: str = free_text("Why the case moves")

    def run(self, case: HateCase, acting: Acting) -> None:
        acting.check_named_officer(self.officer, self.team)
        case.reassign(
            officer=self.officer,
            team=self.team,
            reason=self.reason,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class AddPerson(CaseCommand[UUID]):
    """A witness, representative or household member, linked by id: a person the ledger
    already knows (`subject_id`, so one person has one record across cases) or new."""

    noun = "subjects"
    title = "Add a witness, representative or household member"
    roles = INTAKE
    recorded_as = "subject_id"

    role: SubjectRole = described(
        "Their part in the case",
        choices=(SubjectRole.WITNESS, SubjectRole.REPRESENTATIVE, SubjectRole.HOUSEHOLD_MEMBER),
    )
    details: PersonDetails | None = described("A new person's details", default=None)
    subject_id: UUID | None = described("Or a person the ledger knows", default=None)
    elected_representative: bool = described(
        "A councillor or MP: needs no written consent to be told (6.3)", default=False
    )

    def run(self, case: HateCase, acting: Acting) -> UUID:
        person = acting.person(self.details, self.subject_id)
        case.link_subject(
            subject_id=person,
            role=self.role,
            elected_representative=self.elected_representative,
            actor=acting.actor,
            at=acting.at,
        )
        return person


@dataclass(frozen=True, kw_only=True)
class ReviseClassification(CaseCommand[None]):
    noun = "classification"
    title = "Revise strands and forms"
    clauses = ("4", "5.4")
    roles = CASE_WORKERS

    strands: tuple[Strand, ...] = described(_STRANDS, max_items=8)
    forms: tuple[Form, ...] = described(_FORMS, min_items=1, max_items=9)
    victim_agrees: bool = described("The victim agrees to the revision")
    reason: str = free_text("Why the classification changes")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.revise_classification(
            strands=self.strands,
            forms=self.forms,
            victim_agrees=self.victim_agrees,
            reason=self.reason,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class DisputeHateDefinition(CaseCommand[None]):
    noun = "hate-definition-disputes"
    title = "Manager finds the victim's definition proven otherwise or unreasonable"
    clauses = ("5.4",)
    roles = MANAGERS

    decision: HateDefinitionDecision = described("The manager's finding")
    reasons: str = free_text("Why")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.dispute_hate_definition(
            decision=self.decision, reasons=self.reasons, actor=acting.actor, at=acting.at
        )
