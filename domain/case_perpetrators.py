"""Alleged perpetrators (policy 5.6-5.9, 5.11): identification, interventions and
enforcement, and the disciplinary route for staff.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    CaseState,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.personal import personal_or_none
from domain.vocabulary import (
    InterventionKind,
    PerpetratorLink,
    term,
)


class Perpetrators(CaseState):
    """Commands about the people alleged to be responsible."""

    def identify_perpetrator(
        self, *, subject_id: UUID, link: str, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        how = term(PerpetratorLink, link, "link")
        if subject_id == self.victim_id:
            raise InvalidCommand("subject_id", "the victim cannot be the alleged perpetrator")
        if subject_id in self.perpetrators:
            raise InvalidCommand("subject_id", "already identified on this case")
        self._record(
            ev.PerpetratorIdentified,
            actor,
            at,
            subject_id=subject_id,
            link=how,
            notes=personal_or_none(self._victim, notes),
        )

    def take_intervention(
        self,
        *,
        subject_id: UUID,
        kind: str,
        legal_power: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Early intervention or enforcement against an alleged perpetrator (5.6-5.9); returns
        its id."""
        what = InterventionKind(term(InterventionKind, kind, "kind"))
        link = self.perpetrators.get(subject_id)
        if link is None:
            raise InvalidCommand("subject_id", "identify the alleged perpetrator first")
        if link == PerpetratorLink.STAFF:
            raise PolicyViolation(
                "5.11", "hate by our staff goes through the disciplinary procedure"
            )
        if what.is_tenancy_enforcement:
            if link not in (PerpetratorLink.TENANT, PerpetratorLink.HOUSEHOLD_MEMBER):
                raise PolicyViolation(
                    "5.7", "tenancy enforcement applies only to a tenant or household member"
                )
            if not (legal_power or "").strip():
                raise PolicyViolation("5.6", "name the legal power used for enforcement")
        intervention_id = f"intervention-{self.intervention_count + 1}"
        self._record(
            ev.InterventionTaken,
            actor,
            at,
            intervention_id=intervention_id,
            subject_id=subject_id,
            kind=what.value,
            legal_power=legal_power,
            notes=personal_or_none(self._victim, notes),
        )
        return intervention_id

    def refer_staff_matter(
        self, *, subject_id: UUID, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        """Hate by an employee goes to internal disciplinary procedures (5.11)."""
        if self.perpetrators.get(subject_id) != PerpetratorLink.STAFF:
            raise PolicyViolation("5.11", "only a staff perpetrator is referred to discipline")
        self._record(
            ev.StaffMatterReferred,
            actor,
            at,
            subject_id=subject_id,
            notes=personal_or_none(self._victim, notes),
        )
