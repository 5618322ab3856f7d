"""Shared builders for the domain unit tests: a reported case walked to a stage, fixed times.

No clock: every instant is a fixed, timezone-aware UTC datetime. A builder leaves the events
it made pending on the aggregate, so a test can collect (or replay) the whole history; use
`new_events` to see only what a command under test recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, TypeVar, overload
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from domain.errors import PolicyViolation
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX, RiskMatrix

# The report arrives at T0; the builder's steps follow at one-minute intervals; tests act
# at LATER (a day later) and after, so every command happens after the history it builds on.
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)

AggregateT = TypeVar("AggregateT", bound=Aggregate)

HUB = "hub.adviser"
OFFICER = "case.officer"
MANAGER = "team.leader"


def later(minutes: int = 0) -> datetime:
    """An instant after anything a builder records."""
    return LATER + timedelta(minutes=minutes)


class Stage(IntEnum):
    """How far `case_at` walks a case; each stage includes the ones before it."""

    REPORTED = 1
    TRIAGED = 2
    ALLOCATED = 3
    RISK_ASSESSED = 4
    CLOSURE_PROPOSED = 5
    CLOSURE_DISCUSSED = 6  # and the victim told of their right to an ASB Case Review
    CLOSED = 7


def risk_answers(total: int, matrix: RiskMatrix = DEFAULT_RISK_MATRIX) -> dict[str, int]:
    """A complete, in-range set of answers to `matrix` that scores exactly `total`."""
    answers: dict[str, int] = {}
    left = total
    for question in matrix.questions:
        answers[question.key] = min(left, question.max_score)
        left -= answers[question.key]
    if left:
        raise ValueError(f"{matrix.version} cannot score {total}")
    return answers


STANDARD_RISK = risk_answers(2)
MEDIUM_RISK = risk_answers(8)
HIGH_RISK = risk_answers(14)


def report_case(**overrides: Any) -> HateCase:
    """A phone report by the victim of racist verbal abuse; any argument can be overridden."""
    victim_id = overrides.pop("victim_id", uuid4())
    arguments: dict[str, Any] = {
        "case_id": uuid4(),
        "victim_id": victim_id,
        "reporter_id": victim_id,
        "channel": "phone",
        "reporter_role": "victim",
        "received_at": T0,
        "description": "Neighbour shouted racist abuse at me on the stairs",
        "strands": ["race"],
        "forms": ["verbal_abuse"],
        "actor": HUB,
        "at": T0,
    }
    arguments.update(overrides)
    return HateCase.report(**arguments)


def walk_to(case: HateCase, stage: Stage, *, risk: dict[str, int] | None = None) -> HateCase:
    """Walk a freshly reported case forward to `stage` with valid commands."""
    step = T0

    def tick() -> datetime:
        nonlocal step
        step += timedelta(minutes=1)
        return step

    if stage >= Stage.TRIAGED:
        case.triage(actor=HUB, at=tick())
    if stage >= Stage.ALLOCATED:
        case.allocate(officer=OFFICER, team="north", actor=HUB, at=tick())
    if stage >= Stage.RISK_ASSESSED:
        case.assess_risk(
            matrix=DEFAULT_RISK_MATRIX, answers=risk or STANDARD_RISK, actor=OFFICER, at=tick()
        )
    if stage >= Stage.CLOSURE_PROPOSED:
        case.propose_closure(
            grounds=["resolved_to_satisfaction"],
            reasons="No incidents for three months; victim feels safe",
            actor=OFFICER,
            at=tick(),
        )
    if stage >= Stage.CLOSURE_DISCUSSED:
        case.discuss_closure(
            method="phone",
            victim_agrees=True,
            victim_view="Happy for the case to close",
            actor=OFFICER,
            at=tick(),
        )
        case.tell_victim_of_case_review_right(method="phone", actor=OFFICER, at=tick())
    if stage >= Stage.CLOSED:
        case.close_case(
            grounds=["resolved_to_satisfaction"],
            reasons="Resolved to the victim's satisfaction",
            actor=MANAGER,
            at=tick(),
        )
    return case


def case_at(stage: Stage, *, risk: dict[str, int] | None = None, **report: Any) -> HateCase:
    """A case reported (with `report` overrides) and walked to `stage`."""
    return walk_to(report_case(**report), stage, risk=risk)


def new_events(case: HateCase, since_version: int) -> list[Any]:
    """The pending events recorded after `since_version` (all pending are then collected)."""
    return [e for e in case.collect_events() if e.originator_version > since_version]


def last_event(case: HateCase) -> Any:
    """The last event the case recorded (collects the pending events)."""
    return case.collect_events()[-1]


def link_representative(case: HateCase, *, elected: bool = False) -> UUID:
    representative_id = uuid4()
    case.link_subject(
        subject_id=representative_id,
        role="representative",
        elected_representative=elected,
        actor=OFFICER,
        at=later(),
    )
    return representative_id


def grant(
    case: HateCase,
    recipient: str,
    *,
    recipient_name: str = "West Midlands Police",
    form: str = "written",
    representative_id: UUID | None = None,
) -> str:
    return case.grant_consent(
        recipient=recipient,
        recipient_name=recipient_name,
        form=form,
        representative_id=representative_id,
        evidence_reference="Signed consent form scanned to file",
        actor=OFFICER,
        at=later(),
    )


def identify(case: HateCase, link: str) -> UUID:
    perpetrator_id = uuid4()
    case.identify_perpetrator(subject_id=perpetrator_id, link=link, actor=OFFICER, at=later())
    return perpetrator_id


def raise_safeguarding(case: HateCase, referred_to: Sequence[str] = ("local_authority",)) -> str:
    return case.raise_safeguarding_concern(
        about="child",
        referred_to=list(referred_to),
        details="Child in the household frightened to leave the flat",
        actor=OFFICER,
        at=later(),
    )


@contextmanager
def refused(case: Aggregate | None, clause: str) -> Iterator[pytest.ExceptionInfo[PolicyViolation]]:
    """Expect a PolicyViolation naming `clause`, and that the aggregate recorded nothing."""
    version = case.version if case is not None else None
    pending = len(case.pending_events) if case is not None else None
    with pytest.raises(PolicyViolation) as info:
        yield info
    assert info.value.clause == clause, info.value
    if case is not None:
        assert case.version == version
        assert len(case.pending_events) == pending


@overload
def replay(events: Sequence[Any]) -> HateCase: ...


@overload
def replay(events: Sequence[Any], kind: type[AggregateT]) -> AggregateT: ...


def replay(events: Sequence[Any], kind: type[Aggregate] = HateCase) -> Aggregate:
    """Rebuild an aggregate of `kind` (a case unless said) from its events, in order, as a
    repository would."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, kind)
    return aggregate


