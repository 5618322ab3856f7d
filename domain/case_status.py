"""The lifecycle of a case as a pure function of its events, shared by the aggregate and views."""

from __future__ import annotations

from domain import case_events as ev
from domain.vocabulary import CaseStatus


def status_after(current: str, event: object, has_officer: bool) -> str:
    """The case status once `event` has happened (`has_officer`: allocated before it)."""
    if isinstance(event, ev.CaseReported):
        return CaseStatus.REPORTED.value
    if isinstance(event, ev.CaseTriaged):
        return CaseStatus.TRIAGED.value
    if isinstance(event, ev.OfficerAllocated):
        return CaseStatus.ALLOCATED.value
    if isinstance(event, ev.ClosureProposed):
        return CaseStatus.CLOSURE_PROPOSED.value
    if isinstance(event, ev.CaseClosed):
        return CaseStatus.CLOSED.value
    if isinstance(event, ev.CaseReopened):
        return CaseStatus.ALLOCATED.value if has_officer else CaseStatus.TRIAGED.value
    return current
