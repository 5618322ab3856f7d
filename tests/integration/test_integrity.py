"""The integrity log against real storage: leaves, checkpoints, verification, evidence bundles.

Tampering is done the way an insider with database access would do it: straight SQL on the
library's events table and the integrity tables, bypassing the ledger.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import application.integrity.evidence_verifier as evidence_verifier
from application.commands.people import PersonDetails
from application.commands.reporting import AddPerson, Triage
from application.integrity.checkpoint import SigningKey
from application.integrity.evidence_verifier import (
    b64decode_strict,
    b64encode,
    parse_verifier_key,
    verify_consistency,
)
from application.integrity.log import IntegrityFailure, verified_key_chain
from application.integrity.prove import prove_case
from application.integrity.recorders import CheckpointRow, IntegrityTables, KeyRow
from application.integrity.verify import verify_log
from application.ledger import CaseLedger
from domain.data_subject import DataSubject
from domain.hate_case import HateCase
from domain.vocabulary import SubjectRole
from interface.config import Services, build_services, open_keys
from interface.keys import KeyUse
from interface.settings import ConfigurationError, Settings
from tests.cases import act, contact, report
from tests.conftest import HUB, Clock, sqlite_env

VERIFIER = evidence_verifier.__file__


def worked(services: Services) -> HateCase:
    """A case with several events of its own: reported, triaged, a witness added."""
    case = report(services)
    case = act(services, case, HUB, Triage())
    witness = AddPerson(role=SubjectRole.WITNESS, details=PersonDetails(name="Kit Marlowe"))
    return act(services, case, HUB, witness)


def a_log(services: Services) -> tuple[HateCase, HateCase]:
    """Two cases, their victims and a witness: eight events from five aggregates."""
    first = worked(services)
    second = report(services, "Ola Brightwater")
    return first, second


@contextmanager
def raw(services: Services) -> Iterator[Any]:
    """A writing cursor on the ledger's own database, as an insider would have."""
    with services.integrity.recorder._transaction(commit=True) as cursor:
        yield cursor


def sql(services: Services, statement: str) -> str:
    return services.integrity.recorder._sql(statement)


def positions(services: Services) -> list[int]:
    with raw(services) as c:
        c.execute(sql(services, "SELECT {pos} AS position FROM {events} ORDER BY {pos}"))
        return [row["position"] for row in c.fetchall()]


def latest_checkpoint(services: Services) -> CheckpointRow:
    """The newest stored checkpoint, which the test expects there to be."""
    row = services.integrity.recorder.latest_checkpoint()
    assert row is not None, "no checkpoint stored"
    return row


def verify(services: Services) -> Any:
    return verify_log(services.integrity)


def tamper_state(services: Services, position: int, byte: int = 0) -> None:
    with raw(services) as c:
        c.execute(sql(services, "SELECT state FROM {events} WHERE {pos} = ?"), (position,))
        state = bytearray(bytes(c.fetchone()["state"]))
        state[byte % len(state)] ^= 0x01
        c.execute(
            sql(services, "UPDATE {events} SET state = ? WHERE {pos} = ?"),
            (bytes(state), position),
        )


# --- leaves are written with their events --------------------------------------------------


def test_a_log_made_through_the_ledger_verifies(services: Services) -> None:
    a_log(services)
    result = verify(services)
    assert result.ok, result.summary()
    assert result.events == len(positions(services)) == services.integrity.recorder.leaf_count()
    assert result.summary() == f"OK: {result.events} events, root {b64encode(result.root)}"
    checkpoint = services.integrity.checkpoint()
    assert services.integrity.open(checkpoint, services.integrity.keys()).root == result.root


