"""Properties of the views: for any sequence of commands, the caseload and case-state views
say what the aggregates say, and a rebuild from zero gives exactly the rows incremental
catch-up gave (byte for byte: the case-state rows hold sealed tokens copied from the events,
not ciphertext made afresh)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.errors import ApplicationError
from domain.errors import DomainError
from domain.hate_case import HateCase
from interface.api.views import case_view
from interface.config import Services, build_services
from projections.case_summaries import COUNTED
from tests.conftest import HUB, MANAGER, OFFICER, Clock, add_staff, sqlite_env
from tests.integration.test_timers import LOW_RISK
from tests.reliability.harness import view_snapshot

HIGH_RISK = dict.fromkeys(LOW_RISK, 2)

Op = Callable[[Services, HateCase], object]


def _cmd(command: str, actor: Any = OFFICER, **fields: Any) -> Op:
    def run(services: Services, case: HateCase) -> object:
        return getattr(services.ledger, command)(
            case.id, actor=actor, seen_version=case.version, **fields
        )

    return run


OPS: list[Op] = [
    _cmd("triage", HUB),
    _cmd("allocate", HUB, officer=OFFICER.username, team="north"),
    _cmd("reassign", MANAGER, officer="s.officer", team="north", reason="leave"),
    _cmd("assess_risk", answers=LOW_RISK),
    _cmd("assess_risk", answers=HIGH_RISK),
    _cmd("record_contact", method="phone", direction="outbound"),
    _cmd("agree_contact_arrangement", method="phone", frequency_days=7),
    _cmd("request_repair", kind="emergency", description="door"),
    _cmd("complete_repair", repair_id="repair-1"),
    _cmd(
        "report_further_incident",
        reporter_role="victim",
        description="again",
        strands=["religion_or_belief"],
        forms=["graffiti"],
    ),
    _cmd("grant_consent", recipient="police", recipient_name="WMP", form="verbal"),
    _cmd("withdraw_consent", consent_id="consent-1"),
    _cmd("propose_closure", grounds=["all_action_taken"], reasons="done"),
    _cmd("discuss_closure", method="phone", victim_agrees=True, victim_view="ok"),
    _cmd("close_case", MANAGER, grounds=["all_action_taken"], reasons="done"),
    _cmd("reopen_case", reason="new incident"),
    _cmd("receive_complaint", MANAGER, stage="stage_1", summary="slow"),
    _cmd(
        "agree_action_plan",
        actions=[{"owner": OFFICER.username, "description": "fit a door camera for Ms Khan"}],
    ),
    _cmd("complete_action", action_id="plan-1.1"),
    _cmd("add_person", role="witness", details={"name": "Joan Witness"}),
    _cmd("identify_perpetrator", link="neighbour", details={"name": "P. Erp"}, notes="shouts"),
    _cmd("request_case_review", MANAGER, local_authority="Birmingham City Council"),
]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(script=st.lists(st.tuples(st.integers(0, 2), st.integers(0, len(OPS) - 1)), max_size=30))
def test_views_agree_with_the_aggregates_and_rebuild_identically(
    script: list[tuple[int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
        services = build_services(sqlite_env(directory), clock=clock)
        try:
            add_staff(services)
            cases = [
                services.ledger.report_case(
                    actor=HUB,
                    channel="phone",
                    reporter_role="victim",
                    description="abuse",
                    strands=["race"],
                    forms=["verbal_abuse"],
                )
                for _ in range(3)
            ]
            for which, op in script:
                clock.advance(timedelta(hours=5))
                case = services.ledger.case_for(MANAGER, cases[which].id)
                # A refused command writes nothing; the views must agree all the same.
                with contextlib.suppress(DomainError, ApplicationError):
                    OPS[op](services, case)
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
