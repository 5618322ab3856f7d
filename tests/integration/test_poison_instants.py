"""No instant stops a view (issue 13.1): any instant the schemas accept goes through every
real projection, and `caseledger projections rebuild` runs past a report "received" in year 1
that a store holds from before the bounds existed (the API's reads of such a store:
tests/api/test_instant_bounds.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from application.commands.reporting import ReportCase
from application.errors import ApplicationError
from domain import case_reporting
from domain.errors import DomainError
from domain.hate_case import HateCase
from domain.instants import aware
from interface.api.schemas import body_schema
from interface.cli import main
from interface.config import Services, build_services
from tests.cases import act, report
from tests.conftest import HUB, MANAGER, Clock, add_staff, sqlite_env
from tests.integration.test_projection_properties import OPS
from tests.integration.test_subject_rights import DPO

YEAR_1 = datetime(1, 1, 1, tzinfo=UTC)
OFFSETS: st.SearchStrategy[tzinfo] = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sent=st.one_of(  # mostly near and within the range; anything Python can hold now and then
        st.datetimes(datetime(1989, 12, 31, 9), datetime(2200, 1, 1, 15), timezones=OFFSETS),
        st.datetimes(timezones=OFFSETS),
    ),
    later=st.timedeltas(timedelta(0), timedelta(days=800)),
    script=st.lists(st.sampled_from(OPS), max_size=12),
)
@example(sent=YEAR_1, later=timedelta(0), script=[])  # Go's zero time: refused now
@example(
    sent=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), later=timedelta(0), script=[]
)
@example(
    sent=datetime(1990, 1, 1, tzinfo=timezone(timedelta(hours=-14))), later=timedelta(0), script=[]
)
def test_any_instant_the_schemas_accept_goes_through_every_view(
    services: Services, clock: Clock, sent: datetime, later: timedelta, script: list[Any]
) -> None:
    text = sent.isoformat()
    try:
        command = body_schema(ReportCase)().load(
            {"channel": "phone", "reporter_role": "victim", "description": "abuse"}
            | {"strands": ["race"], "forms": ["graffiti"], "received_at": text}
            | {"incident_at": text}
        )
    except ValidationError:
        assume(False)  # outside the range the schemas accept
    clock.now = sent + later
    case = services.ledger.report(command, actor=HUB)
    for actor, op in script:
        clock.advance(timedelta(hours=5))
        with contextlib.suppress(DomainError, ApplicationError):
            act(services, services.ledger.case_for(MANAGER, case.id), actor, op)
    assert case.victim_id is not None
    rights = services.subject_rights
    request = rights.receive_access_request(DPO, case.victim_id, received_at=sent)
    with contextlib.suppress(DomainError):  # refused once the first month has passed
        rights.extend(DPO, case.victim_id, request.id, reasons="many records")

    services.runner.catch_up()
    assert {s.lag for s in services.runner.status()} == {0}
    assert services.caseload.timers(MANAGER, case_id=str(case.id))
    services.cases.case_for(MANAGER, case.id)
    services.statistics.for_year(MANAGER, command.received_at.year)


@contextlib.contextmanager
def unchecked_instants(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Report as the code before the bounds did: any aware instant in the past."""
    with monkeypatch.context() as patched:
        unchecked = lambda value, field, now: aware(value, field)  # noqa: E731
        patched.setattr(case_reporting, "client_instant", unchecked, raising=False)
        yield


def poisoned(services: Services, monkeypatch: pytest.MonkeyPatch) -> HateCase:
    with unchecked_instants(monkeypatch):
        case = report(services, received_at=YEAR_1)
    assert case.received_at == YEAR_1  # stored, as it was before the bounds
    return case


def test_projections_rebuild_runs_past_a_year_1_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sqlite_env(str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    services = build_services(env, clock=Clock(datetime(2026, 11, 23, 10, tzinfo=UTC)))
    add_staff(services)
    poisoned(services, monkeypatch)
    report(services)
    head = services.ledger.recorder.max_notification_id()
    services.close()

    for view in ("timers", "statistics"):
        assert main(["projections", "rebuild", view]) == 0
        assert f"{view}: position {head}, head {head}, lag 0" in capsys.readouterr().out
