"""The caseload screen: the reader's cases as a dense table, filtered, sorted and paged.

The URL holds the filters, the order and the page (`/cases?status=allocated&risk_level=high
&order=oldest&page=2`): status, officer and team names, risk levels; never anything about a
person. A value that is not one of the choices is ignored, so an edited URL shows the whole
caseload rather than an error. The same `Caseload.cases` answers the API's `GET /cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from application.actors import Actor
from application.caseload import LIST_ORDERS, Page
from domain.vocabulary import CaseStatus, RiskLevel
from interface.config import Services

PAGE_SIZE = 25
ORDER_WORDS = {
    "newest": "Newest report first",
    "oldest": "Oldest report first",
    "updated": "Most recently changed",
    "reference": "Reference",
}
_NAME = 100


@dataclass(frozen=True)
class Caseload:
    page: Page
    filters: dict[str, str]
    order: str
    number: int
    pages: int

    def link(self, **changes: Any) -> dict[str, Any]:
        """The query of this list with some values changed (for the page links)."""
        query: dict[str, Any] = {**self.filters, "order": self.order, "page": self.number}
        query.update(changes)
        return {k: v for k, v in query.items() if v not in ("", None, "newest", 1)}


def read_caseload(services: Services, actor: Actor, args: MultiDict[str, str]) -> Caseload:
    filters: dict[str, str] = {}
    status = args.get("status", "")
    if status in {s.value for s in CaseStatus}:
        filters["status"] = status
    risk = args.get("risk_level", "")
    if risk in {r.value for r in RiskLevel}:
        filters["risk_level"] = risk
    for name in ("officer", "team"):
        value = args.get(name, "").strip()
        if value and len(value) <= _NAME:
            filters[name] = value
    overdue = args.get("overdue") == "1"
    order = args.get("order", "newest")
    order = order if order in LIST_ORDERS else "newest"
    number = int(args["page"]) if args.get("page", "").isdigit() else 1
    number = max(1, min(number, 100_000))
    page = services.caseload.cases(
        actor,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        overdue=overdue,
        order=order,
        **filters,
    )
    if overdue:
        filters["overdue"] = "1"
    pages = max(1, -(-page.total // PAGE_SIZE))
    return Caseload(page, filters, order, number, pages)