def test_writers_racing_to_sign_checkpoints_leave_it_to_one_and_log_no_failure(
    engine_env: dict[str, str], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Eight threads writing with a checkpoint due every 5 events: a writer that finds
    another signing, or a checkpoint stored since that covers its events, does not fight."""
    services = build_services(engine_env | {"CASELEDGER_CHECKPOINT_EVERY_EVENTS": "5"}, clock)
    try:
        caplog.set_level(logging.WARNING)
        cases = [report(services, f"Resident {n}") for n in range(8)]

        def work(case: HateCase) -> None:
            for _ in range(6):
                case = contact(services, case, HUB)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(work, cases))
        assert "automatic checkpoint failed" not in caplog.text
        result = verify(services)
        assert result.ok, result.summary()
        latest = services.integrity.latest()
        assert latest is not None and latest.tree_size >= result.events - 5
    finally:
        services.close()


def test_two_processes_making_the_first_signing_key_at_once_end_with_one_key(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two demo loaders start at once: B generates a key while A saves its own; B must take
    A's file, not keep its unsaved key (every later checkpoint of B would fail, or worse)."""
    path = tmp_path / "keys" / "signing.pem"
    env = sqlite_env(str(tmp_path)) | {"CASELEDGER_SIGNING_KEY_FILE": str(path)}
    save = SigningKey.save
    theirs: list[SigningKey] = []

    def a_gets_there_first(key: SigningKey, where: Any, password: Any = None) -> None:
        if not theirs:
            theirs.append(SigningKey.generate(key.name))
            save(theirs[0], where)
        save(key, where, password)

    monkeypatch.setattr(SigningKey, "save", a_gets_there_first)
    b = build_services(env, clock, keys=KeyUse.CREATE)
    try:
        assert theirs and b.integrity.configured_verifier() == theirs[0].verifier
        report(b)
        assert b.integrity.checkpoint().key_seq == 1
        assert b.integrity.keys() == {1: theirs[0].verifier}
    finally:
        b.close()


def test_no_command_but_the_demo_and_keys_init_makes_a_signing_key(
    tmp_path: Path, clock: Clock
) -> None:
    path = tmp_path / "signing.pem"
    env = sqlite_env(str(tmp_path)) | {"CASELEDGER_SIGNING_KEY_FILE": str(tmp_path / "none.pem")}
    with pytest.raises(ConfigurationError, match=r"none\.pem does not exist.*keys init"):
        build_services(env, clock)
    assert not (tmp_path / "none.pem").exists()
    assert path.exists()  # the one the test environment made, as `keys init` would


def test_every_event_has_a_leaf_and_a_failed_save_writes_neither(
    services: Services, clock: Clock
) -> None:
    case = report(services)
    stale: HateCase = services.ledger.repository.get(case.id)
    act(services, case, HUB, Triage())
    before = positions(services), services.integrity.recorder.leaf_count()
    # A new person's first event is fine, the stale case's event conflicts: all or nothing,
    # the key made for the new person's name included.
    person = DataSubject.record(
        subject_id=uuid4(), details={"name": "Nadia Okafor"}, actor="x", at=clock()
    )
    stale.triage(actor=HUB.username, at=clock())
    with pytest.raises(IntegrityError):
        services.ledger.save(person, stale)
    assert (positions(services), services.integrity.recorder.leaf_count()) == before
    assert services.ledger.key_store.get(person.id) is None
    with raw(services) as c:
        c.execute(
            sql(
                services,
                "SELECT COUNT(*) AS n FROM {events} e LEFT JOIN {leaves} l "
                "ON l.position = e.{pos} WHERE l.position IS NULL",
            )
        )
        assert c.fetchone()["n"] == 0
    report(services)  # positions after a rolled-back insert may have a gap (PostgreSQL)
    assert verify(services).ok


def test_a_conflicting_save_rolls_back_event_and_leaf_together(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = report(services)
    before = positions(services), services.integrity.recorder.leaf_count()
    recorder = services.integrity.recorder

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full, halfway through the save")

    monkeypatch.setattr(recorder, "_insert_leaves", broken)
    with pytest.raises(RuntimeError):
        act(services, case, HUB, Triage())
    monkeypatch.undo()
    assert (positions(services), recorder.leaf_count()) == before
    assert verify(services).ok


# --- tampering is detected -----------------------------------------------------------------


def test_one_flipped_byte_names_its_position(services: Services) -> None:
    a_log(services)
    target = positions(services)[2]
    tamper_state(services, target)
    result = verify(services)
    assert not result.ok
    assert result.position == target
    assert "changed" in result.problem
    assert result.summary().startswith(f"FAILED at position {target}: changed")


def test_a_deleted_event_is_missing(services: Services) -> None:
    a_log(services)
    target = positions(services)[1]
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {events} WHERE {pos} = ?"), (target,))
    result = verify(services)
    assert (result.ok, result.position) == (False, target)
    assert "missing event" in result.problem


def test_swapped_positions_are_reordering(services: Services) -> None:
    a_log(services)
    first, second = positions(services)[:2]
    with raw(services) as c:
        swap = sql(services, "UPDATE {events} SET {pos} = ? WHERE {pos} = ?")
        c.execute(swap, (-1, first))
        c.execute(swap, (first, second))
        c.execute(swap, (second, -1))
    result = verify(services)
    assert (result.ok, result.position) == (False, first)
    assert "reordered" in result.problem


def test_a_deleted_leaf_is_detected(services: Services) -> None:
    a_log(services)
    target = positions(services)[3]
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {leaves} WHERE position = ?"), (target,))
    result = verify(services)
    assert (result.ok, result.position) == (False, target)
    assert "has no leaf" in result.problem


def test_events_rewritten_with_their_leaves_break_the_signed_checkpoint(
    services: Services,
) -> None:
    a_log(services)
    services.integrity.checkpoint()
    target = positions(services)[0]
    with raw(services) as c:  # an insider who also recomputes the leaves
        c.execute(sql(services, "DELETE FROM {leaves}"))
        c.execute(sql(services, "DELETE FROM {nodes}"))
        c.execute(
            sql(services, "UPDATE {events} SET topic = topic || 'x' WHERE {pos} = ?"), (target,)
        )
        services.integrity.recorder._adopt_existing_events(c)
    result = verify(services)
    assert not result.ok
    assert "checkpoint #" in result.problem and "signs root" in result.problem


def test_events_deleted_from_the_end_are_caught_by_the_checkpoint(services: Services) -> None:
    a_log(services)
    services.integrity.checkpoint()
    last = positions(services)[-1]
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {events} WHERE {pos} = ?"), (last,))
        c.execute(sql(services, "DELETE FROM {leaves} WHERE position = ?"), (last,))
    result = verify(services)
    assert not result.ok and "deleted from the end" in result.problem


# --- checkpoints -----------------------------------------------------------------------------


def test_checkpoints_form_a_consistency_chain(services: Services, clock: Clock) -> None:
    integrity = services.integrity
    report(services)
    first = integrity.checkpoint()
    worked(services)
    clock.advance(timedelta(minutes=1))
    second = integrity.checkpoint()
    assert integrity.checkpoint() == second  # nothing new: no new checkpoint
    keys = integrity.keys()
    old, new = integrity.open(first, keys), integrity.open(second, keys)
    assert second.seq == first.seq + 1 and old.size < new.size
    assert verify_consistency(old.size, new.size, old.root, new.root, second.consistency_proof)
    assert verify(services).checkpoints >= 2


def test_checkpoints_are_made_automatically_every_n_events_or_t_minutes(
    engine_env: dict[str, str], clock: Clock
) -> None:
    env = engine_env | {
        "CASELEDGER_CHECKPOINT_EVERY_EVENTS": "5",
        "CASELEDGER_CHECKPOINT_EVERY_MINUTES": "30",
    }
    services = build_services(env, clock=clock)
    services.integrity.clock = clock  # checkpoints use the real time; move it by hand here
    try:
        recorder = services.integrity.recorder
        report(services)  # the first save is signed straight away
        assert latest_checkpoint(services).tree_size == recorder.leaf_count()
        case = report(services)  # 2 unsigned
        assert latest_checkpoint(services).tree_size < recorder.leaf_count()
        clock.advance(timedelta(minutes=31))
        act(services, case, HUB, Triage())
        assert latest_checkpoint(services).tree_size == recorder.leaf_count()
        signed = latest_checkpoint(services).seq
        for _ in range(3):  # 2 events each: the 5th unsigned event triggers one
            report(services)
        assert latest_checkpoint(services).seq == signed + 1
    finally:
        services.close()


def test_after_each_commit_listeners_learn_the_tree_size_it_made(services: Services) -> None:
    """The automatic checkpoint needs no query to know how big the tree is after a commit."""
    sizes: list[int] = []
    ledger_recorder = services.ledger.recorder
    assert isinstance(ledger_recorder, IntegrityTables)  # typed as the library's recorder
    ledger_recorder.after_commit.append(sizes.append)
    report(services)  # a data subject and a case: two leaves
    case = report(services)
    act(services, case, HUB, Triage())
    recorder = services.integrity.recorder
    assert sizes[-1] == recorder.leaf_count() and sizes[-2:] == [sizes[-1] - 1, sizes[-1]]


def test_a_forged_checkpoint_signature_is_detected(services: Services) -> None:
    report(services)
    row = services.integrity.checkpoint()
    body, _, signature = row.note.rpartition("\u2014 ")
    name, encoded = signature.split(" ")
    raw_signature = bytearray(b64decode_strict(encoded.strip()))
    raw_signature[-1] ^= 0x01
    forged = f"{body}\u2014 {name} {b64encode(bytes(raw_signature))}\n"
    with raw(services) as c:
        c.execute(
            sql(services, "UPDATE {checkpoints} SET note = ? WHERE seq = ?"), (forged, row.seq)
        )
    result = verify(services)
    assert not result.ok and "bad signature" in result.problem
    with pytest.raises(IntegrityFailure, match="bad signature"):
        report(services)
        services.integrity.checkpoint()


def test_a_rotated_key_is_handed_over_by_the_old_key(services: Services) -> None:
    integrity = services.integrity
    report(services)
    old_checkpoint = integrity.checkpoint()
    old, new = integrity.rotate_key()
    assert old != new and Path(f"{integrity.key_file}.{old.key_id.hex()}.retired").exists()
    assert oct(os.stat(integrity.key_file).st_mode & 0o777) == "0o600"
    latest = integrity.latest()
    assert latest is not None and latest.key_seq == 2 and latest.seq == old_checkpoint.seq + 1
    report(services)
    integrity.checkpoint()
    assert verify(services).ok
    assert verify_log(integrity, trusted_key=old).ok  # the chain runs from the old key
    # A key slipped into the chain without the old key's signature is refused.
    rows = integrity.recorder.keys()
    stranger = parse_verifier_key(rows[0].verifier_key)
    forged = [rows[0], KeyRow(2, str(stranger), rows[1].rotation_note)]
    with pytest.raises(IntegrityFailure, match="does not hand over"):
        verified_key_chain(forged)


# --- erasure and evidence bundles --------------------------------------------------------------


def test_erasure_by_key_destruction_leaves_the_log_valid(services: Services) -> None:
    case, _ = a_log(services)
    services.integrity.checkpoint()
    assert case.victim_id is not None
    services.ledger.key_store.destroy(case.victim_id)
    assert verify(services).ok


def _run_verifier(bundle: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return subprocess.run(
        [sys.executable, "-I", VERIFIER, str(path), "--trusted-key", bundle["verifier_key"]],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_a_case_bundle_verifies_offline_and_fails_without_an_event(
    services: Services, tmp_path: Path
) -> None:
    case, other = a_log(services)
    bundle = prove_case(services.integrity, case.id)
    assert {UUID(e["originator_id"]) for e in bundle["events"]} == {case.id}
    assert str(other.id) not in json.dumps(bundle)
    done = _run_verifier(bundle, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"OK: {len(bundle['events'])} events of case {case.id}")

    del bundle["events"][1]
    done = _run_verifier(bundle, tmp_path)
    assert done.returncode == 1 and "chain broken" in done.stdout


def test_prove_signs_a_fresh_checkpoint_when_the_latest_is_behind(services: Services) -> None:
    report(services)
    services.integrity.checkpoint()
    case = worked(services)
    before = services.integrity.latest()
    bundle = prove_case(services.integrity, case.id)
    after = services.integrity.latest()
    assert before is not None and after is not None and after.seq > before.seq
    assert bundle["checkpoint"] == after.note


def test_a_ledger_without_leaves_is_adopted_on_first_start(
    engine_env: dict[str, str], clock: Clock
) -> None:
    library = (
        "eventsourcing.sqlite:SQLiteApplicationRecorder"
        if "SQLITE_DBNAME" in engine_env
        else "eventsourcing.postgres:PostgresApplicationRecorder"
    )
    settings = Settings.read(engine_env | {"APPLICATION_RECORDER_TOPIC": library})
    env = settings.library_env
    key_store = open_keys(settings)
    old = CaseLedger(env, key_store=key_store, clock=clock)
    person = DataSubject.record(subject_id=uuid4(), details={"name": "A"}, actor="x", at=clock())
    old.save(person)
    person.rectify(details={"name": "B"}, reason="typo", actor="x", at=clock())
    old.save(person)
    old.close()
    key_store.close()
    with pytest.raises(IntegrityFailure, match="writes no integrity leaves"):
        build_services(env, clock=clock)

    services = build_services(engine_env, clock=clock)
    try:
        assert services.integrity.recorder.leaf_count() == 2
        report(services)
        result = verify(services)
        assert result.ok and result.events == 4  # two adopted, two new
    finally:
        services.close()


# --- a random log, any byte -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    directory = tmp_path_factory.mktemp("integrity")
    env = sqlite_env(str(directory)) | {
        "CASELEDGER_SIGNING_KEY_FILE": str(directory / "signing.pem")
    }
    services = build_services(env)
    for i in range(3):
        report(services, f"Person {i}")
    worked(services)
    yield services
    services.close()


@hypothesis_settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_of_any_stored_event_is_detected(
    small_log: Services, data: st.DataObject
) -> None:
    services = small_log
    all_positions = positions(services)
    target = data.draw(st.sampled_from(all_positions))
    with raw(services) as c:
        c.execute(sql(services, "SELECT state FROM {events} WHERE {pos} = ?"), (target,))
        original = bytes(c.fetchone()["state"])
    index = data.draw(st.integers(0, len(original) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = bytearray(original)
    changed[index] ^= flip
    update = sql(services, "UPDATE {events} SET state = ? WHERE {pos} = ?")
    with raw(services) as c:
        c.execute(update, (bytes(changed), target))
    try:
        result = verify(services)
        assert (result.ok, result.position) == (False, target)
        assert "changed" in result.problem
    finally:
        with raw(services) as c:
            c.execute(update, (original, target))
    assert verify(services).ok
