"""Caseload lists read from the case-summary view, caught up first so a caller sees its writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.actors import Actor
from application.authorisation import may_read_cases, visibility_filter
from application.errors import Forbidden
from projections.case_summaries import COLUMNS, row_to_summary
from projections.runner import ProjectionRunner

_FILTERS = ("status", "officer", "team", "risk_level")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    position: int


class Caseload:
    def __init__(self, runner: ProjectionRunner) -> None:
        self._runner = runner

    def cases(
        self, actor: Actor, *, limit: int = 50, offset: int = 0, **filters: str | None
    ) -> Page:
        if not may_read_cases(actor):
            raise Forbidden(f"the {actor.role.value} role does not work on cases")
        position = self._runner.catch_up("case_summaries")
        condition, params = visibility_filter(actor)
        where = [condition]
        values: list[object] = list(params)
        for name in _FILTERS:
            value = filters.get(name)
            if value:
                where.append(f"{name} = ?")
                values.append(value)
        clause = " AND ".join(where)
        with self._runner.store.transaction() as c:
            c.execute(f"SELECT COUNT(*) FROM view_case_summaries WHERE {clause}", values)
            total = int(c.fetchone()[0])
            c.execute(
                f"SELECT {', '.join(COLUMNS)} FROM view_case_summaries WHERE {clause} "
                "ORDER BY received_at DESC, case_id LIMIT ? OFFSET ?",
                [*values, limit, offset],
            )
            rows = c.fetchall()
        return Page([row_to_summary(r) for r in rows], total, limit, offset, position)
