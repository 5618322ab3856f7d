"""HateCase: closing (10.1), what a closed case still accepts, reopening, complaints (11.1)
and ASB Case Reviews (12.1, 12.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX
from domain.vocabulary import CaseStatus, ClosureGround
from tests.unit.case_builders import (
    HIGH_RISK,
    MANAGER,
    MEDIUM_RISK,
    OFFICER,
    Stage,
    case_at,
    grant,
    last_event,
    later,
    new_events,
    refused,
)

ALL_GROUNDS = [g.value for g in ClosureGround]


def propose(case: HateCase, grounds: list[str], minutes: int = 0) -> None:
    case.propose_closure(
        grounds=grounds, reasons="Risks mitigated", actor=OFFICER, at=later(minutes)
    )


def discuss(case: HateCase, method: str = "phone", minutes: int = 1) -> None:
    case.discuss_closure(
        method=method,
        victim_agrees=False,
        victim_view="Still nervous but accepts",
        actor=OFFICER,
        at=later(minutes),
    )


def close(case: HateCase, grounds: list[str] | None = None, minutes: int = 2) -> None:
    case.close_case(
        grounds=grounds or ["all_action_taken"],
        reasons="All available action taken; perpetrator moved away",
        victim_view="Accepts closure",
        actor=MANAGER,
        at=later(minutes),
    )


def assess(case: HateCase, answers: dict[str, int], minutes: int = 0) -> None:
    case.assess_risk(matrix=DEFAULT_RISK_MATRIX, answers=answers, actor=OFFICER, at=later(minutes))


# --- proposing closure -------------------------------------------------------------------


def test_proposing_closure_before_any_risk_assessment_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.5, 10.1"):
        propose(case, ["resolved_to_satisfaction"])


@pytest.mark.parametrize("ground", ALL_GROUNDS)
def test_closure_is_proposed_on_any_ten_one_ground(ground: str) -> None:
    case = case_at(Stage.RISK_ASSESSED, risk=MEDIUM_RISK)

    propose(case, [ground])

    proposed = last_event(case)
    assert isinstance(proposed, ev.ClosureProposed)
    assert proposed.grounds == [ground]
    assert case.status == CaseStatus.CLOSURE_PROPOSED


def test_closure_without_a_ground_is_refused() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with refused(case, "10.1"):
        propose(case, [])


def test_an_unknown_closure_ground_names_the_field() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with pytest.raises(InvalidCommand) as info:
        propose(case, ["victim_moved_away"])
    assert info.value.field == "grounds"


def test_proposing_closure_while_the_latest_risk_is_high_is_refused() -> None:
    case = case_at(Stage.RISK_ASSESSED, risk=HIGH_RISK)

    with refused(case, "10.1"):
        propose(case, ["resolved_to_satisfaction", "all_action_taken"])


def test_proposing_closure_at_high_risk_is_accepted_when_another_agency_is_dealing() -> None:
    case = case_at(Stage.RISK_ASSESSED, risk=HIGH_RISK)

    propose(case, ["other_agency_dealing"])

    assert case.proposed_grounds == ["other_agency_dealing"]


def test_a_high_risk_that_has_since_been_reassessed_down_no_longer_blocks_closure() -> None:
    case = case_at(Stage.RISK_ASSESSED, risk=HIGH_RISK)
    assess(case, MEDIUM_RISK)

    propose(case, ["all_action_taken"], minutes=1)

    assert case.status == CaseStatus.CLOSURE_PROPOSED


# --- discussing with the victim ----------------------------------------------------------


def test_discussing_closure_before_it_is_proposed_is_refused() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with refused(case, "10.1"):
        discuss(case)


def test_closure_is_discussed_with_the_victim() -> None:
    case = case_at(Stage.CLOSURE_PROPOSED)

    discuss(case)

    discussed = last_event(case)
    assert isinstance(discussed, ev.ClosureDiscussedWithVictim)
    assert discussed.victim_agrees is False
    assert discussed.victim_view.value == "Still nervous but accepts"
    assert case.closure_discussed is True


def test_closure_is_not_discussed_by_public_social_media_reply() -> None:
    case = case_at(Stage.CLOSURE_PROPOSED)

    with refused(case, "6.1"):
        discuss(case, method="social_media_public_reply")


# --- closing -----------------------------------------------------------------------------


def test_closing_before_closure_is_proposed_is_refused() -> None:
    case = case_at(Stage.RISK_ASSESSED)

    with refused(case, "10.1"):
        close(case)


def test_closing_before_the_closure_is_discussed_with_the_victim_is_refused() -> None:
    case = case_at(Stage.CLOSURE_PROPOSED)

    with refused(case, "10.1"):
        close(case)


def test_a_new_proposal_needs_a_new_discussion_before_closing() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)
    propose(case, ["all_action_taken"], minutes=5)

    with refused(case, "10.1"):
        close(case, minutes=6)


def test_closing_without_a_ground_is_refused() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)

    with refused(case, "10.1"):
        case.close_case(grounds=[], reasons="Done", actor=MANAGER, at=later())


def test_closing_without_reasons_is_invalid() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)

    with pytest.raises(InvalidCommand) as info:
        case.close_case(grounds=["all_action_taken"], reasons=" ", actor=MANAGER, at=later())
    assert info.value.field == "reasons"


def test_a_discussed_closure_closes_with_grounds_and_reasons() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)

    close(case, ["all_action_taken", "no_further_reports_needs_victim"])

    closed = last_event(case)
    assert isinstance(closed, ev.CaseClosed)
    assert closed.grounds == ["all_action_taken", "no_further_reports_needs_victim"]
    assert closed.reasons.value.startswith("All available action")
    assert closed.victim_view is not None
    assert closed.victim_view.value == "Accepts closure"
    assert case.status == CaseStatus.CLOSED
    assert case.closed_at == later(2)
    assert case.closure_grounds == ["all_action_taken", "no_further_reports_needs_victim"]


def test_closing_after_risk_is_reassessed_as_high_is_refused() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED, risk=MEDIUM_RISK)
    assess(case, HIGH_RISK, minutes=1)

    with refused(case, "10.1"):
        close(case, ["resolved_to_satisfaction"], minutes=2)


def test_closing_at_high_risk_on_a_ground_other_than_another_agency_is_refused() -> None:
    case = case_at(Stage.RISK_ASSESSED, risk=HIGH_RISK)
    propose(case, ["other_agency_dealing"])
    discuss(case)
    tell_of_review_right(case, minutes=1)

    with refused(case, "10.1"):
        close(case, ["resolved_to_satisfaction"])


# --- a closed case (10.1) ----------------------------------------------------------------

NEW_ACTIONS: dict[str, Callable[[HateCase], object]] = {
    "contact": lambda c: c.record_contact(
        method="phone", direction="outbound", actor=OFFICER, at=later(10)
    ),
    "risk assessment": lambda c: assess(c, MEDIUM_RISK, minutes=10),
    "repair": lambda c: c.request_repair(
        kind="emergency", description="Broken window", actor=OFFICER, at=later(10)
    ),
    "further incident": lambda c: c.report_further_incident(
        reporter_role="victim",
        description="Another incident",
        strands=["race"],
        forms=["verbal_abuse"],
        actor=OFFICER,
        at=later(10),
    ),
    "consent": lambda c: grant(c, "police"),
    "reassignment": lambda c: c.reassign(
        officer="other.officer", team="north", reason="Leave", actor=MANAGER, at=later(10)
    ),
    "closure proposal": lambda c: propose(c, ["all_action_taken"], minutes=10),
    "second closure": lambda c: close(c, minutes=10),
}


@pytest.mark.parametrize("action", NEW_ACTIONS.values(), ids=NEW_ACTIONS.keys())
def test_a_closed_case_takes_no_new_actions(action: Callable[[HateCase], object]) -> None:
    case = case_at(Stage.CLOSED)

    with refused(case, "10.1"):
        action(case)


def test_consent_can_be_withdrawn_after_closure() -> None:
    case = case_at(Stage.ALLOCATED)
    consent_id = grant(case, "police")
    assess(case, MEDIUM_RISK, minutes=10)
    propose(case, ["all_action_taken"], minutes=11)
    discuss(case, minutes=12)
    tell_of_review_right(case, minutes=12)
    close(case, minutes=13)

    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(30))

    assert isinstance(last_event(case), ev.ConsentWithdrawn)
    assert case.consents_in_force() == []


# --- reopening ---------------------------------------------------------------------------


def test_reopening_an_open_case_is_refused() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)

    with refused(case, "10.1"):
        case.reopen(reason="New incident", actor=MANAGER, at=later())


def test_a_closed_case_is_reopened_with_a_reason() -> None:
    case = case_at(Stage.CLOSED)

    case.reopen(reason="New incident reported", actor=MANAGER, at=later())

    reopened = last_event(case)
    assert isinstance(reopened, ev.CaseReopened)
    assert case.status == CaseStatus.ALLOCATED
    assert case.closed_at is None
    assert case.reopen_count == 1


def test_a_reopened_case_takes_new_actions_again() -> None:
    case = case_at(Stage.CLOSED)
    case.reopen(reason="New incident reported", actor=MANAGER, at=later())
    version = case.version

    case.record_contact(method="phone", direction="outbound", actor=OFFICER, at=later(1))

    assert [type(e) for e in new_events(case, version)] == [ev.ContactMade]


def test_a_reopened_case_needs_a_fresh_proposal_and_discussion_before_closing() -> None:
    case = case_at(Stage.CLOSED)
    case.reopen(reason="New incident reported", actor=MANAGER, at=later())

    with refused(case, "10.1"):
        close(case, minutes=5)


def test_reopening_without_a_reason_is_invalid() -> None:
    case = case_at(Stage.CLOSED)

    with pytest.raises(InvalidCommand) as info:
        case.reopen(reason="", actor=MANAGER, at=later())
    assert info.value.field == "reason"


# --- telling the victim of the ASB Case Review right (12.1) -----------------------------------


def tell_of_review_right(case: HateCase, method: str = "phone", minutes: int = 10) -> None:
    case.tell_victim_of_case_review_right(
        method=method, notes="Explained the council's process", actor=OFFICER, at=later(minutes)
    )


def test_telling_the_victim_of_the_case_review_right_is_recorded() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)

    tell_of_review_right(case)

    told = last_event(case)
    assert isinstance(told, ev.VictimToldOfCaseReviewRight)
    assert told.method == "phone" and told.notes is not None
    assert told.notes.value == "Explained the council's process"
    assert told.notes.subject_id == case.victim_id  # personal: under the victim's key
    assert case.case_review_right_told_at == later(10)


def test_the_case_review_right_is_not_told_by_public_social_media_reply() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "6.1"):
        tell_of_review_right(case, method="social_media_public_reply")


def discussed_without_telling() -> HateCase:
    case = case_at(Stage.RISK_ASSESSED)
    propose(case, ["all_action_taken"])
    case.discuss_closure(
        method="phone", victim_agrees=True, victim_view="Fine", actor=OFFICER, at=later(1)
    )
    return case


def test_closing_before_the_victim_is_told_of_the_case_review_right_is_refused() -> None:
    case = discussed_without_telling()

    with refused(case, "12.1"):
        close(case)


def test_closing_once_the_victim_is_told_of_the_case_review_right_is_accepted() -> None:
    case = discussed_without_telling()
    tell_of_review_right(case, minutes=1)

    close(case)

    assert case.status == CaseStatus.CLOSED


def test_a_victim_who_disagrees_with_closure_is_told_of_the_right_again() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)  # told already, before this discussion
    discuss(case, minutes=1)  # the victim does not agree: dissatisfied
    assert case.case_review_right_owed is True

    with refused(case, "12.1"):
        close(case, minutes=2)
    tell_of_review_right(case, minutes=3)
    close(case, minutes=4)
    assert case.status == CaseStatus.CLOSED


def test_a_victims_complaint_after_closure_owes_them_the_right_told_after_closure_too() -> None:
    case = case_at(Stage.CLOSED)
    complain(case)
    assert case.case_review_right_owed is True

    tell_of_review_right(case, minutes=30)  # a closed case still records it

    assert isinstance(last_event(case), ev.VictimToldOfCaseReviewRight)
    assert case.case_review_right_owed is False


def test_a_reopened_case_tells_the_victim_again_before_it_closes_again() -> None:
    case = case_at(Stage.CLOSED)
    case.reopen(reason="New incident", actor=MANAGER, at=later())
    propose(case, ["all_action_taken"], minutes=1)
    case.discuss_closure(
        method="phone", victim_agrees=True, victim_view="Fine", actor=OFFICER, at=later(2)
    )

    with refused(case, "12.1"):
        close(case, minutes=3)


# --- complaints (11.1) -------------------------------------------------------------------


def complain(case: HateCase, stage: str = "stage_1", **kwargs: Any) -> str:
    return case.receive_complaint(
        stage=stage, summary="Officer never called back", actor=OFFICER, at=later(20), **kwargs
    )


def respond(case: HateCase, complaint_id: str, outcome: str = "partly_upheld") -> None:
    case.respond_to_complaint(
        complaint_id=complaint_id,
        outcome=outcome,
        response="We apologise",
        actor=MANAGER,
        at=later(25),
    )


def test_a_closed_case_accepts_a_complaint_and_its_response() -> None:
    case = case_at(Stage.CLOSED)

    complaint_id = complain(case)
    respond(case, complaint_id)

    received, responded = case.collect_events()[-2:]
    assert isinstance(received, ev.ComplaintReceived)
    assert isinstance(responded, ev.ComplaintResponded)
    assert (received.complaint_id, received.complainant_id) == (complaint_id, case.victim_id)
    assert responded.stage == "stage_1"
    assert case.status == CaseStatus.CLOSED


def test_stage_two_before_the_stage_one_response_is_refused() -> None:
    case = case_at(Stage.CLOSED)
    complaint_id = complain(case)

    with refused(case, "11.1"):
        complain(case, "stage_2", complaint_id=complaint_id)


def test_stage_two_after_the_stage_one_response_is_received() -> None:
    case = case_at(Stage.CLOSED)
    complainant_id = uuid4()
    complaint_id = complain(case, complainant_id=complainant_id)
    respond(case, complaint_id)

    assert complain(case, "stage_2", complaint_id=complaint_id) == complaint_id

    escalated = last_event(case)
    assert (escalated.stage, escalated.complainant_id) == ("stage_2", complainant_id)


def test_the_stage_two_response_answers_stage_two() -> None:
    case = case_at(Stage.CLOSED)
    complaint_id = complain(case)
    respond(case, complaint_id)
    complain(case, "stage_2", complaint_id=complaint_id)

    respond(case, complaint_id, outcome="upheld")

    assert last_event(case).stage == "stage_2"


def test_stage_two_of_an_unknown_complaint_is_invalid() -> None:
    case = case_at(Stage.CLOSED)

    with pytest.raises(InvalidCommand) as info:
        complain(case, "stage_2", complaint_id="complaint-9")
    assert info.value.field == "complaint_id"


def test_a_complaint_answered_at_every_stage_takes_no_further_response() -> None:
    case = case_at(Stage.CLOSED)
    complaint_id = complain(case)
    respond(case, complaint_id)

    with pytest.raises(InvalidCommand) as info:
        respond(case, complaint_id)
    assert info.value.field == "complaint_id"


# --- ASB Case Review (12.1, 12.3) --------------------------------------------------------


def request_review(case: HateCase) -> str:
    return case.request_case_review(
        local_authority="Birmingham City Council", actor=OFFICER, at=later(30)
    )


def decide(case: HateCase, review_id: str, met: bool) -> None:
    case.decide_review_threshold(
        review_id=review_id,
        threshold_met=met,
        reasons="Three complaints in six months",
        actor=OFFICER,
        at=later(31),
    )


def recommend(case: HateCase, review_id: str) -> str:
    return case.receive_panel_recommendation(
        review_id=review_id,
        recommendation="Offer mediation",
        actor=OFFICER,
        at=later(32),
    )


def test_a_closed_case_accepts_a_case_review_request() -> None:
    case = case_at(Stage.CLOSED)

    review_id = request_review(case)

    requested = last_event(case)
    assert isinstance(requested, ev.CaseReviewRequested)
    assert (requested.review_id, requested.requested_by) == (review_id, case.victim_id)


def test_a_recommendation_before_the_threshold_is_decided_is_refused() -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)

    with refused(case, "12.1"):
        recommend(case, review_id)


def test_a_recommendation_when_the_threshold_is_not_met_is_refused() -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=False)

    with refused(case, "12.1"):
        recommend(case, review_id)


def test_a_recommendation_once_the_threshold_is_met_is_received() -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=True)

    recommendation_id = recommend(case, review_id)

    received = last_event(case)
    assert isinstance(received, ev.PanelRecommendationReceived)
    assert received.recommendation_id == recommendation_id == f"{review_id}.rec-1"


def test_the_threshold_is_decided_once() -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=False)

    with pytest.raises(InvalidCommand) as info:
        decide(case, review_id, met=True)
    assert info.value.field == "review_id"


@pytest.mark.parametrize("answer", ["accepted", "alternative_approach"])
def test_a_recommendation_is_answered_with_reasons(answer: str) -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=True)
    recommendation_id = recommend(case, review_id)

    case.answer_panel_recommendation(
        recommendation_id=recommendation_id,
        answer=answer,
        reasons="Mediation is unsafe while the injunction stands; we offer shuttle contact",
        actor=MANAGER,
        at=later(40),
    )

    answered = last_event(case)
    assert isinstance(answered, ev.PanelRecommendationAnswered)
    assert answered.answer == answer
    assert case.reviews[review_id].recommendations[recommendation_id] is True


@pytest.mark.parametrize("answer", ["accepted", "alternative_approach"])
def test_a_recommendation_answered_without_reasons_is_refused(answer: str) -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=True)
    recommendation_id = recommend(case, review_id)

    with refused(case, "12.3"):
        case.answer_panel_recommendation(
            recommendation_id=recommendation_id,
            answer=answer,
            reasons=" ",
            actor=MANAGER,
            at=later(40),
        )


def test_a_recommendation_is_answered_once() -> None:
    case = case_at(Stage.CLOSED)
    review_id = request_review(case)
    decide(case, review_id, met=True)
    recommendation_id = recommend(case, review_id)
    case.answer_panel_recommendation(
        recommendation_id=recommendation_id,
        answer="accepted",
        reasons="Mediation offered",
        actor=MANAGER,
        at=later(40),
    )

    with pytest.raises(InvalidCommand) as info:
        case.answer_panel_recommendation(
            recommendation_id=recommendation_id,
            answer="accepted",
            reasons="Again",
            actor=MANAGER,
            at=later(41),
        )
    assert info.value.field == "recommendation_id"


# --- closing when the victim cannot be reached (10.1) ---------------------------------------


def attempt(case: HateCase, day: int, method: str = "phone", outcome: str = "no_answer") -> None:
    case.record_contact(
        method=method,
        direction="outbound",
        outcome=outcome,
        actor=OFFICER,
        at=later(day * 24 * 60),
    )


def proposed_without_the_victim(days: list[int], method: str = "phone") -> HateCase:
    case = case_at(Stage.RISK_ASSESSED)
    case.agree_contact_arrangement(method="phone", frequency_days=7, actor=OFFICER, at=later())
    propose(case, ["no_further_reports_needs_victim"])
    for day in days:
        attempt(case, day, method)
    return case


def found_unreachable(case: HateCase, day: int = 20) -> None:
    case.record_victim_unreachable(
        notes="Calls unanswered; letter unanswered", actor=OFFICER, at=later(day * 24 * 60)
    )


@pytest.mark.parametrize(
    ("days", "method"),
    [
        ([1, 8], "phone"),  # two attempts
        ([1, 5, 9], "phone"),  # three, but over only eight days
        ([1, 1, 15], "phone"),  # two separate occasions
        ([1, 8, 15], "email"),  # not by the agreed method
    ],
    ids=["too few", "too short", "one day twice", "another method"],
)
def test_finding_the_victim_unreachable_without_enough_attempts_is_refused(
    days: list[int], method: str
) -> None:
    case = proposed_without_the_victim(days, method)

    with refused(case, "10.1"):
        found_unreachable(case)


def test_three_attempts_over_two_weeks_find_the_victim_unreachable_and_are_linked() -> None:
    case = proposed_without_the_victim([1, 8, 15])

    found_unreachable(case)

    finding = last_event(case)
    assert isinstance(finding, ev.VictimCouldNotBeReached)
    assert finding.attempts == ["contact-1", "contact-2", "contact-3"]
    assert case.victim_unreachable_attempts == finding.attempts


def test_a_case_closes_without_a_discussion_only_on_the_ground_that_needs_the_victim() -> None:
    case = proposed_without_the_victim([1, 8, 15])
    found_unreachable(case)
    tell_of_review_right(case, method="letter", minutes=21 * 24 * 60)

    with refused(case, "10.1"):
        close(case, ["resolved_to_satisfaction"], minutes=22 * 24 * 60)
    close(case, ["no_further_reports_needs_victim"], minutes=22 * 24 * 60)

    assert case.status == CaseStatus.CLOSED
    assert case.closure_discussed is False


def test_without_a_finding_or_a_discussion_a_case_does_not_close() -> None:
    case = proposed_without_the_victim([1, 8, 15])
    tell_of_review_right(case, method="letter", minutes=21 * 24 * 60)

    with refused(case, "10.1"):
        close(case, ["no_further_reports_needs_victim"], minutes=22 * 24 * 60)


def test_only_a_closure_needing_the_victim_may_find_them_unreachable() -> None:
    case = case_at(Stage.RISK_ASSESSED)
    propose(case, ["all_action_taken"])
    for day in (1, 8, 15):
        attempt(case, day)

    with refused(case, "10.1"):
        found_unreachable(case)


def test_reaching_the_victim_again_voids_the_finding_and_the_attempts() -> None:
    case = proposed_without_the_victim([1, 8, 15])
    found_unreachable(case)
    attempt(case, 21, outcome="made")
    tell_of_review_right(case, method="letter", minutes=21 * 24 * 60)

    assert case.victim_unreachable_attempts is None and case.unanswered_attempts == []
    with refused(case, "10.1"):
        close(case, ["no_further_reports_needs_victim"], minutes=22 * 24 * 60)


def test_a_refusal_to_talk_is_not_a_failed_attempt() -> None:
    case = proposed_without_the_victim([1, 8, 15])
    attempt(case, 16, outcome="refused")

    with refused(case, "10.1"):
        found_unreachable(case)


# --- the Complaint Handling Code: acknowledgement, extensions, the Ombudsman -------------------


def extend(case: HateCase, complaint_id: str, days: int = 10, **kwargs: Any) -> None:
    case.extend_complaint_response(
        complaint_id=complaint_id,
        working_days=days,
        reasons="Waiting for the contractor's report",
        actor=MANAGER,
        at=later(22),
        **kwargs,
    )


def test_a_complaint_is_acknowledged_once_per_stage() -> None:
    case = case_at(Stage.ALLOCATED)
    complaint_id = complain(case)

    case.acknowledge_complaint(complaint_id=complaint_id, actor=MANAGER, at=later(21))

    assert isinstance(last_event(case), ev.ComplaintAcknowledged)
    assert case.complaints[complaint_id].stages_acknowledged == {"stage_1": later(21)}
    with pytest.raises(InvalidCommand):
        case.acknowledge_complaint(complaint_id=complaint_id, actor=MANAGER, at=later(22))


@pytest.mark.parametrize("days", [0, 11])
def test_an_extension_beyond_ten_working_days_is_refused(days: int) -> None:
    case = case_at(Stage.ALLOCATED)
    complaint_id = complain(case)

    with refused(case, "Housing Ombudsman Complaint Handling Code 6.4"):
        extend(case, complaint_id, days)


@pytest.mark.parametrize("days", [0, 21])
def test_a_stage_two_extension_beyond_twenty_working_days_is_refused(days: int) -> None:
    case = case_at(Stage.CLOSED)
    complaint_id = complain(case)
    respond(case, complaint_id)
    complain(case, "stage_2", complaint_id=complaint_id)

    with refused(case, "Housing Ombudsman Complaint Handling Code 6.14"):
        extend(case, complaint_id, days)
    extend(case, complaint_id, 20)

    assert case.complaints[complaint_id].extensions == {"stage_2": 20}


def test_a_second_extension_at_one_stage_needs_the_complainants_agreement() -> None:
    case = case_at(Stage.ALLOCATED)
    complaint_id = complain(case)
    extend(case, complaint_id, 5)

    with refused(case, "Housing Ombudsman Complaint Handling Code 6.4"):
        extend(case, complaint_id, 5)
    extend(case, complaint_id, 5, agreed_with_complainant=True)

    assert case.complaints[complaint_id].extensions == {"stage_1": 10}


def test_an_extension_gives_its_reasons() -> None:
    case = case_at(Stage.ALLOCATED)
    complaint_id = complain(case)

    with refused(case, "Housing Ombudsman Complaint Handling Code 6.4"):
        case.extend_complaint_response(
            complaint_id=complaint_id, working_days=3, reasons=" ", actor=MANAGER, at=later(22)
        )


def test_a_referral_to_the_ombudsman_is_recorded_once() -> None:
    case = case_at(Stage.CLOSED)
    complaint_id = complain(case)

    case.record_ombudsman_referral(
        complaint_id=complaint_id, reference="202612345", actor=MANAGER, at=later(30)
    )

    assert case.complaints[complaint_id].referred_to_ombudsman_at == later(30)
    with pytest.raises(InvalidCommand):
        case.record_ombudsman_referral(complaint_id=complaint_id, actor=MANAGER, at=later(31))
