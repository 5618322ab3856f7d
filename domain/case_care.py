"""Victim care (policy 5.5, 5.10, 5.12, 7, 8.1): risk, action plans, contact, adjustments,
support, security and repairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain import case_events as ev
from domain.case_state import (
    UNDER_CONSIDERATION,
    CaseState,
    required_text,
)
from domain.errors import InvalidCommand, PolicyViolation
from domain.instants import aware, client_instant
from domain.lawful_bases import victim_details_in
from domain.personal import personal_or_none
from domain.risk import RiskMatrix
from domain.vocabulary import (
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    DisclosureBasis,
    Recipient,
    RepairKind,
    RiskLevel,
    term,
)

# 7.3: "with a minimum of delay": an adjustment under consideration is reviewed within this.
ADJUSTMENT_REVIEW_WITHIN = timedelta(days=28)


class VictimCare(CaseState):
    """Commands that look after the victim."""

    def assess_risk(
        self,
        *,
        matrix: RiskMatrix,
        answers: Mapping[str, int],
        level: str | None = None,
        override_reason: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> RiskLevel:
        """Score the risk assessment (5.5); an officer may override the band with a reason."""
        score = matrix.score(answers)
        computed = matrix.band(score)
        final = RiskLevel(term(RiskLevel, level, "level")) if level else computed
        if final != computed and not (override_reason and override_reason.strip()):
            raise PolicyViolation(
                "5.5", f"overriding the computed {computed.value} risk level needs a reason"
            )
        if final == computed and override_reason:
            raise InvalidCommand("override_reason", "only an override of the band has a reason")
        self._record(
            ev.RiskAssessed,
            actor,
            at,
            matrix_version=matrix.version,
            answers=dict(answers),
            score=score,
            computed_level=computed.value,
            level=final.value,
            override_reason=personal_or_none(self._victim, override_reason),
            notes=personal_or_none(self._victim, notes),
        )
        return final

    def agree_action_plan(
        self, *, actions: Sequence[Mapping[str, Any]], actor: str, at: datetime
    ) -> list[str]:
        """Agree an action plan informed by the risk assessment (5.5, 8.1); returns the ids of
        its actions, in order."""
        if self.risk_assessment_count == 0:
            raise PolicyViolation("5.5, 8.1", "assess risk before agreeing an action plan")
        if not actions:
            raise InvalidCommand("actions", "an action plan has at least one action")
        version = self.action_plan_version + 1
        planned = []
        for n, action in enumerate(actions, start=1):
            due_on = action.get("due_on")
            if due_on is not None and not isinstance(due_on, date):
                raise InvalidCommand(f"actions.{n}.due_on", "must be a date")
            owner = str(action.get("owner") or "").strip()
            if not owner:
                raise InvalidCommand(f"actions.{n}.owner", "is required")
            planned.append(
                {
                    "action_id": f"plan-{version}.{n}",
                    "owner": owner,
                    "due_on": due_on.isoformat() if due_on else None,
                    "description": required_text(
                        self._victim, action.get("description"), f"actions.{n}.description"
                    ),
                }
            )
        self._record(ev.ActionPlanAgreed, actor, at, plan_version=version, actions=planned)
        return [str(action["action_id"]) for action in planned]

    def complete_action(
        self, *, action_id: str, outcome: str | None = None, actor: str, at: datetime
    ) -> None:
        if action_id not in self.open_actions:
            raise InvalidCommand("action_id", "no open action with this id in the current plan")
        self._record(
            ev.ActionCompleted,
            actor,
            at,
            action_id=action_id,
            outcome=personal_or_none(self._victim, outcome),
        )

    def agree_contact_arrangement(
        self,
        *,
        method: str,
        frequency_days: int,
        safe_venue: str | None = None,
        notes: str | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Agree how and how often the victim hears from us (5.2, 5.12, 8.1)."""
        how = self._private_method(method)
        if how == ContactMethod.SAFE_VENUE and not safe_venue:
            raise InvalidCommand("safe_venue", "name the agreed safe venue (policy 5.2)")
        if not 1 <= frequency_days <= 90:
            raise InvalidCommand("frequency_days", "must be between 1 and 90 days")
        self._record(
            ev.ContactArrangementAgreed,
            actor,
            at,
            method=how,
            frequency_days=frequency_days,
            safe_venue=personal_or_none(self._victim, safe_venue),
            notes=personal_or_none(self._victim, notes),
        )

    def record_contact(
        self,
        *,
        method: str,
        direction: str,
        outcome: str = ContactOutcome.MADE.value,
        summary: str | None = None,
        subject_id: UUID | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Log a contact, including a failed attempt (8.1); returns its id."""
        who = subject_id or self._victim
        if who not in self.subjects:
            raise InvalidCommand("subject_id", "the person is not part of this case")
        contact_id = f"contact-{self.contact_count + 1}"
        self._record(
            ev.ContactMade,
            actor,
            at,
            contact_id=contact_id,
            subject_id=who,
            method=self._private_method(method),
            direction=term(ContactDirection, direction, "direction"),
            outcome=term(ContactOutcome, outcome, "outcome"),
            summary=personal_or_none(self._victim, summary),
        )
        return contact_id

    def agree_reasonable_adjustment(
        self,
        *,
        adjustment: str,
        subject_id: UUID | None = None,
        adjustment_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Agree what the person needs to report and take part (7.1-7.3); returns its id. With
        `adjustment_id`, it settles one that was under consideration (for the same person)."""
        who, agreed_id = self._adjustment_for(subject_id, adjustment_id)
        self._record(
            ev.ReasonableAdjustmentAgreed,
            actor,
            at,
            adjustment_id=agreed_id,
            subject_id=who,
            adjustment=required_text(who, adjustment, "adjustment"),
        )
        return agreed_id

    def consider_reasonable_adjustment(
        self,
        *,
        need: str,
        review_on: date,
        advice_from: str | None = None,
        subject_id: UUID | None = None,
        adjustment_id: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """An adjustment that needs more consideration or expert advice (7.3), to be reviewed
        by `review_on`: a timer. 7.3 promises the adjustment "with a minimum of delay", so the
        review date is at most `ADJUSTMENT_REVIEW_WITHIN` (28 days) ahead; a review that needs
        longer records the consideration again (same `adjustment_id`) with a new date."""
        if not isinstance(review_on, date) or isinstance(review_on, datetime):
            raise InvalidCommand("review_on", "must be a date")
        today = aware(at, "at").date()
        if not today < review_on <= today + ADJUSTMENT_REVIEW_WITHIN:
            raise PolicyViolation(
                "7.3",
                "an adjustment under consideration is reviewed with a minimum of delay: set a "
                f"review date after today and within {ADJUSTMENT_REVIEW_WITHIN.days} days",
            )
        who, considered_id = self._adjustment_for(subject_id, adjustment_id)
        self._record(
            ev.ReasonableAdjustmentUnderConsideration,
            actor,
            at,
            adjustment_id=considered_id,
            subject_id=who,
            need=required_text(who, need, "need"),
            review_on=review_on.isoformat(),
            advice_from=(advice_from or "").strip() or None,
        )
        return considered_id

    def _adjustment_for(
        self, subject_id: UUID | None, adjustment_id: str | None
    ) -> tuple[UUID, str]:
        """Who an adjustment is for and its id: a new one's (the person named, by default the
        victim), or the one under consideration that `adjustment_id` names (its person)."""
        if adjustment_id is None:
            who = subject_id or self._victim
            if who not in self.subjects:
                raise InvalidCommand("subject_id", "the person is not part of this case")
            return who, f"adjustment-{len(self.adjustments) + 1}"
        pending = self.adjustments.get(adjustment_id)
        if pending is None or pending.status != UNDER_CONSIDERATION:
            raise InvalidCommand("adjustment_id", "no adjustment under consideration with this id")
        if subject_id is not None and subject_id != pending.subject_id:
            raise InvalidCommand("subject_id", "the adjustment is for someone else")
        return pending.subject_id, adjustment_id

    def refer_for_support(
        self,
        *,
        agency: str,
        basis: str = DisclosureBasis.CONSENT.value,
        consent_id: str | None = None,
        concern_id: str | None = None,
        legal_basis: str | None = None,
        notes: str | None = None,
        subject_id: UUID | None = None,
        victim_details: Mapping[str, str] | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Refer a person on the case to a support agency (8.1 the victim, 5.9 an alleged
        perpetrator); returns its id. A referral shares the referred person's information, so
        it rests on *their* consent to that agency, a recorded safeguarding concern or a named
        legal obligation (9.4, `domain.lawful_bases`), never on someone else's consent. The notes
        are theirs (kept under their key); for anyone but the victim they may not hold the
        victim's details (`victim_details`): a perpetrator's referral never carries them."""
        who = subject_id or self._victim
        if who not in self.subjects:
            raise InvalidCommand("subject_id", "the person is not part of this case")
        if not agency.strip():
            raise InvalidCommand("agency", "is required")
        on = term(DisclosureBasis, basis, "basis")
        self._check_sharing_basis(
            Recipient.SUPPORT_AGENCY,
            on,
            consent_id=consent_id,
            concern_id=concern_id,
            legal_basis=legal_basis,
            subject=who,
            recipient_name=agency,
        )
        if who != self._victim and notes:
            leaked = victim_details_in(notes, victim_details or {})
            if leaked:
                raise PolicyViolation(
                    "5.9",
                    "a referral of another person never carries the victim's details: the notes "
                    f"hold the victim's {', '.join(k.replace('_', ' ') for k in leaked)}",
                )
        referral_id = f"support-{self.support_referral_count + 1}"
        self._record(
            ev.SupportReferralMade,
            actor,
            at,
            referral_id=referral_id,
            subject_id=who,
            agency=agency,
            basis=on,
            consent_id=consent_id,
            concern_id=concern_id,
            legal_basis=legal_basis,
            notes=personal_or_none(who, notes),
        )
        return referral_id

    def provide_security_measures(self, *, measures: str, actor: str, at: datetime) -> None:
        """Extra security to the home in line with the risk assessment and plan (5.10)."""
        if self.risk_assessment_count == 0:
            raise PolicyViolation(
                "5.10", "security measures follow the completed risk assessment and action plan"
            )
        self._record(
            ev.SecurityMeasuresProvided,
            actor,
            at,
            measures=required_text(self._victim, measures, "measures"),
        )

    def request_repair(
        self,
        *,
        kind: str,
        description: str,
        contractor: str | None = None,
        actor: str,
        at: datetime,
    ) -> str:
        """Order an emergency repair (24 hours) or graffiti removal (1 working day) (5.10)."""
        repair_id = f"repair-{len(self.repairs) + 1}"
        self._record(
            ev.RepairRequested,
            actor,
            at,
            repair_id=repair_id,
            kind=term(RepairKind, kind, "kind"),
            description=required_text(self._victim, description, "description"),
            contractor=contractor,
        )
        return repair_id

    def record_damage_found(
        self,
        *,
        kind: str,
        description: str,
        reported_at: datetime | None = None,
        actor: str,
        at: datetime,
    ) -> None:
        """Damage from hate found after the report (5.10): the repair it needs runs from when
        it was reported to us (`reported_at`, default now), however late it is ordered
        (`domain.case_timers`)."""
        reported = client_instant(reported_at, "reported_at", aware(at, "at")) or at
        self._record(
            ev.DamageFound,
            actor,
            at,
            kind=term(RepairKind, kind, "kind"),
            reported_at=reported,
            description=required_text(self._victim, description, "description"),
        )

    def complete_repair(
        self, *, repair_id: str, notes: str | None = None, actor: str, at: datetime
    ) -> None:
        repair = self.repairs.get(repair_id)
        if repair is None:
            raise InvalidCommand("repair_id", "no such repair on this case")
        if repair.completed_at is not None:
            raise InvalidCommand("repair_id", "the repair is already completed")
        self._record(
            ev.RepairCompleted,
            actor,
            at,
            repair_id=repair_id,
            notes=personal_or_none(self._victim, notes),
        )
