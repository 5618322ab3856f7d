"""Service-level timers from the timers view, on a working-day calendar, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from application.actors import Actor
from application.caseload import DUE_TODAY, TimerView
from application.commands.after_the_case import ReceiveComplaint
from application.commands.people import PersonDetails
from application.commands.perpetrators import IdentifyPerpetrator
from application.commands.victim_care import (
    AgreeContactArrangement,
    AssessRisk,
    CompleteRepair,
    RequestRepair,
)
from domain.hate_case import HateCase
from domain.vocabulary import (
    ComplaintStage,
    ContactMethod,
    ContactOutcome,
    Form,
    PerpetratorLink,
    RepairKind,
)
from interface.config import Services
from tests.cases import LOW_RISK, act, allocate, contact, report
from tests.conftest import HUB, MANAGER, OFFICER, OTHER_OFFICER, Clock

CHRISTMAS_EVE_4PM = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)  # GMT in winter: same as London
DUE_TUESDAY_5PM = datetime(2026, 12, 29, 17, 0, tzinfo=UTC)


def timers(services: Services, case: HateCase, actor: Actor = MANAGER) -> dict[str, TimerView]:
    return {t.key: t for t in services.caseload.timers(actor, case_id=str(case.id))}


def test_a_christmas_eve_report_is_due_on_tuesday_29th(services: Services, clock: Clock) -> None:
    clock.now = CHRISTMAS_EVE_4PM
    case = report(services)
    first = timers(services, case)["first_response"]
    assert first.timer.due_at == DUE_TUESDAY_5PM
    assert first.state == "running"
    clock.now = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    assert [t.key for t in services.caseload.timers(MANAGER, state=DUE_TODAY)] == ["first_response"]
    clock.now = datetime(2026, 12, 29, 17, 1, tzinfo=UTC)
    assert [t.key for t in services.caseload.timers(MANAGER, state="overdue")] == ["first_response"]
    contact(services, allocate(services, case))
    assert timers(services, case)["first_response"].state == "breached"


def test_first_response_is_met_by_allocation_and_a_reply(services: Services, clock: Clock) -> None:
    case = report(services)
    case = allocate(services, case)
    assert timers(services, case)["first_response"].state == "running"
    clock.advance(timedelta(hours=3))
    case = contact(services, case, outcome=ContactOutcome.NO_ANSWER)
    assert timers(services, case)["first_response"].state == "running"  # an attempt only
    contact(services, case)
    first = timers(services, case)["first_response"]
    assert first.state == "met" and first.timer.stopped_at == clock.now


def test_repairs_are_timed_by_kind(services: Services, clock: Clock) -> None:
    case = allocate(services, report(services))
    case = act(
        services,
        case,
        OFFICER,
        RequestRepair(kind=RepairKind.EMERGENCY, description="Door kicked in"),
    )
    case = act(
        services,
        case,
        OFFICER,
        RequestRepair(kind=RepairKind.GRAFFITI_REMOVAL, description="Slur on the wall"),
    )
    board = timers(services, case)
    assert board["repair:repair-1"].timer.due_at == clock.now + timedelta(hours=24)
    # Monday 23 Nov 10:00 -> close of business Tuesday (17:00 GMT)
    assert board["repair:repair-2"].timer.due_at == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    clock.advance(timedelta(hours=25))
    act(services, case, OFFICER, CompleteRepair(repair_id="repair-2"))
    board = timers(services, case)
    assert board["repair:repair-1"].state == "overdue"
    assert board["repair:repair-2"].state == "met"


def test_victim_updates_follow_the_agreed_frequency(services: Services, clock: Clock) -> None:
    case = allocate(services, report(services))
    case = act(
        services,
        case,
        OFFICER,
        AgreeContactArrangement(method=ContactMethod.PHONE, frequency_days=7),
    )
    assert timers(services, case)["victim_update:1"].timer.due_at == clock.now + timedelta(days=7)
    clock.advance(timedelta(days=8))
    assert timers(services, case)["victim_update:1"].state == "overdue"
    contact(services, case)
    board = timers(services, case)
    assert board["victim_update:1"].state == "breached"
    assert board["victim_update:2"].state == "running"


def test_risk_reviews_and_complaints(services: Services, clock: Clock) -> None:
    case = allocate(services, report(services))
    case = act(services, case, OFFICER, AssessRisk(answers=LOW_RISK))
    review = timers(services, case)["risk_review:1"]
    assert review.timer.kind == "risk_review" and review.timer.clause == "5.5"
    clock.advance(timedelta(days=1))
    case = act(services, case, OFFICER, AssessRisk(answers=LOW_RISK))
    board = timers(services, case)
    assert board["risk_review:1"].state == "met" and board["risk_review:2"].state == "running"
    complaint = ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="Too slow")
    case = act(services, case, MANAGER, complaint)
    stage_1 = timers(services, case)["complaint:complaint-1:stage_1"]
    assert stage_1.timer.due_at - stage_1.timer.started_at > timedelta(days=13)


def test_timers_show_only_the_callers_caseload(services: Services) -> None:
    case = allocate(services, report(services))
    assert timers(services, case, OFFICER)
    assert not timers(services, case, OTHER_OFFICER)
    assert not services.caseload.timers(HUB)


def test_the_caseload_lists_cases_with_overdue_timers(services: Services, clock: Clock) -> None:
    late = report(services)
    clock.advance(timedelta(days=5))
    report(services)
    page = services.caseload.cases(MANAGER, overdue=True)
    assert [c["case_id"] for c in page.items] == [str(late.id)]
    assert services.caseload.cases(OFFICER, overdue=True).total == 0


def test_a_late_graffiti_order_is_late_and_only_the_victim_answers_the_first_response(
    services: Services, clock: Clock
) -> None:
    case = allocate(services, report(services, forms=(Form.GRAFFITI,)))
    reported = case.received_at
    perpetrator = services.ledger.execute(
        case.id,
        IdentifyPerpetrator(link=PerpetratorLink.TENANT, details=PersonDetails(name="G. Stone")),
        actor=OFFICER,
        seen_version=case.version,
    )
    case = contact(services, perpetrator.case, subject_id=perpetrator.result)
    assert timers(services, case)["first_response"].state == "running"  # 8.1: not the victim
    clock.advance(timedelta(days=3))
    order = RequestRepair(kind=RepairKind.GRAFFITI_REMOVAL, description="Clean the door")
    case = act(services, case, OFFICER, order)
    repair = timers(services, case)["repair:repair-1"]
    assert repair.timer.started_at == reported  # 5.10: from the report, not the order
    assert repair.state == "overdue"
