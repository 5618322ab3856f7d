"""Reporting a case (policy 5.1-5.4, 6.1-6.3): report, further incidents, triage,
allocation and the classification of the hate as the victim defines it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Self
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    CaseState,
    case_reference,
    required_text,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware, client_instant
from domain.personal import personal_or_none
from domain.policy import POLICY_VERSION
from domain.vocabulary import (
    Channel,
    Form,
    HateDefinitionDecision,
    Priority,
    ReporterRole,
    Strand,
    SubjectRole,
    term,
    terms,
)


class Reporting(CaseState):
    """Commands of intake and classification."""

    @classmethod
    def report(
        cls,
        *,
        case_id: UUID,
        victim_id: UUID,
        reporter_id: UUID | None,
        channel: str,
        reporter_role: str,
        received_at: datetime,
        description: str,
        strands: Sequence[str],
        forms: Sequence[str],
        victim_perceives_hate: bool = True,
        incident_at: datetime | None = None,
        location: str | None = None,
        criminal_offence_alleged: bool | None = None,
        actor: str,
        at: datetime,
    ) -> Self:
        """Log a report from anyone on any channel (5.2, 5.3); hate as the victim defines it (5.4).

        A non-criminal incident is still recorded (4.5). Anonymous reports have no reporter.
        """
        at = aware(at, "at")
        received_at = client_instant(received_at, "received_at", at)
        incident_at = client_instant(incident_at, "incident_at", at)
        role = term(ReporterRole, reporter_role, "reporter_role")
        if role == ReporterRole.ANONYMOUS and reporter_id is not None:
            raise InvalidCommand("reporter", "an anonymous report has no named reporter")
        if role == ReporterRole.VICTIM and reporter_id not in (None, victim_id):
            raise InvalidCommand("reporter", "the victim reporting is the victim")
        if not strands:
            raise InvalidCommand("strands", "name at least one strand of hate (policy 4.2, 4.3)")
        if not forms:
            raise InvalidCommand("forms", "name at least one form (policy 4.4)")
        return cls._create(
            ev.CaseReported,
            id=case_id,
            reference=case_reference(case_id, received_at),
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            received_at=received_at,
            channel=term(Channel, channel, "channel"),
            reporter_role=role,
            victim_id=victim_id,
            reporter_id=reporter_id,
            incident_at=incident_at,
            location=personal_or_none(victim_id, location),
            description=required_text(victim_id, description, "description"),
            strands=terms(Strand, strands, "strands"),
            forms=terms(Form, forms, "forms"),
            victim_perceives_hate=bool(victim_perceives_hate),
            criminal_offence_alleged=criminal_offence_alleged,
        )

    def report_further_incident(
        self,
        *,
        reporter_role: str,
        description: str,
        strands: Sequence[str],
        forms: Sequence[str],
        incident_at: datetime | None = None,
        location: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Another incident on the case (5.2); returns its id."""
        incident_at = client_instant(incident_at, "incident_at", aware(at, "at"))
        incident_id = f"incident-{self.incident_count + 1}"
        self._record(
            ev.FurtherIncidentReported,
            actor,
            at,
            incident_id=incident_id,
            reporter_role=term(ReporterRole, reporter_role, "reporter_role"),
            incident_at=incident_at,
            location=personal_or_none(self._victim, location),
            description=required_text(self._victim, description, "description"),
            strands=terms(Strand, strands, "strands"),
            forms=terms(Form, forms, "forms"),
        )
        return incident_id

    def triage(
        self,
        *,
        priority: str = Priority.HIGHEST.value,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Customer Hub triage (5.1). Hate is treated with the highest priority at first (8.1)."""
        level = term(Priority, priority, "priority")
        if self.triaged_at is not None:
            raise PolicyViolation("5.1", "the case has already been triaged")
        if level != Priority.HIGHEST:
            raise PolicyViolation(
                "5.1, 8.1", "hate is treated with the highest priority in the first instance"
            )
        self._record(
            ev.CaseTriaged, actor, at, priority=level, notes=personal_or_none(self._victim, notes)
        )

    def allocate(self, *, officer: str, team: str, actor: str, at: datetime) -> None:
        """Name the officer responsible for the case (5.1, 8.1)."""
        if not officer.strip():
            raise InvalidCommand("officer", "is required")
        if self.triaged_at is None:
            raise PolicyViolation("5.1", "a case is triaged by the Customer Hub before allocation")
        if self.officer is not None:
            raise PolicyViolation(
                "8.1", "the case already has a named officer; reassign it with a reason"
            )
        self._record(ev.OfficerAllocated, actor, at, officer=officer, team=team)

    def reassign(self, *, officer: str, team: str, reason: str, actor: str, at: datetime) -> None:
        if self.officer is None:
            raise PolicyViolation("8.1", "the case has no named officer yet; allocate it first")
        if officer == self.officer:
            raise InvalidCommand("officer", "the case is already with this officer")
        self._record(
            ev.OfficerReassigned,
            actor,
            at,
            officer=officer,
            team=team,
            reason=required_text(self._victim, reason, "reason"),
        )

    def link_subject(
        self,
        *,
        subject_id: UUID,
        role: str,
        elected_representative: bool = False,
        actor: str,
        at: datetime,
    ) -> None:
        """Add a witness, representative or household member to the case by reference."""
        part = term(SubjectRole, role, "role")
        if part in (SubjectRole.VICTIM, SubjectRole.PERPETRATOR):
            raise InvalidCommand("role", "victims are named at report, perpetrators identified")
        if elected_representative and part != SubjectRole.REPRESENTATIVE:
            raise InvalidCommand("elected_representative", "only a representative is elected")
        if part in self.subjects.get(subject_id, set()):
            raise InvalidCommand("subject_id", f"already linked as {part}")
        self._record(
            ev.SubjectLinked,
            actor,
            at,
            subject_id=subject_id,
            role=part,
            elected_representative=elected_representative,
        )

    def revise_classification(
        self,
        *,
        strands: Sequence[str],
        forms: Sequence[str],
        victim_agrees: bool,
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Revise strands and forms. The victim's own definition stands (5.4): a revision that
        drops every strand needs a manager's recorded dispute instead."""
        strands = terms(Strand, strands, "strands")
        forms = terms(Form, forms, "forms")
        if not strands and not self.hate_definition_decision:
            raise PolicyViolation(
                "5.4",
                "an incident is hate if the victim defines it so; record a manager's dispute",
            )
        if not forms:
            raise InvalidCommand("forms", "name at least one form (policy 4.4)")
        if self.victim_perceives_hate and not victim_agrees and not self.hate_definition_decision:
            removed = set(self.strands) - set(strands)
            if removed:
                raise PolicyViolation(
                    "5.4",
                    "strands the victim defined cannot be removed without their agreement "
                    "unless a manager records they are proven otherwise or unreasonable",
                )
        self._record(
            ev.ClassificationRevised,
            actor,
            at,
            strands=strands,
            forms=forms,
            victim_agrees=victim_agrees,
            reason=required_text(self._victim, reason, "reason"),
        )

    def dispute_hate_definition(
        self, *, decision: str, reasons: str, actor: str, at: datetime
    ) -> None:
        """A manager records that the victim's definition is proven otherwise or unreasonable."""
        finding = term(HateDefinitionDecision, decision, "decision")
        if self.hate_definition_decision is not None:
            raise PolicyViolation("5.4", "the definition has already been disputed")
        self._record(
            ev.HateDefinitionDisputed,
            actor,
            at,
            decision=finding,
            reasons=required_text(self._victim, reasons, "reasons"),
        )
