"""The case ledger: one eventsourcing Application that carries out the catalogue's commands.

A command (`application.commands`) is a typed value; `execute` is the one way a case changes.
It loads the case, checks the actor may address it with that command, checks the case version
the actor saw, lets the command's domain method decide, and saves all new events (and any new
person's record) in one transaction, or none. A concurrent writer that saved first makes the save
fail on the event store's unique (case, version) key: that is reported as a stale version,
never a lost update.

A command that names a person the ledger already knows (`victim_id`, `subject_id`) is
carried out only if the actor has a reason to know them (`reason_to_know`, given by the
composition root: `application.people_known`); otherwise the answer is the one for an id
that does not exist, so no route tells which ids are people.

Each command runs in one key scope (`application.vault.keystore.key_scope`): loading the case
reads each data subject's key once, and the save reuses it, instead of one key-store query
per personal value's event. Aggregates are replayed by `_replay`, not the library's
`project_aggregate` (see there).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import TopicError, resolve_topic

from application.actors import Actor
from application.authorisation import (
    CaseAccess,
    authorise,
    authorise_command,
    may_read_cases,
    may_see,
    may_target,
)
from application.clock import Clock, system_clock
from application.commands.base import CaseCommand
from application.commands.people import PersonDetails
from application.commands.reporting import ReportCase
from application.errors import Forbidden, NotFound, StaleVersion
from application.group_commit import GroupCommit
from application.integrity.recorders import IntegrityTables
from application.vault.keystore import KeyStore, key_scope
from application.vault.mapper import PersonalDataMapper
from application.vault.transcodings import register_transcodings
from domain.data_subject import DataSubject, SubjectRecorded
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX, RiskMatrix
from domain.staff import StaffMember, staff_id_for
from domain.vocabulary import StaffRole

_P = ParamSpec("_P")
_R = TypeVar("_R")
R = TypeVar("R")

# The log position of this thread's latest save, for a reader to wait for (read your writes).
_written: ContextVar[int] = ContextVar("caseledger_written_position", default=0)


def case_access(case: HateCase) -> CaseAccess:
    return CaseAccess(
        officer=case.officer,
        team=case.team,
        under_complaint_or_review=bool(case.complaints or case.reviews),
    )


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its `assert isinstance(event,
    CanMutateProtocol)`: on Python 3.11 an isinstance check against a runtime-checkable
    Protocol walks the protocol's attributes each time (tens of microseconds an event), paid
    again on every load. The ledger's events are all `Aggregate` events, which mutate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _pending(obj: Any) -> list[Any]:
    """An aggregate's new events (taken from it), or an event as it is."""
    collect = getattr(obj, "collect_events", None)
    return list(collect()) if collect is not None else [obj]


