"""Evidence bundles: one case's stored events with inclusion proofs against a checkpoint.

The bundle is exactly `evidence_verifier.make_bundle`'s format, so the standalone verifier
checks it without access to the ledger or to any other case. `prove_case` proves every
event against the newest checkpoint; evidence packs use the parts (`case_chain`,
`checkpoint_covering`, `case_bundle`) to prove the events up to a version against the
first checkpoint that covers them, with a consistency proof from an earlier checkpoint.
Only the case's own events, a signed checkpoint, the proofs (hashes of other parts of the
tree, which reveal nothing of other cases) and the public key go into it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.errors import NotFound
from application.integrity.evidence_verifier import (
    ZERO_HASH,
    BundleEvent,
    make_bundle,
    verify_bundle,
)
from application.integrity.log import IntegrityFailure, IntegrityLog
from application.integrity.recorders import CheckpointRow, EventRow, LeafRow

Chain = list[tuple[EventRow, LeafRow]]
"""A case's stored events in version order, each with its Merkle leaf."""


def case_chain(integrity: IntegrityLog, case_id: UUID, through_version: int | None = None) -> Chain:
    """The case's events (up to `through_version`) with their leaves, every link present."""
    rows = integrity.recorder.events_of(case_id)
    if through_version is not None:
        rows = [row for row in rows if row[0].originator_version <= through_version]
    if not rows:
        raise NotFound("no such case")
    chain = []
    for event, leaf in rows:
        if leaf is None or (event.originator_version > 1 and event.previous_leaf_hash is None):
            raise IntegrityFailure(
                f"the event at position {event.position} has no leaf chain; run `caseledger verify`"
            )
        chain.append((event, leaf))
    return chain


def checkpoint_number(integrity: IntegrityLog, seq: int) -> CheckpointRow | None:
    """The stored checkpoint #`seq`, if there is one."""
    rows = integrity.recorder.checkpoints_page(seq - 1, 1)
    return rows[0] if rows and rows[0].seq == seq else None


def checkpoint_covering(integrity: IntegrityLog, leaf_index: int) -> CheckpointRow | None:
    """The earliest checkpoint signed by the current key whose tree holds `leaf_index`.

    Tree sizes and key numbers only grow with the checkpoint number, so this is a binary
    search over checkpoint numbers.
    """
    latest = integrity.latest()
    if latest is None:
        return None
    low, high, found = 1, latest.seq, None
    while low <= high:
        middle = (low + high) // 2
        row = checkpoint_number(integrity, middle)
        if row is None:
            raise IntegrityFailure(f"checkpoint #{middle} is missing")
        if row.tree_size > leaf_index and row.key_seq >= latest.key_seq:
            found, high = row, middle - 1
        else:
            low = middle + 1
    return found


def case_bundle(
    integrity: IntegrityLog,
    case_id: UUID,
    chain: Chain,
    checkpoint: CheckpointRow,
    earlier: CheckpointRow | None = None,
) -> dict[str, Any]:
    """The bundle of `chain` proved against `checkpoint` (and, given `earlier`, the proof
    that the log only grew since it), checked before it is returned."""
    keys = integrity.keys()
    current = integrity.open(checkpoint, keys)
    tree, nodes = integrity.tree()
    events = [
        BundleEvent(
            position=event.position,
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.topic,
            state=event.state,
            previous_leaf_hash=event.previous_leaf_hash or ZERO_HASH,
            leaf_index=leaf.leaf_index,
            inclusion_proof=tuple(tree.inclusion_proof(leaf.leaf_index, current.size)),
        )
        for event, leaf in chain
    ]
    consistency: list[bytes] = []
    if earlier is not None:
        consistency = tree.consistency_proof(integrity.open(earlier, keys).size, current.size)
    nodes.flush()
    verifier_key = str(keys[checkpoint.key_seq])
    bundle = make_bundle(
        case_id,
        verifier_key,
        checkpoint.note,
        events,
        None if earlier is None else earlier.note,
        consistency,
    )
    problems = verify_bundle(bundle, trusted_key=verifier_key)
    if problems:
        raise IntegrityFailure("the evidence bundle does not verify: " + "; ".join(problems))
    return bundle


def prove_case(integrity: IntegrityLog, case_id: UUID) -> dict[str, Any]:
    """The evidence bundle of a case (any aggregate), checked before it is returned.

    If the newest checkpoint does not cover the case's last event, a fresh one is signed.
    """
    chain = case_chain(integrity, case_id)
    latest = integrity.latest()
    if latest is None or latest.tree_size <= chain[-1][1].leaf_index:
        latest = integrity.checkpoint()
    return case_bundle(integrity, case_id, chain, latest)
