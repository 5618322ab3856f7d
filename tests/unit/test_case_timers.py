"""Which event starts, stops or re-times which timer: the pure fold over a case's events."""

from __future__ import annotations

from datetime import timedelta

from domain.case_timers import Change, TimerChange, timers_of
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX
from domain.service_levels import ServiceLevels
from tests.unit.case_builders import (
    MANAGER,
    OFFICER,
    STANDARD_RISK,
    Stage,
    case_at,
    case_with_full_history,
    grant,
    identify,
    later,
    link_representative,
)

LEVELS = ServiceLevels()


def _changes(case: HateCase) -> list[list[TimerChange]]:
    timers = timers_of([], LEVELS)
    return [timers.apply(event) for event in case.collect_events()]


def _summary(changes: list[TimerChange]) -> list[tuple[str, Change]]:
    return [(c.key, c.change) for c in changes]


def test_a_report_starts_the_first_response_and_allocation_alone_does_not_stop_it() -> None:
    case = case_at(Stage.ALLOCATED)
    reported, triaged, allocated = _changes(case)
    assert _summary(reported) == [("first_response", Change.STARTED)]
    assert reported[0].timer.started_at == case.received_at
    assert triaged == [] and allocated == []  # a named officer, but no reply yet


def test_first_response_stops_at_the_later_of_allocation_and_a_reply() -> None:
    case = case_at(Stage.ALLOCATED)
    case.record_contact(
        method="phone", direction="outbound", outcome="no_answer", actor=OFFICER, at=later(1)
    )
    case.record_contact(method="phone", direction="outbound", actor=OFFICER, at=later(2))
    *_, attempt, reply = _changes(case)
    assert attempt == []  # an unanswered call is not a response (8.1)
    assert _summary(reply) == [("first_response", Change.STOPPED)]
    assert reply[0].timer.stopped_at == later(2)


def test_each_contact_made_starts_the_next_victim_update_and_a_new_frequency_re_times_it() -> None:
    case = case_at(Stage.ALLOCATED)
    case.agree_contact_arrangement(method="phone", frequency_days=7, actor=OFFICER, at=later(1))
    case.agree_contact_arrangement(method="phone", frequency_days=2, actor=OFFICER, at=later(2))
    case.record_contact(method="phone", direction="outbound", actor=OFFICER, at=later(3))
    *_, agreed, again, contact = _changes(case)
    assert _summary(agreed) == [("victim_update:1", Change.STARTED)]
    assert agreed[0].timer.due_at == later(1) + timedelta(days=7)
    assert _summary(again) == [("victim_update:1", Change.RETIMED)]
    assert again[0].timer.due_at == later(1) + timedelta(days=2)  # from when it started
    assert _summary(contact) == [
        ("first_response", Change.STOPPED),
        ("victim_update:1", Change.STOPPED),
        ("victim_update:2", Change.STARTED),
    ]


def test_a_risk_assessment_stops_the_last_review_and_starts_the_next() -> None:
    case = case_at(Stage.RISK_ASSESSED)
    case.assess_risk(matrix=DEFAULT_RISK_MATRIX, answers=STANDARD_RISK, actor=OFFICER, at=later())
    *_, first, second = _changes(case)
    assert _summary(first) == [("risk_review:1", Change.STARTED)]
    assert _summary(second) == [
        ("risk_review:1", Change.STOPPED),
        ("risk_review:2", Change.STARTED),
    ]


def test_closing_ends_the_ongoing_care_in_the_order_the_timers_started() -> None:
    case = case_at(Stage.CLOSURE_DISCUSSED)
    case.agree_contact_arrangement(method="phone", frequency_days=7, actor=OFFICER, at=later())
    case.close_case(
        grounds=["resolved_to_satisfaction"], reasons="Resolved", actor=MANAGER, at=later(5)
    )
    closed = _changes(case)[-1]
    assert _summary(closed) == [
        ("risk_review:1", Change.STOPPED),
        ("victim_update:1", Change.STOPPED),
    ]
    assert {c.timer.stopped_at for c in closed} == {later(5)}


def test_the_whole_history_folds_to_the_timers_each_step_left() -> None:
    case = case_with_full_history()
    events = case.collect_events()
    folded = timers_of(events, LEVELS)
    stepwise = timers_of([], LEVELS)
    started = [c.key for e in events for c in stepwise.apply(e) if c.change == Change.STARTED]
    assert folded.timers == stepwise.timers
    assert list(folded.timers) == started  # kept in the order they started
    assert {k.split(":")[0] for k in folded.timers} >= {
        "first_response",
        "repair",
        "risk_review",
        "victim_update",
        "complaint",
    }
    assert folded.reviews == sum(k.startswith("risk_review:") for k in folded.timers)


# --- 8.1: only contact with the victim or their authorised representative counts ---------


def test_a_call_to_the_perpetrator_or_a_witness_answers_no_promise_to_the_victim() -> None:
    case = case_at(Stage.ALLOCATED)
    case.agree_contact_arrangement(method="phone", frequency_days=7, actor=OFFICER, at=later(1))
    perpetrator = identify(case, "tenant")
    case.record_contact(
        method="phone", direction="outbound", subject_id=perpetrator, actor=OFFICER, at=later(2)
    )
    *_, call = _changes(case)
    assert call == []  # first response still running, the update still owed


