"""The case ledger: one eventsourcing Application, one method per command.

Every command names the actor and the case version the actor saw. It loads the case, checks
the actor may address it, checks the version, asks the domain to decide, and saves all new
events in one transaction, or none. A concurrent writer that saved first makes the save
fail on the event store's unique (case, version) key: that is reported as a stale version,
never a lost update.

Each command runs in one key scope (`application.vault.keystore.key_scope`): loading the case
reads each data subject's key once, and the save reuses it, instead of one key-store query
per personal value's event. Aggregates are replayed by `_replay`, not the library's
`project_aggregate` (see there).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ParamSpec, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import TopicError, resolve_topic

from application.actors import Actor
from application.authorisation import (
    CaseAccess,
    authorise,
    may_read_cases,
    may_see,
    may_target,
)
from application.clock import Clock, system_clock
from application.errors import Forbidden, NotFound, StaleVersion
from application.integrity.recorders import IntegrityTables
from application.vault.keystore import KeyStore, key_scope
from application.vault.mapper import PersonalDataMapper
from application.vault.transcodings import register_transcodings
from domain.data_subject import DataSubject, SubjectRecorded
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX, RiskMatrix
from domain.staff import StaffMember, staff_id_for
from domain.vocabulary import ReporterRole, StaffRole

Change = Callable[[HateCase, datetime], object]
_P = ParamSpec("_P")
_R = TypeVar("_R")

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


def _in_one_key_scope(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `method` in one key scope: each subject's key is read once for all of it."""

    @functools.wraps(method)
    def scoped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with key_scope():
            return method(*args, **kwargs)

    return scoped


