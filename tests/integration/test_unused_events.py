"""Reads that catch their views up (inline mode) write nothing for events those views do not
use: an access-log entry between two reads of the caseload costs the second no transaction,
yet the views stay exact, the read still says it saw the log's head, a rebuild starts again
from zero, and the stored position never falls more than a batch behind."""

from __future__ import annotations

from uuid import uuid4

from interface.config import Services, build_services
from tests.cases import report
from tests.conftest import HUB, MANAGER, Clock


def stored(services: Services) -> int:
    return services.runner.positions(["case_summaries"])["case_summaries"]


def _log_reads(services: Services, count: int) -> None:
    """`count` access-log entries: events no case view uses."""
    case_id = uuid4()
    for _ in range(count):
        services.access_log.record(
            MANAGER, route="GET /test", purpose="case_work", purpose_stated=False, case_id=case_id
        )


def test_a_read_after_events_its_view_does_not_use_writes_nothing(services: Services) -> None:
    case = report(services)
    services.caseload.cases(MANAGER)
    before = stored(services)
    _log_reads(services, 3)
    head = services.runner.head()

    seen = services.views.ready("case_summaries")

    assert seen == head  # it saw everything, the entries included
    assert stored(services) == before  # and wrote nothing
    assert services.runner.position("case_summaries") == head  # as far as this runner knows
    assert [s.lag for s in services.runner.status() if s.name == "case_summaries"] == [0]
    assert services.caseload.cases(MANAGER).items[0]["case_id"] == str(case.id)


def test_an_event_the_view_uses_after_unused_ones_is_applied(services: Services) -> None:
    case = report(services)
    services.caseload.cases(MANAGER)
    _log_reads(services, 2)
    services.views.ready("case_summaries")
    second = report(services)

    page = services.caseload.cases(MANAGER)

    assert {item["case_id"] for item in page.items} == {str(case.id), str(second.id)}
    assert stored(services) == services.runner.head()


def test_the_stored_position_is_never_a_batch_behind(
    engine_env: dict[str, str], clock: Clock
) -> None:
    services = build_services(engine_env | {"CASELEDGER_PROJECTION_BATCH": "4"}, clock=clock)
    try:
        report(services)
        services.views.ready("case_summaries")
        for _ in range(6):
            _log_reads(services, 1)
            services.views.ready("case_summaries")
        head = services.runner.head()
        assert head - stored(services) < 4
    finally:
        services.close()


def test_another_process_sees_the_view_where_it_is_stored(
    services: Services, engine_env: dict[str, str], clock: Clock
) -> None:
    report(services)
    services.views.ready("case_summaries")
    _log_reads(services, 2)
    services.views.ready("case_summaries")  # this process knows the entries are not its
    other = build_services(engine_env, clock=clock)
    try:
        assert other.views.ready("case_summaries") == other.runner.head()
        assert other.caseload.cases(MANAGER).total == 1
    finally:
        other.close()


def test_a_rebuild_reads_from_zero_again(services: Services) -> None:
    report(services)
    services.views.ready("case_summaries")
    _log_reads(services, 2)
    services.views.ready("case_summaries")

    services.runner.rebuild("case_summaries")

    assert services.caseload.cases(MANAGER).total == 1
    assert services.caseload.cases(HUB).total == 1
