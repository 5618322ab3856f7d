"""Closing and reopening a case (policy 10.1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain import case_events as ev
from domain.case_state import (
    CaseState,
    required_text,
)
from domain.errors import PolicyViolation
from domain.personal import personal_or_none
from domain.vocabulary import (
    CaseStatus,
    ClosureGround,
    RiskLevel,
)


class Closing(CaseState):
    """Commands that close a case for the policy's reasons, and reopen it."""

    def propose_closure(
        self, *, grounds: Sequence[str], reasons: str, actor: str, at: datetime
    ) -> None:
        """Propose closing when risks are sufficiently mitigated (10.1)."""
        chosen = self._closure_grounds(grounds)
        if self.risk_assessment_count == 0:
            raise PolicyViolation("5.5, 10.1", "assess risk before proposing closure")
        if self.risk_level == RiskLevel.HIGH and ClosureGround.OTHER_AGENCY_DEALING not in chosen:
            raise PolicyViolation(
                "10.1",
                "the latest risk level is high: risks are not yet sufficiently mitigated",
            )
        self._record(
            ev.ClosureProposed,
            actor,
            at,
            grounds=chosen,
            reasons=required_text(self._victim, reasons, "reasons"),
        )

    def discuss_closure(
        self, *, method: str, victim_agrees: bool, victim_view: str, actor: str, at: datetime
    ) -> None:
        """Discuss the proposed closure with the victim (10.1)."""
        if self.proposed_grounds is None:
            raise PolicyViolation("10.1", "propose closure before discussing it with the victim")
        self._record(
            ev.ClosureDiscussedWithVictim,
            actor,
            at,
            method=self._private_method(method),
            victim_agrees=victim_agrees,
            victim_view=required_text(self._victim, victim_view, "victim_view"),
        )

    def close_case(
        self,
        *,
        grounds: Sequence[str],
        reasons: str,
        victim_view: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Close for at least one 10.1 ground, with reasons, after discussing it with the victim."""
        chosen = self._closure_grounds(grounds)
        if self.proposed_grounds is None or not self.closure_discussed:
            raise PolicyViolation(
                "10.1", "a case is closed only after the closure was discussed with the victim"
            )
        self._check_risk_mitigated(chosen)
        self._record(
            ev.CaseClosed,
            actor,
            at,
            grounds=chosen,
            reasons=required_text(self._victim, reasons, "reasons"),
            victim_view=personal_or_none(self._victim, victim_view),
        )

    def reopen(self, *, reason: str, actor: str, at: datetime) -> None:
        if self.status != CaseStatus.CLOSED:
            raise PolicyViolation("10.1", "only a closed case can be reopened")
        self._record(
            ev.CaseReopened, actor, at, reason=required_text(self._victim, reason, "reason")
        )