def case_command(command: str, method: str) -> Callable[..., HateCase]:
    """A ledger method running the HateCase command `method` as the API command `command`."""

    def run(
        self: CaseLedger, case_id: UUID, *, actor: Actor, seen_version: int, **fields: Any
    ) -> HateCase:
        return self._act(
            case_id,
            actor,
            seen_version,
            command,
            lambda case, at: getattr(case, method)(actor=actor.username, at=at, **fields),
        )

    run.__name__ = run.__qualname__ = method
    run.__doc__ = getattr(HateCase, method).__doc__
    return run


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
        super().__init__(env)
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
        with key_scope():
            recordings = super().save(*objs, **kwargs)
        if recordings:
            _written.set(recordings[-1].notification.id)
        return recordings

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

    def _known_subject(self, subject_id: UUID, field_name: str) -> None:
        """A person a command names must exist: an unknown id is a field error, not a 404.

        Only the first stored event is read: a data subject's is `SubjectRecorded`. Loading
        the whole subject would decrypt their details, for nothing.
        """
        first = self.recorder.select_events(subject_id, limit=1)
        try:
            topic = resolve_topic(first[0].topic) if first else None
        except TopicError:
            topic = None
        if not (isinstance(topic, type) and issubclass(topic, SubjectRecorded)):
            raise InvalidCommand(field_name, "no such person is known to the ledger")

    # --- reporting -----------------------------------------------------------------------

    def report_case(
        self,
        *,
        actor: Actor,
        channel: str,
        reporter_role: str,
        description: str,
        strands: Sequence[str],
        forms: Sequence[str],
        received_at: datetime | None = None,
        incident_at: datetime | None = None,
        location: str | None = None,
        victim: Mapping[str, Any] | None = None,
        victim_id: UUID | None = None,
        reporter: Mapping[str, Any] | None = None,
        victim_perceives_hate: bool = True,
        criminal_offence_alleged: bool | None = None,
    ) -> HateCase:
        """Log a report (5.2, 5.3): the case, its victim and its reporter, all or nothing."""
        authorise(actor, "report")
        at = self.clock()
        new: list[Aggregate] = []
        if victim_id is None:
            victim_subject = DataSubject.record(
                subject_id=uuid4(), details=victim or {}, actor=actor.username, at=at
            )
            new.append(victim_subject)
            victim_id = victim_subject.id
        else:
            self._known_subject(victim_id, "victim_id")
        reporter_id = None
        if reporter_role in (ReporterRole.VICTIM, ReporterRole.ANONYMOUS) and reporter:
            raise InvalidCommand(
                "reporter", f"a report by the {reporter_role} has no separate reporter"
            )
        if reporter_role not in (ReporterRole.VICTIM, ReporterRole.ANONYMOUS):
            reporter_subject = DataSubject.record(
                subject_id=uuid4(), details=reporter or {}, actor=actor.username, at=at
            )
            new.append(reporter_subject)
            reporter_id = reporter_subject.id
        case = HateCase.report(
            case_id=uuid4(),
            victim_id=victim_id,
            reporter_id=reporter_id,
            channel=channel,
            reporter_role=reporter_role,
            received_at=received_at or at,
            description=description,
            strands=strands,
            forms=forms,
            victim_perceives_hate=victim_perceives_hate,
            incident_at=incident_at,
            location=location,
            criminal_offence_alleged=criminal_offence_alleged,
            actor=actor.username,
            at=at,
        )
        self.save(*new, case)
        return case

    def add_person(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        seen_version: int,
        role: str,
        details: Mapping[str, Any] | None = None,
        subject_id: UUID | None = None,
        elected_representative: bool = False,
    ) -> tuple[HateCase, UUID]:
        """A witness, representative or household member, linked by id: a person the ledger
        already knows (`subject_id`, so one person has one record across cases) or new."""
        person, new = self._person(actor, details, subject_id)
        case = self._act(
            case_id,
            actor,
            seen_version,
            "subjects",
            lambda case, at: case.link_subject(
                subject_id=person,
                role=role,
                elected_representative=elected_representative,
                actor=actor.username,
                at=at,
            ),
            *new,
        )
        return case, person

    def identify_perpetrator(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        seen_version: int,
        link: str,
        details: Mapping[str, Any] | None = None,
        subject_id: UUID | None = None,
        notes: str | None = None,
    ) -> tuple[HateCase, UUID]:
        """An alleged perpetrator is a data subject of their own, referenced from the case."""
        person, new = self._person(actor, details, subject_id)
        case = self._act(
            case_id,
            actor,
            seen_version,
            "perpetrators",
            lambda case, at: case.identify_perpetrator(
                subject_id=person, link=link, notes=notes, actor=actor.username, at=at
            ),
            *new,
        )
        return case, person

    def _person(
        self, actor: Actor, details: Mapping[str, Any] | None, subject_id: UUID | None
    ) -> tuple[UUID, list[DataSubject]]:
        """An existing person by id, or a new record of the details given (not both)."""
        if subject_id is not None:
            if details:
                raise InvalidCommand("details", "give a known person's id or new details")
            self._known_subject(subject_id, "subject_id")
            return subject_id, []
        subject = DataSubject.record(
            subject_id=uuid4(), details=details or {}, actor=actor.username, at=self.clock()
        )
        return subject.id, [subject]

    def assess_risk(
        self, case_id: UUID, *, actor: Actor, seen_version: int, **fields: Any
    ) -> HateCase:
        """Score the landlord's configured risk question set (5.5)."""
        return self._act(
            case_id,
            actor,
            seen_version,
            "risk-assessments",
            lambda case, at: case.assess_risk(
                matrix=self.risk_matrix, actor=actor.username, at=at, **fields
            ),
        )

    def take_intervention(
        self, case_id: UUID, *, actor: Actor, seen_version: int, kind: str, **fields: Any
    ) -> HateCase:
        """Early intervention, or tenancy enforcement (a manager's decision) (5.6, 5.7)."""
        authorise(actor, "interventions", intervention_kind=kind)
        return self._act(
            case_id,
            actor,
            seen_version,
            "interventions",
            lambda case, at: case.take_intervention(
                kind=kind, actor=actor.username, at=at, **fields
            ),
        )

    def allocate(
        self, case_id: UUID, *, actor: Actor, seen_version: int, officer: str, team: str
    ) -> HateCase:
        """Name the officer responsible (8.1): an active officer or manager of that team."""

        def allocate(case: HateCase, at: datetime) -> None:
            self._check_named_officer(officer, team)
            case.allocate(officer=officer, team=team, actor=actor.username, at=at)

        return self._act(case_id, actor, seen_version, "allocation", allocate)

    def reassign(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        seen_version: int,
        officer: str,
        team: str,
        reason: str,
    ) -> HateCase:
        """Give the case to another named officer, with a reason (manager)."""

        def reassign(case: HateCase, at: datetime) -> None:
            self._check_named_officer(officer, team)
            case.reassign(officer=officer, team=team, reason=reason, actor=actor.username, at=at)

        return self._act(case_id, actor, seen_version, "reassignment", reassign)

    # Commands that pass the caller's fields straight to the HateCase method of the same name.
    report_further_incident = case_command("further-incidents", "report_further_incident")
    triage = case_command("triage", "triage")
    revise_classification = case_command("classification", "revise_classification")
    dispute_hate_definition = case_command("hate-definition-disputes", "dispute_hate_definition")
    agree_action_plan = case_command("action-plans", "agree_action_plan")
    complete_action = case_command("action-completions", "complete_action")
    agree_contact_arrangement = case_command("contact-arrangements", "agree_contact_arrangement")
    record_contact = case_command("contacts", "record_contact")
    agree_reasonable_adjustment = case_command(
        "reasonable-adjustments", "agree_reasonable_adjustment"
    )
    refer_for_support = case_command("support-referrals", "refer_for_support")
    provide_security_measures = case_command("security-measures", "provide_security_measures")
    request_repair = case_command("repairs", "request_repair")
    complete_repair = case_command("repair-completions", "complete_repair")
    grant_consent = case_command("consents", "grant_consent")
    withdraw_consent = case_command("consent-withdrawals", "withdraw_consent")
    raise_safeguarding_concern = case_command("safeguarding-concerns", "raise_safeguarding_concern")
    report_to_police = case_command("police-reports", "report_to_police")
    refer_to_multi_agency_panel = case_command("referrals", "refer_to_multi_agency_panel")
    disclose = case_command("disclosures", "disclose")
    refer_staff_matter = case_command("staff-matter-referrals", "refer_staff_matter")
    propose_closure = case_command("closure-proposals", "propose_closure")
    discuss_closure = case_command("closure-discussions", "discuss_closure")
    close_case = case_command("closure", "close_case")
    reopen_case = case_command("reopening", "reopen")
    receive_complaint = case_command("complaints", "receive_complaint")
    respond_to_complaint = case_command("complaint-responses", "respond_to_complaint")
    request_case_review = case_command("case-reviews", "request_case_review")
    decide_review_threshold = case_command("case-review-thresholds", "decide_review_threshold")
    receive_panel_recommendation = case_command(
        "panel-recommendations", "receive_panel_recommendation"
    )
    answer_panel_recommendation = case_command(
        "panel-recommendation-answers", "answer_panel_recommendation"
    )
    produce_evidence_pack = case_command("evidence-packs", "produce_evidence_pack")

    # --- the one way a case changes ------------------------------------------------------

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

    @_in_one_key_scope
    def _act(
        self,
        case_id: UUID,
        actor: Actor,
        seen_version: int,
        command: str,
        change: Change,
        *also: Aggregate,
    ) -> HateCase:
        authorise(actor, command)
        case = self._load_case(case_id)
        if not may_target(actor, command, case_access(case)):
            raise NotFound("no such case")
        if case.version != seen_version:
            raise StaleVersion(seen_version, case.version)
        change(case, self.clock())
        try:
            self.save(*also, case)
        except IntegrityError:
            raise StaleVersion(seen_version, self._load_case(case_id).version) from None
        return case
