"""Closing and reopening a case (policy 10.1, 12.1).

A case closes for at least one 10.1 ground, with reasons, after its closure was proposed and
either discussed with the victim or, for the ground "no further reports, and no further
action possible without the victim's assistance", after the victim could not be reached,
and once the victim has been told of their right to an ASB Case Review (12.1).

**When the victim cannot be reached (10.1).** The third ground anticipates a victim who has
stopped engaging, or who reported anonymously; closing such a case must never need a
discussion that did not happen. Decided here (`UnreachableRule`): the victim counts as not
reachable after at least `attempts` (3) failed attempts to reach them (no answer, or a
message left) by the agreed contact method (any method, if none was agreed), made since they
were last reached, on separate occasions at least `apart` (24 hours) from one another, the
first and the last at least `over` (14 days) apart. Three tries over two weeks is the usual
practice for a non-engaging victim in ASB case handling and gives a victim who is away or
unwell time to answer; a refusal to talk is not a failed attempt (the victim was reached and
the closure can be discussed). The finding records the ids of the attempts it rests on, and
is void once the victim is reached again, a new closure is proposed or the case reopens.

**The ASB Case Review right (12.1; the statutory guidance on the Anti-social Behaviour,
Crime and Policing Act 2014, s. 104).** Victims are told of their right to ask for a case
review. The reading that protects the victim: closure is refused until the victim has been
told (at the latest when closure is discussed), told again after a reopening, and told again
whenever they were dissatisfied since (they disagreed with the closure, or complained):
`case_review_right_owed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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

WITHOUT_THE_VICTIM = ClosureGround.NO_FURTHER_REPORTS_NEEDS_VICTIM.value


@dataclass(frozen=True)
class UnreachableRule:
    """When a victim counts as not reachable about closure (10.1); see the module's docs."""

    attempts: int = 3
    apart: timedelta = timedelta(hours=24)
    over: timedelta = timedelta(days=14)

    def counted(self, attempts: Sequence[tuple[str, str, datetime]]) -> list[datetime]:
        """The instants of the attempts that count: each at least `apart` after the last."""
        counted: list[datetime] = []
        for _, _, at in sorted(attempts, key=lambda a: a[2]):
            if not counted or at - counted[-1] >= self.apart:
                counted.append(at)
        return counted

    def met(self, attempts: Sequence[tuple[str, str, datetime]]) -> bool:
        counted = self.counted(attempts)
        return len(counted) >= self.attempts and counted[-1] - counted[0] >= self.over

    def shortfall(self, attempts: Sequence[tuple[str, str, datetime]]) -> str:
        counted = self.counted(attempts)
        span = (counted[-1] - counted[0]).days if counted else 0
        return (
            f"the victim counts as not reachable after {self.attempts} failed attempts by the "
            f"agreed method, at least a day apart, over at least {self.over.days} days; so far "
            f"{len(counted)} over {span} days"
        )


UNREACHABLE = UnreachableRule()


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

    def attempts_by_agreed_method(self) -> list[tuple[str, str, datetime]]:
        """The failed attempts to reach the victim since they were last reached, by the agreed
        contact method (any method if none was agreed)."""
        return [
            attempt
            for attempt in self.unanswered_attempts
            if self.contact_method is None or attempt[1] == self.contact_method
        ]

    def record_victim_unreachable(
        self, *, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        """The victim could not be reached to discuss the proposed closure (10.1): allowed only
        for the ground that needs the victim's assistance, and only on `UNREACHABLE`'s attempts,
        whose ids it records."""
        if self.proposed_grounds is None or WITHOUT_THE_VICTIM not in self.proposed_grounds:
            raise PolicyViolation(
                "10.1",
                "only a closure proposed because no further action is possible without the "
                "victim's assistance may go ahead without discussing it with them",
            )
        attempts = self.attempts_by_agreed_method()
        if not UNREACHABLE.met(attempts):
            raise PolicyViolation("10.1", UNREACHABLE.shortfall(attempts))
        self._record(
            ev.VictimCouldNotBeReached,
            actor,
            at,
            attempts=[contact_id for contact_id, _, _ in attempts],
            notes=personal_or_none(self._victim, notes),
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
        """Close for at least one 10.1 ground, with reasons, after discussing it with the victim
        (or finding them not reachable, for the ground that needs them), once they were told of
        their right to an ASB Case Review (12.1)."""
        chosen = self._closure_grounds(grounds)
        if self.proposed_grounds is None:
            raise PolicyViolation(
                "10.1", "a case is closed only after its closure was proposed and discussed"
            )
        if not self.closure_discussed:
            if self.victim_unreachable_attempts is None:
                raise PolicyViolation(
                    "10.1",
                    "a case is closed only after the closure was discussed with the victim, "
                    "or after recorded attempts found them not reachable",
                )
            if chosen != [WITHOUT_THE_VICTIM]:
                raise PolicyViolation(
                    "10.1",
                    "without a discussion with the victim, a case closes only because no "
                    "further action is possible without their assistance",
                )
        self._check_risk_mitigated(chosen)
        if self.case_review_right_told_at is None:
            raise PolicyViolation(
                "12.1",
                "tell the victim of their right to ask for an ASB Case Review, and record it, "
                "before the case closes",
            )
        if self.case_review_right_owed:
            raise PolicyViolation(
                "12.1",
                "the victim has been dissatisfied since they were told of their right to an ASB "
                "Case Review: tell them again, and record it, before the case closes",
            )
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
