"""Group commit: saves that arrive together are written in one transaction.

Every save of the ledger (a command's events, a staff change, an access-log entry) comes
here with the events it decided on. While one transaction is being committed, the saves that
arrive queue; the next transaction holds all of them, written with one
`Application.save(*events)` (the library's own way of saving several aggregates at once),
so one commit, and on SQLite one fsync, serves many callers. Nothing waits for company: a
save that finds no transaction running is committed at once, alone, as before.

Each caller is answered only after the commit that holds its events, with its own
recordings (its notification ids), so a 201 still means durable. If the shared transaction
fails (a conflict on a case's version: two callers decided on the same state; a person's key
given elsewhere meanwhile; anything), none of it is stored, and each caller's save is tried
again alone, in order: a conflict or a refusal fails only its own caller, as it would have
without company. A shared transaction, or one caller's saved by another, runs in a fresh
context, so a person's key made for a try that failed is never carried into another
(`application.vault.keystore.key_scope`); a caller's own save alone runs in its own.

Whoever commits a batch is one of its callers (the first to arrive when none was running);
after its batch it hands the queue to the first caller waiting in it, so nobody commits
other people's batches for long.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Recording

Save = Callable[..., list[Recording[Any]]]

MAX_BATCH = 64  # callers in one transaction; more wait for the next


@dataclass(eq=False)
class _Waiting:
    events: Sequence[Any]
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False  # its events committed, or its error known
    leads: bool = False  # handed the queue: commits the next batch itself
    recordings: list[Recording[Any]] = field(default_factory=list)
    error: BaseException | None = None

    def outcome(self) -> list[Recording[Any]]:
        if self.error is not None:
            raise self.error
        return self.recordings


class GroupCommit:
    def __init__(self, save: Save, max_batch: int = MAX_BATCH) -> None:
        self._save = save
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._running = False  # a caller is committing a batch
        self.transactions = 0  # tried, together or alone: for the tests and the bench

    @property
    def waiting(self) -> int:
        """Callers queued for the next transaction."""
        with self._lock:
            return len(self._queue)

    def save(self, events: Sequence[Any]) -> list[Recording[Any]]:
        """Store `events` (with others' in one transaction, or alone); their recordings,
        once committed. Raises what saving them alone would have raised."""
        mine = _Waiting(events)
        with self._lock:
            self._queue.append(mine)
            leads = not self._running
            self._running = True
        if not leads:
            mine.wake.wait()
            if mine.finished:
                return mine.outcome()
        self._lead(mine)
        return mine.outcome()

    def _lead(self, mine: _Waiting) -> None:
        """Commit batches until this caller's own is done, then hand the queue on. A
        leader is always first in the queue, so its first batch holds its own events."""
        while not mine.finished:
            with self._lock:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
            self._commit(batch, mine)
        with self._lock:
            if self._queue:
                self._queue[0].leads = True
                self._queue[0].wake.set()
            else:
                self._running = False

    def _commit(self, batch: list[_Waiting], leader: _Waiting) -> None:
        try:
            if len(batch) == 1:
                batch[0].recordings = self._alone(batch[0], leader)
            else:
                self._together(batch)
        except BaseException as e:
            if len(batch) == 1:
                batch[0].error = e
            else:
                self._one_by_one(batch, leader)
        for waiting in batch:
            waiting.finished = True
            waiting.wake.set()

    def _together(self, batch: list[_Waiting]) -> None:
        self.transactions += 1
        events = [e for w in batch for e in w.events]
        recordings = contextvars.Context().run(self._save, *events)
        owner = {id(e): w for w in batch for e in w.events}
        for recording in recordings:
            owner[id(recording.domain_event)].recordings.append(recording)

    def _one_by_one(self, batch: list[_Waiting], leader: _Waiting) -> None:
        for waiting in batch:
            try:
                waiting.recordings = self._alone(waiting, leader)
            except BaseException as e:
                waiting.error = e

    def _alone(self, waiting: _Waiting, leader: _Waiting) -> list[Recording[Any]]:
        """One caller's events in a transaction of their own: the leader's in its own
        context (its key scope goes on, as without group commit), another's in a fresh one."""
        self.transactions += 1
        if waiting is leader:
            return self._save(*waiting.events)
        return contextvars.Context().run(self._save, *waiting.events)
