"""The offline verifier: leaf encoding, proof edge cases, checkpoints, bundles and CLI."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from application.integrity import evidence_verifier
from application.integrity.checkpoint import SigningKey, sign_checkpoint
from application.integrity.evidence_verifier import (
    EMPTY_ROOT,
    ZERO_HASH,
    BundleEvent,
    Checkpoint,
    CheckpointError,
    b64encode,
    check_bundle,
    event_leaf_data,
    event_leaf_hash,
    leaf_hash,
    main,
    make_bundle,
    parse_checkpoint,
    verify_bundle,
    verify_consistency,
    verify_inclusion,
)
from application.integrity.merkle import InMemoryLeafHashes, MerkleTree

# --- leaf encoding ------------------------------------------------------------------------

CASE = uuid.UUID("4b7e1c52-9f0a-4d5e-8a61-0c2f3b9d7e11")


def test_leaf_data_layout() -> None:
    previous = bytes(range(32))
    data = event_leaf_data(7, CASE, 2, "Reported", b"\x01ciphertext", previous)
    assert data == (
        b"\x00\x12caseledger-leaf-v1"
        + (7).to_bytes(8, "big")
        + CASE.bytes
        + (2).to_bytes(8, "big")
        + b"\x00\x08Reported"
        + hashlib.sha256(b"\x01ciphertext").digest()
        + previous
    )
    assert event_leaf_hash(7, CASE, 2, "Reported", b"\x01ciphertext", previous) == (
        hashlib.sha256(b"\x00" + data).digest()
    )


def test_every_leaf_field_counts() -> None:
    base = (7, CASE, 2, "Reported", b"state", ZERO_HASH)
    variants = [
        (8, CASE, 2, "Reported", b"state", ZERO_HASH),
        (7, uuid.UUID(int=CASE.int ^ 1), 2, "Reported", b"state", ZERO_HASH),
        (7, CASE, 3, "Reported", b"state", ZERO_HASH),
        (7, CASE, 2, "Reportee", b"state", ZERO_HASH),
        (7, CASE, 2, "Reported", b"statf", ZERO_HASH),
        (7, CASE, 2, "Reported", b"state", b"\x01" + ZERO_HASH[1:]),
    ]
    hashes = {event_leaf_hash(*args) for args in [base, *variants]}
    assert len(hashes) == len(variants) + 1


@pytest.mark.parametrize(
    "args",
    [
        (-1, CASE, 1, "t", b"", ZERO_HASH),
        (2**64, CASE, 1, "t", b"", ZERO_HASH),
        (1, CASE, -1, "t", b"", ZERO_HASH),
        (1, CASE, 1, "t" * 65536, b"", ZERO_HASH),
        (1, CASE, 1, "\ud800", b"", ZERO_HASH),
        (1, CASE, 1, "t", b"", ZERO_HASH[:31]),
    ],
)
def test_unencodable_leaves_are_refused(args: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError):
        event_leaf_data(*args)


# --- proof verification edge cases (RFC 9162 2.1.3.2, 2.1.4.2) ----------------------------

LEAF = leaf_hash(b"data")
OTHER_LEAF = leaf_hash(b"other")
ROOT_2 = evidence_verifier.node_hash(LEAF, OTHER_LEAF)


def test_inclusion_edge_cases() -> None:
    assert verify_inclusion(LEAF, 0, 1, [], LEAF)
    assert verify_inclusion(OTHER_LEAF, 1, 2, [LEAF], ROOT_2)
    assert not verify_inclusion(LEAF, 1, 1, [], LEAF)  # index == size
    assert not verify_inclusion(LEAF, 0, 0, [], LEAF)  # empty tree
    assert not verify_inclusion(LEAF, -1, 1, [], LEAF)
    assert not verify_inclusion(LEAF, 2, 2, [OTHER_LEAF], ROOT_2)
    assert not verify_inclusion(LEAF, 0, 1, [OTHER_LEAF], LEAF)  # extra node
    assert not verify_inclusion(LEAF, 0, 2, [], ROOT_2)  # missing node
    assert not verify_inclusion(LEAF, 0, 1, [], LEAF[:31])  # wrong hash sizes
    assert not verify_inclusion(LEAF[:31], 0, 1, [], LEAF[:31])
    assert not verify_inclusion(LEAF, 0, 2, [OTHER_LEAF + b"\x00"], ROOT_2)


def test_consistency_edge_cases() -> None:
    # Adapted from TestVerifyConsistency in transparency-dev/merkle proof/verify_test.go.
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 2, EMPTY_ROOT, ROOT_2, [])
    assert verify_consistency(1, 1, LEAF, LEAF, [])
    assert verify_consistency(1, 2, LEAF, ROOT_2, [OTHER_LEAF])
    assert not verify_consistency(0, 2, LEAF, ROOT_2, [])  # not the empty tree's root
    assert not verify_consistency(0, 0, LEAF, LEAF, [])
    assert not verify_consistency(0, 2, EMPTY_ROOT, ROOT_2, [EMPTY_ROOT])
    assert not verify_consistency(1, 1, LEAF, OTHER_LEAF, [])
    assert not verify_consistency(1, 1, LEAF, LEAF, [LEAF])
    assert not verify_consistency(1, 0, LEAF, EMPTY_ROOT, [])  # time travel
    assert not verify_consistency(2, 1, ROOT_2, LEAF, [OTHER_LEAF])
    assert not verify_consistency(1, 2, LEAF, ROOT_2, [])  # empty proof
    assert not verify_consistency(1, 2, LEAF, ROOT_2, [OTHER_LEAF, OTHER_LEAF])
    assert not verify_consistency(-1, 2, LEAF, ROOT_2, [OTHER_LEAF])


# --- checkpoint bodies --------------------------------------------------------------------

ROOT_B64 = b64encode(bytes(32))


def test_checkpoint_parses() -> None:
    body = f"example.com/log\n0\n{ROOT_B64}\ntime 2026-11-26T10:00:00Z\nother extension\n"
    checkpoint = parse_checkpoint(body)
    assert checkpoint == Checkpoint(
        "example.com/log",
        0,
        bytes(32),
        ("time 2026-11-26T10:00:00Z", "other extension"),
    )
    assert checkpoint.time == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert parse_checkpoint(f"o\n18446744073709551615\n{ROOT_B64}\n").time is None


@pytest.mark.parametrize(
    "body",
    [
        f"o\n1\n{ROOT_B64}",  # no final newline
        "o\n1\n",
        f"\n1\n{ROOT_B64}\n",  # empty origin
        f"o\n01\n{ROOT_B64}\n",
        f"o\n+1\n{ROOT_B64}\n",
        f"o\n-1\n{ROOT_B64}\n",
        f"o\n\u0661\n{ROOT_B64}\n",  # a non-ASCII digit
        f"o\n18446744073709551616\n{ROOT_B64}\n",
        f"o\n1\n{b64encode(bytes(31))}\n",
        f"o\n1\n{ROOT_B64[:-1]}\n",
        f"o\n1\n{ROOT_B64}\n\n",  # empty extension line
        f"o\n1\n{ROOT_B64}\ntime 2026-11-26 10:00:00\n",
        f"o\n1\n{ROOT_B64}\ntime 2026-11-26T10:00:00Z\ntime 2026-11-26T10:00:01Z\n",
    ],
)
def test_malformed_checkpoints_are_rejected(body: str) -> None:
    with pytest.raises(CheckpointError):
        parse_checkpoint(body)


# --- a small ledger and bundles for one of its cases --------------------------------------

ORIGIN = "caseledger.example/log"
KEY = SigningKey.generate(ORIGIN)
TIME = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
OTHER = uuid.UUID("0d9f3a7c-2b1e-4c6d-9e8f-7a6b5c4d3e2f")
THIRD = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
# Positions 1..12; the case's versions 1..5 are at positions 1, 3, 4, 7 and 10.
SCHEDULE = [CASE, OTHER, CASE, CASE, THIRD, OTHER, CASE, THIRD, OTHER, CASE, OTHER, THIRD]


def _store(schedule: list[uuid.UUID], tamper_position: int = 0) -> list[BundleEvent]:
    events: list[BundleEvent] = []
    last: dict[uuid.UUID, BundleEvent] = {}
    for position, originator_id in enumerate(schedule, start=1):
        before = last.get(originator_id)
        event = BundleEvent(
            position=position,
            originator_id=originator_id,
            originator_version=1 if before is None else before.originator_version + 1,
            topic="domain.case_events:HateCase.Reported" if before is None else "Updated",
            state=b"\x00ciphertext %d" % (position + (position == tamper_position)),
            previous_leaf_hash=ZERO_HASH if before is None else before.leaf_hash,
            leaf_index=position - 1,
            inclusion_proof=(),
        )
        events.append(event)
        last[originator_id] = event
    return events


STORED = _store(SCHEDULE)
TREE = MerkleTree(InMemoryLeafHashes(e.leaf_hash for e in STORED))


def _bundle(size: int = len(STORED), earlier: int | None = None) -> dict[str, Any]:
    events = [
        replace(e, inclusion_proof=tuple(TREE.inclusion_proof(e.leaf_index, size)))
        for e in STORED[:size]
        if e.originator_id == CASE
    ]
    checkpoint = sign_checkpoint(ORIGIN, size, TREE.root(size), TIME, KEY)
    extra: dict[str, Any] = {}
    if earlier is not None:
        extra["earlier_checkpoint"] = sign_checkpoint(
            ORIGIN, earlier, TREE.root(earlier), TIME - timedelta(days=1), KEY
        )
        extra["consistency_proof"] = TREE.consistency_proof(earlier, size)
    bundle = make_bundle(CASE, KEY.verifier_key(), checkpoint, events, **extra)
    return dict(json.loads(json.dumps(bundle)))


GOOD = _bundle()


@pytest.fixture
def bundle() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def test_a_good_bundle_verifies(bundle: dict[str, Any]) -> None:
    assert verify_bundle(bundle) == []
    assert verify_bundle(bundle, KEY.verifier_key()) == []
    report = check_bundle(bundle)
    assert report.ok
    assert report.case_id == CASE
    assert [e.position for e in report.events] == [1, 3, 4, 7, 10]
    assert report.checkpoint is not None
    assert report.checkpoint.size == 12


def test_a_bundle_against_an_earlier_checkpoint_verifies() -> None:
    assert verify_bundle(_bundle(size=8)) == []
    assert verify_bundle(_bundle(size=12, earlier=7)) == []
    assert verify_bundle(_bundle(size=12, earlier=0)) == []


def test_a_removed_event_is_named(bundle: dict[str, Any]) -> None:
    del bundle["events"][1]
    assert verify_bundle(bundle) == [
        "case chain broken: version 2 missing between position 1 and position 4"
    ]
    del bundle["events"][0]
    assert verify_bundle(bundle) == ["case chain broken: versions 1..2 missing before position 4"]


def test_a_changed_byte_of_state_is_named(bundle: dict[str, Any]) -> None:
    state = bytearray(evidence_verifier.b64decode_strict(bundle["events"][2]["state"]))
    state[5] ^= 0x01
    bundle["events"][2]["state"] = b64encode(bytes(state))
    assert verify_bundle(bundle) == [
        "event at position 4 (version 3): leaf does not verify against the checkpoint root "
        "(leaf index 3, tree size 12)"
    ]


def test_reordered_events_are_named(bundle: dict[str, Any]) -> None:
    events = bundle["events"]
    events[1], events[2] = events[2], events[1]
    assert verify_bundle(bundle) == [
        "events out of order: event at position 3 (version 2) is listed after "
        "event at position 4 (version 3)"
    ]


def test_a_forged_checkpoint_signature_is_named(bundle: dict[str, Any]) -> None:
    note: str = bundle["checkpoint"]
    signature = note[note.rindex(" ") + 1 : -1]
    raw = bytearray(evidence_verifier.b64decode_strict(signature))
    raw[10] ^= 0x80
    bundle["checkpoint"] = note.replace(signature, b64encode(bytes(raw)))
    problems = verify_bundle(bundle)
    assert problems == [f"checkpoint: bad signature: signature by {ORIGIN} does not verify"]


def test_a_checkpoint_with_a_changed_root_is_named(bundle: dict[str, Any]) -> None:
    old = b64encode(TREE.root(12))
    bundle["checkpoint"] = bundle["checkpoint"].replace(old, b64encode(TREE.root(11)))
    assert verify_bundle(bundle)[0].startswith("checkpoint: bad signature")


def test_a_checkpoint_signed_by_another_key_is_named(bundle: dict[str, Any]) -> None:
    impostor = SigningKey.generate(ORIGIN)
    bundle["verifier_key"] = impostor.verifier_key()
    bundle["checkpoint"] = sign_checkpoint(ORIGIN, 12, TREE.root(12), TIME, impostor)
    assert verify_bundle(bundle) == []  # consistent with itself...
    assert verify_bundle(bundle, KEY.verifier_key()) == [  # ...but not with the trusted key
        "verifier key in the bundle is not the trusted key",
        f"checkpoint: bad signature: note is not signed by {ORIGIN}",
    ]


def test_duplicates_are_named(bundle: dict[str, Any]) -> None:
    bundle["events"].insert(3, copy.deepcopy(bundle["events"][2]))
    problems = verify_bundle(bundle)
    assert "duplicate position 4: event at position 4 (version 3) and " in "\n".join(problems)
    assert any(p.startswith("duplicate originator version 3") for p in problems)


def test_another_cases_event_is_named(bundle: dict[str, Any]) -> None:
    other = replace(STORED[1], inclusion_proof=tuple(TREE.inclusion_proof(1, 12)))
    bundle["events"].insert(1, other.to_json())
    problems = verify_bundle(bundle)
    assert f"event at position 2 (version 1) belongs to {OTHER}, not this case" in problems


@pytest.mark.parametrize(
    ("field", "value"),
    [("position", 5), ("leaf_index", 4), ("originator_version", 4), ("topic", "Closed")],
)
def test_a_changed_event_field_is_named(bundle: dict[str, Any], field: str, value: object) -> None:
    bundle["events"][2][field] = value
    assert any("leaf does not verify" in p for p in verify_bundle(bundle))


def test_a_changed_previous_leaf_hash_is_named(bundle: dict[str, Any]) -> None:
    bundle["events"][3]["previous_leaf_hash"] = bundle["events"][1]["previous_leaf_hash"]
    problems = verify_bundle(bundle)
    assert problems[0].startswith("event at position 7 (version 4): leaf does not verify")


def test_a_broken_consistency_proof_is_named() -> None:
    bundle = _bundle(size=12, earlier=7)
    bundle["consistency_proof"] = bundle["consistency_proof"][1:]
    assert verify_bundle(bundle) == [
        "consistency proof from earlier checkpoint size 7 to size 12 does not verify: "
        "the log was rewritten or the proof is wrong"
    ]


def test_a_rewritten_history_is_named() -> None:
    bundle = _bundle(size=12, earlier=7)
    forked = MerkleTree(InMemoryLeafHashes(e.leaf_hash for e in _store(SCHEDULE, 5)))
    bundle["earlier_checkpoint"] = sign_checkpoint(ORIGIN, 7, forked.root(7), TIME, KEY)
    assert verify_bundle(bundle)[0].startswith("consistency proof from earlier checkpoint")
    del bundle["consistency_proof"]
    assert verify_bundle(bundle) == [
        "earlier checkpoint: field 'consistency_proof' is missing or not a list"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b.update(version=2), "not a caseledger-evidence-bundle version 1 document"),
        (lambda b: b.pop("events"), "events: missing or not a list"),
        (lambda b: b.update(events=[]), "bundle contains no events"),
        (lambda b: b.update(case_id=str(CASE).upper()), "case id: field 'case_id' is not"),
        (lambda b: b.pop("checkpoint"), "checkpoint: missing"),
        (lambda b: b.update(verifier_key="nonsense"), "verifier key: verifier key must be"),
        (lambda b: b["events"][0].update(state="not base64!"), "events[0]: field 'state'"),
        (lambda b: b["events"][1].update(position=True), "events[1]: field 'position'"),
        (lambda b: b["events"][1].update(position=-3), "events[1]: field 'position' is out"),
        (lambda b: b["events"][2].update(originator_version=0), "events[2]: field 'originator"),
        (lambda b: b["events"][2].update(inclusion_proof=["AA=="]), "events[2]: field 'inclu"),
        (lambda b: b["events"][2].update(previous_leaf_hash=None), "events[2]: field 'previous"),
        (lambda b: b["events"].append("event"), "events[5]: event is not a JSON object"),
    ],
)
def test_malformed_bundles_are_named(bundle: dict[str, Any], change: Any, problem: str) -> None:
    change(bundle)
    problems = verify_bundle(bundle)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_bundle_that_is_not_an_object_is_named() -> None:
    assert verify_bundle([GOOD]) == ["bundle is not a JSON object"]


# --- the command line ---------------------------------------------------------------------


def test_the_copied_file_verifies_a_bundle_on_its_own(tmp_path: Path) -> None:
    # A copy outside the project, run in isolated mode, so it cannot import `application`.
    script = tmp_path / "offline_verifier.py"
    shutil.copyfile(evidence_verifier.__file__, script)
    (tmp_path / "bundle.json").write_text(json.dumps(GOOD), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-I", str(script), "bundle.json", "--trusted-key", KEY.verifier_key()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        f"OK: 5 events of case {CASE} verified against checkpoint size 12 root "
        f"{b64encode(TREE.root(12))}\n"
    )


def test_the_command_line_prints_each_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = copy.deepcopy(GOOD)
    del bundle["events"][1]
    bundle["events"][0]["topic"] = "Tampered"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert main([str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "event at position 1 (version 1): leaf does not verify against the checkpoint root "
        "(leaf index 0, tree size 12)",
        "case chain broken: version 2 missing between position 1 and position 4",
    ]


def test_without_a_trusted_key_the_command_line_says_unanchored_never_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert main([str(path)]) == 2
    out = capsys.readouterr().out
    assert out.startswith("UNANCHORED: 5 events of case ") and "OK" not in out
    assert KEY.verifier_key() in out and "--trusted-key" in out


def test_the_command_line_reports_an_unreadable_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert main([str(tmp_path / "bad.json")]) == 1
    assert main([str(tmp_path / "missing.json")]) == 1
    assert capsys.readouterr().out.count("cannot read bundle") == 2
