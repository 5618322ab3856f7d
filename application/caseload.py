"""Caseload lists and service-level timers, read from views caught up first (read your writes).

Timer states depend on the time of asking, so they are computed here with the domain's
`Timer.state`, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.authorisation import may_read_cases, sight
from application.clock import Clock
from application.errors import Forbidden, NotFound
from application.freshness import ViewFreshness
from domain.errors import InvalidCommand
from domain.service_levels import ServiceLevels, Timer, TimerState
from projections import case_summaries, timers
from projections.timers import CaseTimer

DUE_TODAY = "due-today"
LIST_ORDERS = tuple(case_summaries.ORDERS)
"""The orders a caseload may be listed in: `newest` (received) first, the default."""
TIMER_FILTERS = (*(s.value for s in TimerState), DUE_TODAY)

_FILTERS = ("status", "officer", "team", "risk_level")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    position: int


@dataclass(frozen=True)
class TimerView:
    case_id: str
    reference: str
    key: str
    timer: Timer
    state: TimerState
    due_today: bool


class Caseload:
    def __init__(self, views: ViewFreshness, levels: ServiceLevels, clock: Clock) -> None:
        self._views = views
        self._levels = levels
        self._clock = clock

    def timers(
        self, actor: Actor, *, state: str | None = None, case_id: str | None = None
    ) -> list[TimerView]:
        """Timers on the caller's caseload (or one case of it), filtered by state at now."""
        self._check(actor)
        self._views.ready("case_summaries", "timers")
        with self._views.store.reading() as c:
            found = timers.on_caseload(c, sight(actor), case_id)
        now = self._clock()
        views = [self._view(t, now) for t in found]
        if state == DUE_TODAY:
            return [v for v in views if v.due_today]
        if state:
            return [v for v in views if v.state == state]
        return views

    def due_now(self, actor: Actor) -> list[TimerView]:
        """Timers on the caller's caseload overdue now or due today (the Today screen): read
        from the view already narrowed to those running and due before tomorrow, so the
        answer costs what is due, not the size of the caseload."""
        self._check(actor)
        self._views.ready("case_summaries", "timers")
        now = self._clock()
        tomorrow = self._levels.calendar.local_date(now) + timedelta(days=1)
        zone = self._levels.calendar.zone
        before = datetime.combine(tomorrow, time(0), tzinfo=zone)
        with self._views.store.reading() as c:
            found = timers.on_caseload(c, sight(actor), running_due_before=before)
        return [
            v
            for v in (self._view(t, now) for t in found)
            if v.state == TimerState.OVERDUE or v.due_today
        ]

    def cases(
        self,
        actor: Actor,
        *,
        limit: int = 50,
        offset: int = 0,
        overdue: bool = False,
        order: str = "newest",
        **filters: str | None,
    ) -> Page:
        """The caller's caseload in `order` (`case_summaries.ORDERS`); `overdue` keeps only
        cases with a timer overdue now."""
        self._check(actor)
        position = self._views.ready("case_summaries")
        late = (
            sorted({t.case_id for t in self.timers(actor, state=TimerState.OVERDUE)})
            if overdue
            else None
        )
        wanted = {name: value for name in _FILTERS if (value := filters.get(name))}
        with self._views.store.reading() as c:
            found = case_summaries.page(
                c, sight(actor), wanted, among=late, limit=limit, offset=offset, order=order
            )
        return Page(found.items, found.total, limit, offset, position)

    def case_named(self, reference: str) -> UUID:
        """The case a complainant names by its reference (`HC-2026-7KQ4MZ`), whoever may
        see it: only for a command that the reference opens to its caller
        (`application.authorisation.may_target`), which decides."""
        self._views.ready("case_summaries")
        with self._views.store.reading() as c:
            found = case_summaries.cases_with_reference(c, reference.strip().upper())
        if not found:
            raise NotFound("no case has this reference")
        if len(found) > 1:
            raise InvalidCommand(
                "case_reference", "names more than one case: a manager of the case records it"
            )
        return UUID(found[0])

    def _view(self, found: CaseTimer, now: datetime) -> TimerView:
        """A timer as at `now`: its state, and whether it is due today and still running."""
        current = found.timer.state(now)
        today = self._levels.calendar.local_date(now)
        due_today = current in (TimerState.RUNNING, TimerState.OVERDUE) and found.timer.is_due_on(
            today, self._levels.calendar
        )
        return TimerView(found.case_id, found.reference, found.key, found.timer, current, due_today)

    @staticmethod
    def _check(actor: Actor) -> None:
        if not may_read_cases(actor):
            raise Forbidden(f"the {actor.role.value} role does not work on cases")
