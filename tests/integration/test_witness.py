"""Checkpoints kept outside the database, and `verify` never saying OK when the trusted key
vouches for nothing (issue 13, item 3).

The insider here has write access to the database only: straight SQL on the events and
the integrity tables. The witness directory and the signing key are out of their reach.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from application.integrity.checkpoint import SigningKey
from application.integrity.evidence_verifier import VerifierKey
from application.integrity.verify import verify_log
from application.integrity.witness import DirectoryWitness, WitnessRefused
from interface.config import Services, build_services
from tests.cases import contact, report
from tests.conftest import HUB, Clock
from tests.integration.test_integrity import a_log, positions, raw, sql


def published(services: Services) -> VerifierKey:
    """The key the landlord published (what an auditor passes as --trusted-key)."""
    key = services.integrity.configured_verifier()
    assert key is not None
    return key


def witness_of(services: Services) -> DirectoryWitness:
    (witness,) = services.integrity.witnesses
    assert isinstance(witness, DirectoryWitness)
    return witness


def empty_integrity_tables(services: Services) -> None:
    with raw(services) as c:
        for table in ("leaves", "nodes", "checkpoints", "keys"):
            c.execute(sql(services, "DELETE FROM {" + table + "}"))


def test_every_checkpoint_is_published_to_the_witness_as_a_file_never_rewritten(
    services: Services,
) -> None:
    a_log(services)
    first = services.integrity.checkpoint()
    report(services, "Ola Brightwater")
    second = services.integrity.checkpoint()
    witness = witness_of(services)
    assert witness.latest() == second.note and witness.latest_size() == second.tree_size
    files = sorted(witness.directory.iterdir())
    assert [f.read_text() for f in files][-2:] == [first.note, second.note]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o444 for f in files)
    with pytest.raises(WitnessRefused, match="holds a checkpoint of size"):
        witness.add_checkpoint(0, [], first.note)  # never back to a smaller tree
    assert verify_log(services.integrity, published(services)).ok


def test_tables_emptied_and_an_event_deleted_fail_verify_even_after_the_server_re_signs(
    services: Services, engine_env: dict[str, str], clock: Clock
) -> None:
    """The issue's attack: one event deleted from the middle, the integrity tables emptied,
    `verify --trusted-key <published key>`; then a restart, whose first commit signs a
    fresh chain over the doctored log with the server's own key."""
    a_log(services)
    services.integrity.checkpoint()
    key = published(services)
    middle = positions(services)[3]
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {events} WHERE {pos} = ?"), (middle,))
    empty_integrity_tables(services)

    result = verify_log(services.integrity, key)
    assert not result.ok
    assert "no signing key is stored" in result.summary()

    services.close()
    again = build_services(engine_env, clock=clock)  # the tables exist: nothing adopted
    try:
        result = verify_log(again.integrity, key)
        assert not result.ok and "integrity tables were emptied" in result.summary()
    finally:
        again.close()


def test_the_newest_checkpoint_deleted_and_the_tail_cut_fail_verify_by_the_witness(
    services: Services,
) -> None:
    a_log(services)
    services.integrity.checkpoint()
    kept = positions(services)
    report(services, "Ola Brightwater")
    newest = services.integrity.checkpoint()
    assert newest.tree_size > len(kept)
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {checkpoints} WHERE seq = ?"), (newest.seq,))
        c.execute(sql(services, "DELETE FROM {events} WHERE {pos} > ?"), (kept[-1],))
        c.execute(sql(services, "DELETE FROM {leaves} WHERE position > ?"), (kept[-1],))
        c.execute(sql(services, "DELETE FROM {nodes}"))
    key = published(services)
    witnesses = services.integrity.witnesses
    services.integrity.witnesses = ()
    assert verify_log(services.integrity, key).ok  # the database alone cannot tell
    services.integrity.witnesses = witnesses
    result = verify_log(services.integrity, key)
    assert not result.ok
    assert f"covers {newest.tree_size} events" in result.summary()
    assert "deleted from the end" in result.summary()
    # The same from a checkpoint file the auditor kept, without the witness.
    services.integrity.witnesses = ()
    result = verify_log(services.integrity, key, [("kept.checkpoint", newest.note)])
    assert not result.ok and "kept.checkpoint" in result.summary()


def test_an_outside_checkpoint_of_a_changed_log_fails_and_of_this_log_passes(
    services: Services, tmp_path: Path
) -> None:
    a_log(services)
    note = services.integrity.checkpoint().note
    key = published(services)
    assert verify_log(services.integrity, key, [("file", note)]).ok
    first = positions(services)[0]
    with raw(services) as c:  # an insider who changes an event and recomputes everything
        c.execute(
            sql(services, "UPDATE {events} SET topic = topic || 'x' WHERE {pos} = ?"), (first,)
        )
        c.execute(sql(services, "DELETE FROM {leaves}"))
        c.execute(sql(services, "DELETE FROM {nodes}"))
        c.execute(sql(services, "DELETE FROM {checkpoints}"))
        services.integrity.recorder._adopt_existing_events(c)
    services.integrity.witnesses = ()
    result = verify_log(services.integrity, key, [("file", note)])
    assert not result.ok and "the checkpoint from file" in result.summary()
    forged = note.replace(note.split("\n")[1], "1", 1)
    result = verify_log(services.integrity, key, [("forged", forged)])
    assert not result.ok and "not signed by the trusted key" in result.summary()


def test_a_trusted_key_that_signed_nothing_here_fails(services: Services) -> None:
    a_log(services)
    services.integrity.checkpoint()
    stranger = SigningKey.generate(services.integrity.origin).verifier
    result = verify_log(services.integrity, stranger)
    assert not result.ok and "does not contain the trusted key" in result.summary()

    with raw(services) as c:  # the checkpoints gone, the keys left
        c.execute(sql(services, "DELETE FROM {checkpoints}"))
    services.integrity.witnesses = ()
    result = verify_log(services.integrity, published(services))
    assert not result.ok and "no signed checkpoint" in result.summary()


def test_events_without_leaves_fail_even_with_keys_and_checkpoints(services: Services) -> None:
    a_log(services)
    services.integrity.checkpoint()
    with raw(services) as c:
        c.execute(sql(services, "DELETE FROM {leaves}"))
    result = verify_log(services.integrity, published(services))
    assert not result.ok and "events but no leaves" in result.summary()


def test_no_trusted_key_at_all_is_failed_not_ok(services: Services) -> None:
    a_log(services)
    services.integrity.checkpoint()
    os.remove(services.integrity.key_file)
    services.integrity._key = None
    result = verify_log(services.integrity)
    assert not result.ok and "no trusted key" in result.summary()


def test_checkpoints_that_stopped_being_made_are_reported_missing(
    engine_env: dict[str, str], clock: Clock
) -> None:
    services = build_services(engine_env | {"CASELEDGER_CHECKPOINT_EVERY_EVENTS": "2"}, clock)
    try:
        case = report(services)
        key = published(services)
        services.integrity.policy = type(services.integrity.policy)(every_events=0)
        for _ in range(5):  # signing stopped (as with a lost key file): 5 unsigned events
            case = contact(services, case, HUB)
        services.integrity.policy = type(services.integrity.policy)(every_events=2)
        result = verify_log(services.integrity, key)
        assert not result.ok and "missing checkpoints: 5 events" in result.summary()
    finally:
        services.close()


def test_a_new_ledger_with_nothing_in_it_verifies(engine_env: dict[str, str]) -> None:
    services = build_services(engine_env)
    try:
        assert verify_log(services.integrity).ok
    finally:
        services.close()