def state_of(aggregate: Any) -> dict[str, Any]:
    """The aggregate's state without the pending-event buffer."""
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


# Every free-text or personal value in `case_with_full_history` carries this mark, so a test
# can prove none of it reaches an event attribute outside a `Personal` value.
PII = "PII:"


def case_with_full_history() -> HateCase:
    """A case that has been through (nearly) every command: closed, reviewed and reopened."""
    witness_id, representative_id = uuid4(), uuid4()
    case = report_case(
        channel="social_media",
        location=f"{PII} 4 Elm Court, Sparkbrook",
        description=f"{PII} Neighbour shouted racist abuse and spat at me",
        incident_at=T0 - timedelta(days=1),
        strands=["race", "religion_or_belief"],
        forms=["verbal_abuse", "physical_violence"],
        criminal_offence_alleged=True,
    )
    minute = 0

    def at() -> datetime:
        nonlocal minute
        minute += 1
        return later(minute)

    case.triage(notes=f"{PII} Victim sounded terrified", actor=HUB, at=at())
    case.allocate(officer=OFFICER, team="north", actor=HUB, at=at())
    case.reassign(
        officer="other.officer", team="north", reason=f"{PII} Caseload", actor=MANAGER, at=at()
    )
    case.link_subject(subject_id=witness_id, role="witness", actor=OFFICER, at=at())
    case.link_subject(subject_id=representative_id, role="representative", actor=OFFICER, at=at())
    case.report_further_incident(
        reporter_role="witness",
        description=f"{PII} Graffiti on the door of flat 4",
        strands=["race"],
        forms=["graffiti"],
        location=f"{PII} Flat 4 front door",
        actor=OFFICER,
        at=at(),
    )
    case.revise_classification(
        strands=["race", "religion_or_belief", "sex_or_gender"],
        forms=["verbal_abuse", "physical_violence", "graffiti"],
        victim_agrees=True,
        reason=f"{PII} Victim explained the comments about her headscarf",
        actor=OFFICER,
        at=at(),
    )
    case.assess_risk(
        matrix=DEFAULT_RISK_MATRIX,
        answers=HIGH_RISK,
        level="high",
        notes=f"{PII} Children scared to go out",
        actor=OFFICER,
        at=at(),
    )
    case.agree_action_plan(
        actions=[{"owner": OFFICER, "description": f"{PII} Weekly call to Mrs A"}],
        actor=OFFICER,
        at=at(),
    )
    case.complete_action(action_id="plan-1.1", outcome=f"{PII} Calls made", actor=OFFICER, at=at())
    case.agree_contact_arrangement(
        method="safe_venue",
        frequency_days=7,
        safe_venue=f"{PII} Sparkbrook library, meeting room 2",
        notes=f"{PII} Not at home",
        actor=OFFICER,
        at=at(),
    )
    case.record_contact(
        method="social_media_private_message",
        direction="outbound",
        summary=f"{PII} Explained next steps",
        actor=OFFICER,
        at=at(),
    )
    case.record_contact(
        method="phone",
        direction="inbound",
        subject_id=witness_id,
        summary=f"{PII} Witness saw the man",
        actor=OFFICER,
        at=at(),
    )
    case.agree_reasonable_adjustment(adjustment=f"{PII} Urdu interpreter", actor=OFFICER, at=at())
    case.provide_security_measures(measures=f"{PII} Door chain", actor=OFFICER, at=at())
    repair_id = case.request_repair(
        kind="graffiti_removal",
        description=f"{PII} Remove graffiti from flat 4",
        contractor="Acme Cleaning Ltd",
        actor=OFFICER,
        at=at(),
    )
    case.complete_repair(repair_id=repair_id, notes=f"{PII} Removed", actor=OFFICER, at=at())
    police = case.grant_consent(
        recipient="police",
        recipient_name="West Midlands Police",
        form="verbal",
        evidence_reference=f"{PII} Call recording 17",
        actor=OFFICER,
        at=at(),
    )
    support = case.grant_consent(
        recipient="support_agency",
        recipient_name="Victim Support",
        form="written",
        actor=OFFICER,
        at=at(),
    )
    panel = case.grant_consent(
        recipient="multi_agency_panel",
        recipient_name="Birmingham MARAC",
        form="written",
        actor=OFFICER,
        at=at(),
    )
    case.report_to_police(
        basis="consent",
        consent_id=police,
        police_reference="20/123456/26",
        details=f"{PII} Full account",
        actor=OFFICER,
        at=at(),
    )
    case.report_to_police(
        basis="anonymous_intelligence",
        details=f"{PII} Racist abuse shouted in a stairwell in Sparkbrook",
        actor=OFFICER,
        at=at(),
    )
    case.refer_for_support(
        agency="Victim Support", consent_id=support, notes=f"{PII} Anxious", actor=OFFICER, at=at()
    )
    case.refer_to_multi_agency_panel(
        panel="Birmingham MARAC",
        consent_id=panel,
        reason=f"{PII} Repeat victim",
        actor=OFFICER,
        at=at(),
    )
    assert case.victim_id is not None
    case.disclose(
        recipient="police",
        recipient_name="West Midlands Police",
        basis="consent",
        consent_id=police,
        what=f"{PII} Statement",
        subjects=[case.victim_id, witness_id],
        actor=OFFICER,
        at=at(),
    )
    case.raise_safeguarding_concern(
        about="child",
        referred_to=["local_authority"],
        details=f"{PII} Child missing school",
        actor=OFFICER,
        at=at(),
    )
    tenant, staff = uuid4(), uuid4()
    case.identify_perpetrator(
        subject_id=tenant, link="tenant", notes=f"{PII} Flat 6", actor=OFFICER, at=at()
    )
    case.identify_perpetrator(subject_id=staff, link="staff", actor=OFFICER, at=at())
    case.take_intervention(
        subject_id=tenant,
        kind="notice_of_seeking_possession",
        legal_power="Housing Act 1985 Sch 2 Ground 2",
        notes=f"{PII} Served by hand",
        actor=OFFICER,
        at=at(),
    )
    case.refer_staff_matter(subject_id=staff, notes=f"{PII} To HR", actor=OFFICER, at=at())
    case.withdraw_consent(consent_id=police, reason=f"{PII} Fears reprisal", actor=OFFICER, at=at())
    case.assess_risk(
        matrix=DEFAULT_RISK_MATRIX,
        answers=MEDIUM_RISK,
        level="standard",
        override_reason=f"{PII} Perpetrator evicted",
        actor=OFFICER,
        at=at(),
    )
    case.propose_closure(
        grounds=["all_action_taken"], reasons=f"{PII} Evicted", actor=OFFICER, at=at()
    )
    case.discuss_closure(
        method="phone",
        victim_agrees=True,
        victim_view=f"{PII} Relieved",
        actor=OFFICER,
        at=at(),
    )
    case.tell_victim_of_case_review_right(
        method="phone", notes=f"{PII} Knows how to ask the council", actor=OFFICER, at=at()
    )
    case.close_case(
        grounds=["all_action_taken"],
        reasons=f"{PII} Perpetrator evicted",
        victim_view=f"{PII} Happy",
        actor=MANAGER,
        at=at(),
    )
    complaint = case.receive_complaint(
        stage="stage_1", summary=f"{PII} Slow to act", actor=OFFICER, at=at()
    )
    case.respond_to_complaint(
        complaint_id=complaint,
        outcome="partly_upheld",
        response=f"{PII} Apology",
        actor=MANAGER,
        at=at(),
    )
    case.receive_complaint(
        stage="stage_2",
        complaint_id=complaint,
        summary=f"{PII} Still unhappy",
        actor=OFFICER,
        at=at(),
    )
    review = case.request_case_review(
        local_authority="Birmingham City Council", actor=OFFICER, at=at()
    )
    case.decide_review_threshold(
        review_id=review, threshold_met=True, reasons=f"{PII} Three reports", actor=OFFICER, at=at()
    )
    recommendation = case.receive_panel_recommendation(
        review_id=review, recommendation=f"{PII} Offer mediation", actor=OFFICER, at=at()
    )
    case.answer_panel_recommendation(
        recommendation_id=recommendation,
        answer="alternative_approach",
        reasons=f"{PII} Mediation unsafe",
        actor=MANAGER,
        at=at(),
    )
    case.reopen(reason=f"{PII} New incident", actor=MANAGER, at=at())
    case.dispute_hate_definition(
        decision="unreasonable", reasons=f"{PII} Age strand unsupported", actor=MANAGER, at=at()
    )
    return case
