"""The consent-gated sharing view: what each recipient may see now, or as of a past moment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application.commands.consent_and_sharing import (
    Disclose,
    GrantConsent,
    RaiseSafeguardingConcern,
    WithdrawConsent,
)
from application.commands.people import PersonDetails
from application.commands.perpetrators import IdentifyPerpetrator
from application.commands.victim_care import ReferForSupport
from domain.vocabulary import (
    ConsentForm,
    DisclosureBasis,
    PerpetratorLink,
    Recipient,
    ReporterRole,
    SafeguardingSubject,
)
from interface.config import Services
from tests.cases import act, allocate, report
from tests.conftest import OFFICER, Clock

WMP = "West Midlands Police"


def stop_hate_consent(form: ConsentForm) -> GrantConsent:
    return GrantConsent(
        recipient=Recipient.SUPPORT_AGENCY, recipient_name="Stop Hate UK", form=form
    )


def _recipient(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in view["recipients"] if r["recipient"] == name)


def test_sharing_follows_consent_and_safeguarding_over_time(
    services: Services, clock: Clock
) -> None:
    case = allocate(services, report(services))
    before = clock.now
    clock.advance(timedelta(hours=1))
    to_police = Recipient.POLICE
    case = act(
        services,
        case,
        OFFICER,
        GrantConsent(recipient=to_police, recipient_name=WMP, form=ConsentForm.VERBAL),
    )
    with_consent = clock.now
    clock.advance(timedelta(hours=1))
    case = act(
        services,
        case,
        OFFICER,
        Disclose(
            recipient=to_police,
            recipient_name=WMP,
            basis=DisclosureBasis.CONSENT,
            consent_id="consent-1",
            what="Incident log",
        ),
    )
    clock.advance(timedelta(hours=1))
    case = act(services, case, OFFICER, WithdrawConsent(consent_id="consent-1"))
    clock.advance(timedelta(hours=1))
    concern = RaiseSafeguardingConcern(
        about=SafeguardingSubject.CHILD,
        referred_to=(Recipient.LOCAL_AUTHORITY,),
        details="Child frightened to go to school",
    )
    case = act(services, case, OFFICER, concern)
    clock.advance(timedelta(hours=1))
    to_adult_care = Disclose(
        recipient=Recipient.SUPPORT_AGENCY,
        recipient_name="Barnardo's",
        basis=DisclosureBasis.SAFEGUARDING,
        concern_id="safeguarding-1",
        what="The risk to the child",
    )
    act(services, case, OFFICER, to_adult_care)

    then = services.sharing.for_case(OFFICER, case.id, as_of=before)
    assert not _recipient(then, "police")["may_share"]
    assert _recipient(then, "police")["anonymous_intelligence_only"]

    consented = services.sharing.for_case(OFFICER, case.id, as_of=with_consent)
    police = _recipient(consented, "police")
    assert police["bases"] == ["consent"]
    assert [c["consent_id"] for c in police["consents_in_force"]] == ["consent-1"]
    assert not _recipient(consented, "local_authority")["may_share"]

    now = services.sharing.for_case(OFFICER, case.id)
    assert now["safeguarding_concern_recorded"]
    assert _recipient(now, "police")["bases"] == ["safeguarding"]
    assert _recipient(now, "local_authority")["bases"] == ["safeguarding"]
    # 9.4: any relevant agency may be told on a recorded safeguarding concern
    assert _recipient(now, "support_agency")["bases"] == ["safeguarding"]
    assert _recipient(now, "multi_agency_panel")["bases"] == ["safeguarding"]
    assert now["safeguarding_concerns"] == ["safeguarding-1"]
    support = _recipient(now, "support_agency")
    assert support["safeguarding_concerns"] == ["safeguarding-1"]
    assert [(d["basis"], d["concern_id"]) for d in support["disclosures"]] == [
        ("safeguarding", "safeguarding-1")
    ]
    assert [d["disclosure_id"] for d in _recipient(now, "police")["disclosures"]] == [
        "disclosure-1"
    ]


def test_the_sharing_view_rebuilds_to_the_same_answer(services: Services, clock: Clock) -> None:
    case = allocate(services, report(services))
    act(services, case, OFFICER, stop_hate_consent(ConsentForm.WRITTEN))
    before = services.sharing.for_case(OFFICER, case.id)
    services.runner.rebuild("sharing")
    assert services.sharing.for_case(OFFICER, case.id) == before


def test_one_recipient_gets_the_view_or_the_refusal_naming_the_clause(
    services: Services, clock: Clock
) -> None:
    case = allocate(services, report(services))
    refused = services.sharing.for_recipient(OFFICER, case.id, "multi_agency_panel")
    assert refused["may_share"] is False
    assert refused["refusal"]["policy_clause"] == "9.3"
    act(services, case, OFFICER, stop_hate_consent(ConsentForm.VERBAL))
    named = services.sharing.for_recipient(OFFICER, case.id, "support_agency", name="stop hate uk")
    assert named["bases"] == ["consent"] and named["refusal"] is None
    other = services.sharing.for_recipient(
        OFFICER, case.id, "support_agency", name="Victim Support"
    )
    assert other["refusal"]["policy_clause"] == "9.4"


def test_an_elected_representative_needs_no_written_consent(services: Services) -> None:
    case = report(
        services,
        reporter_role=ReporterRole.COUNCILLOR,
        reporter=PersonDetails(name="Cllr Test"),
    )
    case = allocate(services, case)
    assert case.reporter_id is not None
    view = services.sharing.for_recipient(
        OFFICER, case.id, "representative", representative_id=case.reporter_id
    )
    assert view["bases"] == ["elected_representative"]
    whole = services.sharing.for_case(OFFICER, case.id)
    reps = [r for r in whole["recipients"] if r["recipient"] == "representative"]
    assert [r["representative_id"] for r in reps] == [str(case.reporter_id)]


def test_a_perpetrators_own_consent_never_opens_the_case_to_an_agency(
    services: Services,
) -> None:
    case = allocate(services, report(services))
    identified = services.ledger.execute(
        case.id,
        IdentifyPerpetrator(link=PerpetratorLink.TENANT, details=PersonDetails(name="Gary Stone")),
        actor=OFFICER,
        seen_version=case.version,
    )
    perpetrator = identified.result
    consent = GrantConsent(
        recipient=Recipient.SUPPORT_AGENCY,
        recipient_name="Change Grow Live",
        form=ConsentForm.VERBAL,
        subject_id=perpetrator,
    )
    case = act(services, identified.case, OFFICER, consent)
    referral = ReferForSupport(
        agency="Change Grow Live",
        consent_id="consent-1",
        subject_id=perpetrator,
        notes="Agreed to alcohol support",
    )
    act(services, case, OFFICER, referral)

    support = _recipient(services.sharing.for_case(OFFICER, case.id), "support_agency")
    assert support["may_share"] is False  # the victim's information: only their consent
    assert support["consents_in_force"] == []
