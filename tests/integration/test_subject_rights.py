"""Subject access, rectification and erasure against real storage, on SQLite and PostgreSQL.

The case has a victim, an alleged perpetrator, a police report, a safeguarding concern and a
disclosure; each person's export shows their own data, redacts the other's, and lists what
was withheld. Erasure leaves every stored event byte for byte as it was, and no plaintext
of the person anywhere in the database files or tables; the integrity log still verifies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from application.actors import Actor
from application.commands.consent_and_sharing import (
    Disclose,
    GrantConsent,
    RaiseSafeguardingConcern,
    ReportToPolice,
)
from application.commands.people import PersonDetails
from application.commands.perpetrators import IdentifyPerpetrator
from application.commands.reporting import AddPerson
from application.commands.victim_care import AssessRisk
from application.errors import ConcurrentChange
from application.exports.reading import day, when
from application.integrity.verify import verify_log
from domain.errors import InvalidCommand, PolicyViolation
from domain.personal import ERASED_MARK
from domain.vocabulary import (
    Channel,
    ConsentForm,
    DisclosureBasis,
    Form,
    PerpetratorLink,
    PoliceReportBasis,
    Recipient,
    SafeguardingSubject,
    StaffRole,
    Strand,
    SubjectRole,
)
from interface.config import Services
from interface.demo import ANSWERS_STANDARD
from projections.subject_index import rows_for
from tests.cases import DESCRIPTION, VICTIM_NAME, act, allocate, allocated, contact, report
from tests.conftest import OFFICER, PG, Clock

DPO = Actor("d.protection", StaffRole.DPO, "governance")
PERPETRATOR_NAME = "Gary Stonebridge-Vex"
PERPETRATOR_NOTES = "Lives at number 12, seen by the bins"
CONTACT_SUMMARY = "Zainab says the abuse continues"
CORRECTED_NAME = "Zainab Quorindale-Achebe"


@dataclass(frozen=True)
class Scenario:
    case_id: UUID
    victim_id: UUID
    perpetrator_id: UUID


def scenario(services: Services) -> Scenario:
    case = allocated(services)
    victim_id = case.victim_id
    assert victim_id is not None
    identified = services.ledger.execute(
        case.id,
        IdentifyPerpetrator(
            link=PerpetratorLink.TENANT,
            details=PersonDetails(name=PERPETRATOR_NAME, tenancy_reference="T-48213"),
            notes=PERPETRATOR_NOTES,
        ),
        actor=OFFICER,
        seen_version=case.version,
    )
    case = contact(services, identified.case, summary=CONTACT_SUMMARY)
    for command in (
        GrantConsent(
            recipient=Recipient.POLICE,
            recipient_name="West Midlands Police",
            form=ConsentForm.WRITTEN,
        ),
        ReportToPolice(
            basis=PoliceReportBasis.CONSENT,
            consent_id="consent-1",
            police_reference="20/123456/26",
            details="Reported the slurs",
        ),
        RaiseSafeguardingConcern(
            about=SafeguardingSubject.CHILD,
            referred_to=(Recipient.LOCAL_AUTHORITY,),
            details="The children are afraid",
        ),
        Disclose(
            recipient=Recipient.LOCAL_AUTHORITY,
            recipient_name="Birmingham City Council",
            basis=DisclosureBasis.LEGAL_OBLIGATION,
            legal_basis="Crime and Disorder Act 1998 s. 115",
            what="Incident summary for the council",
        ),
    ):
        case = act(services, case, OFFICER, command)
    return Scenario(case.id, victim_id, identified.result)


def _titles(export: dict[str, Any]) -> list[str]:
    return [e["what"] for case in export["cases"] for e in case["events"]]


def _answered(rights: Any, subject_id: UUID) -> tuple[UUID, dict[str, Any]]:
    request = rights.receive_access_request(DPO, subject_id)
    return request.id, rights.export(DPO, subject_id, request.id)


def test_the_victim_sees_their_whole_case_and_nothing_is_withheld_by_default(
    services: Services,
) -> None:
    s = scenario(services)
    case = services.ledger.case_for(OFFICER, s.case_id)
    act(services, case, OFFICER, AssessRisk(answers=ANSWERS_STANDARD))
    rights = services.subject_rights
    _, victim = _answered(rights, s.victim_id)
    text = json.dumps(victim)

    assert victim["your details"]["details"] == [f"Name: {VICTIM_NAME}", "Phone: 07700 900111"]
    assert DESCRIPTION in text and CONTACT_SUMMARY in text
    assert PERPETRATOR_NAME not in text and "T-48213" not in text
    [case] = victim["cases"]
    assert case["your part"] == "victim"
    titles = _titles(victim)
    # every event of their case, their risk assessment (answers about them) included
    assert len(titles) == services.ledger.case_for(OFFICER, s.case_id).version
    assert "Risk assessed: standard risk" in titles
    assert {"Reported to the police", "Safeguarding concern raised"} <= set(titles)
    assert victim["information withheld"]["items"] == []
    perpetrator = next(e for e in case["events"] if e["what"] == "Alleged perpetrator identified")
    assert perpetrator["details"]["Person"] == "alleged perpetrator 1"
    shared = {d["what"] for d in victim["who we shared your information with"]}
    assert shared == {"Reported to the police", "Information shared with Birmingham City Council"}
    assert victim["your request"]["answer due by"]
    assert victim["draft"] is True


def test_a_note_about_the_requester_is_theirs_and_other_people_are_removed_and_counted(
    services: Services,
) -> None:
    s = scenario(services)
    _, perpetrator = _answered(services.subject_rights, s.perpetrator_id)
    text = json.dumps(perpetrator)
    assert perpetrator["your details"]["details"][0] == f"Name: {PERPETRATOR_NAME}"
    [case] = perpetrator["cases"]
    assert case["your part"] == "alleged perpetrator"
    # what he is alleged to have done is his data too, without the victim's name or details
    reported, identified = case["events"]
    assert reported["what"] == "Report received"
    assert reported["details"]["Victim"] == "victim 1"
    assert reported["details"]["What happened"] == DESCRIPTION.replace("Quorindale", "[victim 1]")
    assert "Quorindale" not in text and "07700 900111" not in text
    assert CONTACT_SUMMARY not in text and "The children are afraid" not in text
    assert identified["details"]["Notes"] == PERPETRATOR_NOTES  # about him: never "another's"
    assert "another person" not in text
    removed = perpetrator["information about other people"]
    assert removed["items removed"] == 1


def test_the_dpo_withholds_item_by_item_and_the_export_reveals_only_what_it_may(
    services: Services,
) -> None:
    s = scenario(services)
    rights = services.subject_rights
    request_id, _ = _answered(rights, s.victim_id)
    items = {i["what"]: i["item"] for i in rights.review(DPO, s.victim_id, request_id).items}
    rights.withhold(
        DPO,
        s.victim_id,
        request_id,
        item=items["Safeguarding concern raised"],
        exemption="crime",
        reasons="Council investigating; telling could prejudice it",
    )
    rights.withhold(
        DPO,
        s.victim_id,
        request_id,
        item=items["Reported to the police"],
        exemption="crime",
        reasons="Police asked us to hold it",
        told=True,
    )
    export = rights.export(DPO, s.victim_id, request_id)
    text = json.dumps(export)
    assert "Safeguarding concern raised" not in text and "The children are afraid" not in text
    assert "Reported the slurs" not in text
    [told] = export["information withheld"]["items"]
    assert told["what"] == "Reported to the police" and "Sch 2 para 2" in told["why"]
    assert "when" not in told  # not dated
    assert "Reported to the police" not in {
        d["what"] for d in export["who we shared your information with"]
    }
    request = rights.release(
        DPO,
        s.victim_id,
        request_id,
        item=items["Safeguarding concern raised"],
        reasons="Investigation closed",
    )
    assert list(request.withheld) == [items["Reported to the police"]]
    assert "Safeguarding concern raised" in _titles(rights.export(DPO, s.victim_id, request_id))
    with pytest.raises(InvalidCommand, match="no such item"):
        rights.withhold(
            DPO,
            s.victim_id,
            request_id,
            item=f"{s.case_id}:999",
            exemption="crime",
            reasons="x",
        )


def test_rectification_shows_the_corrected_details_and_keeps_the_old(services: Services) -> None:
    s = scenario(services)
    rights = services.subject_rights
    request, _ = rights.rectify(
        DPO, s.victim_id, details={"name": CORRECTED_NAME}, reason="Surname misspelt"
    )
    assert request.kind == "rectification" and request.completed_at is not None
    details = services.ledger.subject(s.victim_id).details
    assert details is not None
    assert details.value["name"] == CORRECTED_NAME
    export = rights.export(DPO, s.victim_id)
    assert export["your details"]["details"] == [f"Name: {CORRECTED_NAME}", "Phone: 07700 900111"]
    recorded, rectified = export["history of your record"]
    assert f"Name: {VICTIM_NAME}" in recorded["details"]["Details"]  # the audit keeps the old
    assert f"Name: {CORRECTED_NAME}" in rectified["details"]["Details now"]
    assert rectified["details"]["Reason"] == "Surname misspelt"
    [asked] = export["your requests"]
    assert asked["what you asked for"] == "to correct your details"


def _raw_storage(engine_env: dict[str, str]) -> bytes:
    if engine_env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        files = Path(engine_env["SQLITE_DBNAME"]).parent.glob("caseledger.db*")
        return b"".join(p.read_bytes() for p in files)  # the file, its -wal and -shm
    schema = engine_env["POSTGRES_SCHEMA"]
    raw = b""
    with psycopg.connect(**PG) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        assert {"caseledger_events", "view_subject_index", "view_access_log"} <= {
            t[0] for t in tables
        }
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM {schema}."{table}"'):
                raw += b"".join(v if isinstance(v, bytes) else repr(v).encode() for v in row)
    return raw


def test_erasure_keeps_the_events_and_leaves_no_plaintext(
    services: Services, engine_env: dict[str, str]
) -> None:
    s = scenario(services)
    ledger, rights = services.ledger, services.subject_rights
    rights.rectify(DPO, s.victim_id, details={"name": CORRECTED_NAME}, reason="Misspelt")
    rights.export(DPO, s.victim_id)
    services.access_log.record(
        DPO, route="test", purpose="subject_request", purpose_stated=False, subject_id=s.victim_id
    )
    stored_before = {
        originator: [e.state for e in ledger.recorder.select_events(originator)]
        for originator in (s.case_id, s.victim_id)
    }
    planted = [VICTIM_NAME, CORRECTED_NAME, DESCRIPTION, CONTACT_SUMMARY, "07700 900111"]
    services.integrity.checkpoint()  # signed over the events as they were before erasure
    assert VICTIM_NAME.encode() in json.dumps(rights.export(DPO, s.victim_id)).encode()

    request, subject = rights.request_erasure(
        DPO,
        s.victim_id,
        outcome="carried_out",
        ground="consent_withdrawn",
        ground_claimed="consent_withdrawn",
    )
    assert subject.erased and request.outcome == "carried_out"
    assert ledger.key_store.is_destroyed(s.victim_id)

    # the events are all still there, byte for byte: hashes over them still verify
    assert [e.state for e in ledger.recorder.select_events(s.case_id)] == stored_before[s.case_id]
    after = [e.state for e in ledger.recorder.select_events(s.victim_id)]
    assert after[: len(stored_before[s.victim_id])] == stored_before[s.victim_id]
    assert len(after) == len(stored_before[s.victim_id]) + 1  # SubjectErased
    verified = verify_log(services.integrity)
    assert verified.ok, verified.summary()

    # every view shows the person as erased
    case = ledger.case_for(OFFICER, s.case_id)
    assert case.description is not None and case.description.shown() == ERASED_MARK
    export = rights.export(DPO, s.victim_id)
    assert export["your details"]["erased"] is True
    assert export["your details"]["details"] == []
    text = json.dumps(export) + json.dumps(rights.export(DPO, s.perpetrator_id))
    for secret in planted:
        assert secret not in text
    perpetrator = rights.export(DPO, s.perpetrator_id)["your details"]["details"]
    assert perpetrator[0] == f"Name: {PERPETRATOR_NAME}"

    # and no plaintext of theirs is left anywhere in storage, views included
    services.runner.catch_up()
    raw = _raw_storage(engine_env)
    assert b"Crime and Disorder Act 1998" in raw  # what is not personal is there to find
    for secret in planted:
        assert secret.encode() not in raw, secret

    with pytest.raises(PolicyViolation):
        rights.request_erasure(DPO, s.victim_id, outcome="carried_out", ground="objection")


def test_a_refused_erasure_records_its_ground_and_keeps_the_data(services: Services) -> None:
    s = scenario(services)
    request, subject = services.subject_rights.request_erasure(
        DPO,
        s.perpetrator_id,
        outcome="refused",
        ground="legal_claims",
        reasons="Evidence for the possession claim",
    )
    assert (request.outcome, request.ground) == ("refused", "legal_claims")
    assert not subject.erased
    assert not services.ledger.key_store.is_destroyed(s.perpetrator_id)
    export = services.subject_rights.export(DPO, s.perpetrator_id)
    assert export["your details"]["details"][0] == f"Name: {PERPETRATOR_NAME}"
    [entry] = export["your requests"]
    refused = entry["history"][-1]
    assert refused["what"] == "Erasure refused"
    assert refused["details"]["Ground"] == ("it is needed for legal claims (UK GDPR art. 17(3)(e))")
    assert refused["details"]["Reasons"] == "Evidence for the possession claim"


def test_the_subject_index_rebuilds_to_the_same_rows(services: Services) -> None:
    s = scenario(services)
    services.subject_rights.receive_access_request(DPO, s.victim_id)
    runner = services.runner
    runner.catch_up("subject_index")

    def rows(subject_id: UUID) -> list[Any]:
        with runner.store.reading() as cursor:
            return rows_for(cursor, subject_id)

    before = {who: rows(who) for who in (s.victim_id, s.perpetrator_id)}
    assert {r.role for r in before[s.victim_id]} >= {"victim", "data_subject", "requester"}
    assert [r.role for r in before[s.perpetrator_id] if r.kind == "case"] == ["perpetrator"]
    runner.rebuild("subject_index")
    assert {who: rows(who) for who in before} == before


def test_one_person_in_three_cases_sees_their_parts_and_nobody_elses(services: Services) -> None:
    """Victim in one case, witness in a second, alleged perpetrator in a third: one record."""
    ledger = services.ledger
    person = "Jordan Three-Cases"
    first = report(
        services,
        person,
        description="Slurs at the bus stop",
        victim=PersonDetails(name=person),
    )
    assert first.victim_id is not None
    first = allocate(services, first)  # the officer links them: a case of theirs has them
    second = allocated(services)
    known = first.victim_id
    witness = ledger.execute(
        second.id,
        AddPerson(role=SubjectRole.WITNESS, subject_id=known),
        actor=OFFICER,
        seen_version=second.version,
    ).result
    third = report(
        services,
        channel=Channel.EMAIL,
        description="Eggs thrown",
        strands=(Strand.RELIGION_OR_BELIEF,),
        forms=(Form.VANDALISM,),
        victim=PersonDetails(name="Other Victim"),
    )
    third = allocate(services, third)
    perpetrator = ledger.execute(
        third.id,
        IdentifyPerpetrator(link=PerpetratorLink.VISITOR, subject_id=known),
        actor=OFFICER,
        seen_version=third.version,
    ).result
    assert witness == perpetrator == first.victim_id

    export = services.subject_rights.export(DPO, first.victim_id)
    text = json.dumps(export)
    parts = {case["reference"]: case["your part"] for case in export["cases"]}
    assert parts == {
        first.reference: "victim",
        second.reference: "witness",
        third.reference: "alleged perpetrator",
    }
    assert export["your details"]["details"] == [f"Name: {person}"]
    assert "Slurs at the bus stop" in text  # their own case's free text
    assert "Eggs thrown" in text  # what they are alleged to have done
    for someone_else in (VICTIM_NAME, DESCRIPTION, "Other Victim"):
        assert someone_else not in text


def _rival_saves_first(
    services: Services, monkeypatch: pytest.MonkeyPatch, rival: Callable[[], object]
) -> None:
    """The next DPO action reads the person, then `rival` saves a change before it can."""
    load = services.ledger.subject
    raced: list[bool] = []

    def read_then_lose_the_race(subject_id: UUID) -> Any:
        found = load(subject_id)
        if not raced:
            raced.append(True)
            rival()
        return found

    monkeypatch.setattr(services.ledger, "subject", read_then_lose_the_race)


def test_a_dpo_action_that_loses_a_race_is_decided_again_on_the_latest_state(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scenario(services)
    rights = services.subject_rights
    _rival_saves_first(
        services,
        monkeypatch,
        lambda: rights.rectify(
            DPO, s.victim_id, details={"phone": "07700 900222"}, reason="New number"
        ),
    )
    rights.rectify(DPO, s.victim_id, details={"name": CORRECTED_NAME}, reason="Misspelt")
    details = services.ledger.subject(s.victim_id).details
    assert details is not None
    assert details.value == {"name": CORRECTED_NAME, "phone": "07700 900222"}  # neither lost


def test_an_erasure_that_loses_the_race_to_another_erasure_is_refused_not_an_error(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scenario(services)
    rights = services.subject_rights

    def erase() -> object:
        return rights.request_erasure(
            DPO, s.perpetrator_id, outcome="carried_out", ground="consent_withdrawn"
        )

    _rival_saves_first(services, monkeypatch, erase)
    with pytest.raises(PolicyViolation, match="already been erased"):
        erase()
    assert services.ledger.subject(s.perpetrator_id).erased


def test_a_dpo_action_that_keeps_losing_saves_nothing_and_says_so(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = scenario(services)
    rights = services.subject_rights
    head = services.ledger.recorder.max_notification_id()

    def always_second(*aggregates: Any, **kwargs: Any) -> Any:
        raise IntegrityError("another version was saved first")

    monkeypatch.setattr(services.ledger, "save", always_second)
    with pytest.raises(ConcurrentChange):
        rights.rectify(DPO, s.victim_id, details={"name": CORRECTED_NAME}, reason="Misspelt")
    assert services.ledger.recorder.max_notification_id() == head


def test_the_export_states_the_request_its_due_date_and_its_extension(
    services: Services, clock: Clock
) -> None:
    s = scenario(services)
    rights = services.subject_rights
    request = rights.receive_access_request(DPO, s.victim_id)
    clock.advance(timedelta(days=3))
    extended = rights.extend(DPO, s.victim_id, request.id, reasons="Records across six cases")
    export = rights.export(DPO, s.victim_id, request.id)
    asked = export["your request"]
    assert asked["what you asked for"] == "a copy of your data"
    assert asked["received"] == when(request.received_at)
    assert asked["answer due by"] == day(extended.due_on)
    assert asked["extended"] == "yes, by two further months (UK GDPR art. 12(3))"
    [history] = [r["history"] for r in export["your requests"]]
    assert history[-1]["what"] == "Time to answer extended (UK GDPR art. 12(3))"
    assert history[-1]["details"]["Reasons"] == "Records across six cases"
