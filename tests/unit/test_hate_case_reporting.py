"""HateCase: reporting (5.2-5.4, 4.5), bad report data, triage (5.1, 8.1), allocation (8.1),
and the victim's own definition of hate against a manager's dispute (5.4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.policy import POLICY_VERSION
from domain.vocabulary import CaseStatus, Channel, ReporterRole, SubjectRole
from tests.unit.case_builders import (
    HUB,
    MANAGER,
    OFFICER,
    T0,
    Stage,
    case_at,
    last_event,
    later,
    refused,
    report_case,
)

# --- accepted reports (5.2, 5.3, 5.4, 4.5) ----------------------------------------------


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_a_report_is_accepted_from_every_channel(channel: str) -> None:
    case = report_case(channel=channel)

    reported = last_event(case)
    assert isinstance(reported, ev.CaseReported)
    assert reported.channel == channel
    assert case.status == CaseStatus.REPORTED


@pytest.mark.parametrize(
    "role",
    [r.value for r in ReporterRole if r not in (ReporterRole.VICTIM, ReporterRole.ANONYMOUS)],
)
def test_a_report_is_accepted_from_someone_other_than_the_victim(role: str) -> None:
    reporter_id = uuid4()

    case = report_case(reporter_role=role, reporter_id=reporter_id)

    assert case.reporter_role == role
    assert case.reporter_id == reporter_id
    assert SubjectRole.REPORTER in case.subjects[reporter_id]
    assert case.victim_id is not None
    assert case.subjects[case.victim_id] == {SubjectRole.VICTIM}


def test_an_anonymous_report_is_accepted_with_no_reporter() -> None:
    case = report_case(reporter_role="anonymous", reporter_id=None)

    reported = last_event(case)
    assert reported.reporter_role == "anonymous"
    assert reported.reporter_id is None
    assert set(case.subjects) == {case.victim_id}


def test_an_anonymous_report_naming_a_reporter_is_invalid() -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(reporter_role="anonymous", reporter_id=uuid4())
    assert info.value.field == "reporter"


def test_a_victim_report_naming_someone_else_as_reporter_is_invalid() -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(reporter_role="victim", reporter_id=uuid4())
    assert info.value.field == "reporter"


def test_a_third_party_report_does_not_make_the_reporter_a_representative() -> None:
    reporter_id = uuid4()

    case = report_case(reporter_role="third_party", reporter_id=reporter_id)

    assert case.subjects[reporter_id] == {SubjectRole.REPORTER}
    assert reporter_id not in case.elected_representatives


@pytest.mark.parametrize("role", ["councillor", "mp"])
def test_a_councillor_or_mp_reporter_is_an_elected_representative(role: str) -> None:
    reporter_id = uuid4()

    case = report_case(reporter_role=role, reporter_id=reporter_id)

    assert case.subjects[reporter_id] == {SubjectRole.REPORTER, SubjectRole.REPRESENTATIVE}
    assert case.elected_representatives == {reporter_id}


def test_the_report_records_who_when_and_the_policy_in_force() -> None:
    case = report_case(received_at=T0 - timedelta(hours=2), at=T0)

    reported = last_event(case)
    assert reported.actor == HUB
    assert reported.occurred_at == T0
    assert reported.received_at == T0 - timedelta(hours=2)
    assert reported.policy_version == POLICY_VERSION
    assert case.reference.startswith("HC-2026-")
    assert reported.reference == case.reference


def test_a_report_the_victim_does_not_call_criminal_is_still_recorded() -> None:
    case = report_case(criminal_offence_alleged=False)

    assert last_event(case).criminal_offence_alleged is False
    assert case.strands == ["race"]


def test_a_report_is_hate_as_the_victim_defines_it() -> None:
    case = report_case(strands=["disability", "other"], victim_perceives_hate=True)

    assert case.victim_perceives_hate is True
    assert case.strands == ["disability", "other"]


def test_repeated_strands_and_forms_are_recorded_once_in_order() -> None:
    case = report_case(
        strands=["race", "religion_or_belief", "race"], forms=["graffiti", "graffiti", "arson"]
    )

    assert case.strands == ["race", "religion_or_belief"]
    assert case.forms == ["graffiti", "arson"]


# --- bad report data (InvalidCommand names the field) ------------------------------------


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("channel", {"channel": "carrier_pigeon"}),
        ("reporter_role", {"reporter_role": "landlord"}),
        ("strands", {"strands": ["race", "hair_colour"]}),
        ("forms", {"forms": ["interpretive_dance"]}),
    ],
)
def test_an_unknown_vocabulary_value_names_its_field(field: str, overrides: dict) -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(**overrides)
    assert info.value.field == field
    assert "must be one of" in info.value.message


@pytest.mark.parametrize("field", ["at", "received_at", "incident_at"])
def test_a_naive_datetime_is_refused(field: str) -> None:
    naive = datetime(2026, 3, 10, 8, 0)

    with pytest.raises(InvalidCommand) as info:
        report_case(**{field: naive})
    assert info.value.field == field


def test_a_report_received_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(received_at=T0 + timedelta(minutes=6), at=T0)
    assert info.value.field == "received_at"


def test_a_report_from_a_clock_a_little_fast_is_received_now() -> None:
    assert report_case(received_at=T0 + timedelta(minutes=4), at=T0).received_at == T0


def test_an_incident_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(incident_at=T0 + timedelta(days=1), at=T0)
    assert info.value.field == "incident_at"


@pytest.mark.parametrize("field", ["strands", "forms"])
def test_a_report_names_at_least_one_strand_and_form(field: str) -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(**{field: []})
    assert info.value.field == field


def test_a_report_without_a_description_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        report_case(description="   ")
    assert info.value.field == "description"


def test_a_naive_time_on_a_later_command_is_refused() -> None:
    case = report_case()

    with pytest.raises(InvalidCommand) as info:
        case.triage(actor=HUB, at=datetime(2026, 3, 10, 10, 0))
    assert info.value.field == "at"


# --- further incidents -------------------------------------------------------------------


def test_a_further_incident_adds_its_strands_and_forms_to_the_case() -> None:
    case = case_at(Stage.ALLOCATED)

    case.report_further_incident(
        reporter_role="witness",
        description="Swastika painted on the victim's door",
        strands=["religion_or_belief"],
        forms=["graffiti"],
        incident_at=later(-60),
        actor=OFFICER,
        at=later(),
    )

    further = last_event(case)
    assert isinstance(further, ev.FurtherIncidentReported)
    assert further.incident_id == "incident-1"
    assert case.strands == ["race", "religion_or_belief"]
    assert case.forms == ["verbal_abuse", "graffiti"]


def test_a_further_incident_in_the_future_is_refused() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.report_further_incident(
            reporter_role="victim",
            description="x",
            strands=["race"],
            forms=["other"],
            incident_at=later(60),
            actor=OFFICER,
            at=later(),
        )
    assert info.value.field == "incident_at"


# --- triage (5.1, 8.1) -------------------------------------------------------------------


def test_triage_records_the_highest_priority() -> None:
    case = report_case()

    case.triage(actor=HUB, at=later())

    triaged = last_event(case)
    assert isinstance(triaged, ev.CaseTriaged)
    assert triaged.priority == "highest"
    assert case.status == CaseStatus.TRIAGED
    assert case.triaged_at == later()


@pytest.mark.parametrize("priority", ["high", "standard"])
def test_triage_below_the_highest_priority_is_refused(priority: str) -> None:
    case = report_case()

    with refused(case, "5.1, 8.1"):
        case.triage(priority=priority, actor=HUB, at=later())


def test_a_case_is_triaged_only_once() -> None:
    case = case_at(Stage.TRIAGED)

    with refused(case, "5.1"):
        case.triage(actor=HUB, at=later())


def test_an_unknown_priority_names_the_field() -> None:
    case = report_case()

    with pytest.raises(InvalidCommand) as info:
        case.triage(priority="urgent", actor=HUB, at=later())
    assert info.value.field == "priority"


# --- allocation and reassignment (5.1, 8.1) ----------------------------------------------


def test_allocation_before_triage_is_refused() -> None:
    case = report_case()

    with refused(case, "5.1"):
        case.allocate(officer=OFFICER, team="north", actor=HUB, at=later())


def test_allocation_after_triage_names_the_officer() -> None:
    case = case_at(Stage.TRIAGED)

    case.allocate(officer=OFFICER, team="north", actor=HUB, at=later())

    allocated = last_event(case)
    assert isinstance(allocated, ev.OfficerAllocated)
    assert (allocated.officer, allocated.team) == (OFFICER, "north")
    assert case.officer == OFFICER
    assert case.status == CaseStatus.ALLOCATED


def test_a_second_allocation_is_refused_in_favour_of_reassignment() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "8.1"):
        case.allocate(officer="other.officer", team="north", actor=HUB, at=later())


def test_allocation_needs_an_officer() -> None:
    case = case_at(Stage.TRIAGED)

    with pytest.raises(InvalidCommand) as info:
        case.allocate(officer="  ", team="north", actor=HUB, at=later())
    assert info.value.field == "officer"


def test_reassigning_an_unallocated_case_is_refused() -> None:
    case = case_at(Stage.TRIAGED)

    with refused(case, "8.1"):
        case.reassign(
            officer="other.officer", team="north", reason="Leave", actor=MANAGER, at=later()
        )


def test_reassignment_with_a_reason_changes_the_named_officer() -> None:
    case = case_at(Stage.ALLOCATED)

    case.reassign(
        officer="other.officer",
        team="south",
        reason="Officer on long-term leave",
        actor=MANAGER,
        at=later(),
    )

    reassigned = last_event(case)
    assert isinstance(reassigned, ev.OfficerReassigned)
    assert reassigned.reason.value == "Officer on long-term leave"
    assert (case.officer, case.team) == ("other.officer", "south")


def test_reassignment_without_a_reason_is_invalid() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.reassign(officer="other.officer", team="north", reason=" ", actor=MANAGER, at=later())
    assert info.value.field == "reason"


def test_reassignment_to_the_same_officer_is_invalid() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.reassign(officer=OFFICER, team="north", reason="x", actor=MANAGER, at=later())
    assert info.value.field == "officer"


# --- linking people ----------------------------------------------------------------------


def test_a_witness_is_linked_by_reference() -> None:
    case = case_at(Stage.ALLOCATED)
    witness_id = uuid4()

    case.link_subject(subject_id=witness_id, role="witness", actor=OFFICER, at=later())

    assert isinstance(last_event(case), ev.SubjectLinked)
    assert case.subjects[witness_id] == {SubjectRole.WITNESS}


@pytest.mark.parametrize("role", ["victim", "perpetrator"])
def test_victims_and_perpetrators_are_not_linked_as_subjects(role: str) -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.link_subject(subject_id=uuid4(), role=role, actor=OFFICER, at=later())
    assert info.value.field == "role"


def test_only_a_representative_can_be_elected() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.link_subject(
            subject_id=uuid4(),
            role="witness",
            elected_representative=True,
            actor=OFFICER,
            at=later(),
        )
    assert info.value.field == "elected_representative"


# --- the victim's definition of hate (5.4) -----------------------------------------------


def revise(case: HateCase, strands: list[str], *, victim_agrees: bool) -> None:
    case.revise_classification(
        strands=strands,
        forms=["verbal_abuse"],
        victim_agrees=victim_agrees,
        reason="Officer's review of the evidence",
        actor=OFFICER,
        at=later(10),
    )


def dispute(case: HateCase) -> None:
    case.dispute_hate_definition(
        decision="proven_otherwise",
        reasons="CCTV shows the dispute was about parking, with no reference to race",
        actor=MANAGER,
        at=later(),
    )


def test_dropping_the_victims_strand_without_their_agreement_is_refused() -> None:
    case = case_at(Stage.ALLOCATED, strands=["race", "religion_or_belief"])

    with refused(case, "5.4"):
        revise(case, ["religion_or_belief"], victim_agrees=False)


def test_dropping_every_strand_without_a_dispute_is_refused_even_if_the_victim_agrees() -> None:
    case = case_at(Stage.ALLOCATED)

    with refused(case, "5.4"):
        revise(case, [], victim_agrees=True)


def test_dropping_a_strand_with_the_victims_agreement_is_accepted() -> None:
    case = case_at(Stage.ALLOCATED, strands=["race", "religion_or_belief"])

    revise(case, ["religion_or_belief"], victim_agrees=True)

    revised = last_event(case)
    assert isinstance(revised, ev.ClassificationRevised)
    assert revised.victim_agrees is True
    assert case.strands == ["religion_or_belief"]


def test_adding_a_strand_needs_no_agreement() -> None:
    case = case_at(Stage.ALLOCATED)

    revise(case, ["race", "disability"], victim_agrees=False)

    assert case.strands == ["race", "disability"]


def test_dropping_a_strand_is_accepted_once_a_manager_records_a_dispute() -> None:
    case = case_at(Stage.ALLOCATED, strands=["race", "religion_or_belief"])
    dispute(case)

    revise(case, ["religion_or_belief"], victim_agrees=False)

    assert case.hate_definition_decision == "proven_otherwise"
    assert case.strands == ["religion_or_belief"]


def test_dropping_every_strand_is_accepted_once_a_manager_records_a_dispute() -> None:
    case = case_at(Stage.ALLOCATED)
    dispute(case)

    revise(case, [], victim_agrees=False)

    assert case.strands == []


def test_strands_can_be_revised_freely_when_the_victim_does_not_perceive_hate() -> None:
    case = case_at(Stage.ALLOCATED, victim_perceives_hate=False, strands=["race", "age"])

    revise(case, ["race"], victim_agrees=False)

    assert case.strands == ["race"]


def test_the_hate_definition_dispute_records_the_decision_and_reasons() -> None:
    case = case_at(Stage.ALLOCATED)

    dispute(case)

    disputed = last_event(case)
    assert isinstance(disputed, ev.HateDefinitionDisputed)
    assert disputed.decision == "proven_otherwise"
    assert disputed.reasons.subject_id == case.victim_id


def test_the_hate_definition_is_disputed_only_once() -> None:
    case = case_at(Stage.ALLOCATED)
    dispute(case)

    with refused(case, "5.4"):
        case.dispute_hate_definition(
            decision="unreasonable", reasons="Second look", actor=MANAGER, at=later(5)
        )


def test_a_dispute_without_reasons_is_invalid() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.dispute_hate_definition(decision="unreasonable", reasons="", actor=MANAGER, at=later())
    assert info.value.field == "reasons"


def test_a_revision_names_at_least_one_form() -> None:
    case = case_at(Stage.ALLOCATED)

    with pytest.raises(InvalidCommand) as info:
        case.revise_classification(
            strands=["race"], forms=[], victim_agrees=True, reason="x", actor=OFFICER, at=later()
        )
    assert info.value.field == "forms"
