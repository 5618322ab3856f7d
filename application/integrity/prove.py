"""Evidence bundles: one case's stored events with inclusion proofs against a checkpoint.

The bundle is exactly `offline_verifier.make_bundle`'s format, so the standalone verifier
checks it without access to the ledger or to any other case. Only the case's own events,
a signed checkpoint, the proofs (hashes of other parts of the tree, which reveal nothing
of other cases) and the public key go into it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.errors import NotFound
from application.integrity.log import IntegrityFailure, IntegrityLog
from application.integrity.offline_verifier import (
    ZERO_HASH,
    BundleEvent,
    make_bundle,
    verify_bundle,
)


def prove_case(integrity: IntegrityLog, case_id: UUID) -> dict[str, Any]:
    """The evidence bundle of a case (any aggregate), checked before it is returned.

    If the newest checkpoint does not cover the case's last event, a fresh one is signed.
    """
    rows = integrity.recorder.events_of(case_id)
    if not rows:
        raise NotFound("no such case")
    leaves = []
    for event, leaf in rows:
        if leaf is None or (event.originator_version > 1 and event.previous_leaf_hash is None):
            raise IntegrityFailure(
                f"the event at position {event.position} has no leaf chain; run `caseledger verify`"
            )
        leaves.append(leaf)
    latest = integrity.latest()
    if latest is None or latest.tree_size <= leaves[-1].leaf_index:
        latest = integrity.checkpoint()
    keys = integrity.keys()
    checkpoint = integrity.open(latest, keys)
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
            inclusion_proof=tuple(tree.inclusion_proof(leaf.leaf_index, checkpoint.size)),
        )
        for (event, _), leaf in zip(rows, leaves, strict=True)
    ]
    nodes.flush()
    verifier_key = str(keys[latest.key_seq])
    bundle = make_bundle(case_id, verifier_key, latest.note, events)
    problems = verify_bundle(bundle, trusted_key=verifier_key)
    if problems:
        raise IntegrityFailure("the evidence bundle does not verify: " + "; ".join(problems))
    return bundle
