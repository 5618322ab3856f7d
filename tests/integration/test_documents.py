"""The two documents people read, tested on the text a reader's tools extract from the PDFs:
the subject access export (as the data subject reads it) and the evidence pack (as a panel
member reads it). One worked case, made in June (BST) and in December (GMT), on SQLite.

The case's description names two people who are not recorded on the case; the data
protection officer removes their names before release, and the removal shows in the JSON, in
the PDF and in the complaint pack produced afterwards.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

import application.evidence_packs
from application.integrity.evidence_verifier import PACK_PDF
from application.integrity.log import IntegrityFailure
from domain import case_events as ev
from interface.config import Services, build_services
from tests.conftest import COMPLAINTS, Clock, add_staff, sqlite_env
from tests.integration.test_evidence_packs import COMPLAINT_PACK, WITNESS, worked_case
from tests.integration.test_subject_rights import DPO
from tests.pdf_text import pdf_text

NAMED = ("Tom Baxter", "Lee Carter")  # in the description, not recorded on the case
DESCRIPTION = (
    f"Anti-Muslim leaflets pushed through the letterbox; {NAMED[0]} from number 9 and his "
    f"friend {NAMED[1]} were seen at the door."
)
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # a stored value: no_answer, stage_1...
FIELD_NAMES = ("Contact id", "Frequency days", "Matrix version", "Actor role", "Subject id")


@dataclass(frozen=True)
class Documents:
    witness_export: dict[str, Any]
    export: dict[str, Any]
    export_text: str
    pack_text: str
    events: dict[str, Any]


def _pack_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module", params=["june", "december"])
def documents(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Documents]:
    start = {
        "june": datetime(2026, 6, 15, 9, tzinfo=UTC),
        "december": datetime(2026, 12, 7, 9, tzinfo=UTC),
    }
    clock = Clock(start[request.param])
    services = build_services(sqlite_env(str(tmp_path_factory.mktemp("documents"))), clock=clock)
    try:
        add_staff(services)
        worked = worked_case(services, clock, DESCRIPTION)
        case = worked.case
        victim = case.victim_id
        assert victim is not None
        rights = services.subject_rights
        asked = rights.receive_access_request(DPO, victim)
        [description] = [
            p for p in rights.review(DPO, victim, asked.id).passages if p.label == "description"
        ]
        assert description.may_name_others and "Lee Carter" in description.hints
        for name in NAMED:
            rights.remove_words(
                DPO,
                victim,
                asked.id,
                passage=description.key,
                words=name,
                reasons="names a neighbour who is not part of the case",
            )
        rights.record_review(DPO, victim, asked.id)
        export = rights.export(DPO, victim, asked.id)
        export_pdf = rights.export_pdf(DPO, victim, asked.id)
        clock.advance(timedelta(days=1))
        pack = services.evidence_packs.produce(COMPLAINTS, case.id, COMPLAINT_PACK)
        files = _pack_files(pack.data)
        yield Documents(
            rights.export(DPO, worked.witness),
            export,
            pdf_text(export_pdf),
            pdf_text(files[PACK_PDF]),
            json.loads(files["events.json"]),
        )
    finally:
        services.close()


def _before_checking(text: str) -> str:
    """The pack up to its last section (how to check it: file names and keys by design)."""
    return text.rsplit("Checking this pack", 1)[0]


def test_neither_document_shows_an_id_a_code_or_a_field_name(documents: Documents) -> None:
    for text in (documents.export_text, _before_checking(documents.pack_text)):
        assert not UUID_TEXT.search(text)
        assert CODE.findall(text) == []
        for name in FIELD_NAMES:
            assert name not in text
    assert "cli:" not in documents.pack_text


def test_the_export_states_the_request_and_the_persons_part(documents: Documents) -> None:
    text = documents.export_text
    assert "Your request" in text and "Answer due by:" in text
    assert "Your part: victim and complainant" in text
    assert "DRAFT" not in text  # reviewed by the DPO
    assert "Contact attempted: no answer" in text
    no_answer = text.index("Contact attempted: no answer")
    assert "Contact made" not in text[no_answer - 80 : no_answer]
    # the requester's risk assessments: answers about them, with the scale and the bands
    assert text.count("Risk assessed:") == 2 and "8 out of 20" in text
    assert "Risk bands: standard 0 to 6, medium 7 to 12, high 13 to 20" in text


def test_a_witness_sees_the_note_that_names_them_and_nothing_else_of_the_victims(
    documents: Documents,
) -> None:
    [case] = documents.witness_export["cases"]
    assert case["your part"] == "witness"
    visit, added = case["events"]
    assert visit["what"] == "Contact made"
    assert visit["details"]["With"] == "victim 1"
    assert visit["details"]["Notes"] == f"Visited. {WITNESS} next door saw a man posting them."
    assert added["what"] == "Witness added to the case"
    assert "Tom Baxter" not in json.dumps(documents.witness_export)


def test_the_dpos_removal_of_two_names_reaches_the_json_the_pdf_and_the_pack(
    documents: Documents,
) -> None:
    for text in (json.dumps(documents.export), documents.export_text, documents.pack_text):
        for name in NAMED:
            assert name not in text
        assert WITNESS not in text and "Adeyemi" not in text
    report = documents.export["cases"][0]["events"][0]
    assert report["details"]["What happened"] == (
        "Anti-Muslim leaflets pushed through the letterbox; [removed] from number 9 and his "
        "friend [removed] were seen at the door."
    )
    others = documents.export["information about other people"]
    assert others["items removed"] == 3  # two names by the DPO, the witness's by the screen
    assert "3 items removed:" in documents.export_text
    assert "2 \u00d7 words in the description, about someone else" in documents.export_text
    assert "a name in the contact notes, about the witness" in documents.export_text
    assert documents.events["redaction"]["items removed"] == 3
    assert "3 items removed:" in documents.pack_text


def test_the_pack_names_its_producer_scores_and_timers_in_words(documents: Documents) -> None:
    text = documents.pack_text
    assert f"Produced by: {COMPLAINTS.username}, complaints liaison" in text
    assert "Score: 8 out of 20" in text and "Score: 2 out of 20" in text
    # two risk reviews, told apart by what set them and named for what stopped them
    assert "Risk review, set by 'Risk assessed: medium risk'" in text
    assert "Risk review, set by 'Risk assessed: standard risk'" in text
    assert "stopped by 'Risk assessed: standard risk'" in text
    assert "stopped by 'Case closed'" in text
    assert "Stage 1 complaint response" in text
    assert "Housing Ombudsman Complaint Handling Code 6.3 (stage 1)" in text
    assert "policy Housing Ombudsman" not in text.replace("\n", " ")
    assert "Complaint answered (stage 1): partly upheld" in text


def test_the_pack_headings_never_wrap_mid_reference(documents: Documents) -> None:
    lines = {line.strip() for line in documents.pack_text.splitlines()}
    for heading in (
        "3. Reasonable adjustments",
        "4. Consent, sharing and referrals",
        "5. Closure: the grounds and the victim's view",
        "6. Complaints and our responses",
        "7. ASB Case Review: decisions and our answers",
    ):
        assert heading in lines
    assert "Hate Policy 6.2, 8.2 and 9.2 to 9.4" in lines
    assert "Hate Policy 7.1 to 7.3" in lines


def test_local_time_is_labelled_bst_in_summer_and_gmt_in_winter(documents: Documents) -> None:
    summer = "Jun 2026" in documents.pack_text
    label, other = ("BST", "GMT") if summer else ("GMT", "BST")
    # (the checkpoint's signing time, in the last section, is the integrity log's own clock)
    for text in (documents.export_text, _before_checking(documents.pack_text)):
        times = re.findall(r"\d\d:\d\d (GMT|BST)", text)
        assert times and set(times) == {label}, other


# --- a pack is recorded only if it is produced -------------------------------------------


@pytest.fixture
def sqlite_services(tmp_path: Path, clock: Clock) -> Iterator[Services]:
    built = build_services(sqlite_env(str(tmp_path)), clock=clock)
    add_staff(built)
    yield built
    built.close()


def _packs(services: Services, case_id: UUID) -> list[Any]:
    events = services.ledger.repository.event_store.get(case_id)
    return [e for e in events if isinstance(e, ev.EvidencePackProduced)]


def test_a_pack_that_cannot_be_signed_or_built_leaves_no_event_behind(
    sqlite_services: Services, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = sqlite_services
    case = worked_case(services, clock, DESCRIPTION).case

    def no_key() -> Any:
        raise IntegrityFailure("signing key file signing.pem is missing")

    monkeypatch.setattr(services.integrity, "signing_key", no_key)
    with pytest.raises(IntegrityFailure, match="signing key file"):
        services.evidence_packs.produce(COMPLAINTS, case.id, COMPLAINT_PACK)
    assert _packs(services, case.id) == []
    monkeypatch.undo()

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("the PDF could not be made")

    monkeypatch.setattr(application.evidence_packs, "render_pack_pdf", broken)
    with pytest.raises(RuntimeError):
        services.evidence_packs.produce(COMPLAINTS, case.id, COMPLAINT_PACK)
    assert _packs(services, case.id) == []
    monkeypatch.undo()
    services.evidence_packs.produce(COMPLAINTS, case.id, COMPLAINT_PACK)
    assert [p.pack_number for p in _packs(services, case.id)] == [1]
