"""Statistics for a TSM year from the statistics and timers views, on both engines.

Three cases: B reported at 23:30 BST on 31 March 2026 (a 2025-26 case), A an hour later (an
April case of 2026-27) whose first response is late, and C reported in May, answered in
time, reclassified, closed in June and reopened in July.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from application.actors import Actor
from application.commands.closing import ReopenCase
from application.commands.reporting import DisputeHateDefinition, ReviseClassification
from application.commands.victim_care import AssessRisk
from application.errors import Forbidden
from application.tsm_statistics import CaseCounts, TimerCounts, tsm_months
from domain.hate_case import HateCase
from domain.vocabulary import Form, HateDefinitionDecision, StaffRole, Strand
from interface.config import Services, build_services
from tests.cases import act, allocate, close, contact, report
from tests.conftest import HUB, MANAGER, OFFICER, Clock

AUDITOR = Actor("i.auditor", StaffRole.AUDITOR, "audit")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def answer(services: Services, case: HateCase) -> HateCase:
    """Allocate the case and reach the victim: stops its first-response timer."""
    return contact(services, allocate(services, case))


def three_cases(services: Services, clock: Clock) -> None:
    clock.now = at(3, 31, 22, 30)  # 23:30 BST on 31 March: last month of 2025-26
    report(services, strands=(Strand.RACE, Strand.DISABILITY))
    clock.now = at(3, 31, 23, 30)  # 00:30 BST on 1 April: first month of 2026-27
    late = report(services)
    clock.now = at(4, 7, 9)  # first response was due at 17:00 BST on 2 April
    answer(services, late)
    clock.now = at(5, 11, 9)
    case = answer(services, report(services, strands=(Strand.RACE, Strand.RELIGION_OR_BELIEF)))
    answers = {q.key: 0 for q in services.ledger.risk_matrix.questions}
    case = act(services, case, OFFICER, AssessRisk(answers=answers))
    revision = ReviseClassification(
        strands=(Strand.RELIGION_OR_BELIEF,),
        forms=(Form.VERBAL_ABUSE,),
        victim_agrees=True,
        reason="The abuse targeted the family's faith",
    )
    case = act(services, case, OFFICER, revision)
    clock.now = at(6, 2, 10)  # before the standard risk review fell due on 9 June
    case = close(services, case)
    clock.now = at(7, 1, 10)
    act(services, case, OFFICER, ReopenCase(reason="Another incident"))
    clock.now = datetime(2027, 1, 15, 12, tzinfo=UTC)


def test_a_year_counts_cases_by_local_month_and_strand(services: Services, clock: Clock) -> None:
    three_cases(services, clock)
    figures = services.statistics.for_year(MANAGER)  # January 2027: TSM year 2026
    assert (figures.year, figures.starts, figures.ends) == (2026, "2026-04-01", "2027-03-31")
    assert [m.month for m in figures.months] == tsm_months(2026)
    months = {m.month: m for m in figures.months}
    assert months["2026-04"].cases == CaseCounts(opened=1, closed=0, reopened=0, open_at_end=2)
    assert months["2026-05"].cases == CaseCounts(1, 0, 0, 3)
    assert months["2026-06"].cases == CaseCounts(0, 1, 0, 2)
    assert months["2026-07"].cases == CaseCounts(0, 0, 1, 3)
    assert months["2027-03"].cases == CaseCounts(0, 0, 0, 3)
    assert figures.cases == CaseCounts(opened=2, closed=1, reopened=1, open_at_end=3)
    # C's reclassification moved its counts from race to religion or belief.
    assert figures.strands == {
        "disability": CaseCounts(0, 0, 0, 1),
        "race": CaseCounts(1, 0, 0, 2),
        "religion_or_belief": CaseCounts(1, 1, 1, 1),
    }
    earlier = services.statistics.for_year(MANAGER, 2025)
    assert {m.month: m.cases.opened for m in earlier.months if m.cases.opened} == {"2026-03": 1}
    assert earlier.cases == CaseCounts(1, 0, 0, 1)


def test_timers_count_as_met_breached_or_overdue_in_the_month_they_fell_due(
    services: Services, clock: Clock
) -> None:
    three_cases(services, clock)
    months = {m.month: m.timers for m in services.statistics.for_year(MANAGER, 2026).months}
    # A answered late, B never answered (both due 2 April); C answered and reviewed in time.
    assert months["2026-04"] == TimerCounts(met=0, breached=1, overdue=1)
    assert months["2026-05"] == TimerCounts(met=1, breached=0, overdue=0)  # first response
    assert months["2026-06"] == TimerCounts(met=1, breached=0, overdue=0)  # risk review
    assert services.statistics.for_year(MANAGER, 2026).timers == TimerCounts(2, 1, 1)
    assert services.statistics.for_year(MANAGER, 2025).timers == TimerCounts(0, 0, 0)


def test_nm01_is_hate_cases_opened_per_thousand_homes(
    services: Services, clock: Clock, engine_env: dict[str, str]
) -> None:
    three_cases(services, clock)
    nm01 = services.statistics.for_year(MANAGER, 2026).nm01
    assert (nm01.hate_cases_opened, nm01.homes, nm01.per_1000_homes) == (2, 10000, 0.2)
    smaller = build_services(engine_env | {"CASELEDGER_HOMES_OWNED": "2500"}, clock=clock)
    try:
        nm01 = smaller.statistics.for_year(MANAGER, 2026).nm01
    finally:
        smaller.close()
    assert (nm01.hate_cases_opened, nm01.homes, nm01.per_1000_homes) == (2, 2500, 0.8)


def test_nm01_counts_the_five_monitored_strands_and_reports_the_rest_beside_it(
    services: Services, clock: Clock
) -> None:
    clock.now = at(5, 11, 9)
    report(services, strands=(Strand.RACE, Strand.AGE))  # counts: one monitored strand
    report(services, strands=(Strand.AGE,))
    report(services, strands=(Strand.SEX_OR_GENDER, Strand.OTHER))
    disputed = allocate(services, report(services, strands=(Strand.DISABILITY,)))
    act(
        services,
        disputed,
        MANAGER,
        DisputeHateDefinition(
            decision=HateDefinitionDecision.PROVEN_OTHERWISE, reasons="CCTV shows otherwise"
        ),
    )
    moved = allocate(services, report(services, strands=(Strand.RACE,)))
    act(
        services,
        moved,
        OFFICER,
        ReviseClassification(
            strands=(Strand.AGE,),
            forms=(Form.VERBAL_ABUSE,),
            victim_agrees=True,
            reason="The abuse was about her age",
        ),
    )

    year = services.statistics.for_year(MANAGER, 2026)
    assert (year.nm01.hate_cases_opened, year.nm01.per_1000_homes) == (1, 0.1)
    assert (year.nm01.other_characteristic_opened, year.nm01.disputed_opened) == (3, 1)
    assert year.cases.opened == 5  # every case is still a case
    assert "nm01:monitored" not in year.strands and year.strands["age"].opened == 3
    assert year.nm01.definition.startswith("https://www.gov.uk/")


def test_a_rebuild_gives_identical_numbers(services: Services, clock: Clock) -> None:
    three_cases(services, clock)
    before = [asdict(services.statistics.for_year(MANAGER, y)) for y in (2025, 2026)]
    services.runner.rebuild("statistics")
    services.runner.rebuild()
    after = [asdict(services.statistics.for_year(MANAGER, y)) for y in (2025, 2026)]
    assert after == before


def test_only_managers_and_auditors_read_statistics(services: Services) -> None:
    for actor in (HUB, OFFICER):
        with pytest.raises(Forbidden):
            services.statistics.for_year(actor)
    for actor in (MANAGER, AUDITOR):
        assert services.statistics.for_year(actor).cases == CaseCounts(0, 0, 0, 0)
