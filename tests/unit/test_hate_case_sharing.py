"""HateCase: consent and sharing. Representatives (6.2, 6.3), disclosure to agencies (9.4),
police reports (9.2), multi-agency panels (9.3), support referrals (9.4) and safeguarding
concerns (8.2)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from domain.hate_case import HateCase
from domain.lawful_bases import refusal
from tests.unit.case_builders import (
    OFFICER,
    Stage,
    case_at,
    grant,
    identify,
    last_event,
    later,
    link_representative,
    raise_safeguarding,
    refused,
)


def allocated() -> HateCase:
    return case_at(Stage.ALLOCATED)


def disclose(case: HateCase, recipient: str, basis: str, **kwargs: Any) -> None:
    arguments: dict[str, Any] = {
        "recipient_name": "West Midlands Police",
        "what": "Summary of the incidents and the victim's contact details",
        "actor": OFFICER,
        "at": later(5),
    }
    arguments.update(kwargs)
    case.disclose(recipient=recipient, basis=basis, **arguments)


# --- consent -----------------------------------------------------------------------------


def test_consent_is_recorded_for_a_recipient_and_is_in_force() -> None:
    case = allocated()

    consent_id = grant(case, "police", form="verbal")

    granted = last_event(case)
    assert isinstance(granted, ev.ConsentGranted)
    assert (granted.consent_id, granted.recipient, granted.form) == (consent_id, "police", "verbal")
    assert granted.subject_id == case.victim_id
    assert [c.consent_id for c in case.consents_in_force()] == [consent_id]


def test_withdrawn_consent_is_no_longer_in_force() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    case.withdraw_consent(
        consent_id=consent_id, reason="Changed her mind", actor=OFFICER, at=later(1)
    )

    assert isinstance(last_event(case), ev.ConsentWithdrawn)
    assert case.consents_in_force() == []
    assert case.consents[consent_id].in_force is False


def test_withdrawing_consent_not_in_force_is_invalid() -> None:
    case = allocated()
    consent_id = grant(case, "police")
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(1))

    with pytest.raises(InvalidCommand) as info:
        case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(2))
    assert info.value.field == "consent_id"


def test_consent_names_its_recipient() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        grant(case, "police", recipient_name=" ")
    assert info.value.field == "recipient_name"


def test_an_unknown_recipient_names_the_field() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        grant(case, "tabloid_press")
    assert info.value.field == "recipient"


# --- representatives (6.2, 6.3) ----------------------------------------------------------


def test_verbal_consent_to_talk_to_a_representative_is_refused() -> None:
    case = allocated()
    representative_id = link_representative(case)

    with refused(case, "6.2"):
        grant(case, "representative", form="verbal", representative_id=representative_id)


def test_written_consent_to_talk_to_a_representative_is_recorded() -> None:
    case = allocated()
    representative_id = link_representative(case)

    grant(case, "representative", form="written", representative_id=representative_id)

    granted = last_event(case)
    assert (granted.form, granted.representative_id) == ("written", representative_id)


def test_consent_to_a_representative_names_one_linked_to_the_case() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        grant(case, "representative", representative_id=uuid4())
    assert info.value.field == "representative_id"


def test_telling_a_representative_without_consent_is_refused() -> None:
    case = allocated()
    representative_id = link_representative(case)

    with refused(case, "6.2"):
        disclose(case, "representative", "consent", representative_id=representative_id)


def test_telling_a_representative_with_written_consent_is_accepted() -> None:
    case = allocated()
    representative_id = link_representative(case)
    consent_id = grant(case, "representative", representative_id=representative_id)

    disclose(
        case,
        "representative",
        "consent",
        representative_id=representative_id,
        consent_id=consent_id,
    )

    disclosed = last_event(case)
    assert isinstance(disclosed, ev.InformationDisclosed)
    assert (disclosed.representative_id, disclosed.consent_id) == (representative_id, consent_id)


def test_consent_for_one_representative_does_not_cover_another() -> None:
    case = allocated()
    first = link_representative(case)
    second = link_representative(case)
    consent_id = grant(case, "representative", representative_id=first)

    with refused(case, "6.2"):
        disclose(case, "representative", "consent", representative_id=second, consent_id=consent_id)


def test_a_representative_is_not_told_on_a_safeguarding_basis() -> None:
    case = allocated()
    representative_id = link_representative(case)
    raise_safeguarding(case)

    with refused(case, "6.2"):
        disclose(case, "representative", "safeguarding", representative_id=representative_id)


def test_a_representative_is_no_longer_told_once_consent_is_withdrawn() -> None:
    case = allocated()
    representative_id = link_representative(case)
    consent_id = grant(case, "representative", representative_id=representative_id)
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(1))

    with refused(case, "6.2"):
        disclose(
            case,
            "representative",
            "consent",
            representative_id=representative_id,
            consent_id=consent_id,
        )


def test_a_third_party_reporter_is_told_only_once_linked_as_representative() -> None:
    reporter_id = uuid4()
    case = case_at(Stage.ALLOCATED, reporter_role="third_party", reporter_id=reporter_id)

    with pytest.raises(InvalidCommand) as info:
        disclose(case, "representative", "consent", representative_id=reporter_id)
    assert info.value.field == "representative_id"


@pytest.mark.parametrize("role", ["councillor", "mp"])
def test_a_councillor_or_mp_reporter_is_told_without_written_consent(role: str) -> None:
    reporter_id = uuid4()
    case = case_at(Stage.ALLOCATED, reporter_role=role, reporter_id=reporter_id)

    disclose(case, "representative", "consent", representative_id=reporter_id)

    disclosed = last_event(case)
    assert disclosed.representative_id == reporter_id
    assert disclosed.consent_id is None


def test_a_linked_elected_representative_is_told_without_written_consent() -> None:
    case = allocated()
    representative_id = link_representative(case, elected=True)

    disclose(case, "representative", "consent", representative_id=representative_id)

    assert last_event(case).representative_id == representative_id


def test_a_disclosure_to_a_representative_names_them() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        disclose(case, "representative", "consent")
    assert info.value.field == "representative_id"


# --- disclosure to other agencies (9.4) --------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "clause"),
    [("police", "9.2"), ("local_authority", "9.4"), ("support_agency", "9.4")],
)
def test_disclosure_to_an_agency_without_consent_is_refused(recipient: str, clause: str) -> None:
    case = allocated()

    with refused(case, clause):
        disclose(case, recipient, "consent")


@pytest.mark.parametrize("recipient", ["police", "local_authority", "support_agency"])
def test_disclosure_to_an_agency_with_its_consent_is_accepted(recipient: str) -> None:
    case = allocated()
    consent_id = grant(case, recipient)

    disclose(case, recipient, "consent", consent_id=consent_id)

    disclosed = last_event(case)
    assert (disclosed.recipient, disclosed.basis, disclosed.consent_id) == (
        recipient,
        "consent",
        consent_id,
    )
    assert disclosed.subjects == [case.victim_id]
    assert case.disclosure_count == 1


def test_consent_to_one_agency_does_not_cover_another() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    with refused(case, "9.4"):
        disclose(case, "local_authority", "consent", consent_id=consent_id)


def test_withdrawn_consent_stops_sharing() -> None:
    case = allocated()
    consent_id = grant(case, "local_authority")
    disclose(case, "local_authority", "consent", consent_id=consent_id)
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(10))

    with refused(case, "9.4"):
        disclose(case, "local_authority", "consent", consent_id=consent_id, at=later(11))


def test_disclosure_on_safeguarding_without_a_recorded_concern_is_refused() -> None:
    case = allocated()

    with refused(case, "9.4"):
        disclose(case, "local_authority", "safeguarding")


@pytest.mark.parametrize(
    "recipient", ["police", "local_authority", "multi_agency_panel", "support_agency"]
)
def test_a_safeguarding_concern_allows_telling_any_relevant_agency_linked_to_it(
    recipient: str,
) -> None:
    case = allocated()
    concern_id = raise_safeguarding(case)

    disclose(case, recipient, "safeguarding", concern_id=concern_id, recipient_name="Agency")

    disclosed = last_event(case)
    assert (disclosed.basis, disclosed.concern_id) == ("safeguarding", concern_id)


def test_a_disclosure_on_safeguarding_names_a_recorded_concern() -> None:
    case = allocated()
    raise_safeguarding(case)

    for concern_id in (None, "safeguarding-9"):
        with pytest.raises(InvalidCommand) as info:
            disclose(case, "police", "safeguarding", concern_id=concern_id)
        assert info.value.field == "concern_id"


def test_a_concern_id_belongs_to_the_safeguarding_basis_only() -> None:
    case = allocated()
    concern_id = raise_safeguarding(case)
    consent_id = grant(case, "police")

    with pytest.raises(InvalidCommand) as info:
        disclose(case, "police", "consent", consent_id=consent_id, concern_id=concern_id)
    assert info.value.field == "concern_id"


def test_disclosure_on_a_legal_obligation_must_name_the_law() -> None:
    case = allocated()

    with refused(case, "9.4"):
        disclose(case, "local_authority", "legal_obligation", legal_basis=" ")


def test_disclosure_on_a_named_legal_obligation_is_accepted() -> None:
    case = allocated()

    disclose(case, "police", "legal_obligation", legal_basis="Court order 2026/123")

    assert last_event(case).legal_basis == "Court order 2026/123"


def test_disclosure_about_someone_not_on_the_case_is_invalid() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    with pytest.raises(InvalidCommand) as info:
        disclose(case, "police", "consent", consent_id=consent_id, subjects=[uuid4()])
    assert info.value.field == "subjects"


def test_consent_to_one_support_agency_does_not_cover_disclosure_to_another() -> None:
    case = allocated()
    consent_id = grant(case, "support_agency", recipient_name="Victim Support")

    with refused(case, "9.4"):
        disclose(
            case, "support_agency", "consent", consent_id=consent_id, recipient_name="Stop Hate UK"
        )


# --- police reports (9.2) ----------------------------------------------------------------


def report_to_police(case: HateCase, basis: str, **kwargs: Any) -> None:
    case.report_to_police(basis=basis, actor=OFFICER, at=later(5), **kwargs)


def test_a_police_report_with_consent_identifies_the_victim() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    report_to_police(case, "consent", consent_id=consent_id, details="Full account")

    report = last_event(case)
    assert isinstance(report, ev.PoliceReportMade)
    assert (report.basis, report.consent_id, report.victim_identified) == (
        "consent",
        consent_id,
        True,
    )
    assert report.police_report_id == "police-1"


def test_a_police_report_on_consent_without_consent_is_refused() -> None:
    case = allocated()

    with refused(case, "9.2"):
        report_to_police(case, "consent")


def test_a_police_report_on_consent_given_to_another_recipient_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "local_authority")

    with refused(case, "9.2"):
        report_to_police(case, "consent", consent_id=consent_id)


def test_a_police_report_on_withdrawn_consent_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "police")
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(1))

    with refused(case, "9.2"):
        report_to_police(case, "consent", consent_id=consent_id)


def test_a_police_report_on_a_legal_obligation_must_name_it() -> None:
    case = allocated()

    with refused(case, "9.2"):
        report_to_police(case, "legal_obligation")


def test_a_police_report_on_a_named_legal_obligation_is_accepted() -> None:
    case = allocated()

    report_to_police(case, "legal_obligation", legal_basis="Crime and Disorder Act 1998 s.115")

    assert last_event(case).legal_basis == "Crime and Disorder Act 1998 s.115"


@pytest.mark.parametrize(
    "share",
    [
        lambda case: report_to_police(case, "consent"),
        lambda case: report_to_police(case, "legal_obligation"),
        lambda case: disclose(case, "police", "consent"),
        lambda case: disclose(case, "police", "safeguarding"),
        lambda case: disclose(case, "police", "legal_obligation"),
    ],
    ids=[
        "report-no-consent",
        "report-no-law-named",
        "disclose-no-consent",
        "disclose-no-concern",
        "disclose-no-law-named",
    ],
)
def test_every_refusal_to_share_with_the_police_names_9_2(share: Any) -> None:
    """One rule, one clause (`domain.lawful_bases.sharing_clause`): the police are told as a
    Third-Party Reporting Centre tells them (9.2), whichever command asks; the sharing view
    names the same clause."""
    case = allocated()

    with refused(case, "9.2"):
        share(case)
    assert refusal("police").clause == "9.2"


VICTIM_DETAILS = {
    "name": "Amina Begum",
    "address": "4 Elm Court, Sparkbrook",
    "phone": "07700 900123",
    "date_of_birth": "1980-02-01",
}


@pytest.mark.parametrize(
    ("details", "named"),
    [
        ("Amina Begum was sworn at by the bins", "name"),
        ("A woman (Begum) was sworn at", "name"),
        ("Abuse shouted at 4 elm court,  sparkbrook", "address"),
        ("Call her on 07700900123", "phone"),
    ],
)
def test_anonymous_intelligence_holding_the_victims_details_is_refused(
    details: str, named: str
) -> None:
    case = allocated()

    with refused(case, "9.2") as info:
        report_to_police(
            case, "anonymous_intelligence", details=details, victim_details=VICTIM_DETAILS
        )
    assert named in info.value.message


def test_anonymous_intelligence_passes_on_what_happened_word_for_word() -> None:
    case = allocated()
    what = "Racist abuse shouted at a woman by the bins of a block in Sparkbrook, 9 March, 21:00"

    report_to_police(
        case,
        "anonymous_intelligence",
        details=what,
        victim_details=VICTIM_DETAILS,
        police_reference="REPORT-IT-991",
    )

    report = last_event(case)
    assert report.victim_identified is False
    assert report.details.value == what
    assert report.consent_id is None


def test_anonymous_intelligence_records_what_was_passed_on() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        report_to_police(case, "anonymous_intelligence", details=" ")
    assert info.value.field == "details"


def test_a_consent_id_on_a_report_not_made_on_consent_is_invalid() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    with pytest.raises(InvalidCommand) as info:
        report_to_police(case, "anonymous_intelligence", consent_id=consent_id)
    assert info.value.field == "consent_id"


# --- multi-agency panel (9.3) ------------------------------------------------------------


def refer_to_panel(case: HateCase, consent_id: str | None, **kwargs: Any) -> None:
    case.refer_to_multi_agency_panel(
        panel="Birmingham MARAC",
        consent_id=consent_id,
        reason="Repeat targeting, children affected",
        actor=OFFICER,
        at=later(5),
        **kwargs,
    )


def test_a_multi_agency_referral_without_agreement_is_refused() -> None:
    case = allocated()

    with refused(case, "9.3"):
        refer_to_panel(case, None)


def test_a_multi_agency_referral_on_consent_to_another_recipient_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    with refused(case, "9.3"):
        refer_to_panel(case, consent_id)


def test_a_multi_agency_referral_with_agreement_is_recorded() -> None:
    case = allocated()
    consent_id = grant(case, "multi_agency_panel", recipient_name="Birmingham MARAC")

    refer_to_panel(case, consent_id)

    referral = last_event(case)
    assert isinstance(referral, ev.MultiAgencyReferralMade)
    assert (referral.panel, referral.consent_id) == ("Birmingham MARAC", consent_id)
    assert case.multi_agency_referral_count == 1


def test_a_multi_agency_referral_on_a_safeguarding_concern_is_recorded_linked_to_it() -> None:
    case = allocated()
    concern_id = raise_safeguarding(case)

    refer_to_panel(case, None, basis="safeguarding", concern_id=concern_id)

    referral = last_event(case)
    assert (referral.basis, referral.concern_id, referral.consent_id) == (
        "safeguarding",
        concern_id,
        None,
    )


def test_a_multi_agency_referral_rests_on_agreement_or_safeguarding_only() -> None:
    case = allocated()

    with refused(case, "9.3"):
        refer_to_panel(case, None, basis="legal_obligation")


def test_a_multi_agency_referral_after_consent_is_withdrawn_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "multi_agency_panel", recipient_name="Birmingham MARAC")
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(1))

    with refused(case, "9.3"):
        refer_to_panel(case, consent_id)


# --- support referral (8.1, 9.4) ---------------------------------------------------------


def refer_for_support(
    case: HateCase, consent_id: str | None, agency: str = "Victim Support", **kwargs: Any
) -> str:
    return case.refer_for_support(
        agency=agency, consent_id=consent_id, actor=OFFICER, at=later(5), **kwargs
    )


def test_a_support_referral_without_consent_is_refused() -> None:
    case = allocated()

    with refused(case, "9.4"):
        refer_for_support(case, None)


def test_a_support_referral_on_consent_to_another_recipient_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "police")

    with refused(case, "9.4"):
        refer_for_support(case, consent_id)


def test_a_support_referral_with_consent_is_recorded() -> None:
    case = allocated()
    consent_id = grant(case, "support_agency", recipient_name="Victim Support")

    referral_id = refer_for_support(case, consent_id)

    referral = last_event(case)
    assert isinstance(referral, ev.SupportReferralMade)
    assert (referral.referral_id, referral.agency, referral.consent_id) == (
        referral_id,
        "Victim Support",
        consent_id,
    )
    assert (referral.subject_id, referral.basis) == (case.victim_id, "consent")


def test_a_support_referral_on_a_safeguarding_concern_is_recorded_linked_to_it() -> None:
    case = allocated()
    concern_id = raise_safeguarding(case)

    refer_for_support(case, None, basis="safeguarding", concern_id=concern_id)

    referral = last_event(case)
    assert (referral.basis, referral.concern_id) == ("safeguarding", concern_id)


def test_a_support_referral_after_consent_is_withdrawn_is_refused() -> None:
    case = allocated()
    consent_id = grant(case, "support_agency", recipient_name="Victim Support")
    case.withdraw_consent(consent_id=consent_id, actor=OFFICER, at=later(1))

    with refused(case, "9.4"):
        refer_for_support(case, consent_id)


def test_consent_to_one_support_agency_does_not_cover_a_referral_to_another() -> None:
    case = allocated()
    consent_id = grant(case, "support_agency", recipient_name="Victim Support")

    with refused(case, "9.4"):
        refer_for_support(case, consent_id, agency="Stop Hate UK")


# --- support for alleged perpetrators (5.9): their consent, never the victim's -----------

PERPETRATOR_AGENCY = "Change Grow Live"


def perpetrators_consent(case: HateCase, perpetrator_id: Any) -> str:
    return case.grant_consent(
        recipient="support_agency",
        recipient_name=PERPETRATOR_AGENCY,
        form="verbal",
        subject_id=perpetrator_id,
        evidence_reference="Agreed at the warning interview",
        actor=OFFICER,
        at=later(1),
    )


def test_a_perpetrators_referral_on_the_victims_consent_is_refused() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")
    victims = grant(case, "support_agency", recipient_name=PERPETRATOR_AGENCY)

    with refused(case, "5.9"):
        refer_for_support(case, victims, PERPETRATOR_AGENCY, subject_id=perpetrator_id)


def test_a_perpetrators_referral_on_their_own_consent_is_recorded_under_their_key() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")
    consent_id = perpetrators_consent(case, perpetrator_id)

    refer_for_support(
        case,
        consent_id,
        PERPETRATOR_AGENCY,
        subject_id=perpetrator_id,
        notes="Alcohol support; agreed to attend",
        victim_details=VICTIM_DETAILS,
    )

    granted: Any
    referral: Any
    granted, referral = case.collect_events()[-2:]
    assert (granted.subject_id, granted.evidence_reference.subject_id) == (
        perpetrator_id,
        perpetrator_id,
    )
    assert (referral.subject_id, referral.consent_id) == (perpetrator_id, consent_id)
    assert referral.notes.subject_id == perpetrator_id


def test_a_perpetrators_referral_never_carries_the_victims_details() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")
    consent_id = perpetrators_consent(case, perpetrator_id)

    with refused(case, "5.9") as info:
        refer_for_support(
            case,
            consent_id,
            PERPETRATOR_AGENCY,
            subject_id=perpetrator_id,
            notes="Shouted at Amina Begum again last week",
            victim_details=VICTIM_DETAILS,
        )
    assert "name" in info.value.message


def test_a_perpetrators_consent_never_lets_the_victims_information_go() -> None:
    case = allocated()
    consent_id = perpetrators_consent(case, identify(case, "tenant"))

    with refused(case, "9.4"):
        disclose(
            case,
            "support_agency",
            "consent",
            consent_id=consent_id,
            recipient_name=PERPETRATOR_AGENCY,
        )
    with refused(case, "9.4"):
        refer_for_support(case, consent_id, PERPETRATOR_AGENCY)


def test_someone_other_than_the_victim_consents_only_to_their_own_support() -> None:
    case = allocated()
    perpetrator_id = identify(case, "tenant")

    with refused(case, "5.9, 9.4"):
        case.grant_consent(
            recipient="police",
            recipient_name="West Midlands Police",
            form="written",
            subject_id=perpetrator_id,
            actor=OFFICER,
            at=later(),
        )


# --- safeguarding (8.2) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "referred_to", [["police"], ["local_authority"], ["police", "local_authority"]]
)
def test_a_safeguarding_concern_is_referred_to_police_or_local_authority(
    referred_to: list[str],
) -> None:
    case = allocated()

    raise_safeguarding(case, referred_to)

    concern = last_event(case)
    assert isinstance(concern, ev.SafeguardingConcernRaised)
    assert concern.referred_to == referred_to
    assert case.safeguarding_concerns == ["safeguarding-1"]


@pytest.mark.parametrize("referred_to", [[], ["support_agency"], ["police", "representative"]])
def test_a_safeguarding_concern_referred_elsewhere_is_refused(referred_to: list[str]) -> None:
    case = allocated()

    with refused(case, "8.2"):
        raise_safeguarding(case, referred_to)


def test_a_safeguarding_concern_is_about_an_adult_or_a_child() -> None:
    case = allocated()

    with pytest.raises(InvalidCommand) as info:
        case.raise_safeguarding_concern(
            about="pet", referred_to=["police"], details="x", actor=OFFICER, at=later()
        )
    assert info.value.field == "about"
