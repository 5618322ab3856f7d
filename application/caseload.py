"""Caseload lists and service-level timers, read from views caught up first (read your writes).

Timer states depend on the time of asking, so they are computed here with the domain's
`Timer.state`, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.actors import Actor
from application.authorisation import may_read_cases, visibility_conditions, visibility_filter
from application.clock import Clock
from application.errors import Forbidden
from application.freshness import ViewFreshness
from domain.service_levels import ServiceLevels, Timer, TimerState
from projections.case_summaries import COLUMNS, LIST_ORDER, row_to_summary
from projections.timers import TIMER_COLUMNS, row_to_timer

DUE_TODAY = "due-today"
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
        condition, params = visibility_filter(actor)
        where, values = [condition], list(params)
        if case_id is not None:
            where.append("t.case_id = ?")
            values.append(case_id)
        columns = ", ".join(f"t.{c}" for c in TIMER_COLUMNS)
        with self._views.store.reading() as c:
            c.execute(
                f"SELECT {columns}, c.reference FROM view_timers t JOIN view_case_summaries c "
                f"ON c.case_id = t.case_id WHERE {' AND '.join(where)} ORDER BY t.due_at",
                values,
            )
            rows = c.fetchall()
        now = self._clock()
        today = self._levels.calendar.local_date(now)
        views = []
        for row in rows:
            case, key, timer = row_to_timer(row[: len(TIMER_COLUMNS)])
            current = timer.state(now)
            due_today = current in (TimerState.RUNNING, TimerState.OVERDUE) and timer.is_due_on(
                today, self._levels.calendar
            )
            views.append(TimerView(case, row[-1], key, timer, current, due_today))
        if state == DUE_TODAY:
            return [v for v in views if v.due_today]
        if state:
            return [v for v in views if v.state == state]
        return views

    def cases(
        self,
        actor: Actor,
        *,
        limit: int = 50,
        offset: int = 0,
        overdue: bool = False,
        **filters: str | None,
    ) -> Page:
        """The caller's caseload; `overdue` keeps only cases with a timer overdue now.

        The total is summed from the case counts view, except for `overdue` (whose cases are
        named one by one); the page is read in list order from each visibility condition's
        index, `offset + limit` rows at most each, and merged."""
        self._check(actor)
        position = self._views.ready("case_summaries")
        where: list[str] = []
        values: list[object] = []
        if overdue:
            late = sorted({t.case_id for t in self.timers(actor, state=TimerState.OVERDUE)})
            where.append(f"case_id IN ({', '.join('?' * len(late)) or 'NULL'})")
            values.extend(late)
        for name in _FILTERS:
            value = filters.get(name)
            if value:
                where.append(f"{name} = ?")
                values.append(value)
        visible = visibility_conditions(actor)
        if not visible:
            return Page([], 0, limit, offset, position)
        seen, seen_values = visibility_filter(actor)
        clause = " AND ".join([seen, *where])
        counting = (
            "COUNT(*) FROM view_case_summaries"
            if overdue
            else ("COALESCE(SUM(cases), 0) FROM view_case_counts")
        )
        branches, params = [], []
        for n, (condition, condition_values) in enumerate(visible):
            branches.append(
                f"SELECT * FROM (SELECT {', '.join(COLUMNS)} FROM view_case_summaries "
                f"WHERE {' AND '.join([condition, *where])} ORDER BY {LIST_ORDER} LIMIT ?) b{n}"
            )
            params.extend([*condition_values, *values, offset + limit])
        with self._views.store.reading() as c:
            c.execute(f"SELECT {counting} WHERE {clause}", [*seen_values, *values])
            total = int(c.fetchone()[0])
            c.execute(
                f"{' UNION '.join(branches)} ORDER BY {LIST_ORDER} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            rows = c.fetchall()
        return Page([row_to_summary(r) for r in rows], total, limit, offset, position)

    @staticmethod
    def _check(actor: Actor) -> None:
        if not may_read_cases(actor):
            raise Forbidden(f"the {actor.role.value} role does not work on cases")
