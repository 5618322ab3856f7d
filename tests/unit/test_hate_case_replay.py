"""Replaying a HateCase from its events rebuilds the same state, and applies facts without
re-checking rules (docs/architecture.md, "A command, from the request to the event"), plus
properties that hold for any input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.risk import DEFAULT_RISK_MATRIX, RiskMatrix, RiskQuestion
from domain.vocabulary import Channel, Form, Strand
from tests.unit.case_builders import (
    HUB,
    MEDIUM_RISK,
    OFFICER,
    Stage,
    case_at,
    case_with_full_history,
    grant,
    later,
    refused,
    replay,
    report_case,
    state_of,
)

# --- replay rebuilds the same state ------------------------------------------------------


def test_replaying_the_full_history_rebuilds_the_same_state() -> None:
    case = case_with_full_history()
    events = case.collect_events()

    rebuilt = replay(events)

    assert state_of(rebuilt) == state_of(case)
    assert rebuilt.version == case.version == len(events)


@pytest.mark.parametrize("stage", list(Stage), ids=[s.name for s in Stage])
def test_replaying_a_case_at_each_stage_rebuilds_the_same_state(stage: Stage) -> None:
    case = case_at(stage)

    rebuilt = replay(case.collect_events())

    assert state_of(rebuilt) == state_of(case)


def test_every_prefix_of_the_history_replays_to_its_own_version() -> None:
    events = case_with_full_history().collect_events()

    for n in range(1, len(events) + 1):
        assert replay(events[:n]).version == n


def test_a_replayed_closed_case_still_refuses_new_actions() -> None:
    rebuilt = replay(case_at(Stage.CLOSED).collect_events())

    with refused(rebuilt, "10.1"):
        rebuilt.record_contact(method="phone", direction="outbound", actor=OFFICER, at=later())


def test_a_replayed_case_continues_where_it_left_off() -> None:
    rebuilt = replay(case_at(Stage.TRIAGED).collect_events())

    rebuilt.allocate(officer=OFFICER, team="north", actor=HUB, at=later())

    [allocated] = rebuilt.collect_events()
    assert isinstance(allocated, ev.OfficerAllocated)
    assert allocated.originator_version == 3


# --- replay applies facts; it does not re-check rules -------------------------------------


def test_an_event_valid_under_an_older_rule_still_replays() -> None:
    # Before policy 5.1/8.1 demanded the highest priority, a case could be triaged "high".
    case = report_case()
    case.trigger_event(
        ev.CaseTriaged,
        actor=HUB,
        occurred_at=later(),
        policy_version="Hate Policy v2019",
        priority="high",
        notes=None,
    )
    with refused(None, "5.1, 8.1"):
        report_case().triage(priority="high", actor=HUB, at=later())

    rebuilt = replay(case.collect_events())

    assert rebuilt.priority == "high"
    assert rebuilt.status == "triaged"


def test_an_assessment_scored_by_a_retired_matrix_still_replays() -> None:
    retired = RiskMatrix(
        version="hate-risk-2019",
        medium_from=1,
        high_from=2,
        questions=(RiskQuestion("afraid", "Are you afraid?", 2),),
    )
    case = case_at(Stage.ALLOCATED)
    case.assess_risk(matrix=retired, answers={"afraid": 2}, actor=OFFICER, at=later())
    with pytest.raises(InvalidCommand):
        DEFAULT_RISK_MATRIX.score({"afraid": 2})

    rebuilt = replay(case.collect_events())

    assert rebuilt.risk_level == "high"
    assert rebuilt.risk_assessment_count == 1


def test_a_referral_made_under_consent_later_withdrawn_still_replays() -> None:
    case = case_at(Stage.ALLOCATED)
    consent_id = grant(case, "multi_agency_panel", recipient_name="Birmingham MARAC")
    case.refer_to_multi_agency_panel(
        panel="Birmingham MARAC", consent_id=consent_id, reason="Repeat", actor=OFFICER, at=later(1)
    )
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(2))

    rebuilt = replay(case.collect_events())

    assert rebuilt.multi_agency_referral_count == 1
    assert rebuilt.consents_in_force() == []


# --- properties --------------------------------------------------------------------------

strands = st.lists(st.sampled_from([s.value for s in Strand]), min_size=1, max_size=10)
forms = st.lists(st.sampled_from([f.value for f in Form]), min_size=1, max_size=10)


@settings(max_examples=60)
@given(strands=strands, forms=forms)
def test_any_strands_and_forms_round_trip_through_report_and_replay(
    strands: list[str], forms: list[str]
) -> None:
    case = report_case(strands=strands, forms=forms)

    rebuilt = replay(case.collect_events())

    assert case.strands == rebuilt.strands == list(dict.fromkeys(strands))
    assert case.forms == rebuilt.forms == list(dict.fromkeys(forms))


def _contact(case: HateCase, minute: int) -> None:
    case.record_contact(method="phone", direction="outbound", actor=OFFICER, at=later(minute))


def _incident(case: HateCase, minute: int) -> None:
    case.report_further_incident(
        reporter_role="witness",
        description="Another incident",
        strands=["age"],
        forms=["online"],
        actor=OFFICER,
        at=later(minute),
    )


def _repair(case: HateCase, minute: int) -> None:
    case.request_repair(kind="emergency", description="Door", actor=OFFICER, at=later(minute))


def _assessment(case: HateCase, minute: int) -> None:
    case.assess_risk(
        matrix=DEFAULT_RISK_MATRIX, answers=MEDIUM_RISK, actor=OFFICER, at=later(minute)
    )


COMMANDS: dict[str, Any] = {
    "contact": _contact,
    "incident": _incident,
    "repair": _repair,
    "assessment": _assessment,
}


@settings(max_examples=60)
@given(st.lists(st.sampled_from(sorted(COMMANDS)), max_size=12))
def test_the_case_version_equals_the_number_of_events(commands: list[str]) -> None:
    case = case_at(Stage.ALLOCATED)
    for minute, name in enumerate(commands):
        COMMANDS[name](case, minute)

    events = case.collect_events()

    assert case.version == len(events) == 3 + len(commands)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert state_of(replay(events)) == state_of(case)


@given(st.text(max_size=20).filter(lambda s: s not in {c.value for c in Channel}))
def test_any_unknown_channel_is_refused_naming_the_field(channel: str) -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(channel=channel)
    assert info.value.field == "channel"
