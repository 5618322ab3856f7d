"""A view whose code changed is rebuilt from the log, not carried on from old rows.

`ProjectionRunner.setup` records the version that built each view's tables; a runner with
another version of a view (or a store from before versions were recorded) empties that view
and sets it back to position zero, and the next catch-up rebuilds it. Other views keep their
rows and positions, and setting up again with the same versions changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interface.config import Services, build_services
from projections.case_summaries import CaseSummaries
from projections.runner import ProjectionRunner
from tests.cases import report
from tests.conftest import MANAGER, Clock, add_staff
from tests.reliability.harness import view_snapshot


class NextCaseSummaries(CaseSummaries):
    version = CaseSummaries.version + 1


@pytest.fixture
def services(engine_env: dict[str, str], clock: Clock) -> Iterator[Services]:
    built = build_services(engine_env, clock=clock)
    add_staff(built)
    for _ in range(3):
        report(built)
    built.runner.catch_up()
    yield built
    built.close()


def runner_with(services: Services, summaries: CaseSummaries) -> ProjectionRunner:
    current = services.runner
    views = [summaries if p.name == summaries.name else p for p in current.projections.values()]
    return ProjectionRunner(current.store, current.source, current.to_event, views)


def positions(services: Services) -> dict[str, int]:
    """Where each view is, as its runner knows it (past events it has no use for)."""
    views = services.runner.projections
    return {s.name: s.position for s in services.runner.status() if s.name in views}


def summary_rows(services: Services) -> int:
    with services.runner.store.reading() as c:
        c.execute("SELECT COUNT(*) FROM view_case_summaries")
        return int(c.fetchone()[0])


def test_a_new_version_of_a_view_is_emptied_and_rebuilt(services: Services) -> None:
    head = services.runner.head()
    before = view_snapshot(services)

    runner_with(services, NextCaseSummaries()).setup()

    where = positions(services)
    assert where.pop("case_summaries") == 0 and summary_rows(services) == 0
    assert set(where.values()) == {head}  # the other views keep their place and rows
    assert services.caseload.cases(MANAGER).total == 3  # a read catches it up from zero
    after = view_snapshot(services)
    assert after.pop("view_versions") != before.pop("view_versions")
    assert after == before


def test_the_same_versions_set_up_again_change_nothing(services: Services) -> None:
    before = view_snapshot(services)
    services.runner.setup()
    services.runner.setup()
    assert view_snapshot(services) == before
    assert set(positions(services).values()) == {services.runner.head()}


def test_views_from_before_versions_were_recorded_are_rebuilt(services: Services) -> None:
    with services.runner.store.transaction() as c:
        c.execute("DELETE FROM view_versions WHERE projection = ?", ("case_summaries",))
        c.execute("DELETE FROM view_case_counts")  # as a store from before the counts were
    services.runner.setup()
    assert services.runner.position("case_summaries") == 0
    assert services.caseload.cases(MANAGER).total == 3
