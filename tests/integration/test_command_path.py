"""The command path's costs without weakened guarantees: one key read per subject per
command, erasure seen by the next command, and leaves chained across any save."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import pytest

import application.integrity.recorders as recorders
from application.integrity.verify import verify_log
from application.vault import KeyDestroyed
from application.vault.keystore import WrappedKeyStore
from domain.hate_case import HateCase
from domain.personal import Personal
from interface.config import Services
from tests.cases import contact as call
from tests.cases import report
from tests.conftest import HUB


def contact(services: Services, case: HateCase) -> HateCase:
    return call(services, case, HUB, summary="Called the victim back.")


def victim(case: HateCase) -> UUID:
    """The victim every reported case has."""
    assert case.victim_id is not None
    return case.victim_id


@pytest.fixture
def key_reads(services: Services, monkeypatch: pytest.MonkeyPatch) -> Counter[UUID]:
    """How often the ledger's key store read each subject's row."""
    reads: Counter[UUID] = Counter()
    store = services.ledger.key_store
    assert isinstance(store, WrappedKeyStore)
    select = store._select

    def counted(subject_id: UUID) -> Any:
        reads[subject_id] += 1
        return select(subject_id)

    monkeypatch.setattr(store, "_select", counted)
    return reads


def test_a_command_reads_each_subject_key_once(
    services: Services, key_reads: Counter[UUID]
) -> None:
    case = report(services, "Zainab Quorindale")
    for _ in range(5):
        case = contact(services, case)
    key_reads.clear()

    case = contact(services, case)  # loads seven events sealed under the victim's key, saves one
    assert key_reads == {case.victim_id: 1}
    key_reads.clear()

    services.ledger.case_for(HUB, case.id)
    assert key_reads == {case.victim_id: 1}


def test_erasure_takes_effect_for_the_next_command(services: Services) -> None:
    case = report(services, "Zainab Quorindale")
    case = contact(services, case)
    victim_id = victim(case)
    subject = services.ledger.subject(victim_id)
    assert subject.details == Personal(
        victim_id, {"name": "Zainab Quorindale", "phone": "07700 900111"}
    )

    services.ledger.key_store.destroy(victim_id)

    assert services.ledger.subject(victim_id).details == Personal.erased_for(victim_id)
    loaded = services.ledger.case_for(HUB, case.id)
    assert loaded.description == Personal.erased_for(victim_id)
    with pytest.raises(KeyDestroyed):  # new personal data under the destroyed key: refused
        contact(services, loaded)


def test_one_save_of_several_changed_aggregates_chains_every_leaf(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = report(services, "Ola Brightwater"), report(services, "Kit Marlowe")
    subjects = [services.ledger.subject(victim(case)) for case in (first, second)]
    at = services.ledger.clock()
    for subject in subjects:
        subject.rectify(details={"phone": "07700 900222"}, reason="moved", actor="x", at=at)
    services.ledger.save(*subjects)  # two originators, each after a stored leaf
    assert verify_log(services.integrity).ok

    # Adoption in batches of two: previous leaves come from earlier batches too.
    monkeypatch.setattr(recorders, "ADOPTION_BATCH", 2)
    recorder = services.integrity.recorder
    with recorder._transaction(commit=True) as cursor:
        cursor.execute(recorder._sql("DELETE FROM {leaves}"))
        cursor.execute(recorder._sql("DELETE FROM {nodes}"))
        cursor.execute(recorder._sql("DELETE FROM {checkpoints}"))
        recorder._adopt_existing_events(cursor)
    services.integrity.checkpoint()  # the adopted leaves give the roots the witness holds
    assert verify_log(services.integrity).ok
