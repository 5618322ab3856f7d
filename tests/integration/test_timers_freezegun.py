"""Every service-level timer on the real system clock, frozen and moved with freezegun.

The other timer tests inject a clock. Here the services are built as production builds them,
with `application.clock.system_clock`, and time is frozen (`tick=False`) and moved with
`move_to`. For each timer kind the case crosses a weekend, an England bank holiday
(Christmas 2026 with its substitute Boxing Day), the March clock change (BST starts Sunday 28
March 2027 at 01:00 UTC, which is Easter: Good Friday 26 March and Easter Monday 29 March are
bank holidays) and the October one (BST ends Sunday 25 October 2026 at 01:00 UTC).

Every expected instant is a UTC literal: a working-day deadline is 17:00 London time, so
16:00Z in summer and 17:00Z in winter; an emergency repair is 24 elapsed hours; a victim
update the agreed number of days on the London wall clock.

Two things the harness has to do for freezegun, neither touching application code: freezegun's
`FakeDatetime` is stored with the library's datetime transcoding (the eventsourcing transcoder
matches exact types), and the services are closed after time is unfrozen (psycopg_pool would
otherwise wait out its thread-join timeouts). The scenarios run on SQLite only, for speed; one
test checks on both engines that services built without a clock read the frozen system clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import JSONTranscoder
from freezegun import freeze_time
from freezegun.api import FakeDate, FakeDatetime, FrozenDateTimeFactory

from application.caseload import DUE_TODAY, TimerView
from application.clock import system_clock
from application.commands.after_the_case import ReceiveComplaint, RespondToComplaint
from application.commands.victim_care import (
    AgreeContactArrangement,
    AssessRisk,
    CompleteRepair,
    RequestRepair,
)
from application.ledger import CaseLedger
from domain.hate_case import HateCase
from domain.service_levels import TimerState
from domain.vocabulary import ComplaintOutcome, ComplaintStage, ContactMethod, RepairKind, RiskLevel
from interface.config import Services, build_services
from tests.cases import LOW_RISK, act, allocate, contact, report
from tests.conftest import MANAGER, OFFICER, add_staff, sqlite_env

MINUTE = timedelta(minutes=1)
# Staff accounts are added at this instant, before every scenario starts.
SETUP = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

RUNNING, MET = TimerState.RUNNING, TimerState.MET
BREACHED, OVERDUE = TimerState.BREACHED, TimerState.OVERDUE


_REGISTER_TRANSCODINGS = CaseLedger.register_transcodings


def _register_with_freezegun_types(self: CaseLedger, transcoder: JSONTranscoder) -> None:
    """The ledger's transcodings, plus freezegun's FakeDatetime and FakeDate.

    Under freezegun `datetime.now(UTC)` returns a FakeDatetime, a subclass of datetime. The
    eventsourcing JSONTranscoder looks transcodings up by exact type, so it refuses to store
    one. They are stored by the library's own transcodings, under the same names, so what is
    written is byte for byte what production writes.
    """
    _REGISTER_TRANSCODINGS(self, transcoder)
    transcoder.types[FakeDatetime] = transcoder.names["datetime_iso"]
    transcoder.types[FakeDate] = transcoder.names["date_iso"]


@dataclass
class Frozen:
    """The services, built on the system clock, and freezegun's handle on that clock."""

    services: Services
    time: FrozenDateTimeFactory

    def move_to(self, instant: datetime) -> None:
        self.time.move_to(instant)

    def timer(self, case: HateCase, key: str) -> TimerView:
        (view,) = [
            t for t in self.services.caseload.timers(MANAGER, case_id=str(case.id)) if t.key == key
        ]
        return view

    def listed(self, state: str) -> set[tuple[str, str]]:
        """(case id, timer key) of each timer the caseload lists under `state` now."""
        return {(t.case_id, t.key) for t in self.services.caseload.timers(MANAGER, state=state)}


@contextmanager
def frozen_services(env: dict[str, str]) -> Iterator[Frozen]:
    """Services built with no clock passed (so on the system clock), with time frozen."""
    # pytest's own timing is left on the real clock, so --durations stays truthful.
    freezer = freeze_time(SETUP, tick=False, ignore=["_pytest.timing"])
    time = freezer.start()
    assert isinstance(time, FrozenDateTimeFactory)  # tick=False: moved only by hand
    services: Services | None = None
    try:
        services = build_services(env)
        add_staff(services)
        yield Frozen(services, time)
    finally:
        freezer.stop()
        # Closed on the real clock: psycopg_pool's workers time their shutdown with it, and
        # under a frozen clock each pool waits out its 5 s join timeout.
        if services is not None:
            services.close()


@pytest.fixture
def freezegun_transcodings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CaseLedger, "register_transcodings", _register_with_freezegun_types)


