"""Commands that close a case for the policy's reasons, and reopen it (policy 10.1)."""

from __future__ import annotations

from dataclasses import dataclass

from application.commands.base import Acting, CaseCommand
from application.commands.fields import described, free_text
from application.roles import CASE_WORKERS, MANAGERS
from domain.hate_case import HateCase
from domain.vocabulary import ClosureGround, ContactMethod

_GROUNDS = "The policy 10.1 grounds"


@dataclass(frozen=True, kw_only=True)
class ProposeClosure(CaseCommand[None]):
    noun = "closure-proposals"
    title = "Propose closure"
    clauses = ("10.1",)
    roles = CASE_WORKERS

    grounds: tuple[ClosureGround, ...] = described(_GROUNDS, max_items=4)
    reasons: str = free_text("Why the risks are sufficiently mitigated")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.propose_closure(
            grounds=self.grounds, reasons=self.reasons, actor=acting.actor, at=acting.at
        )


@dataclass(frozen=True, kw_only=True)
class DiscussClosure(CaseCommand[None]):
    noun = "closure-discussions"
    title = "Record the closure discussion with the victim"
    clauses = ("10.1",)
    roles = CASE_WORKERS

    method: ContactMethod = described("How it was discussed (privately: 6.1)")
    victim_agrees: bool = described("The victim agrees to closure")
    victim_view: str = free_text("What the victim said")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.discuss_closure(
            method=self.method,
            victim_agrees=self.victim_agrees,
            victim_view=self.victim_view,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class RecordVictimUnreachable(CaseCommand[None]):
    """For a closure proposed because nothing more can be done without the victim: three
    failed attempts by the agreed method, at least a day apart, over at least 14 days since
    the victim was last reached (`domain.case_closing.UNREACHABLE`); the attempts are linked."""

    noun = "victim-unreachable-findings"
    title = "Record that the victim could not be reached to discuss closure"
    clauses = ("10.1",)
    roles = CASE_WORKERS

    notes: str | None = free_text(
        "What was tried, e.g. a letter as well as the calls", default=None
    )

    def run(self, case: HateCase, acting: Acting) -> None:
        case.record_victim_unreachable(notes=self.notes, actor=acting.actor, at=acting.at)


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand[None]):
    noun = "closure"
    title = "Close the case with grounds and reasons (manager)"
    clauses = ("10.1", "12.1")
    roles = MANAGERS

    grounds: tuple[ClosureGround, ...] = described(_GROUNDS, max_items=4)
    reasons: str = free_text("Why the case closes")
    victim_view: str | None = free_text(default=None)

    def run(self, case: HateCase, acting: Acting) -> None:
        case.close_case(
            grounds=self.grounds,
            reasons=self.reasons,
            victim_view=self.victim_view,
            actor=acting.actor,
            at=acting.at,
        )


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand[None]):
    noun = "reopening"
    title = "Reopen a closed case"
    clauses = ("10.1",)
    roles = CASE_WORKERS

    reason: str = free_text("Why the case reopens")

    def run(self, case: HateCase, acting: Acting) -> None:
        case.reopen(reason=self.reason, actor=acting.actor, at=acting.at)
