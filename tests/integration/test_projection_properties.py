"""Properties of the views: for any sequence of commands, the caseload and case-state views
say what the aggregates say, and a rebuild from zero gives exactly the rows incremental
catch-up gave (byte for byte: the case-state rows hold sealed tokens copied from the events,
not ciphertext made afresh)."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.actors import Actor
from application.commands.after_the_case import (
    ReceiveComplaint,
    RequestCaseReview,
    TellVictimOfCaseReviewRight,
)
from application.commands.base import CaseCommand
from application.commands.closing import CloseCase, DiscussClosure, ProposeClosure, ReopenCase
from application.commands.consent_and_sharing import GrantConsent, WithdrawConsent
from application.commands.people import PersonDetails
from application.commands.perpetrators import IdentifyPerpetrator
from application.commands.reporting import (
    AddPerson,
    Allocate,
    Reassign,
    ReportFurtherIncident,
    Triage,
)
from application.commands.victim_care import (
    AgreeActionPlan,
    AgreeContactArrangement,
    AssessRisk,
    CompleteAction,
    CompleteRepair,
    PlannedAction,
    RecordContact,
    RequestRepair,
)
from application.errors import ApplicationError
from domain.errors import DomainError
from domain.vocabulary import (
    ClosureGround,
    ComplaintStage,
    ConsentForm,
    ContactDirection,
    ContactMethod,
    Form,
    PerpetratorLink,
    Recipient,
    RepairKind,
    ReporterRole,
    Strand,
    SubjectRole,
)
from interface.api.representations import case_view
from interface.config import Services, build_services
from projections.case_summaries import COUNTED
from tests.cases import LOW_RISK, act, allocate, report
from tests.conftest import HUB, MANAGER, OFFICER, Clock, add_staff, sqlite_env
from tests.reliability.harness import view_snapshot

HIGH_RISK = dict.fromkeys(LOW_RISK, 2)

Op = tuple[Actor, CaseCommand[object]]
PHONE = ContactMethod.PHONE
DONE = (ClosureGround.ALL_ACTION_TAKEN,)

OPS: list[Op] = [
    (HUB, Triage()),
    (HUB, Allocate(officer=OFFICER.username, team="north")),
    (MANAGER, Reassign(officer="s.officer", team="north", reason="leave")),
    (OFFICER, AssessRisk(answers=LOW_RISK)),
    (OFFICER, AssessRisk(answers=HIGH_RISK)),
    (OFFICER, RecordContact(method=PHONE, direction=ContactDirection.OUTBOUND)),
    (OFFICER, AgreeContactArrangement(method=PHONE, frequency_days=7)),
    (OFFICER, RequestRepair(kind=RepairKind.EMERGENCY, description="door")),
    (OFFICER, CompleteRepair(repair_id="repair-1")),
    (
        OFFICER,
        ReportFurtherIncident(
            reporter_role=ReporterRole.VICTIM,
            description="again",
            strands=(Strand.RELIGION_OR_BELIEF,),
            forms=(Form.GRAFFITI,),
        ),
    ),
    (
        OFFICER,
        GrantConsent(recipient=Recipient.POLICE, recipient_name="WMP", form=ConsentForm.VERBAL),
    ),
    (OFFICER, WithdrawConsent(consent_id="consent-1")),
    (OFFICER, ProposeClosure(grounds=DONE, reasons="done")),
    (OFFICER, DiscussClosure(method=PHONE, victim_agrees=True, victim_view="ok")),
    (OFFICER, TellVictimOfCaseReviewRight(method=PHONE)),
    (MANAGER, CloseCase(grounds=DONE, reasons="done")),
    (OFFICER, ReopenCase(reason="new incident")),
    (MANAGER, ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="slow")),
    (
        OFFICER,
        AgreeActionPlan(
            actions=(
                PlannedAction(owner=OFFICER.username, description="fit a door camera for Ms Khan"),
            )
        ),
    ),
    (OFFICER, CompleteAction(action_id="plan-1.1")),
    (OFFICER, AddPerson(role=SubjectRole.WITNESS, details=PersonDetails(name="Joan Witness"))),
    (
        OFFICER,
        IdentifyPerpetrator(
            link=PerpetratorLink.NOT_LINKED, details=PersonDetails(name="P. Erp"), notes="shouts"
        ),
    ),
    (MANAGER, RequestCaseReview(local_authority="Birmingham City Council")),
]


def test_views_agree_with_the_aggregates_and_rebuild_identically() -> None:
    """Over all the examples, many kinds of command are carried out (not only refused): the
    views are compared after real changes, not only after the reports."""
    carried_out: set[int] = set()
    views_agree_after(carried_out)
    assert len(carried_out) >= len(OPS) // 3, sorted(carried_out)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=st.lists(st.tuples(st.integers(0, 2), st.integers(0, len(OPS) - 1)), max_size=30))
def views_agree_after(carried_out: set[int], script: list[tuple[int, int]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
        services = build_services(sqlite_env(directory), clock=clock)
        try:
            add_staff(services)
            # Three cases at different stages, so that most commands can be carried out.
            reported = report(services, description="abuse")
            allocated = allocate(services, report(services, description="abuse"))
            assessed = act(services, allocated, OFFICER, AssessRisk(answers=LOW_RISK))
            cases = [reported, allocate(services, report(services)), assessed]
            for which, op in script:
                clock.advance(timedelta(hours=5))
                case = services.ledger.case_for(MANAGER, cases[which].id)
                # A refused command writes nothing; the views must agree all the same.
                with contextlib.suppress(DomainError, ApplicationError):
                    act(services, case, *OPS[op])
                    carried_out.add(op)
                cases[which] = services.ledger.case_for(MANAGER, case.id)

            listed = {c["case_id"]: c for c in services.caseload.cases(MANAGER, limit=10).items}
            for case in cases:
                row = listed[str(case.id)]
                assert (row["status"], row["officer"], row["team"], row["priority"]) == (
                    case.status,
                    case.officer,
                    case.team,
                    case.priority,
                )
                assert (row["risk_level"], row["strands"], row["version"]) == (
                    case.risk_level,
                    case.strands,
                    case.version,
                )
                assert case_view(services.cases.case_for(MANAGER, case.id)) == case_view(case)
            services.runner.catch_up()
            assert_counts_are_the_cases(services)
            incremental = view_snapshot(services)
            services.runner.rebuild()
            assert view_snapshot(services) == incremental
        finally:
            services.close()


def assert_counts_are_the_cases(services: Services) -> None:
    """The counts lists sum their totals from are the caseload view's rows, grouped."""
    columns = ", ".join(COUNTED)
    with services.runner.store.reading() as c:
        c.execute(f"SELECT {columns}, COUNT(*) FROM view_case_summaries GROUP BY {columns}")
        grouped = sorted(map(tuple, c.fetchall()), key=repr)
        c.execute(f"SELECT {columns}, cases FROM view_case_counts")
        counted = sorted(map(tuple, c.fetchall()), key=repr)
    assert counted == grouped