@pytest.fixture
def frozen_on_each_engine(
    engine_env: dict[str, str], freezegun_transcodings: None
) -> Iterator[Frozen]:
    with frozen_services(engine_env) as frozen:
        yield frozen


@pytest.fixture
def frozen(tmp_path: Path, freezegun_transcodings: None) -> Iterator[Frozen]:
    """SQLite only: the same scenarios on PostgreSQL take about 1.4 s each instead of 0.2 s."""
    with frozen_services(sqlite_env(str(tmp_path))) as frozen:
        yield frozen


# --- starting and stopping each kind of timer through the ledger's commands ---------------


def _reported(s: Services) -> HateCase:
    return report(s, "A. Resident")


def _allocated(s: Services) -> HateCase:
    return allocate(s, _reported(s))


def _contact(s: Services, case: HateCase) -> HateCase:
    return contact(s, case)


def _allocate_and_reply(s: Services, case: HateCase) -> HateCase:
    return contact(s, allocate(s, case))


def _repair(kind: RepairKind) -> Callable[[Services], HateCase]:
    def start(s: Services) -> HateCase:
        return act(s, _allocated(s), OFFICER, RequestRepair(kind=kind, description="Door"))

    return start


def _complete_repair(s: Services, case: HateCase) -> HateCase:
    return act(s, case, OFFICER, CompleteRepair(repair_id="repair-1"))


def _updates_every(days: int) -> Callable[[Services], HateCase]:
    def start(s: Services) -> HateCase:
        arrangement = AgreeContactArrangement(method=ContactMethod.PHONE, frequency_days=days)
        return act(s, _allocated(s), OFFICER, arrangement)

    return start


def _assessed(level: RiskLevel) -> Callable[[Services], HateCase]:
    def start(s: Services) -> HateCase:
        assessment = AssessRisk(answers=LOW_RISK)
        if level != RiskLevel.STANDARD:
            assessment = AssessRisk(answers=LOW_RISK, level=level, override_reason="Threats")
        return act(s, _allocated(s), OFFICER, assessment)

    return start


def _reassess(s: Services, case: HateCase) -> HateCase:
    return act(s, case, OFFICER, AssessRisk(answers=LOW_RISK))


def _complaint_stage_1(s: Services) -> HateCase:
    complaint = ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="Too slow")
    return act(s, _allocated(s), MANAGER, complaint)


def _respond(s: Services, case: HateCase) -> HateCase:
    response = RespondToComplaint(
        complaint_id="complaint-1",
        outcome=ComplaintOutcome.NOT_UPHELD,
        response="We acted within the policy",
    )
    return act(s, case, MANAGER, response)


def _complaint_stage_2(s: Services) -> HateCase:
    escalation = ReceiveComplaint(
        stage=ComplaintStage.STAGE_2, complaint_id="complaint-1", summary="Still unhappy"
    )
    return act(s, _respond(s, _complaint_stage_1(s)), MANAGER, escalation)


@dataclass(frozen=True)
class Kind:
    kind: str  # the TimerKind's value
    key: str  # the timer's key on its case
    start: Callable[[Services], HateCase]  # a new case whose timer starts now
    stop: Callable[[Services, HateCase], HateCase]  # the event that stops it, now


FIRST_RESPONSE = Kind("first_response", "first_response", _reported, _allocate_and_reply)
EMERGENCY_REPAIR = Kind(
    "emergency_repair", "repair:repair-1", _repair(RepairKind.EMERGENCY), _complete_repair
)
GRAFFITI_REMOVAL = Kind(
    "graffiti_removal", "repair:repair-1", _repair(RepairKind.GRAFFITI_REMOVAL), _complete_repair
)
VICTIM_UPDATE_2_DAYS = Kind("victim_update", "victim_update:1", _updates_every(2), _contact)
VICTIM_UPDATE_WEEKLY = Kind("victim_update", "victim_update:1", _updates_every(7), _contact)
HIGH_RISK_REVIEW = Kind("risk_review", "risk_review:1", _assessed(RiskLevel.HIGH), _reassess)
MEDIUM_RISK_REVIEW = Kind("risk_review", "risk_review:1", _assessed(RiskLevel.MEDIUM), _reassess)
STANDARD_RISK_REVIEW = Kind(
    "risk_review", "risk_review:1", _assessed(RiskLevel.STANDARD), _reassess
)
COMPLAINT_STAGE_1 = Kind(
    "complaint_stage_1", "complaint:complaint-1:stage_1", _complaint_stage_1, _respond
)
COMPLAINT_STAGE_2 = Kind(
    "complaint_stage_2", "complaint:complaint-1:stage_2", _complaint_stage_2, _respond
)


