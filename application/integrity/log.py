"""The ledger's Merkle log: tree over the leaf table, signed checkpoints, signing keys.

`IntegrityLog` reads the leaves that the recorders write (`recorders`), keeps perfect
subtree hashes in the `integrity_nodes` table (filled as checkpoints are made), and makes
signed checkpoints on demand and automatically:

* A checkpoint covers the leaves committed when it is made. Leaves commit with their
  events, so it covers only durably committed events.
* Each checkpoint after the first carries the consistency proof from the one before; the
  proof is verified against both signed roots before the new checkpoint is stored.
* Automatic checkpoints: the recorder calls `checkpoint_after_commit` after every
  committed save, whichever code path saved (API, CLI, demo loader). It signs when
  `every_events` events are unsigned or the newest checkpoint is `every_minutes` old.
  A server also runs `start_timer`, so events saved just before a quiet spell are signed
  within about `every_minutes` too. A failed automatic checkpoint is logged, never
  raised: the save it follows has already committed.

The signing key is a PEM file (mode 0600) made by `caseledger keys init` or the demo; the
first checkpoint records its public half as the log's first key.
Every key is recorded in `integrity_keys`; a rotation is a signed note, signed by the old
key, that names the new one, so the chain of keys can be followed from the first.

Every checkpoint, once stored, is published to the witnesses (`witness`), which keep it
where the database's writer cannot delete it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from application.clock import Clock, system_clock
from application.integrity.checkpoint import SigningKey, sign_checkpoint, sign_note
from application.integrity.evidence_verifier import (
    Checkpoint,
    CheckpointError,
    NoteError,
    VerifierKey,
    format_checkpoint_time,
    open_checkpoint,
    parse_checkpoint,
    parse_verifier_key,
    verify_consistency,
    verify_note,
)
from application.integrity.merkle import CompactRange, MerkleTree, NodeKey
from application.integrity.recorders import CheckpointRow, IntegrityTables, KeyRow
from application.integrity.witness import (
    DirectoryWitness,
    Witness,
    WitnessMoved,
    WitnessRefused,
)

log = logging.getLogger("caseledger.integrity")

SIGNING_KEY_FILE_NAME = "caseledger-signing.pem"
DEFAULT_ORIGIN = "caseledger.example/log"
DEFAULT_EVERY_EVENTS = 100
DEFAULT_EVERY_MINUTES = 15
LEAF_BATCH = 1000
ROTATION_HEADER = "caseledger signing key rotation"


class IntegrityFailure(Exception):
    """The integrity tables, key file or signatures are not what they must be."""


class LeafTable:
    """The `integrity_leaves` table as a `merkle.LeafHashes` source."""

    def __init__(self, recorder: IntegrityTables) -> None:
        self._recorder = recorder

    def __len__(self) -> int:
        return self._recorder.leaf_count()

    def get_range(self, start: int, stop: int) -> list[bytes]:
        """The leaf hashes with indexes start <= i < stop."""
        return self._recorder.leaf_hashes(start, stop)


class NodeTable:
    """The `integrity_nodes` table as a `merkle.NodeCache`; writes wait for `flush`."""

    def __init__(self, recorder: IntegrityTables) -> None:
        self._recorder = recorder
        self._pending: dict[NodeKey, bytes] = {}

    def get(self, key: NodeKey, /) -> bytes | None:
        """A cached subtree hash."""
        return self._pending.get(key) or self._recorder.node(*key)

    def __setitem__(self, key: NodeKey, value: bytes, /) -> None:
        self._pending[key] = value

    def flush(self) -> None:
        """Write the subtree hashes cached since the last flush."""
        if self._pending:
            self._recorder.put_nodes(self._pending)
            self._pending = {}


def rotation_text(origin: str, old: VerifierKey, new: VerifierKey, time: datetime) -> str:
    """The text of the note, signed by the old key, that hands the log to a new key."""
    return (
        f"{ROTATION_HEADER}\n{origin}\nold {old}\nnew {new}\ntime {format_checkpoint_time(time)}\n"
    )


def verified_key_chain(rows: list[KeyRow]) -> dict[int, VerifierKey]:
    """The signing keys by seq, after checking each rotation note against the key before.

    Raises IntegrityFailure naming the first key that does not follow from the one before.
    """
    keys: dict[int, VerifierKey] = {}
    previous: VerifierKey | None = None
    for row in rows:
        try:
            key = parse_verifier_key(row.verifier_key)
        except NoteError as e:
            raise IntegrityFailure(f"signing key #{row.seq}: {e}") from None
        if previous is None:
            if row.rotation_note is not None:
                raise IntegrityFailure(f"signing key #{row.seq}: the first key has a rotation")
        else:
            if row.rotation_note is None:
                raise IntegrityFailure(f"signing key #{row.seq}: no rotation note")
            try:
                lines = verify_note(row.rotation_note, previous).split("\n")
            except NoteError as e:
                raise IntegrityFailure(
                    f"signing key #{row.seq}: rotation note is not signed by key "
                    f"#{row.seq - 1}: {e}"
                ) from None
            if lines[:1] != [ROTATION_HEADER] or lines[2:4] != [f"old {previous}", f"new {key}"]:
                raise IntegrityFailure(
                    f"signing key #{row.seq}: the rotation note does not hand over "
                    f"from key #{row.seq - 1} to this key"
                )
        if row.seq != len(keys) + 1:
            raise IntegrityFailure(f"signing key #{row.seq}: keys are not numbered 1, 2, ...")
        keys[row.seq] = key
        previous = key
    return keys


@dataclass(frozen=True)
class CheckpointPolicy:
    """When to checkpoint automatically; 0 turns a trigger off."""

    every_events: int = DEFAULT_EVERY_EVENTS
    every_minutes: float = DEFAULT_EVERY_MINUTES


class IntegrityLog:
    """The Merkle log over the ledger's events and its signed checkpoints."""

    def __init__(
        self,
        recorder: IntegrityTables,
        *,
        key_file: str,
        origin: str,
        clock: Clock,
        policy: CheckpointPolicy,
        witnesses: Sequence[Witness] = (),
    ) -> None:
        self.recorder = recorder
        self.witnesses = tuple(witnesses)
        self.witness_problems: list[str] = []  # from the last publication, for the CLI
        self.key_file = key_file
        self.origin = origin
        self.clock = clock
        self.policy = policy
        self._key: SigningKey | None = None
        self._lock = threading.Lock()
        self._signing = threading.Lock()  # one automatic checkpoint at a time per process
        self._last_signed: tuple[int, datetime | None] | None = None
        self._last_seen: CheckpointRow | None = None
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    # --- keys -------------------------------------------------------------------------

    def keys(self) -> dict[int, VerifierKey]:
        """Every signing key by seq, the rotation chain verified."""
        return verified_key_chain(self.recorder.keys())

    def configured_verifier(self) -> VerifierKey | None:
        """The public half of the key in the key file, if the file exists."""
        if self._key is not None:
            return self._key.verifier
        if not os.path.exists(self.key_file):
            return None
        return SigningKey.load(self.key_file, self.origin).verifier

    def signing_key(self) -> tuple[int, SigningKey]:
        """The current key and its seq; the key file's key becomes the log's first key if
        the log has none. The file is made by `caseledger keys init` (or the demo), never
        here."""
        with self._lock:
            keys = self.keys()
            if self._key is None:
                if not os.path.exists(self.key_file):
                    current = f"; the log's current key is {keys[len(keys)]}" if keys else ""
                    raise IntegrityFailure(f"signing key file {self.key_file} is missing{current}")
                self._key = SigningKey.load(self.key_file, self.origin)
            if not keys:
                self.recorder.insert_key(KeyRow(1, self._key.verifier_key(), None))
                keys = self.keys()
            seq = len(keys)
            if keys[seq] != self._key.verifier:
                raise IntegrityFailure(
                    f"{self.key_file} holds {self._key.verifier_key()}, but the log's "
                    f"current key is {keys[seq]}"
                )
            return seq, self._key

    def rotate_key(self) -> tuple[VerifierKey, VerifierKey]:
        """Hand the log to a new key: a note signed by the old key names the new one.

        The old key file is kept beside the new one as `<file>.<old key id>.retired`;
        the operator should destroy it once the rotation is confirmed. A checkpoint is
        signed with the new key straight away.
        """
        seq, old = self.signing_key()
        new = SigningKey.generate(self.origin)
        staged = f"{self.key_file}.new"
        new.save(staged)
        note = sign_note(rotation_text(self.origin, old.verifier, new.verifier, self.clock()), old)
        if not self.recorder.insert_key(KeyRow(seq + 1, new.verifier_key(), note)):
            os.remove(staged)
            raise IntegrityFailure("another process rotated the key at the same time")
        os.replace(self.key_file, f"{self.key_file}.{old.key_id.hex()}.retired")
        os.replace(staged, self.key_file)
        with self._lock:
            self._key = new
        self.checkpoint()
        return old.verifier, new.verifier

    # --- tree ---------------------------------------------------------------------------

    def tree(self) -> tuple[MerkleTree, NodeTable]:
        """A Merkle tree over the leaf table, and its node cache (flush it after use)."""
        nodes = NodeTable(self.recorder)
        return MerkleTree(LeafTable(self.recorder), nodes), nodes

    def _root(self, tree: MerkleTree, nodes: NodeTable, start: int, size: int) -> bytes:
        """The root at `size`, caching the subtrees completed by leaves [start, size)."""
        frontier: CompactRange = tree.compact_range(start)
        for batch in range(start, size, LEAF_BATCH):
            stop = min(batch + LEAF_BATCH, size)
            hashes = self.recorder.leaf_hashes(batch, stop)
            if len(hashes) != stop - batch:
                raise IntegrityFailure(f"leaf indexes {batch}..{stop - 1} are not all stored")
            frontier.extend(hashes)
            nodes.flush()
        return frontier.root()

    # --- checkpoints ----------------------------------------------------------------------

    def open(self, row: CheckpointRow, keys: dict[int, VerifierKey]) -> Checkpoint:
        """A stored checkpoint's body, its signature verified with the key it names."""
        key = keys.get(row.key_seq)
        if key is None:
            raise IntegrityFailure(f"checkpoint #{row.seq}: no signing key #{row.key_seq}")
        try:
            return open_checkpoint(row.note, key)
        except NoteError as e:
            raise IntegrityFailure(f"checkpoint #{row.seq}: bad signature: {e}") from None
        except CheckpointError as e:
            raise IntegrityFailure(f"checkpoint #{row.seq}: {e}") from None

    def latest(self) -> CheckpointRow | None:
        """The newest stored checkpoint."""
        return self.recorder.latest_checkpoint()

    def checkpoint(self) -> CheckpointRow:
        """Sign a checkpoint of every committed event, unless the newest already is one.

        The new checkpoint is stored only if the consistency proof from the one before
        verifies against both signed roots.
        """
        key_seq, key = self.signing_key()
        keys = self.keys()
        wanted = self.recorder.leaf_count()  # every event committed before this call
        for _ in range(3):
            latest = self.recorder.latest_checkpoint()
            # One that covers them, stored since by another writer, does the job as well.
            if latest is not None and latest.tree_size >= wanted and latest.key_seq == key_seq:
                self.publish(latest)
                return latest
            size = self.recorder.leaf_count()
            tree, nodes = self.tree()
            previous = None if latest is None else self.open(latest, keys)
            if previous is not None and previous.size > size:
                raise IntegrityFailure(
                    f"checkpoint #{latest.seq if latest else 0} covers {previous.size} "
                    f"events, but the log has {size}: events were deleted"
                )
            root = self._root(tree, nodes, 0 if previous is None else previous.size, size)
            proof: list[bytes] = []
            if previous is not None:
                proof = tree.consistency_proof(previous.size, size)
                nodes.flush()
                if not verify_consistency(previous.size, size, previous.root, root, proof):
                    raise IntegrityFailure(
                        f"the log is not consistent with checkpoint #{latest.seq if latest else 0}"
                        ": events it covers were changed"
                    )
            time = self.clock()
            row = CheckpointRow(
                seq=1 if latest is None else latest.seq + 1,
                key_seq=key_seq,
                tree_size=size,
                note=sign_checkpoint(self.origin, size, root, time, key),
                consistency_proof=tuple(proof),
            )
            if self.recorder.insert_checkpoint(row):
                self._last_signed = (row.seq, time)
                self._last_seen = row
                self.publish(row)
                return row
        raise IntegrityFailure("could not store a checkpoint: other writers kept storing theirs")

    def publish(self, row: CheckpointRow) -> list[str]:
        """Hand a stored checkpoint to every witness, with the consistency proof from the
        newest checkpoint each holds. A refusal is logged and kept in `witness_problems`
        (never raised: the checkpoint is signed and stored; `verify` compares them)."""
        problems = []
        for witness in self.witnesses:
            try:
                self._publish_to(witness, row)
            except (WitnessRefused, OSError, IntegrityFailure) as e:
                problems.append(str(e))
                log.error("checkpoint #%s not published: %s", row.seq, e)
        self.witness_problems = problems
        return problems

    def _publish_to(self, witness: Witness, row: CheckpointRow) -> None:
        for _ in range(5):  # other processes publish too: ask again when one got there first
            old = witness.latest_size()
            if old >= row.tree_size:
                return self._check_covered(witness)
            proof: list[bytes] = []
            if old > 0:
                tree, nodes = self.tree()
                proof = tree.consistency_proof(old, row.tree_size)
                nodes.flush()
            try:
                return witness.add_checkpoint(old, proof, row.note)
            except WitnessMoved:
                continue
        raise WitnessRefused(f"witness {witness.name} kept moving: other writers publishing")

    def _check_covered(self, witness: Witness) -> None:
        """The witness holds a checkpoint at least as large (another process published it):
        nothing to add, if it is one of this log; if the log is shorter, events were cut.
        The witness's newest is read once, then checked at its own size (others may add a
        newer one meanwhile)."""
        held = witness.latest()
        if held is None:
            return
        size, held_root = _body_root(held)
        leaves = self.recorder.leaf_count()  # read after it: holds every leaf it covers
        if leaves < size:
            raise WitnessRefused(
                f"witness {witness.name} holds a checkpoint of size {size}, but the log has "
                f"{leaves} events: events were deleted from the end"
            )
        tree, nodes = self.tree()
        root = tree.root(size)
        nodes.flush()
        if root != held_root:
            raise WitnessRefused(
                f"witness {witness.name} holds a checkpoint of size {size} that the log's "
                "events do not give: events it covers were changed or deleted"
            )

    def checkpoint_if_due(self, size: int | None = None) -> CheckpointRow | None:
        """Sign a checkpoint if the policy says one is due; the new one, or None.

        It runs after every commit, so it first asks the newest checkpoint this process has
        seen: checkpoints only grow, so one another process stored since can only make a
        checkpoint less due. Only when that one says "due" is the stored newest read.
        `size` is the tree size the caller knows (after a commit: the one it made), else
        the stored one is read; a size a little behind only makes a checkpoint due later.
        """
        if size is None:
            size = self.recorder.leaf_count()
        known = self._last_seen
        if known is not None and not self._due(size, known):
            return None
        latest = self.recorder.latest_checkpoint()
        self._last_seen = latest
        return self.checkpoint() if self._due(size, latest) else None

    def _due(self, size: int, latest: CheckpointRow | None) -> bool:
        unsigned = size - (0 if latest is None else latest.tree_size)
        if unsigned <= 0:
            return False
        due = latest is None or (0 < self.policy.every_events <= unsigned)
        if not due and latest is not None and self.policy.every_minutes > 0:
            signed_at = self._signed_at(latest)
            due = signed_at is None or self.clock() - signed_at >= timedelta(
                minutes=self.policy.every_minutes
            )
        return due

    def _signed_at(self, row: CheckpointRow) -> datetime | None:
        if self._last_signed is None or self._last_signed[0] != row.seq:
            self._last_signed = (row.seq, self.open(row, self.keys()).time)
        return self._last_signed[1]

    def checkpoint_after_commit(self, size: int | None = None) -> None:
        """The recorder's post-commit hook: checkpoint if due; log, never raise, failures.

        A thread that finds another of this process signing leaves it to that one: a
        checkpoint due now is as well signed a moment later, by it or by the next commit."""
        if not self._signing.acquire(blocking=False):
            return
        try:
            self.checkpoint_if_due(size)
        except Exception:
            log.exception("automatic checkpoint failed; `caseledger verify` will say why")
        finally:
            self._signing.release()

    def start_timer(self) -> None:
        """Check once a minute (or every `every_minutes`, if less) whether one is due."""
        if self.policy.every_minutes <= 0 or self._timer is not None:
            return
        interval = min(60.0, self.policy.every_minutes * 60)

        def run() -> None:
            while not self._stop.wait(interval):
                self.checkpoint_after_commit()

        self._timer = threading.Thread(target=run, name="caseledger-checkpoints", daemon=True)
        self._timer.start()

    def close(self) -> None:
        """Stop the timer, if it runs."""
        self._stop.set()
        if self._timer is not None:
            self._timer.join()