def test_the_victims_authorised_representative_counts_as_the_victim() -> None:
    case = case_at(Stage.ALLOCATED)
    unauthorised = link_representative(case)
    case.record_contact(
        method="phone", direction="inbound", subject_id=unauthorised, actor=OFFICER, at=later(1)
    )
    grant(case, "representative", representative_id=unauthorised)
    case.record_contact(
        method="phone", direction="inbound", subject_id=unauthorised, actor=OFFICER, at=later(2)
    )
    *_, before_consent, _, after_consent = _changes(case)
    assert before_consent == []
    assert _summary(after_consent) == [("first_response", Change.STOPPED)]


# --- 5.10: repair clocks run from the report of the damage ---------------------------------


def test_a_repair_ordered_late_runs_from_the_report_that_mentioned_the_damage() -> None:
    case = case_at(Stage.ALLOCATED, forms=["graffiti", "verbal_abuse"])
    case.request_repair(
        kind="graffiti_removal", description="Remove it", actor=OFFICER, at=later(3 * 24 * 60)
    )
    *_, ordered = _changes(case)
    (repair,) = ordered
    assert repair.timer.started_at == case.received_at  # not the order, three days later
    assert repair.timer.due_at < later(3 * 24 * 60)  # so it is already late


def test_damage_found_later_starts_the_clock_of_the_repair_it_needs() -> None:
    case = case_at(Stage.ALLOCATED)  # verbal abuse only: no damage reported
    case.record_damage_found(
        kind="emergency",
        description="Front door glass smashed",
        reported_at=later(60),
        actor=OFFICER,
        at=later(120),
    )
    case.request_repair(kind="emergency", description="Board up", actor=OFFICER, at=later(180))
    case.request_repair(kind="emergency", description="Reglaze", actor=OFFICER, at=later(240))
    *_, first, second = _changes(case)
    assert first[0].timer.started_at == later(60)
    assert second[0].timer.started_at == later(240)  # the first repair covered that damage


def test_a_repair_with_no_damage_reported_runs_from_its_order() -> None:
    case = case_at(Stage.ALLOCATED)
    case.request_repair(kind="emergency", description="Lock", actor=OFFICER, at=later(5))
    *_, ordered = _changes(case)
    assert ordered[0].timer.started_at == later(5)


# --- 7.3: an adjustment under consideration has a review date ------------------------------


def test_an_adjustment_review_date_is_a_timer_moved_by_a_review_and_stopped_when_agreed() -> None:
    case = case_at(Stage.ALLOCATED)
    first, second = later().date() + timedelta(days=7), later().date() + timedelta(days=20)
    adjustment_id = case.consider_reasonable_adjustment(
        need="Easy-read letters", review_on=first, actor=OFFICER, at=later()
    )
    case.consider_reasonable_adjustment(
        need="Easy-read letters",
        review_on=second,
        adjustment_id=adjustment_id,
        actor=OFFICER,
        at=later(7 * 24 * 60),
    )
    case.agree_reasonable_adjustment(
        adjustment="Easy-read letters from the accessibility team",
        adjustment_id=adjustment_id,
        actor=OFFICER,
        at=later(10 * 24 * 60),
    )
    *_, considered, reviewed, agreed = _changes(case)
    assert _summary(considered) == [("adjustment:adjustment-1", Change.STARTED)]
    assert LEVELS.calendar.local_date(considered[0].timer.due_at) == first
    assert _summary(reviewed) == [("adjustment:adjustment-1", Change.RETIMED)]
    assert LEVELS.calendar.local_date(reviewed[0].timer.due_at) == second
    assert _summary(agreed) == [("adjustment:adjustment-1", Change.STOPPED)]


# --- complaints: acknowledgement, response from it, extensions ------------------------------


def test_a_complaint_is_acknowledged_in_five_days_and_answered_from_the_acknowledgement() -> None:
    case = case_at(Stage.ALLOCATED)
    received = later()
    complaint_id = case.receive_complaint(
        stage="stage_1", summary="Slow", actor=OFFICER, at=received
    )
    case.acknowledge_complaint(complaint_id=complaint_id, actor=MANAGER, at=later(3 * 24 * 60))
    case.extend_complaint_response(
        complaint_id=complaint_id,
        working_days=10,
        reasons="Contractor report",
        actor=MANAGER,
        at=later(4 * 24 * 60),
    )
    case.respond_to_complaint(
        complaint_id=complaint_id,
        outcome="upheld",
        response="Sorry",
        actor=MANAGER,
        at=later(5 * 24 * 60),
    )
    *_, opened, acknowledged, extended, answered = _changes(case)
    key = f"complaint:{complaint_id}:stage_1"
    assert _summary(opened) == [(f"{key}:acknowledgement", Change.STARTED), (key, Change.STARTED)]
    ack, response = (c.timer for c in opened)
    assert ack.due_at == LEVELS.calendar.end_of_working_days(received, 5)
    assert response.due_at == LEVELS.calendar.end_of_working_days(received, 10)
    assert _summary(acknowledged) == [
        (f"{key}:acknowledgement", Change.STOPPED),
        (key, Change.RETIMED),
    ]
    from_acknowledgement = LEVELS.calendar.end_of_working_days(later(3 * 24 * 60), 10)
    assert acknowledged[1].timer.due_at == from_acknowledgement
    assert extended[0].timer.due_at == LEVELS.calendar.end_of_working_days(from_acknowledgement, 10)
    assert _summary(answered) == [(key, Change.STOPPED)]
