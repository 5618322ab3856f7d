"""Full verification of the ledger's integrity from storage, streaming in batches.

`verify_log` reads the library's events table directly in notification order (never
through the mapper, so ciphertext is hashed as stored and erased subjects change
nothing), recomputes each event's leaf, compares it with the stored leaf, rebuilds the
tree root with a `CompactRange` and compares it with every signed checkpoint's root at
that size. It also checks the signing key chain, each checkpoint's signature, and the
consistency proof each checkpoint carries from the one before. Memory stays flat: one
page of events, one of leaves, one of checkpoints and O(log n) hashes.

The merged walk over events and leaves names the first position that does not match:

* "changed": the event's bytes, topic or chain no longer give its leaf hash;
* "reordered": the event at a position is not the one its leaf records, or a case's
  versions are out of position order;
* "missing event": a leaf has no event at its position (the event was deleted);
* "extra event": an event has no leaf (the leaf was deleted, or the row was written
  outside the ledger);
* checkpoint problems: bad signature, not consistent with the one before, a root the
  stored events do not give, or a size beyond the end of the log (events deleted from
  the end);
* the same for checkpoints kept outside the database (each witness's newest, and any file
  given), which is what catches an insider who deleted events with the checkpoints and
  leaves that covered them;
* a log that the trusted key vouches for nowhere: no trusted key at all, a key chain that
  does not reach it, events but no leaves, no checkpoint signed by it or a later key, or
  more unsigned events than the checkpoint policy lets build up (checkpoints missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from application.integrity.evidence_verifier import (
    ZERO_HASH,
    Checkpoint,
    CheckpointError,
    NoteError,
    VerifierKey,
    b64encode,
    open_checkpoint,
    verify_consistency,
)
from application.integrity.log import IntegrityFailure, IntegrityLog
from application.integrity.merkle import CompactRange
from application.integrity.recorders import CheckpointRow, EventRow, LeafRow

BATCH = 500

T = TypeVar("T")


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification: either OK, or the first problem found."""

    events: int
    root: bytes
    checkpoints: int
    problem: str | None = None
    position: int | None = None

    @property
    def ok(self) -> bool:
        """Whether everything verified."""
        return self.problem is None

    def summary(self) -> str:
        """One line: `OK: N events, root <b64>`, or where and what the first problem is."""
        if self.ok:
            return f"OK: {self.events} events, root {b64encode(self.root)}"
        where = "" if self.position is None else f" at position {self.position}"
        return f"FAILED{where}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object."""
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "events_verified": self.events,
            "root": b64encode(self.root),
            "checkpoints_verified": self.checkpoints,
            "position": self.position,
            "problem": self.problem,
        }