KINDS = {
    "first_response": FIRST_RESPONSE,
    "emergency_repair": EMERGENCY_REPAIR,
    "graffiti_removal": GRAFFITI_REMOVAL,
    "update_every_2_days": VICTIM_UPDATE_2_DAYS,
    "update_weekly": VICTIM_UPDATE_WEEKLY,
    "review_high": HIGH_RISK_REVIEW,
    "review_medium": MEDIUM_RISK_REVIEW,
    "review_standard": STANDARD_RISK_REVIEW,
    "complaint_stage_1": COMPLAINT_STAGE_1,
    "complaint_stage_2": COMPLAINT_STAGE_2,
}

# Each timer kind across a weekend, Christmas (25 December and the Boxing Day substitute on
# Monday 28 December 2026 off), Easter and the March clock change (Good Friday 26 and Easter
# Monday 29 March 2027 off; BST from 28 March) and the October one (GMT from 25 October).
# Columns: kind, what it crosses, when the timer starts and when it is due (both UTC), and the
# same two instants on the London wall clock. First responses, graffiti removals, risk
# reviews and complaints are due at 17:00 after working days (5.1, 8.1, 5.10, 5.5, 11.1);
# a start after 17:00 or on a day off counts from the next working day. An emergency
# repair is 24 elapsed hours; a victim update the agreed days on the wall clock (8.1).
TABLE = """
first_response      weekend    2026-10-16 15:00  2026-10-19 16:00  Fri 16:00 BST, Mon 17:00 BST
first_response      christmas  2026-12-24 16:00  2026-12-29 17:00  Thu 16:00 GMT, Tue 17:00 GMT
first_response      march      2027-03-25 16:00  2027-03-30 16:00  Thu 16:00 GMT, Tue 17:00 BST
first_response      october    2026-10-23 16:30  2026-10-27 17:00  Fri 17:30 BST, Tue 17:00 GMT
emergency_repair    weekend    2026-10-16 15:00  2026-10-17 15:00  Fri 16:00 BST, Sat 16:00 BST
emergency_repair    christmas  2026-12-24 16:00  2026-12-25 16:00  Thu 16:00 GMT, Fri 16:00 GMT
emergency_repair    march      2027-03-27 12:00  2027-03-28 12:00  Sat 12:00 GMT, Sun 13:00 BST
emergency_repair    october    2026-10-24 11:00  2026-10-25 11:00  Sat 12:00 BST, Sun 11:00 GMT
graffiti_removal    weekend    2026-10-16 16:30  2026-10-20 16:00  Fri 17:30 BST, Tue 17:00 BST
graffiti_removal    christmas  2026-12-26 11:00  2026-12-30 17:00  Sat 11:00 GMT, Wed 17:00 GMT
graffiti_removal    march      2027-03-26 10:00  2027-03-31 16:00  Fri 10:00 GMT, Wed 17:00 BST
graffiti_removal    october    2026-10-23 15:00  2026-10-26 17:00  Fri 16:00 BST, Mon 17:00 GMT
update_every_2_days weekend    2026-10-16 09:00  2026-10-18 09:00  Fri 10:00 BST, Sun 10:00 BST
update_weekly       christmas  2026-12-18 10:00  2026-12-25 10:00  Fri 10:00 GMT, Fri 10:00 GMT
update_weekly       march      2027-03-26 10:00  2027-04-02 09:00  Fri 10:00 GMT, Fri 10:00 BST
update_weekly       october    2026-10-23 09:00  2026-10-30 10:00  Fri 10:00 BST, Fri 10:00 GMT
review_high         weekend    2026-10-16 09:00  2026-10-23 16:00  Fri 10:00 BST, Fri 17:00 BST
review_medium       christmas  2026-12-18 10:00  2027-01-06 17:00  Fri 10:00 GMT, Wed 17:00 GMT
review_standard     march      2027-03-24 10:00  2027-04-23 16:00  Wed 10:00 GMT, Fri 17:00 BST
review_high         october    2026-10-22 09:00  2026-10-29 17:00  Thu 10:00 BST, Thu 17:00 GMT
complaint_stage_1   weekend    2026-11-14 11:00  2026-11-30 17:00  Sat 11:00 GMT, Mon 17:00 GMT
complaint_stage_1   christmas  2026-12-21 10:00  2027-01-07 17:00  Mon 10:00 GMT, Thu 17:00 GMT
complaint_stage_1   march      2027-03-19 10:00  2027-04-06 16:00  Fri 10:00 GMT, Tue 17:00 BST
complaint_stage_1   october    2026-10-16 09:00  2026-10-30 17:00  Fri 10:00 BST, Fri 17:00 GMT
complaint_stage_2   weekend    2026-11-14 11:00  2026-12-14 17:00  Sat 11:00 GMT, Mon 17:00 GMT
complaint_stage_2   christmas  2026-12-14 10:00  2027-01-14 17:00  Mon 10:00 GMT, Thu 17:00 GMT
complaint_stage_2   march      2027-03-12 10:00  2027-04-13 16:00  Fri 10:00 GMT, Tue 17:00 BST
complaint_stage_2   october    2026-10-09 09:00  2026-11-06 17:00  Fri 10:00 BST, Fri 17:00 GMT
"""
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Crossing:
    kind: Kind
    start: datetime  # when the starting event happens
    due: datetime  # the expected due instant
    due_day_begins: datetime  # 00:00 London time on the due date


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _crossing(row: str) -> Any:
    """One row of TABLE as a test case; its London times checked against its UTC ones."""
    kind, crosses, start_day, start_time, due_day, due_time, local = row.split(maxsplit=6)
    start = datetime.fromisoformat(f"{start_day}T{start_time}+00:00")
    due = datetime.fromisoformat(f"{due_day}T{due_time}+00:00")
    shown = [
        at.astimezone(LONDON).strftime("%a %H:%M ")
        + ("BST" if at.astimezone(LONDON).dst() else "GMT")
        for at in (start, due)
    ]
    assert local == ", ".join(shown), row
    begins = due.astimezone(LONDON).replace(hour=0, minute=0).astimezone(UTC)
    return pytest.param(Crossing(KINDS[kind], start, due, begins), id=f"{kind}-{crosses}")


