"""Statistics for a Tenant Satisfaction Measures year: counts only, never personal data.

A TSM year (Regulator of Social Housing) runs from 1 April to 31 March, on the UK local
wall clock; `year=2026` is 1 April 2026 to 31 March 2027. For that year this reports:

* cases opened, closed and reopened per month and per strand, and the number open at the
  end of each month and of the year (the counting rules are in `projections.statistics_view`);
* service-level timers met, breached and overdue per month. A timer counts in the local
  month it fell due; whether it was met or breached is the domain's `Timer.state` as of now
  (an overdue timer has not stopped yet; it will count as breached once it does);
* NM01(b): ASB cases involving hate incidents opened per 1,000 homes: the cases opened in
  the year (reopenings are not new cases) that count in NM01 by `domain.nm01` (a monitored
  strand, not disputed), divided by the homes owned (`CASELEDGER_HOMES_OWNED`) times 1,000,
  rounded to two decimal places. Beside it, not in it: the cases opened whose strands are
  only age, sex or another characteristic, and the disputed ones (`domain.nm01` names the
  regulator's definition and links to it).

The figures are landlord-wide counts, so managers of any team and auditors may read them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from application.actors import Actor
from application.authorisation import authorise
from application.clock import Clock
from application.freshness import ViewFreshness
from domain.nm01 import DEFINITION_SOURCE, HateMeasure
from domain.service_levels import ServiceLevels, TimerState
from projections import statistics_view, timers
from projections.statistics_view import (
    ALL_STRANDS,
    CLOSED,
    NM01_KEY,
    OPENED,
    REOPENED,
    month_of,
)

FIRST_MONTH = 4  # the TSM year starts on 1 April


@dataclass(frozen=True)
class CaseCounts:
    opened: int
    closed: int
    reopened: int
    open_at_end: int


@dataclass(frozen=True)
class TimerCounts:
    met: int
    breached: int
    overdue: int


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM, local
    cases: CaseCounts
    timers: TimerCounts


@dataclass(frozen=True)
class NM01:
    """TSM NM01(b): ASB cases involving hate incidents (the five monitored strands) opened
    per 1,000 homes in the year; beside it, the cases opened that it does not count."""

    hate_cases_opened: int
    homes: int
    per_1000_homes: float
    other_characteristic_opened: int  # age, sex or other only: hate, outside NM01's strands
    disputed_opened: int  # the hate definition was found proven otherwise or unreasonable
    definition: str = DEFINITION_SOURCE


@dataclass(frozen=True)
class YearStatistics:
    year: int
    starts: str  # first local day, ISO date
    ends: str  # last local day, ISO date
    cases: CaseCounts
    timers: TimerCounts
    months: list[MonthFigures]
    strands: dict[str, CaseCounts]
    nm01: NM01
    projection_position: int


def tsm_months(year: int) -> list[str]:
    """The twelve local months of TSM year `year`, April to March, as YYYY-MM."""
    return [f"{year + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)]


class Statistics:
    def __init__(
        self, views: ViewFreshness, levels: ServiceLevels, clock: Clock, homes: int
    ) -> None:
        if homes < 1:
            raise ValueError(f"the number of homes owned must be positive, got {homes}")
        self._views = views
        self._calendar = levels.calendar
        self._clock = clock
        self._homes = homes

    def current_year(self) -> int:
        today = self._calendar.local_date(self._clock())
        return today.year if today.month >= FIRST_MONTH else today.year - 1

    def for_year(self, actor: Actor, year: int | None = None) -> YearStatistics:
        authorise(actor, "statistics")
        year = self.current_year() if year is None else year
        position = self._views.ready("statistics", "timers")
        months = tsm_months(year)
        counts, strands = self._case_counts(months)
        timers = self._timer_counts(year)
        by_month = [MonthFigures(m, counts[m], timers.get(m, TimerCounts(0, 0, 0))) for m in months]
        measures = {m: strands.pop(NM01_KEY + m, CaseCounts(0, 0, 0, 0)) for m in HateMeasure}
        hate = measures[HateMeasure.MONITORED].opened
        return YearStatistics(
            year=year,
            starts=f"{year}-04-01",
            ends=f"{year + 1}-03-31",
            cases=_total([f.cases for f in by_month]),
            timers=TimerCounts(
                met=sum(f.timers.met for f in by_month),
                breached=sum(f.timers.breached for f in by_month),
                overdue=sum(f.timers.overdue for f in by_month),
            ),
            months=by_month,
            strands=strands,
            nm01=NM01(
                hate,
                self._homes,
                round(hate / self._homes * 1000, 2),
                measures[HateMeasure.OTHER_CHARACTERISTIC].opened,
                measures[HateMeasure.DISPUTED].opened,
            ),
            projection_position=position,
        )

    def _case_counts(
        self, months: list[str]
    ) -> tuple[dict[str, CaseCounts], dict[str, CaseCounts]]:
        """Per month over every case, and per strand over the year."""
        with self._views.store.reading() as c:
            rows = statistics_view.counts_until(c, months[-1])
        tally: Counter[tuple[str, str, str]] = Counter()
        open_before: Counter[str] = Counter()  # strand -> open at the start of the year
        for month, measure, strand, n in rows:
            if month in months:
                tally[month, measure, strand] += n
            else:
                open_before[strand] += n * (-1 if measure == CLOSED else 1)

        def figures(strand: str, within: list[str], start: int) -> tuple[CaseCounts, int]:
            got = {m: sum(tally[w, m, strand] for w in within) for m in (OPENED, CLOSED, REOPENED)}
            end = start + got[OPENED] + got[REOPENED] - got[CLOSED]
            return CaseCounts(got[OPENED], got[CLOSED], got[REOPENED], end), end

        per_month = {}
        running = open_before[ALL_STRANDS]
        for month in months:
            per_month[month], running = figures(ALL_STRANDS, [month], running)
        per_strand = {}
        for strand in sorted(({s for _, _, s in tally} | set(open_before)) - {ALL_STRANDS}):
            counts, _ = figures(strand, months, open_before[strand])
            if any((counts.opened, counts.closed, counts.reopened, counts.open_at_end)):
                per_strand[strand] = counts
        return per_month, per_strand

    def _timer_counts(self, year: int) -> dict[str, TimerCounts]:
        """Met, breached and overdue timers by the local month they fell due."""
        zone = self._calendar.zone
        starts = datetime(year, FIRST_MONTH, 1, tzinfo=zone)
        ends = datetime(year + 1, FIRST_MONTH, 1, tzinfo=zone)
        with self._views.store.reading() as c:
            due = timers.due_between(c, starts, ends)
        now = self._clock()
        tally: Counter[tuple[str, TimerState]] = Counter()
        for timer in due:
            tally[month_of(timer.due_at, zone), timer.state(now)] += 1
        return {
            month: TimerCounts(
                tally[month, TimerState.MET],
                tally[month, TimerState.BREACHED],
                tally[month, TimerState.OVERDUE],
            )
            for month in {m for m, _ in tally}
        }


def _total(months: list[CaseCounts]) -> CaseCounts:
    return CaseCounts(
        opened=sum(m.opened for m in months),
        closed=sum(m.closed for m in months),
        reopened=sum(m.reopened for m in months),
        open_at_end=months[-1].open_at_end,
    )
