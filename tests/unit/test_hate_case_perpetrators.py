"""HateCase: alleged perpetrators. Interventions and tenancy enforcement (5.6, 5.7) and
the disciplinary route for staff (5.11)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.vocabulary import InterventionKind, PerpetratorLink, SubjectRole
from tests.unit.case_builders import OFFICER, Stage, case_at, identify, last_event, later, refused

TENANCY_ENFORCEMENT = [k.value for k in InterventionKind if k.is_tenancy_enforcement]
OTHER_INTERVENTIONS = [k.value for k in InterventionKind if not k.is_tenancy_enforcement]
NOT_A_TENANCY = ["visitor", "not_linked", "contractor", "unknown"]


def allocated() -> HateCase:
    return case_at(Stage.ALLOCATED)


def intervene(case: HateCase, subject_id: UUID, kind: str, legal_power: str | None) -> None:
    case.take_intervention(
        subject_id=subject_id, kind=kind, legal_power=legal_power, actor=OFFICER, at=later(5)
    )


@pytest.mark.parametrize("link", [p.value for p in PerpetratorLink])
def test_a_perpetrator_of_any_link_is_identified(link: str) -> None:
    case = allocated()

    perpetrator_id = identify(case, link)

    identified = last_event(case)
    assert isinstance(identified, ev.PerpetratorIdentified)
    assert identified.link == link
    assert case.perpetrators[perpetrator_id] == link
    assert SubjectRole.PERPETRATOR in case.subjects[perpetrator_id]


def test_the_victim_is_not_the_alleged_perpetrator() -> None:
    case = allocated()
    assert case.victim_id is not None

    with pytest.raises(InvalidCommand) as info:
        case.identify_perpetrator(
            subject_id=case.victim_id, link="tenant", actor=OFFICER, at=later()
        )
    assert info.value.field == "subject_id"


def test_a_perpetrator_is_identified_once() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")

    with pytest.raises(InvalidCommand) as info:
        case.identify_perpetrator(
            subject_id=perpetrator_id, link="visitor", actor=OFFICER, at=later(1)
        )
    assert info.value.field == "subject_id"


@pytest.mark.parametrize("kind", TENANCY_ENFORCEMENT)
@pytest.mark.parametrize("link", NOT_A_TENANCY)
def test_tenancy_enforcement_against_someone_without_a_tenancy_is_refused(
    link: str, kind: str
) -> None:
    case = allocated()
    perpetrator_id = identify(case, link)

    with refused(case, "5.7"):
        intervene(case, perpetrator_id, kind, "Housing Act 1985 Ground 2")


@pytest.mark.parametrize("kind", TENANCY_ENFORCEMENT)
@pytest.mark.parametrize("link", ["tenant", "household_member"])
def test_tenancy_enforcement_against_a_tenant_or_household_member_is_taken(
    link: str, kind: str
) -> None:
    case = allocated()
    perpetrator_id = identify(case, link)

    intervene(case, perpetrator_id, kind, "Housing Act 1985 Ground 2")

    taken = last_event(case)
    assert isinstance(taken, ev.InterventionTaken)
    assert (taken.kind, taken.legal_power) == (kind, "Housing Act 1985 Ground 2")
    assert case.intervention_count == 1


@pytest.mark.parametrize("legal_power", [None, "  "])
def test_tenancy_enforcement_without_a_named_legal_power_is_refused(
    legal_power: str | None,
) -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")

    with refused(case, "5.6"):
        intervene(case, perpetrator_id, "notice_of_seeking_possession", legal_power)


@pytest.mark.parametrize("kind", OTHER_INTERVENTIONS)
def test_early_intervention_is_open_to_a_perpetrator_without_a_tenancy(kind: str) -> None:
    case = allocated()
    perpetrator_id = identify(case, "not_linked")

    intervene(case, perpetrator_id, kind, None)

    assert last_event(case).kind == kind


def test_an_intervention_against_an_unidentified_person_is_invalid() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        intervene(case, uuid4(), "warning_letter", None)
    assert info.value.field == "subject_id"


def test_an_unknown_intervention_names_the_field() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")

    with pytest.raises(InvalidCommand) as info:
        intervene(case, perpetrator_id, "public_shaming", None)
    assert info.value.field == "kind"


@pytest.mark.parametrize("kind", ["warning_letter", "injunction", "demotion"])
def test_a_staff_perpetrator_is_not_subject_to_tenancy_interventions(kind: str) -> None:
    case = allocated()
    perpetrator_id = identify(case, "staff")

    with refused(case, "5.11"):
        intervene(case, perpetrator_id, kind, "Housing Act 1988")


def test_a_staff_perpetrator_is_referred_to_the_disciplinary_route() -> None:
    case = allocated()
    perpetrator_id = identify(case, "staff")

    case.refer_staff_matter(
        subject_id=perpetrator_id, notes="Referred to HR", actor=OFFICER, at=later(5)
    )

    referred = last_event(case)
    assert isinstance(referred, ev.StaffMatterReferred)
    assert referred.subject_id == perpetrator_id


@pytest.mark.parametrize("link", ["tenant", "contractor", "visitor"])
def test_only_a_staff_perpetrator_is_referred_to_discipline(link: str) -> None:
    case = allocated()
    perpetrator_id = identify(case, link)

    with refused(case, "5.11"):
        case.refer_staff_matter(subject_id=perpetrator_id, actor=OFFICER, at=later(5))


def test_an_unidentified_person_is_not_referred_to_discipline() -> None:
    case = allocated()

    with refused(case, "5.11"):
        case.refer_staff_matter(subject_id=uuid4(), actor=OFFICER, at=later(5))
