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


@dataclass(frozen=True)
class Crossing:
    kind: Kind
    start: datetime  # when the starting event happens
    due: datetime  # the expected due instant
    due_day_begins: datetime  # 00:00 London time on the due date


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def crossing(name: str, kind: Kind, start: datetime, due: datetime, begins: datetime) -> object:
    return pytest.param(Crossing(kind, start, due, begins), id=name)


# Local times in the comments are London's; BST = UTC+1, GMT = UTC.
CROSSINGS = [
    # -- first response and allocation (5.1, 8.1): 17:00 on the next working day ----------
    crossing(
        "first_response-weekend",
        FIRST_RESPONSE,
        utc(2026, 10, 16, 15),  # Fri 16:00 BST
        utc(2026, 10, 19, 16),  # Mon 17:00 BST
        utc(2026, 10, 18, 23),
    ),
    crossing(
        "first_response-christmas",
        FIRST_RESPONSE,
        utc(2026, 12, 24, 16),  # Thu 16:00 GMT; Fri 25 and Mon 28 (Boxing Day substitute) off
        utc(2026, 12, 29, 17),  # Tue 17:00 GMT
        utc(2026, 12, 29, 0),
    ),
    crossing(
        "first_response-march",
        FIRST_RESPONSE,
        utc(2027, 3, 25, 16),  # Thu 16:00 GMT, before Good Friday
        utc(2027, 3, 30, 16),  # Tue after Easter Monday, 17:00 BST
        utc(2027, 3, 29, 23),
    ),
    crossing(
        "first_response-october",
        FIRST_RESPONSE,
        utc(2026, 10, 23, 16, 30),  # Fri 17:30 BST: after close, so received Monday
        utc(2026, 10, 27, 17),  # Tue 17:00 GMT
        utc(2026, 10, 27, 0),
    ),
    # -- emergency repair (5.10): 24 elapsed hours, nights, weekends and holidays included --
    crossing(
        "emergency_repair-weekend",
        EMERGENCY_REPAIR,
        utc(2026, 10, 16, 15),  # Fri 16:00 BST
        utc(2026, 10, 17, 15),  # Sat 16:00 BST
        utc(2026, 10, 16, 23),
    ),
    crossing(
        "emergency_repair-christmas",
        EMERGENCY_REPAIR,
        utc(2026, 12, 24, 16),  # Thu 16:00 GMT
        utc(2026, 12, 25, 16),  # Christmas Day 16:00 GMT
        utc(2026, 12, 25, 0),
    ),
    crossing(
        "emergency_repair-march",
        EMERGENCY_REPAIR,
        utc(2027, 3, 27, 12),  # Sat 12:00 GMT
        utc(2027, 3, 28, 12),  # Sun 13:00 BST: 24 hours, though the wall clock shows 25
        utc(2027, 3, 28, 0),
    ),
    crossing(
        "emergency_repair-october",
        EMERGENCY_REPAIR,
        utc(2026, 10, 24, 11),  # Sat 12:00 BST
        utc(2026, 10, 25, 11),  # Sun 11:00 GMT: 24 hours, though the wall clock shows 23
        utc(2026, 10, 24, 23),
    ),
    # -- graffiti removal (5.10): 17:00 one working day after receipt ----------------------
    crossing(
        "graffiti_removal-weekend",
        GRAFFITI_REMOVAL,
        utc(2026, 10, 16, 16, 30),  # Fri 17:30 BST: after close, so received Monday
        utc(2026, 10, 20, 16),  # Tue 17:00 BST
        utc(2026, 10, 19, 23),
    ),
    crossing(
        "graffiti_removal-christmas",
        GRAFFITI_REMOVAL,
        utc(2026, 12, 26, 11),  # Sat (Boxing Day); Mon 28 is its substitute: received Tue 29
        utc(2026, 12, 30, 17),  # Wed 17:00 GMT
        utc(2026, 12, 30, 0),
    ),
    crossing(
        "graffiti_removal-march",
        GRAFFITI_REMOVAL,
        utc(2027, 3, 26, 10),  # Good Friday 10:00 GMT: received Tue 30 after Easter Monday
        utc(2027, 3, 31, 16),  # Wed 17:00 BST
        utc(2027, 3, 30, 23),
    ),
    crossing(
        "graffiti_removal-october",
        GRAFFITI_REMOVAL,
        utc(2026, 10, 23, 15),  # Fri 16:00 BST
        utc(2026, 10, 26, 17),  # Mon 17:00 GMT
        utc(2026, 10, 26, 0),
    ),
    # -- victim update (8.1): the agreed frequency on the wall clock, any day of the week ---
    crossing(
        "victim_update-weekend",
        VICTIM_UPDATE_2_DAYS,
        utc(2026, 10, 16, 9),  # Fri 10:00 BST, every 2 days
        utc(2026, 10, 18, 9),  # Sun 10:00 BST
        utc(2026, 10, 17, 23),
    ),
    crossing(
        "victim_update-christmas",
        VICTIM_UPDATE_WEEKLY,
        utc(2026, 12, 18, 10),  # Fri 10:00 GMT, weekly
        utc(2026, 12, 25, 10),  # Christmas Day 10:00 GMT
        utc(2026, 12, 25, 0),
    ),
    crossing(
        "victim_update-march",
        VICTIM_UPDATE_WEEKLY,
        utc(2027, 3, 26, 10),  # Fri 10:00 GMT, weekly
        utc(2027, 4, 2, 9),  # Fri 10:00 BST: 167 elapsed hours
        utc(2027, 4, 1, 23),
    ),
    crossing(
        "victim_update-october",
        VICTIM_UPDATE_WEEKLY,
        utc(2026, 10, 23, 9),  # Fri 10:00 BST, weekly
        utc(2026, 10, 30, 10),  # Fri 10:00 GMT: 169 elapsed hours
        utc(2026, 10, 30, 0),
    ),
    # -- risk review (5.5): 5, 10 or 20 working days by level, to 17:00 ---------------------
    crossing(
        "risk_review_high-weekend",
        HIGH_RISK_REVIEW,
        utc(2026, 10, 16, 9),  # Fri 10:00 BST
        utc(2026, 10, 23, 16),  # Fri 17:00 BST, 5 working days on
        utc(2026, 10, 22, 23),
    ),
    crossing(
        "risk_review_medium-christmas",
        MEDIUM_RISK_REVIEW,
        utc(2026, 12, 18, 10),  # Fri 10:00 GMT; 25, 28 Dec and 1 Jan off
        utc(2027, 1, 6, 17),  # Wed 17:00 GMT, 10 working days on
        utc(2027, 1, 6, 0),
    ),
    crossing(
        "risk_review_standard-march",
        STANDARD_RISK_REVIEW,
        utc(2027, 3, 24, 10),  # Wed 10:00 GMT; Good Friday and Easter Monday off
        utc(2027, 4, 23, 16),  # Fri 17:00 BST, 20 working days on
        utc(2027, 4, 22, 23),
    ),
    crossing(
        "risk_review_high-october",
        HIGH_RISK_REVIEW,
        utc(2026, 10, 22, 9),  # Thu 10:00 BST
        utc(2026, 10, 29, 17),  # Thu 17:00 GMT, 5 working days on
        utc(2026, 10, 29, 0),
    ),
    # -- complaint stage 1: 10 working days, to 17:00 -------------------------------------
    crossing(
        "complaint_stage_1-weekend",
        COMPLAINT_STAGE_1,
        utc(2026, 11, 14, 11),  # Sat 11:00 GMT: received Mon 16
        utc(2026, 11, 30, 17),  # Mon 17:00 GMT
        utc(2026, 11, 30, 0),
    ),
    crossing(
        "complaint_stage_1-christmas",
        COMPLAINT_STAGE_1,
        utc(2026, 12, 21, 10),  # Mon 10:00 GMT; 25, 28 Dec and 1 Jan off
        utc(2027, 1, 7, 17),  # Thu 17:00 GMT
        utc(2027, 1, 7, 0),
    ),
    crossing(
        "complaint_stage_1-march",
        COMPLAINT_STAGE_1,
        utc(2027, 3, 19, 10),  # Fri 10:00 GMT; Good Friday and Easter Monday off
        utc(2027, 4, 6, 16),  # Tue 17:00 BST
        utc(2027, 4, 5, 23),
    ),
    crossing(
        "complaint_stage_1-october",
        COMPLAINT_STAGE_1,
        utc(2026, 10, 16, 9),  # Fri 10:00 BST
        utc(2026, 10, 30, 17),  # Fri 17:00 GMT
        utc(2026, 10, 30, 0),
    ),
    # -- complaint stage 2: 20 working days, to 17:00 -------------------------------------
    crossing(
        "complaint_stage_2-weekend",
        COMPLAINT_STAGE_2,
        utc(2026, 11, 14, 11),  # Sat 11:00 GMT: received Mon 16
        utc(2026, 12, 14, 17),  # Mon 17:00 GMT
        utc(2026, 12, 14, 0),
    ),
    crossing(
        "complaint_stage_2-christmas",
        COMPLAINT_STAGE_2,
        utc(2026, 12, 14, 10),  # Mon 10:00 GMT; 25, 28 Dec and 1 Jan off
        utc(2027, 1, 14, 17),  # Thu 17:00 GMT
        utc(2027, 1, 14, 0),
    ),
    crossing(
        "complaint_stage_2-march",
        COMPLAINT_STAGE_2,
        utc(2027, 3, 12, 10),  # Fri 10:00 GMT; Good Friday and Easter Monday off
        utc(2027, 4, 13, 16),  # Tue 17:00 BST
        utc(2027, 4, 12, 23),
    ),
    crossing(
        "complaint_stage_2-october",
        COMPLAINT_STAGE_2,
        utc(2026, 10, 9, 9),  # Fri 10:00 BST
        utc(2026, 11, 6, 17),  # Fri 17:00 GMT
        utc(2026, 11, 6, 0),
    ),
]


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
