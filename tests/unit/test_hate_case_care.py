"""HateCase: victim care. Risk assessment and override (5.5), action plans (5.5, 8.1),
contact arrangements and private replies (5.12, 6.1, 8.1), reasonable adjustments (7),
security measures (5.10) and repairs (5.10)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX
from domain.vocabulary import ContactMethod, RiskLevel
from tests.unit.case_builders import (
    HIGH_RISK,
    MEDIUM_RISK,
    OFFICER,
    STANDARD_RISK,
    Stage,
    case_at,
    last_event,
    later,
    refused,
)

# --- risk assessment (5.5) ---------------------------------------------------------------


def assess(case: HateCase, answers: dict[str, int], **kwargs: Any) -> RiskLevel:
    return case.assess_risk(
        matrix=DEFAULT_RISK_MATRIX, answers=answers, actor=OFFICER, at=later(), **kwargs
    )


@pytest.mark.parametrize(
    ("answers", "level"),
    [(STANDARD_RISK, "standard"), (MEDIUM_RISK, "medium"), (HIGH_RISK, "high")],
)
def test_a_risk_assessment_records_score_and_computed_level(
    answers: dict[str, int], level: str
) -> None:
    case = case_at(Stage.ALLOCATED)

    returned = assess(case, answers)

    assessed = last_event(case)
    assert isinstance(assessed, ev.RiskAssessed)
    assert assessed.score == sum(answers.values())
    assert assessed.computed_level == assessed.level == level == returned
    assert assessed.matrix_version == DEFAULT_RISK_MATRIX.version
    assert assessed.override_reason is None
    assert case.risk_level == level
    assert case.risk_assessment_count == 1


def test_overriding_the_computed_level_without_a_reason_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.5"):
        assess(case, STANDARD_RISK, level="high")


def test_overriding_the_computed_level_with_only_whitespace_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.5"):
        assess(case, STANDARD_RISK, level="high", override_reason="   ")


def test_overriding_the_computed_level_with_a_reason_is_accepted() -> None:
    case = case_at(Stage.ALLOCATED)

    returned = assess(
        case, STANDARD_RISK, level="high", override_reason="Perpetrator released from custody"
    )

    assessed = last_event(case)
    assert (assessed.computed_level, assessed.level, returned) == ("standard", "high", "high")
    assert assessed.override_reason.value == "Perpetrator released from custody"
    assert case.risk_level == "high"


def test_an_override_reason_without_an_override_is_invalid() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        assess(case, STANDARD_RISK, override_reason="No need")
    assert info.value.field == "override_reason"


def test_an_unknown_risk_level_names_the_field() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        assess(case, STANDARD_RISK, level="extreme", override_reason="x")
    assert info.value.field == "level"


def test_incomplete_risk_answers_are_refused() -> None:
    case = case_at(Stage.ALLOCATED)
    answers = dict(STANDARD_RISK)
    del answers["fear_for_safety"]

    with pytest.raises(InvalidCommand) as info:
        assess(case, answers)
    assert info.value.field == "answers"
    assert "fear_for_safety" in info.value.message


def test_an_out_of_range_risk_answer_names_its_question() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        assess(case, {**STANDARD_RISK, "escalation": 3})
    assert info.value.field == "answers.escalation"


def test_the_latest_risk_assessment_sets_the_level() -> None:
    case = case_at(Stage.ALLOCATED)
    assess(case, HIGH_RISK)

    assess(case, STANDARD_RISK)

    assert case.risk_level == "standard"
    assert case.risk_assessment_count == 2


# --- action plan (5.5, 8.1) --------------------------------------------------------------

ACTIONS: list[dict[str, object]] = [
    {"owner": OFFICER, "due_on": date(2026, 3, 20), "description": "Visit the victim at home"},
    {"owner": "repairs.team", "description": "Fit a door viewer"},
]


def test_an_action_plan_before_a_risk_assessment_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.5, 8.1"):
        case.agree_action_plan(actions=ACTIONS, actor=OFFICER, at=later())


def test_an_action_plan_after_a_risk_assessment_is_agreed() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    case.agree_action_plan(actions=ACTIONS, actor=OFFICER, at=later())

    plan = last_event(case)
    assert isinstance(plan, ev.ActionPlanAgreed)
    assert plan.plan_version == 1
    assert [a["action_id"] for a in plan.actions] == ["plan-1.1", "plan-1.2"]
    assert plan.actions[0]["due_on"] == "2026-03-20"
    assert plan.actions[1]["due_on"] is None
    assert set(case.open_actions) == {"plan-1.1", "plan-1.2"}


def test_an_action_plan_has_at_least_one_action() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with pytest.raises(InvalidCommand) as info:
        case.agree_action_plan(actions=[], actor=OFFICER, at=later())
    assert info.value.field == "actions"


def test_each_planned_action_has_an_owner() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with pytest.raises(InvalidCommand) as info:
        case.agree_action_plan(actions=[{"description": "Visit"}], actor=OFFICER, at=later())
    assert info.value.field == "actions.1.owner"


def test_a_planned_action_due_date_is_a_date() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with pytest.raises(InvalidCommand) as info:
        case.agree_action_plan(
            actions=[{"owner": OFFICER, "due_on": "next week", "description": "Visit"}],
            actor=OFFICER,
            at=later(),
        )
    assert info.value.field == "actions.1.due_on"


def test_a_new_plan_replaces_the_open_actions() -> None:
    case = case_at(Stage.RISK_ASSESSED)
    case.agree_action_plan(actions=ACTIONS, actor=OFFICER, at=later())

    case.agree_action_plan(
        actions=[{"owner": OFFICER, "description": "Weekly call"}], actor=OFFICER, at=later(1)
    )

    assert case.action_plan_version == 2
    assert set(case.open_actions) == {"plan-2.1"}


def test_completing_an_open_action_closes_it() -> None:
    case = case_at(Stage.RISK_ASSESSED)
    case.agree_action_plan(actions=ACTIONS, actor=OFFICER, at=later())

    case.complete_action(action_id="plan-1.2", outcome="Viewer fitted", actor=OFFICER, at=later(1))

    assert isinstance(last_event(case), ev.ActionCompleted)
    assert set(case.open_actions) == {"plan-1.1"}


def test_completing_an_unknown_action_is_invalid() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with pytest.raises(InvalidCommand) as info:
        case.complete_action(action_id="plan-9.9", actor=OFFICER, at=later())
    assert info.value.field == "action_id"


# --- contact with the victim (5.2, 5.12, 6.1, 8.1) ---------------------------------------

PRIVATE_METHODS = [m.value for m in ContactMethod if m != ContactMethod.SOCIAL_MEDIA_PUBLIC_REPLY]


def test_a_social_media_report_is_not_answered_by_public_reply() -> None:
    case = case_at(Stage.ALLOCATED, channel="social_media")

    with refused(case, "6.1"):
        case.record_contact(
            method="social_media_public_reply", direction="outbound", actor=OFFICER, at=later()
        )


def test_a_social_media_report_is_answered_by_private_message() -> None:
    case = case_at(Stage.ALLOCATED, channel="social_media")

    case.record_contact(
        method="social_media_private_message",
        direction="outbound",
        summary="Sent our number and offered a call",
        actor=OFFICER,
        at=later(),
    )

    contact = last_event(case)
    assert isinstance(contact, ev.ContactMade)
    assert contact.method == "social_media_private_message"
    assert contact.subject_id == case.victim_id
    assert case.last_contact_at == later()


def test_a_contact_arrangement_by_public_reply_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "6.1"):
        case.agree_contact_arrangement(
            method="social_media_public_reply", frequency_days=7, actor=OFFICER, at=later()
        )


@pytest.mark.parametrize("method", PRIVATE_METHODS)
def test_every_private_contact_method_can_be_agreed(method: str) -> None:
    case = case_at(Stage.ALLOCATED)
    venue = "Community centre, side room" if method == "safe_venue" else None

    case.agree_contact_arrangement(
        method=method, frequency_days=14, safe_venue=venue, actor=OFFICER, at=later()
    )

    assert isinstance(last_event(case), ev.ContactArrangementAgreed)
    assert (case.contact_method, case.contact_frequency_days) == (method, 14)


def test_a_safe_venue_arrangement_names_the_venue() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.agree_contact_arrangement(
            method="safe_venue", frequency_days=7, actor=OFFICER, at=later()
        )
    assert info.value.field == "safe_venue"


@pytest.mark.parametrize("days", [0, 91])
def test_contact_frequency_is_between_one_and_ninety_days(days: int) -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.agree_contact_arrangement(
            method="phone", frequency_days=days, actor=OFFICER, at=later()
        )
    assert info.value.field == "frequency_days"


def test_a_failed_contact_attempt_is_recorded_but_is_not_contact() -> None:
    case = case_at(Stage.ALLOCATED)

    case.record_contact(
        method="phone", direction="outbound", outcome="no_answer", actor=OFFICER, at=later()
    )

    assert last_event(case).outcome == "no_answer"
    assert case.contact_count == 1
    assert case.last_contact_at is None


def test_contact_with_someone_not_on_the_case_is_invalid() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.record_contact(
            method="phone", direction="inbound", subject_id=uuid4(), actor=OFFICER, at=later()
        )
    assert info.value.field == "subject_id"


# --- reasonable adjustments (7) ----------------------------------------------------------


def test_a_reasonable_adjustment_is_keyed_to_the_person_it_is_for() -> None:
    case = case_at(Stage.ALLOCATED)

    case.agree_reasonable_adjustment(
        adjustment="BSL interpreter at every meeting", actor=OFFICER, at=later()
    )

    agreed = last_event(case)
    assert isinstance(agreed, ev.ReasonableAdjustmentAgreed)
    assert agreed.adjustment.subject_id == agreed.subject_id == case.victim_id
    assert agreed.adjustment_id == "adjustment-1"
    assert case.adjustments["adjustment-1"].status == "agreed"


def consider(case: HateCase, review_on: date, **kwargs: Any) -> str:
    return case.consider_reasonable_adjustment(
        need="Information in Tigrinya",
        review_on=review_on,
        advice_from="Refugee Action",
        actor=OFFICER,
        at=later(),
        **kwargs,
    )


@pytest.mark.parametrize("days", [0, -1, 29])
def test_an_adjustment_under_consideration_without_a_prompt_review_date_is_refused(
    days: int,
) -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "7.3"):
        consider(case, later().date() + timedelta(days=days))


def test_an_adjustment_under_consideration_is_reviewed_then_agreed_under_one_id() -> None:
    case = case_at(Stage.ALLOCATED)
    review_on = later().date() + timedelta(days=14)

    adjustment_id = consider(case, review_on)
    assert case.adjustments[adjustment_id].status == "under_consideration"
    assert case.adjustments[adjustment_id].review_on == review_on.isoformat()
    agreed = case.agree_reasonable_adjustment(
        adjustment="Letters translated by the council's service",
        adjustment_id=adjustment_id,
        actor=OFFICER,
        at=later(5),
    )

    assert agreed == adjustment_id
    assert case.adjustments[adjustment_id].status == "agreed"
    with pytest.raises(InvalidCommand) as info:  # settled: nothing left to agree under it
        case.agree_reasonable_adjustment(
            adjustment="x", adjustment_id=adjustment_id, actor=OFFICER, at=later(6)
        )
    assert info.value.field == "adjustment_id"


# --- security measures and repairs (5.10) ------------------------------------------------


def test_security_measures_before_a_risk_assessment_are_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.10"):
        case.provide_security_measures(measures="Fireproof letterbox", actor=OFFICER, at=later())


def test_security_measures_after_a_risk_assessment_are_recorded() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    case.provide_security_measures(measures="Fireproof letterbox", actor=OFFICER, at=later())

    provided = last_event(case)
    assert isinstance(provided, ev.SecurityMeasuresProvided)
    assert provided.measures.value == "Fireproof letterbox"


@pytest.mark.parametrize("kind", ["emergency", "graffiti_removal"])
def test_a_repair_is_requested_and_completed(kind: str) -> None:
    case = case_at(Stage.ALLOCATED)

    repair_id = case.request_repair(
        kind=kind, description="Offensive graffiti on door", actor=OFFICER, at=later()
    )
    case.complete_repair(repair_id=repair_id, actor="contractor.a", at=later(60))

    events = case.collect_events()
    assert isinstance(events[-2], ev.RepairRequested)
    assert isinstance(events[-1], ev.RepairCompleted)
    assert case.repairs[repair_id].requested_at == later()
    assert case.repairs[repair_id].completed_at == later(60)


def test_a_repair_is_completed_only_once() -> None:
    case = case_at(Stage.ALLOCATED)
    repair_id = case.request_repair(
        kind="emergency", description="Smashed window", actor=OFFICER, at=later()
    )
    case.complete_repair(repair_id=repair_id, actor=OFFICER, at=later(60))

    with pytest.raises(InvalidCommand) as info:
        case.complete_repair(repair_id=repair_id, actor=OFFICER, at=later(61))
    assert info.value.field == "repair_id"


def test_an_unknown_repair_kind_names_the_field() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.request_repair(kind="cosmetic", description="x", actor=OFFICER, at=later())
    assert info.value.field == "kind"
