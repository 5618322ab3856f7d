"""Witnesses: copies of the signed checkpoints kept where the database's writer cannot reach.

A checkpoint stored only in the database it proves can be deleted with the events it covers.
Every checkpoint the log signs is therefore also handed to each configured witness, which
keeps it apart from the database; `caseledger verify` then proves the log consistent with
each witness's newest checkpoint (and with any checkpoint file given on the command line).

The interface follows the C2SP tlog-witness protocol's `add-checkpoint`: the log sends the
size of the witness's newest checkpoint (`old_size`), a consistency proof from it to the new
one, and the new signed checkpoint; the witness stores it only if the proof holds between its
newest root and the new root, and never goes back to a smaller tree. An HTTP witness speaking
that protocol (POST /add-checkpoint, 409 with the witness's size on a wrong `old_size`, a
cosignature in reply) would be one more class with these three methods; only the directory
witness is built.

`DirectoryWitness` keeps each checkpoint as a new file `<size>.checkpoint` (created, never
rewritten; mode 0444). It is meant for a directory of another machine or another user: mount
it from the witness host, or make it append-only (`chattr +a DIR` as root), so the ledger's
own service user can add files but not delete or replace them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from application.integrity.evidence_verifier import (
    CheckpointError,
    parse_checkpoint,
    verify_consistency,
)

_NAME = re.compile(r"([0-9]{20})\.checkpoint")


class WitnessRefused(Exception):
    """The witness would not take a checkpoint: the message says why."""


class WitnessMoved(WitnessRefused):
    """The witness's newest checkpoint is not the `old_size` given: another writer added one
    meanwhile (C2SP: 409 Conflict with the witness's size). Ask again."""


class Witness(Protocol):
    """Where signed checkpoints are kept outside the database."""

    name: str

    def latest(self) -> str | None:
        """The newest checkpoint note this witness holds, if any."""
        ...

    def latest_size(self) -> int:
        """The tree size of the newest checkpoint held (0 if none)."""
        ...

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> None:
        """Keep `note`; `proof` is the consistency proof from `old_size` (which must be
        `latest_size()`) to the note's size. Raises `WitnessRefused`."""
        ...


def _body(note: str) -> str:
    """The checkpoint text of a signed note (its signatures follow the first blank line)."""
    return note.split("\n\n", 1)[0] + "\n"


class DirectoryWitness:
    """A directory of checkpoint files, one per tree size, only ever added to."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.name = str(self.directory)

    def _sizes(self) -> list[int]:
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        return sorted((int(m.group(1)) for n in names if (m := _NAME.fullmatch(n))), reverse=True)

    def _path(self, size: int) -> Path:
        return self.directory / f"{size:020d}.checkpoint"

    def _newest(self) -> tuple[int, str] | None:
        """The newest whole checkpoint file: one another process is still writing (it is
        created, then written; a directory one may only add to cannot take a rename) is
        passed over."""
        for size in self._sizes():
            note = self._path(size).read_text(encoding="utf-8")
            try:
                if parse_checkpoint(_body(note)).size == size and "\n\n" in note:
                    return size, note
            except CheckpointError:
                continue
        return None

    def latest(self) -> str | None:
        newest = self._newest()
        return None if newest is None else newest[1]

    def latest_size(self) -> int:
        newest = self._newest()
        return 0 if newest is None else newest[0]

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> None:
        try:
            new = parse_checkpoint(_body(note))
        except CheckpointError as e:
            raise WitnessRefused(f"witness {self.name}: not a checkpoint: {e}") from None
        held = self.latest()
        if held is not None:
            old = parse_checkpoint(_body(held))
            if old.size != old_size:
                raise WitnessMoved(
                    f"witness {self.name} holds a checkpoint of size {old.size}, not {old_size}"
                )
            if new.size < old.size:
                raise WitnessRefused(
                    f"witness {self.name} holds a checkpoint of size {old.size}: the log "
                    f"now has {new.size} events"
                )
            if old.origin != new.origin or not verify_consistency(
                old.size, new.size, old.root, new.root, list(proof)
            ):
                raise WitnessRefused(
                    f"witness {self.name}: the checkpoint of size {new.size} is not consistent "
                    f"with the one of size {old.size} it holds: events it covers were changed "
                    "or deleted"
                )
            if new.size == old.size:
                return  # the same tree: already held
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(self._path(new.size), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            return  # another process added this size first; consistency was checked above
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(note)
            file.flush()
            os.fsync(file.fileno())
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
