"""The ledger against real storage, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from application.commands.closing import CloseCase
from application.commands.people import PersonDetails
from application.commands.victim_care import AssessRisk
from application.errors import Forbidden, NotFound, StaleVersion
from domain.errors import PolicyViolation
from domain.vocabulary import ClosureGround, ReporterRole
from interface.config import Services, build_services
from tests.cases import DESCRIPTION, act, allocated, close, contact, report
from tests.conftest import HUB, MANAGER, OFFICER, OTHER_OFFICER, Clock, add_staff


def test_a_case_goes_from_report_to_closure(services: Services, clock: Clock) -> None:
    ledger = services.ledger
    case = allocated(services)
    answers = {q.key: 0 for q in ledger.risk_matrix.questions}
    clock.advance(timedelta(hours=2))
    case = act(services, case, OFFICER, AssessRisk(answers=answers))
    case = close(services, case)
    assert case.status == "closed"
    assert case.version == 8
    reread = ledger.case_for(MANAGER, case.id)
    assert reread.status == "closed" and reread.closed_at == clock.now


def test_a_refused_command_writes_nothing(services: Services) -> None:
    case = allocated(services)
    head = services.ledger.recorder.max_notification_id()
    closure = CloseCase(grounds=(ClosureGround.ALL_ACTION_TAKEN,), reasons="x")
    with pytest.raises(PolicyViolation) as refused:
        act(services, case, MANAGER, closure)
    assert refused.value.clause == "10.1"
    with pytest.raises(Forbidden):
        act(services, case, OFFICER, closure)
    assert services.ledger.recorder.max_notification_id() == head


def test_a_report_saves_case_and_people_together(services: Services) -> None:
    head = services.ledger.recorder.max_notification_id() or 0
    case = report(
        services,
        reporter_role=ReporterRole.THIRD_PARTY,
        reporter=PersonDetails(name="Advice Centre"),
    )
    # victim, reporter and the case: three aggregates, three events, one transaction
    assert services.ledger.recorder.max_notification_id() == head + 3
    assert case.reporter_id is not None


def test_a_stale_version_is_refused(services: Services) -> None:
    case = allocated(services)
    contact(services, case)
    with pytest.raises(StaleVersion) as stale:
        contact(services, case)
    assert stale.value.current == case.version + 1


def test_concurrent_writers_never_lose_an_update(services: Services) -> None:
    case = allocated(services)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def write() -> None:
        barrier.wait()
        try:
            contact(services, case, summary="call")
            outcomes.append("applied")
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("applied") == 1
    assert outcomes.count("stale") == 5
    events = services.ledger.case_events(OFFICER, case.id)
    assert [e.originator_version for e in events] == list(range(1, case.version + 2))


def test_cases_are_visible_only_to_who_may_see_them(services: Services) -> None:
    case = allocated(services)
    services.ledger.case_for(OFFICER, case.id)
    services.ledger.case_for(MANAGER, case.id)
    for outsider in (HUB, OTHER_OFFICER):
        with pytest.raises(NotFound):
            services.ledger.case_for(outsider, case.id)
    assert [c["case_id"] for c in services.caseload.cases(OFFICER).items] == [str(case.id)]
    assert services.caseload.cases(OTHER_OFFICER).total == 0
    assert services.caseload.cases(HUB).total == 0


def test_a_restart_loses_nothing(engine_env: dict[str, str], clock: Clock) -> None:
    first = build_services(engine_env, clock=clock)
    add_staff(first)
    case = allocated(first)
    first.close()
    second = build_services(engine_env, clock=clock)
    try:
        again = second.ledger.case_for(OFFICER, case.id)
        assert again.version == case.version
        assert again.description is not None and again.description.value == DESCRIPTION
        assert second.caseload.cases(OFFICER).total == 1
    finally:
        second.close()


def test_the_caseload_view_rebuilds_to_the_same_rows(services: Services) -> None:
    for _ in range(3):
        allocated(services)
    report(services)
    before = services.caseload.cases(MANAGER).items
    services.runner.rebuild("case_summaries")
    assert services.caseload.cases(MANAGER).items == before
    assert {s.name: s.lag for s in services.runner.status()}["case_summaries"] == 0


def test_caseload_filters_and_pages(services: Services) -> None:
    for _ in range(3):
        allocated(services)
    report(services)
    assert services.caseload.cases(MANAGER, status="allocated").total == 3
    assert services.caseload.cases(MANAGER, status="reported").total == 1
    page = services.caseload.cases(MANAGER, limit=2, offset=2)
    assert page.total == 4 and len(page.items) == 2
