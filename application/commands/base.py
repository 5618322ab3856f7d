"""What every command is: a typed value naming what the caller wants done, declared once.

A command class says, beside its typed fields (`application.commands.fields`):

- `noun`: its name in the roles table and, for a command on a case, in the API
  (`POST /cases/{case_id}/<noun>`);
- `title` and `clauses`: what it does and the policy clauses it carries out;
- `roles`: who may issue it;
- `run`: the one call into the domain that decides it, returning what the domain returns
  (a consent's id, a new person's id, ...), which `recorded_as` names for the API.

Commands live in the application layer, not the domain: who may issue one is a staff-role
decision, and some ask the application for more than the case (the landlord's risk matrix,
the staff directory, a new person's record). The rules stay in the domain methods `run` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from application.commands.fields import FieldSpec, fields_of
from domain.risk import RiskMatrix
from domain.vocabulary import StaffRole

if TYPE_CHECKING:
    from application.commands.people import PersonDetails
    from domain.hate_case import HateCase

R_co = TypeVar("R_co", covariant=True)


class Acting(Protocol):
    """What a running command may ask of the ledger: who acts, when, and the ledger's help."""

    @property
    def actor(self) -> str:
        """The username recorded on the events."""

    @property
    def role(self) -> StaffRole: ...

    @property
    def at(self) -> datetime:
        """The ledger clock's time of the command."""

    @property
    def risk_matrix(self) -> RiskMatrix: ...

    def person(
        self, details: PersonDetails | None, subject_id: UUID | None, field: str = "subject_id"
    ) -> UUID:
        """A person the ledger knows (`subject_id`), or a new record of `details` saved with
        the case (not both); an unknown id is an error of `field`."""

    def new_person(self, details: PersonDetails | None) -> UUID:
        """A new person's record, saved with the case."""

    def check_known_person(self, subject_id: UUID, field: str) -> None:
        """Refuse (an error of `field`) a person the ledger does not know."""

    def check_named_officer(self, username: str, team: str) -> None:
        """Refuse anyone but an active officer or manager of that team."""

    def details_of(self, subject_id: UUID) -> Mapping[str, str]:
        """A person's recorded details (none if anonymous or erased), for a rule that must
        keep them out of what is shared (policy 5.9, 9.2); never stored by the command."""


@dataclass(frozen=True, kw_only=True)
class Command:
    """Any command of the catalogue."""

    noun: ClassVar[str]
    title: ClassVar[str]
    clauses: ClassVar[tuple[str, ...]] = ()
    roles: ClassVar[frozenset[StaffRole]]
    recorded_as: ClassVar[str | None] = None
    """The name the API gives to what `run` returns (None: it returns nothing worth naming)."""

    @classmethod
    def fields(cls) -> tuple[FieldSpec, ...]:
        """The command's fields, for a form or a body schema."""
        return fields_of(cls)

    @classmethod
    def headline(cls) -> str:
        """The title with the policy clauses it carries out, e.g. `... (policy 8.1)`."""
        return f"{cls.title} (policy {', '.join(cls.clauses)})" if cls.clauses else cls.title

    def refusal(self, role: StaffRole) -> str | None:
        """Why this command, with these fields, is not for `role` (None: it may be).

        The role table says which roles may issue the command at all; a command overrides
        this when some of its values are for fewer roles (enforcement is a manager's)."""
        return None


@dataclass(frozen=True, kw_only=True)
class CaseCommand(Command, Generic[R_co]):
    """A command on an existing case, decided by one method of `HateCase`."""

    versioned: ClassVar[bool] = True
    """The caller must name the case version it saw (the API's `If-Match`); False: the
    command depends on no version (it is carried out on the latest)."""
    opens_to_complaints: ClassVar[bool] = False
    """The complaints liaison may address a case with it before it is under complaint, by
    the case's reference (`application.authorisation.may_target`)."""

    def run(self, case: HateCase, acting: Acting) -> R_co:
        raise NotImplementedError
