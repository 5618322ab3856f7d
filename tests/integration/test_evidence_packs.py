"""Evidence packs: produced, rebuilt byte for byte, verified, and caught when altered.

The happy path runs on SQLite and PostgreSQL. The tampering tests alter one part of a pack
built once on SQLite and check both `check_pack` and the standalone verifier name it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from application.actors import Actor
from application.commands.after_the_case import (
    ProduceEvidencePack,
    ReceiveComplaint,
    RespondToComplaint,
    TellVictimOfCaseReviewRight,
)
from application.commands.base import CaseCommand
from application.commands.closing import CloseCase, DiscussClosure, ProposeClosure
from application.commands.consent_and_sharing import GrantConsent, ReportToPolice
from application.commands.people import PersonDetails
from application.commands.reporting import AddPerson, Allocate, Triage
from application.commands.victim_care import (
    AssessRisk,
    CompleteRepair,
    RecordContact,
    RequestRepair,
)
from application.integrity.evidence_verifier import (
    PACK_BUNDLE,
    PACK_CHECKPOINT,
    PACK_EVENTS,
    PACK_MANIFEST,
    PACK_PDF,
    PACK_VERIFIER,
    check_pack,
)
from application.integrity.prove import checkpoint_number
from domain.errors import PolicyViolation
from domain.hate_case import HateCase
from domain.vocabulary import (
    Channel,
    ClosureGround,
    ComplaintOutcome,
    ComplaintStage,
    ConsentForm,
    ContactDirection,
    ContactMethod,
    ContactOutcome,
    EvidencePackPurpose,
    Form,
    PoliceReportBasis,
    Recipient,
    RepairKind,
    StaffRole,
    Strand,
    SubjectRole,
)
from interface.cli import main
from interface.config import Services, build_services
from interface.demo import ANSWERS_MEDIUM, ANSWERS_STANDARD
from tests.cases import act, report
from tests.conftest import COMPLAINTS, HUB, MANAGER, OFFICER, Clock, add_staff, sqlite_env
from tests.integration.test_subject_rights import DPO

WITNESS = "Ruth Adeyemi"
VICTIM = "Yusuf Rahman"


@dataclass
class Worked:
    case: HateCase
    witness: UUID


def worked_case(
    services: Services,
    clock: Clock,
    description: str = "Anti-Muslim leaflets pushed through the letterbox.",
) -> Worked:
    """Report, triage, contacts (one failed), a witness, risk (assessed twice), repairs (one
    late), consent, police report, closure against the victim's view, and a stage 1
    complaint partly upheld."""

    def step(actor: Actor, command: CaseCommand[object], hours: int = 2) -> HateCase:
        clock.advance(timedelta(hours=hours))
        return act(services, case, actor, command)

    case = report(
        services,
        victim=PersonDetails(name=VICTIM, email="yusuf@example.org"),
        channel=Channel.EMAIL,
        description=description,
        strands=(Strand.RELIGION_OR_BELIEF,),
        forms=(Form.OFFENSIVE_LITERATURE,),
    )
    case = step(HUB, Triage())
    case = step(HUB, Allocate(officer=OFFICER.username, team=OFFICER.team))
    phone, visit = ContactMethod.PHONE, ContactMethod.HOME_VISIT
    outbound = ContactDirection.OUTBOUND
    case = step(
        OFFICER,
        RecordContact(method=phone, direction=outbound, outcome=ContactOutcome.NO_ANSWER),
    )
    case = step(
        OFFICER,
        RecordContact(
            method=visit,
            direction=outbound,
            summary=f"Visited. {WITNESS} next door saw a man posting them.",
        ),
    )
    clock.advance(timedelta(hours=1))
    added = services.ledger.execute(
        case.id,
        AddPerson(role=SubjectRole.WITNESS, details=PersonDetails(name=WITNESS)),
        actor=OFFICER,
        seen_version=case.version,
    )
    case, witness = added.case, added.result
    case = step(OFFICER, AssessRisk(answers=ANSWERS_MEDIUM, notes="Watching closely."))
    case = step(OFFICER, RequestRepair(kind=RepairKind.EMERGENCY, description="Secure the door."))
    case = step(OFFICER, RequestRepair(kind=RepairKind.GRAFFITI_REMOVAL, description="Clean wall."))
    case = step(OFFICER, CompleteRepair(repair_id="repair-1"))
    clock.advance(timedelta(days=4))
    case = step(OFFICER, CompleteRepair(repair_id="repair-2"))
    case = step(
        OFFICER,
        GrantConsent(
            recipient=Recipient.POLICE,
            recipient_name="West Midlands Police",
            form=ConsentForm.WRITTEN,
        ),
    )
    case = step(OFFICER, ReportToPolice(basis=PoliceReportBasis.CONSENT, consent_id="consent-1"))
    case = step(OFFICER, AssessRisk(answers=ANSWERS_STANDARD))
    case = step(OFFICER, ProposeClosure(grounds=(ClosureGround.ALL_ACTION_TAKEN,), reasons="Done."))
    case = step(
        OFFICER,
        DiscussClosure(
            method=phone,
            victim_agrees=False,
            victim_view="Wants it open until the police finish.",
        ),
    )
    case = step(OFFICER, TellVictimOfCaseReviewRight(method=phone))
    case = step(
        MANAGER, CloseCase(grounds=(ClosureGround.OTHER_AGENCY_DEALING,), reasons="Police lead.")
    )
    case = step(
        COMPLAINTS, ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="Closed too soon.")
    )
    case = step(
        COMPLAINTS,
        RespondToComplaint(
            complaint_id="complaint-1",
            outcome=ComplaintOutcome.PARTLY_UPHELD,
            response="We will call monthly.",
        ),
    )
    return Worked(case, witness)


def pack_for(purpose: EvidencePackPurpose, since: int | None = None) -> ProduceEvidencePack:
    return ProduceEvidencePack(purpose=purpose, since_checkpoint=since)


COMPLAINT_PACK = pack_for(EvidencePackPurpose.COMPLAINT)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _trusted(services: Services) -> str:
    key = services.integrity.configured_verifier()
    assert key is not None
    return str(key)


# --- the happy path, on both engines ---------------------------------------------------


def test_a_complaint_pack_of_a_closed_case_verifies_and_rebuilds_byte_for_byte(
    services: Services, clock: Clock
) -> None:
    worked = worked_case(services, clock)
    pack = services.evidence_packs.produce(COMPLAINTS, worked.case.id, COMPLAINT_PACK)

    assert pack.number == 1 and pack.through_version == worked.case.version + 1
    report = check_pack(pack.data, _trusted(services))
    assert report.ok, report.problems
    assert services.evidence_packs.pack(MANAGER, worked.case.id, 1).data == pack.data

    files = _files(pack.data)
    assert files[PACK_PDF].startswith(b"%PDF")
    events = json.loads(files[PACK_EVENTS])
    assert [e["originator_version"] for e in events["events"]] == list(
        range(1, pack.through_version + 1)
    )
    last = events["events"][-1]["content"]
    assert last["type"] == "EvidencePackProduced" and last["actor"] == COMPLAINTS.username
    assert last["title"] == "Evidence pack 1 produced for a complaint"
    assert last["details"]["Produced by"] == f"{COMPLAINTS.username} (complaints liaison)"
    text = json.dumps(events)
    assert f"{VICTIM} (victim, complainant)" in text  # the complainant is named
    assert WITNESS not in text and "Adeyemi" not in text  # the witness is not...
    assert "[witness R.A.] next door saw a man" in text  # ...even in the victim's notes
    assert events["redaction"]["items removed"] == 1
    assert events["redaction"]["what was removed"] == [
        "a name in the contact notes, about the witness: DPA 2018 Sch 2 para 16 (protecting "
        "the rights of other people)"
    ]
    assert "Contact attempted: no answer" in text
    stored = base64.b64decode(events["events"][0]["stored_bytes"])
    assert VICTIM.encode() not in stored  # stored bytes: personal data still encrypted


def test_packs_need_their_purpose_and_a_later_pack_proves_the_log_only_grew(
    services: Services, clock: Clock
) -> None:
    worked = worked_case(services, clock)
    with pytest.raises(PolicyViolation, match=r"12\.2"):
        services.evidence_packs.produce(
            MANAGER, worked.case.id, pack_for(EvidencePackPurpose.CASE_REVIEW)
        )
    first = services.evidence_packs.produce(MANAGER, worked.case.id, COMPLAINT_PACK)
    second = services.evidence_packs.produce(MANAGER, worked.case.id, COMPLAINT_PACK)
    bundle = json.loads(_files(second.data)[PACK_BUNDLE])
    held = checkpoint_number(services.integrity, first.checkpoint_seq)
    assert held is not None and bundle["earlier_checkpoint"] == held.note  # the previous pack's
    assert check_pack(second.data, _trusted(services)).ok
    asked = services.evidence_packs.produce(
        MANAGER, worked.case.id, pack_for(EvidencePackPurpose.COMPLAINT, since=1)
    )
    held = checkpoint_number(services.integrity, 1)
    assert held is not None
    assert json.loads(_files(asked.data)[PACK_BUNDLE])["earlier_checkpoint"] == held.note


def test_a_pack_with_an_erased_witness_verifies_and_shows_them_erased(
    services: Services, clock: Clock
) -> None:
    worked = worked_case(services, clock)
    services.subject_rights.request_erasure(
        DPO, worked.witness, outcome="carried_out", ground="no_longer_necessary"
    )
    pack = services.evidence_packs.produce(COMPLAINTS, worked.case.id, COMPLAINT_PACK)
    assert check_pack(pack.data, _trusted(services)).ok
    events = json.loads(_files(pack.data)[PACK_EVENTS])
    assert {"shown_as": "witness 1 (erased)", "part": "witness", "erased": True} in events["people"]
    linked = next(e for e in events["events"] if e["content"]["type"] == "SubjectLinked")
    assert linked["content"]["details"]["Person"] == "witness 1 (erased)"


# --- tampering, on one SQLite pack -------------------------------------------------------


@dataclass(frozen=True)
class Built:
    data: bytes
    key: str
    earlier_checkpoint: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    directory = tmp_path_factory.mktemp("pack")
    env = sqlite_env(str(directory)) | {
        "CASELEDGER_SIGNING_KEY_FILE": str(directory / "signing.pem")
    }
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    services = build_services(env, clock=clock)
    try:
        add_staff(services)
        worked = worked_case(services, clock)
        pack = services.evidence_packs.produce(COMPLAINTS, worked.case.id, COMPLAINT_PACK)
        first = checkpoint_number(services.integrity, 1)
        assert first is not None
        yield Built(pack.data, _trusted(services), first.note)
    finally:
        services.close()


def _flip_pdf_byte(files: dict[str, bytes], built: Built) -> None:
    pdf = bytearray(files[PACK_PDF])
    pdf[len(pdf) // 2] ^= 0x01
    files[PACK_PDF] = bytes(pdf)


def _edit_events_json(files: dict[str, bytes], built: Built) -> None:
    files[PACK_EVENTS] = files[PACK_EVENTS].replace(b"Closed too soon.", b"No complaint.")


def _remove_an_event(files: dict[str, bytes], built: Built) -> None:
    for name in (PACK_EVENTS, PACK_BUNDLE):
        document = json.loads(files[name])
        del document["events"][4]
        files[name] = json.dumps(document).encode()


def _forge_the_manifest_signature(files: dict[str, bytes], built: Built) -> None:
    text, _, signature = files[PACK_MANIFEST].decode().rstrip("\n").rpartition("\n\n")
    name, encoded = signature.removeprefix("— ").split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 0x01  # a byte of the signature itself, after the 4-byte key id
    files[PACK_MANIFEST] = f"{text}\n\n— {name} {base64.b64encode(bytes(raw)).decode()}\n".encode()


def _swap_the_checkpoint(files: dict[str, bytes], built: Built) -> None:
    bundle = json.loads(files[PACK_BUNDLE])
    bundle["checkpoint"] = built.earlier_checkpoint
    files[PACK_BUNDLE] = json.dumps(bundle).encode()
    files[PACK_CHECKPOINT] = built.earlier_checkpoint.encode()


TAMPERINGS: dict[str, tuple[Callable[[dict[str, bytes], Built], None], list[str]]] = {
    "pdf byte": (_flip_pdf_byte, [f"{PACK_PDF}: altered"]),
    "events.json": (_edit_events_json, [f"{PACK_EVENTS}: altered"]),
    "removed event": (
        _remove_an_event,
        [f"{PACK_EVENTS}: altered", f"{PACK_BUNDLE}: altered", "case chain broken: version 5"],
    ),
    "forged signature": (
        _forge_the_manifest_signature,
        [f"{PACK_MANIFEST}: bad signature: signature by caseledger.example/log does not verify"],
    ),
    "swapped checkpoint": (
        _swap_the_checkpoint,
        [f"{PACK_CHECKPOINT}: altered", "leaf does not verify against the checkpoint root"],
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_an_altered_pack_fails_and_the_verifier_names_what(built: Built, tampering: str) -> None:
    assert check_pack(built.data, built.key).ok
    alter, expected = TAMPERINGS[tampering]
    files = _files(built.data)
    alter(files, built)
    report = check_pack(_zip(files), built.key)
    assert not report.ok
    for phrase in expected:
        assert any(phrase in problem for problem in report.problems), report.problems


def test_the_standalone_verifier_from_the_pack_checks_it(built: Built, tmp_path: Path) -> None:
    verifier = tmp_path / "offline_verifier.py"
    verifier.write_bytes(_files(built.data)[PACK_VERIFIER])
    good, bad = tmp_path / "pack.zip", tmp_path / "altered.zip"
    good.write_bytes(built.data)
    files = _files(built.data)
    _flip_pdf_byte(files, built)
    bad.write_bytes(_zip(files))

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-I", str(verifier), str(path), "--trusted-key", built.key]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    ok = run(good)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: evidence pack 1 (complaint)")
    failed = run(bad)
    assert failed.returncode == 1 and f"{PACK_PDF}: altered" in failed.stdout


def test_the_cli_produces_and_verifies_a_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    env = sqlite_env(str(tmp_path))  # its signing key made, as `keys init` would
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clock = Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    services = build_services(env, clock=clock)
    add_staff(services)
    case_id = worked_case(services, clock).case.id
    services.close()
    out = tmp_path / "pack.zip"

    produce = ["evidence-pack", str(case_id), "--purpose", "complaint", "-o", str(out)]
    assert main([*produce, "--as", "nobody"]) == 1
    assert "no active member of staff called nobody" in capsys.readouterr().err
    assert main([*produce, "--as", COMPLAINTS.username]) == 0
    assert "wrote evidence pack 1 (complaint)" in capsys.readouterr().out
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert main(["verify-pack", str(out)]) == 0
    assert capsys.readouterr().out.startswith("OK: evidence pack 1 (complaint)")
    files = _files(out.read_bytes())
    _edit_events_json(files, Built(b"", "", ""))
    out.write_bytes(_zip(files))
    assert main(["verify-pack", str(out)]) == 1
    assert f"{PACK_EVENTS}: altered" in capsys.readouterr().out
    services = build_services(env)
    try:
        auditor = Actor("i.auditor", StaffRole.AUDITOR, "audit")
        [entry] = services.access_log.entries(auditor, case_id=case_id)
    finally:
        services.close()
    assert entry["route"] == "cli evidence-pack" and entry["purpose"] == "complaint_handling"
    assert entry["actor"] == COMPLAINTS.username