def _in_one_key_scope(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `method` in one key scope: each subject's key is read once for all of it."""

    @functools.wraps(method)
    def scoped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with key_scope():
            return method(*args, **kwargs)

    return scoped


class CaseLedger(Application):
    """The staff's use cases over the hate-case event log."""

    name = "caseledger"
    mapper: PersonalDataMapper
    # Snapshots would copy personal data out of the events' per-subject encryption.
    is_snapshotting_enabled = False

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        key_store: KeyStore,
        clock: Clock = system_clock,
        risk_matrix: RiskMatrix = DEFAULT_RISK_MATRIX,
    ) -> None:
        self.key_store = key_store
        self.clock = clock
        self.risk_matrix = risk_matrix
        self.reason_to_know: Callable[[Actor, UUID], bool] = lambda actor, subject_id: False
        """Whether the actor may name a known person on a case (none, until the composition
        root gives the views' answer: `application.people_known.PeopleKnown`)."""
        super().__init__(env)
        self.group_commit = GroupCommit(self._save_now)
        if isinstance(self.recorder, IntegrityTables):  # a new person's key: one commit
            key_store.store_new_keys_with_events()
            self.recorder.in_transaction.append(key_store.write_new_keys)
            self.recorder.after_commit.append(lambda _: key_store.new_keys_written())

    def construct_mapper(self) -> PersonalDataMapper:
        return PersonalDataMapper(
            transcoder=self.construct_transcoder(),
            key_store=self.key_store,
            compressor=self.factory.compressor(),
            cipher=self.factory.cipher(),
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Every save is group-committed (`application.group_commit`): with any others
        arriving meanwhile, in one transaction; answered once that has committed."""
        if kwargs:  # the library's own options (a tracking record): a transaction alone
            recordings = self._save_now(*objs, **kwargs)
        else:
            events = [e for obj in objs if obj is not None for e in _pending(obj)]
            recordings = self.group_commit.save(events)
        if recordings:
            _written.set(recordings[-1].notification.id)
        return recordings

    def _save_now(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        with key_scope():
            return super().save(*objs, **kwargs)

    @staticmethod
    def written_position() -> int:
        """The log position of the latest save made by this thread (0: none yet)."""
        return _written.get()

    # --- reads ---------------------------------------------------------------------------

    def case_for(self, actor: Actor, case_id: UUID) -> HateCase:
        """The case, if the actor may see it; otherwise it does not exist for them."""
        if not may_read_cases(actor):
            raise Forbidden(f"the {actor.role.value} role does not work on cases")
        case = self._load_case(case_id)
        if not may_see(actor, case_access(case)):
            raise NotFound("no such case")
        return case

    @_in_one_key_scope
    def case_events(self, actor: Actor, case_id: UUID) -> list[Any]:
        self.case_for(actor, case_id)
        return list(self.repository.event_store.get(case_id))

    def subject(self, subject_id: UUID) -> DataSubject:
        try:
            subject = self._get(subject_id)
        except Exception as e:
            raise NotFound("no such data subject") from e
        if not isinstance(subject, DataSubject):
            raise NotFound("no such data subject")
        return subject

    def people_on_case(self, case_id: UUID) -> frozenset[UUID]:
        """The ids of the people on a case (for the DPO, who sees no case): ids only."""
        return frozenset(self._load_case(case_id).subjects)

    def _known_subject(self, subject_id: UUID, field_name: str, actor: Actor) -> None:
        """A person a command names must exist and the actor must have a reason to know them
        (`reason_to_know`): either failing is the same field error, never a 404, so an id
        of a person the actor has no business with answers as an id of nobody.

        Only the first stored event is read: a data subject's is `SubjectRecorded`. Loading
        the whole subject would decrypt their details, for nothing.
        """
        first = self.recorder.select_events(subject_id, limit=1)
        try:
            topic = resolve_topic(first[0].topic) if first else None
        except TopicError:
            topic = None
        known = isinstance(topic, type) and issubclass(topic, SubjectRecorded)
        if not (known and self.reason_to_know(actor, subject_id)):
            raise InvalidCommand(field_name, "no such person is known to the ledger")

    # --- commands ----------------------------------------------------------------------

    @_in_one_key_scope
    def report(self, command: ReportCase, *, actor: Actor) -> HateCase:
        """Log a report (5.2, 5.3): the case, its victim and its reporter, all or nothing."""
        authorise_command(actor, command)
        acting = _Acting(self, actor, self.clock())
        case = command.run(acting)
        self.save(*acting.new_people, case)
        return case

    def execute(
        self,
        case_id: UUID,
        command: CaseCommand[R],
        *,
        actor: Actor,
        seen_version: int | None = None,
        by_reference: bool = False,
    ) -> Executed[R]:
        """The one way a case changes: check the actor may issue the command on this case,
        check the version they saw (None: any version will do), let the domain decide, and
        save every new event (and any new person's record) in one transaction, or none.
        `by_reference`: the actor named the case by the reference a complainant gave
        (`application.authorisation.may_target`)."""
        return self.execute_request(
            case_id,
            type(command),
            lambda: command,
            actor=actor,
            seen_version=lambda: seen_version,
            by_reference=by_reference,
        )

    @_in_one_key_scope
    def execute_request(
        self,
        case_id: UUID,
        kind: type[CaseCommand[R]],
        command: Callable[[], CaseCommand[R]],
        *,
        actor: Actor,
        seen_version: Callable[[], int | None],
        by_reference: bool = False,
    ) -> Executed[R]:
        """`execute` for a request read in the order its refusals come: the role (403), a
        case the actor may not address (404, so a hidden case's version is never told), then
        the version they saw (`seen_version`, e.g. If-Match) and the command (`command`, e.g.
        the body) are read, then the version is compared (412)."""
        authorise(actor, kind.noun)
        case = self._load_case(case_id)
        if not may_target(actor, kind, case_access(case), by_reference=by_reference):
            raise NotFound("no such case")
        seen = seen_version()
        issued = command()
        authorise_command(actor, issued)
        if seen is not None and case.version != seen:
            raise StaleVersion(seen, case.version)
        acting = _Acting(self, actor, self.clock())
        result = issued.run(case, acting)
        try:
            self.save(*acting.new_people, case)
        except IntegrityError:
            raise StaleVersion(seen, self._load_case(case_id).version) from None
        return Executed(case, result)

    # --- what commands ask of the ledger --------------------------------------------------

    def _check_named_officer(self, username: str, team: str) -> None:
        try:
            member = self._get(staff_id_for(username))
        except AggregateNotFoundError:
            member = None
        if not (
            isinstance(member, StaffMember)
            and member.active
            and member.role in (StaffRole.OFFICER, StaffRole.MANAGER)
        ):
            raise InvalidCommand("officer", "no active officer or manager with this username")
        if member.team != team:
            raise InvalidCommand("team", f"{username} works in team {member.team}")

    def _load_case(self, case_id: UUID) -> HateCase:
        try:
            case = self._get(case_id)
        except Exception as e:  # AggregateNotFoundError, or an id of another aggregate type
            raise NotFound("no such case") from e
        if not isinstance(case, HateCase):
            raise NotFound("no such case")
        return case

    def _get(self, aggregate_id: UUID) -> object:
        """An aggregate replayed by `_replay`, reading each subject's key once."""
        with key_scope():
            aggregate: object = self.repository.get(aggregate_id, projector_func=_replay)
        return aggregate


@dataclass(frozen=True)
class Executed(Generic[R]):
    """A command carried out: the case as it now is, and what the domain returned (the
    consent's id, the new person's id, ...; None for most commands)."""

    case: HateCase
    result: R


class _Acting:
    """What a running command may ask of the ledger (`application.commands.base.Acting`);
    collects the new people's records to save with the case."""

    def __init__(self, ledger: CaseLedger, actor: Actor, at: datetime) -> None:
        self._ledger = ledger
        self._actor = actor
        self._at = at
        self.new_people: list[DataSubject] = []

    @property
    def actor(self) -> str:
        return self._actor.username

    @property
    def role(self) -> StaffRole:
        return self._actor.role

    @property
    def at(self) -> datetime:
        return self._at

    @property
    def risk_matrix(self) -> RiskMatrix:
        return self._ledger.risk_matrix

    def person(
        self, details: PersonDetails | None, subject_id: UUID | None, field: str = "subject_id"
    ) -> UUID:
        if subject_id is None:
            return self.new_person(details)
        if details not in (None, PersonDetails()):
            raise InvalidCommand("details", "give a known person's id or new details")
        self.check_known_person(subject_id, field)
        return subject_id

    def new_person(self, details: PersonDetails | None) -> UUID:
        subject = DataSubject.record(
            subject_id=uuid4(),
            details=details.as_details() if details else {},
            actor=self.actor,
            at=self._at,
        )
        self.new_people.append(subject)
        return subject.id

    def check_known_person(self, subject_id: UUID, field: str) -> None:
        self._ledger._known_subject(subject_id, field, self._actor)

    def check_named_officer(self, username: str, team: str) -> None:
        self._ledger._check_named_officer(username, team)

    def details_of(self, subject_id: UUID) -> Mapping[str, str]:
        details = self._ledger.subject(subject_id).details
        if details is None or details.erased:
            return {}
        return {str(k): str(v) for k, v in dict(details.value).items()}