def _body_root(note: str) -> tuple[int, bytes]:
    """The size and root a checkpoint note states (its signature is `verify`'s concern)."""
    body = parse_checkpoint(note.split("\n\n", 1)[0] + "\n")
    return body.size, body.root


def open_integrity_log(env: Mapping[str, str], recorder: Any) -> IntegrityLog:
    """The integrity log over an application's recorder, publishing to witness directories,
    with its automatic checkpoints hooked to the recorder's commits, configured by values
    `interface.settings` checked (with their defaults) and passes in the application's
    environment: `CASELEDGER_SIGNING_KEY_FILE` (resolved in the key directory),
    `CASELEDGER_LOG_ORIGIN`, `CASELEDGER_CHECKPOINT_EVERY_EVENTS`, `_MINUTES` and
    `CASELEDGER_WITNESSES` (comma-separated directories).

    Checkpoints carry the real time of signing (`system_clock`), never the ledger's
    business clock, which the demo loader and tests move by hand.
    """
    if not isinstance(recorder, IntegrityTables):
        raise IntegrityFailure(
            f"{type(recorder).__name__} writes no integrity leaves: set "
            "APPLICATION_RECORDER_TOPIC to a recorder of application.integrity.recorders"
        )
    integrity = IntegrityLog(
        recorder,
        key_file=os.path.abspath(env["CASELEDGER_SIGNING_KEY_FILE"]),
        origin=env["CASELEDGER_LOG_ORIGIN"],
        clock=system_clock,
        policy=CheckpointPolicy(
            every_events=int(env["CASELEDGER_CHECKPOINT_EVERY_EVENTS"]),
            every_minutes=float(env["CASELEDGER_CHECKPOINT_EVERY_MINUTES"]),
        ),
        witnesses=[
            DirectoryWitness(os.path.abspath(d.strip()))
            for d in env["CASELEDGER_WITNESSES"].split(",")
            if d.strip()
        ],
    )
    recorder.after_commit.append(integrity.checkpoint_after_commit)
    return integrity
