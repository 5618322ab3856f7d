"""What a recipient may be told about a case, now or as of a past moment (policy 6.2-9.4).

Read from the sharing view; the rule itself is `domain.lawful_bases`. A recipient is a kind
(representative, police, local authority, multi-agency panel, support agency), narrowed to a
named representative (by subject id) or a named support agency where the policy names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.actors import Actor
from application.case_screen import CaseScreen
from application.clock import Clock
from application.freshness import ViewFreshness
from domain.errors import InvalidCommand
from domain.instants import client_instant
from domain.lawful_bases import lawful_bases, refusal
from domain.vocabulary import Recipient, term
from projections import sharing_view


@dataclass(frozen=True)
class _Facts:
    moment: str
    consents: list[dict[str, Any]]  # the victim's: only they consent to sharing the case
    safeguarding: list[str]  # the concerns recorded by then
    elected: set[str]
    representatives: list[str]
    disclosures: list[dict[str, Any]]


class SharingAnswers:
    def __init__(self, cases: CaseScreen, views: ViewFreshness, clock: Clock) -> None:
        self._cases = cases
        self._views = views
        self._clock = clock

    def for_case(
        self, actor: Actor, case_id: UUID, as_of: datetime | None = None
    ) -> dict[str, Any]:
        """Every recipient kind, and each representative on the case by id."""
        facts = self._facts(actor, case_id, as_of)
        recipients = [
            self._view(facts, recipient.value, None, None)
            for recipient in Recipient
            if recipient != Recipient.REPRESENTATIVE
        ]
        recipients += [
            self._view(facts, Recipient.REPRESENTATIVE.value, rep, None)
            for rep in facts.representatives
        ]
        return {
            "case_id": str(case_id),
            "as_of": facts.moment,
            "safeguarding_concern_recorded": bool(facts.safeguarding),
            "safeguarding_concerns": facts.safeguarding,
            "recipients": recipients,
        }

    def for_recipient(
        self,
        actor: Actor,
        case_id: UUID,
        recipient: str,
        *,
        as_of: datetime | None = None,
        representative_id: UUID | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """What this recipient may be told and why, or the refusal naming the clause."""
        kind = term(Recipient, recipient, "recipient")
        if kind == Recipient.REPRESENTATIVE and representative_id is None:
            raise InvalidCommand("representative_id", "name the representative (subject id)")
        facts = self._facts(actor, case_id, as_of)
        view = self._view(facts, kind, str(representative_id) if representative_id else None, name)
        return {"case_id": str(case_id), "as_of": facts.moment, **view}

    def _view(
        self, facts: _Facts, recipient: str, representative: str | None, name: str | None
    ) -> dict[str, Any]:
        def theirs(row: dict[str, Any]) -> bool:
            if row["recipient"] != recipient:
                return False
            if representative is not None and recipient == Recipient.REPRESENTATIVE:
                return bool(row["representative_id"] == representative)
            if name and recipient == Recipient.SUPPORT_AGENCY:
                return str(row["recipient_name"]).casefold() == name.strip().casefold()
            return True

        consents = [c for c in facts.consents if theirs(c)]
        bases = lawful_bases(
            recipient,
            {c["recipient"] for c in consents},
            bool(facts.safeguarding),
            elected_representative=representative in facts.elected,
        )
        denied = None if bases else refusal(recipient)
        return {
            "recipient": recipient,
            "representative_id": representative,
            "name": name,
            "may_share": bool(bases),
            "bases": bases,
            "refusal": {"policy_clause": denied.clause, "reason": denied.reason}
            if denied
            else None,
            # Without another basis the police may still receive anonymous intelligence (9.2).
            "anonymous_intelligence_only": recipient == Recipient.POLICE and not bases,
            "consents_in_force": consents,
            # 9.4: on the safeguarding basis, the concerns any disclosure must name
            "safeguarding_concerns": facts.safeguarding if "safeguarding" in bases else [],
            "disclosures": [d for d in facts.disclosures if theirs(d)],
        }

    def _facts(self, actor: Actor, case_id: UUID, as_of: datetime | None) -> _Facts:
        case = self._cases.check_visible(actor, case_id)  # who may see the case sees its sharing
        self._views.ready("sharing")
        now = self._clock()
        moment = client_instant(as_of, "as_of", now) or now
        with self._views.store.reading() as c:
            found = sharing_view.as_of(c, str(case_id), moment, victim_id=str(case.victim_id))
        return _Facts(
            moment=found.moment,
            consents=found.consents,
            safeguarding=found.safeguarding,
            elected={rep for rep, elected in found.representatives if elected},
            representatives=[rep for rep, _ in found.representatives],
            disclosures=found.disclosures,
        )