CROSSINGS = [_crossing(row) for row in TABLE.strip().splitlines()]


def test_services_built_without_a_clock_read_the_frozen_system_clock(
    frozen_on_each_engine: Frozen,
) -> None:
    frozen = frozen_on_each_engine
    assert frozen.services.ledger.clock is system_clock
    assert system_clock() == SETUP
    frozen.move_to(utc(2027, 3, 28, 1, 30))  # 02:30 BST, just after the clocks go forward
    assert system_clock() == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    case = _reported(frozen.services)
    assert case.received_at == utc(2027, 3, 28, 1, 30)


@pytest.mark.parametrize("c", CROSSINGS)
def test_a_timer_with_nothing_done_runs_until_due_then_is_overdue(
    frozen: Frozen, c: Crossing
) -> None:
    frozen.move_to(c.start)
    case = c.kind.start(frozen.services)
    mine = (str(case.id), c.kind.key)

    view = frozen.timer(case, c.kind.key)
    assert view.timer.kind == c.kind.kind
    assert view.timer.started_at == c.start
    assert view.timer.due_at == c.due
    assert view.state == RUNNING

    frozen.move_to(c.due_day_begins - MINUTE)  # the day before the due date, London time
    assert frozen.timer(case, c.kind.key).state == RUNNING
    assert mine not in frozen.listed(DUE_TODAY)

    frozen.move_to(c.due_day_begins)
    assert frozen.timer(case, c.kind.key).state == RUNNING
    assert mine in frozen.listed(DUE_TODAY)

    frozen.move_to(c.due - MINUTE)
    assert frozen.timer(case, c.kind.key).state == RUNNING
    assert mine in frozen.listed(DUE_TODAY)

    frozen.move_to(c.due)  # due means "by": not late yet
    assert frozen.timer(case, c.kind.key).state == RUNNING
    assert mine not in frozen.listed(OVERDUE)

    frozen.move_to(c.due + MINUTE)
    assert frozen.timer(case, c.kind.key).state == OVERDUE
    assert mine in frozen.listed(OVERDUE)
    assert mine in frozen.listed(DUE_TODAY)  # still owed today


@pytest.mark.parametrize("c", CROSSINGS)
def test_a_timer_stopped_by_the_due_instant_is_met_and_after_it_breached(
    frozen: Frozen, c: Crossing
) -> None:
    frozen.move_to(c.start)
    early, on_the_dot, late = (c.kind.start(frozen.services) for _ in range(3))

    for case, stop_at in ((early, c.due - MINUTE), (on_the_dot, c.due), (late, c.due + MINUTE)):
        frozen.move_to(stop_at)
        c.kind.stop(frozen.services, case)
        stopped = frozen.timer(case, c.kind.key).timer
        assert stopped.stopped_at == stop_at
        assert stopped.due_at == c.due

    frozen.move_to(c.due + timedelta(days=1))
    states = {case.id: frozen.timer(case, c.kind.key).state for case in (early, on_the_dot, late)}
    assert states == {early.id: MET, on_the_dot.id: MET, late.id: BREACHED}
    assert frozen.listed(MET) >= {(str(early.id), c.kind.key), (str(on_the_dot.id), c.kind.key)}
    assert (str(late.id), c.kind.key) in frozen.listed(BREACHED)
    assert not {(str(case.id), c.kind.key) for case in (early, on_the_dot, late)} & (
        frozen.listed(OVERDUE) | frozen.listed(RUNNING)
    )