class _Mismatch(Exception):
    def __init__(self, problem: str, position: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.position = position


def _pages(fetch: Callable[[int], Sequence[T]], key: Callable[[T], int]) -> Iterator[T]:
    after = 0
    while page := fetch(after):
        yield from page
        after = key(page[-1])


def _event_name(row: EventRow | LeafRow) -> str:
    return f"{row.originator_id} version {row.originator_version}"


class _CheckpointWalk:
    """The stored checkpoints in order, each checked against the one before."""

    def __init__(self, integrity: IntegrityLog, keys: dict[int, VerifierKey]) -> None:
        self._integrity = integrity
        self._keys = keys
        self._rows = _pages(
            lambda after: integrity.recorder.checkpoints_page(after, BATCH), lambda r: r.seq
        )
        self._previous: tuple[CheckpointRow, Checkpoint] | None = None
        self.checked = 0
        self.pending: tuple[CheckpointRow, Checkpoint] | None = None
        self.advance()

    def advance(self) -> None:
        """Open the next checkpoint; check its signature and its proof from the last."""
        row = next(self._rows, None)
        if row is None:
            self.pending = None
            return
        try:
            body = self._integrity.open(row, self._keys)
        except IntegrityFailure as e:
            raise _Mismatch(str(e)) from None
        if self._previous is not None:
            before, earlier = self._previous
            if body.origin != earlier.origin:
                raise _Mismatch(f"checkpoint #{row.seq} is for another log: {body.origin}")
            if row.key_seq < before.key_seq:
                raise _Mismatch(f"checkpoint #{row.seq} is signed by a retired key")
            if not verify_consistency(
                earlier.size, body.size, earlier.root, body.root, row.consistency_proof
            ):
                raise _Mismatch(
                    f"checkpoint #{row.seq} (size {body.size}) is not consistent with "
                    f"checkpoint #{before.seq} (size {earlier.size})"
                )
        self.pending = (row, body)

    @property
    def last(self) -> tuple[CheckpointRow, Checkpoint] | None:
        """The newest checkpoint checked against its root so far."""
        return self._previous

    def check_root(self, frontier: CompactRange, last_position: int | None) -> None:
        """Check every checkpoint of the frontier's size against its root."""
        size = frontier.size
        while self.pending is not None and self.pending[1].size == size:
            row, body = self.pending
            root = frontier.root()
            if body.root != root:
                raise _Mismatch(
                    f"checkpoint #{row.seq} (size {size}) signs root {b64encode(body.root)}, "
                    f"but the stored events give {b64encode(root)}: events up to here were "
                    "changed and their leaves rewritten",
                    last_position,
                )
            self.checked += 1
            self._previous = self.pending
            self.advance()


def _check_pair(event: EventRow, leaf: LeafRow, index: int) -> bytes:
    """The recomputed leaf hash of an event that has a leaf at its position."""
    position = event.position
    if (event.originator_id, event.originator_version) != (
        leaf.originator_id,
        leaf.originator_version,
    ):
        raise _Mismatch(
            f"reordered: the stored event here is {_event_name(event)}, but the leaf "
            f"here records {_event_name(leaf)}",
            position,
        )
    if leaf.leaf_index != index:
        raise _Mismatch(
            f"reordered: the leaf here has index {leaf.leaf_index}, expected {index}", position
        )
    previous = ZERO_HASH
    if event.originator_version > 1:
        if event.previous_leaf_hash is None or event.previous_position is None:
            raise _Mismatch(
                f"missing event: {event.originator_id} version "
                f"{event.originator_version - 1}, before this one, has no leaf",
                position,
            )
        if event.previous_position >= position:
            raise _Mismatch(
                f"reordered: {_event_name(event)} is before version "
                f"{event.originator_version - 1} (position {event.previous_position})",
                position,
            )
        previous = event.previous_leaf_hash
    recomputed = event.leaf_hash_after(previous)
    if recomputed != leaf.leaf_hash:
        raise _Mismatch(
            f"changed: the stored bytes of {_event_name(event)} (or its topic or chain) "
            "do not match its leaf",
            position,
        )
    return recomputed


@dataclass(frozen=True)
class OutsideCheckpoint:
    """A checkpoint kept outside the database (a witness's, or a file), opened and checked."""

    source: str
    body: Checkpoint


def _open_outside(
    source: str, note: str, keys: Sequence[VerifierKey], origin: str
) -> OutsideCheckpoint:
    for key in keys:
        try:
            body = open_checkpoint(note, key)
        except NoteError:
            continue
        except CheckpointError as e:
            raise _Mismatch(f"the checkpoint from {source} is malformed: {e}") from None
        if body.origin != origin:
            raise _Mismatch(f"the checkpoint from {source} is for another log: {body.origin}")
        return OutsideCheckpoint(source, body)
    raise _Mismatch(
        f"the checkpoint from {source} is not signed by the trusted key or a key of its chain"
    )


def _check_outside(
    pending: list[OutsideCheckpoint], frontier: CompactRange, where: int | None
) -> None:
    """Check (and drop) the outside checkpoints of the frontier's size against its root."""
    while pending and pending[0].body.size == frontier.size:
        outside = pending.pop(0)
        if outside.body.root != frontier.root():
            raise _Mismatch(
                f"the checkpoint from {outside.source} (size {outside.body.size}) signs root "
                f"{b64encode(outside.body.root)}, but the stored events give "
                f"{b64encode(frontier.root())}: events it covers were changed or deleted",
                where,
            )


def _anchor_seq(keys: dict[int, VerifierKey], anchor: VerifierKey | None) -> int:
    """The seq of the trusted key in the chain; a chain that does not reach it fails."""
    if anchor is None:
        raise _Mismatch(
            "no trusted key: give --trusted-key (the published key), or restore the "
            "signing key file"
        )
    for seq, key in keys.items():
        if key == anchor:
            return seq
    if not keys:
        raise _Mismatch(
            f"no signing key is stored, so the trusted key {anchor} signed nothing here: the "
            "integrity tables were emptied"
        )
    raise _Mismatch(f"the signing key chain does not contain the trusted key {anchor}")


def verify_log(
    integrity: IntegrityLog,
    trusted_key: VerifierKey | None = None,
    outside: Sequence[tuple[str, str]] = (),
) -> VerifyResult:
    """Verify every event, leaf, checkpoint and signing key from storage, and the log
    against checkpoints kept outside it: each witness's newest and `outside` ((source,
    note) pairs, e.g. a file the auditor kept).

    The key chain must contain `trusted_key`, or else the public half of the configured
    signing key file; a log with events needs a checkpoint signed by that key or one it
    handed over to, and no more unsigned events than the checkpoint policy allows.
    """
    recorder = integrity.recorder
    frontier = CompactRange()
    walk: _CheckpointWalk | None = None
    try:
        try:
            keys = integrity.keys()
        except IntegrityFailure as e:
            raise _Mismatch(str(e)) from None
        notes = list(outside)
        for witness in integrity.witnesses:
            try:
                note = witness.latest()
            except OSError as e:
                raise _Mismatch(f"witness {witness.name} cannot be read: {e}") from None
            if note is not None:
                notes.append((f"witness {witness.name}", note))
        upto = recorder.last_position()
        if upto == 0 and not keys and not notes:
            return VerifyResult(events=0, root=frontier.root(), checkpoints=0)  # a new ledger
        anchor = trusted_key or integrity.configured_verifier()
        anchor_seq = _anchor_seq(keys, anchor)
        trusted = [key for seq, key in sorted(keys.items()) if seq >= anchor_seq]
        pending = sorted(
            (_open_outside(source, note, trusted, integrity.origin) for source, note in notes),
            key=lambda o: o.body.size,
        )
        if upto > 0 and recorder.leaf_count() == 0:
            raise _Mismatch("the log has events but no leaves: the integrity tables were emptied")
        walk = _CheckpointWalk(integrity, keys)
        walk.check_root(frontier, None)
        _check_outside(pending, frontier, None)

        events = _pages(lambda a: recorder.events_page(a, upto, BATCH), lambda r: r.position)
        leaves = _pages(lambda a: recorder.leaves_page(a, upto, BATCH), lambda r: r.position)
        event, leaf = next(events, None), next(leaves, None)
        while event is not None or leaf is not None:
            if leaf is None or (event is not None and event.position < leaf.position):
                assert event is not None
                raise _Mismatch(
                    f"extra event: {_event_name(event)} has no leaf (its leaf was deleted, "
                    "or the event was written outside the ledger)",
                    event.position,
                )
            if event is None or leaf.position < event.position:
                raise _Mismatch(
                    f"missing event: the leaf here records {_event_name(leaf)}, but no "
                    "stored event is here (deleted, or the leaf is extra)",
                    leaf.position,
                )
            frontier.append(_check_pair(event, leaf, frontier.size))
            walk.check_root(frontier, event.position)
            _check_outside(pending, frontier, event.position)
            event, leaf = next(events, None), next(leaves, None)

        if walk.pending is not None:
            row, body = walk.pending
            raise _Mismatch(
                f"checkpoint #{row.seq} covers {body.size} events, but the log has "
                f"{frontier.size}: events were deleted from the end"
            )
        if pending:
            raise _Mismatch(
                f"the checkpoint from {pending[-1].source} covers {pending[-1].body.size} "
                f"events, but the log has {frontier.size}: events were deleted from the end"
            )
        _check_signed(integrity, walk, frontier.size, anchor_seq)
    except _Mismatch as m:
        return VerifyResult(
            events=frontier.size,
            root=frontier.root(),
            checkpoints=0 if walk is None else walk.checked,
            problem=m.problem,
            position=m.position,
        )
    return VerifyResult(events=frontier.size, root=frontier.root(), checkpoints=walk.checked)


def _check_signed(integrity: IntegrityLog, walk: _CheckpointWalk, size: int, anchor: int) -> None:
    """A log with events has a checkpoint by the trusted key (or a later one of its chain),
    and no longer an unsigned tail than the policy lets grow (twice its count: a commit's
    checkpoint may lag a concurrent one's)."""
    if size == 0:
        return
    last = walk.last
    if last is None:
        raise _Mismatch(
            f"missing checkpoints: {size} events and no signed checkpoint (is the signing key "
            f"file {integrity.key_file} there?)"
        )
    row, body = last
    if row.key_seq < anchor:
        raise _Mismatch("no checkpoint is signed by the trusted key or a key it handed the log to")
    unsigned, every = size - body.size, integrity.policy.every_events
    if every > 0 and unsigned > 2 * every:
        raise _Mismatch(
            f"missing checkpoints: {unsigned} events after checkpoint #{row.seq}, which should "
            f"be signed every {every} (is the signing key file {integrity.key_file} there?)"
        )
