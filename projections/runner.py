"""Keeps views up to date by reading the notification log from each view's tracked position.

Every batch of notifications is applied to a view and its tracking position is advanced in
the same transaction, by compare-and-set on the old position: if another process applied the
batch first, this one skips that view, so an event is applied once however many runners poll.
The same code runs on SQLite (whose 9.5 recorder cannot be subscribed to) and PostgreSQL.

The views being caught up together share each batch: it is read and decoded once and applied
to every view that has not yet seen it, in one transaction. Catching up five views therefore
costs one read of the log and one commit per batch, not five.

Each view has a `version`, raised whenever its tables or what it derives change. `setup` keeps
the version each view's tables were built by; a view whose version differs (or was never
recorded) is emptied and set back to position zero, so the next catch-up rebuilds it from the
log instead of carrying on with rows the new code would not have written.

Processes (`processes/`) are fed the same way, with tracking positions of their own, but are
never emptied or rebuilt: what a process has written is what it has done (a reminder sent
stays sent), not data derived again from the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from projections.store import Cursor, ViewStore


class NotificationSource(Protocol):
    """The part of the library's application recorder a runner reads."""

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Any]: ...

    def max_notification_id(self) -> int | None: ...


class Projection(Protocol):
    """A view: its tables, and how one event changes them.

    A view may also say which event classes it `uses` (a tuple of classes; without it,
    every event): the runner then need not write a batch holding none of them to it."""

    name: str
    version: int

    def create_tables(self, cursor: Cursor) -> None: ...

    def drop_tables(self, cursor: Cursor) -> None: ...

    def process(self, cursor: Cursor, event: Any, position: int) -> None: ...


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


_TRACKING = (
    "CREATE TABLE IF NOT EXISTS view_tracking ("
    "projection TEXT PRIMARY KEY, position BIGINT NOT NULL)"
)
_VERSIONS = (
    "CREATE TABLE IF NOT EXISTS view_versions ("
    "projection TEXT PRIMARY KEY, version INTEGER NOT NULL)"
)


class ProjectionRunner:
    def __init__(
        self,
        store: ViewStore,
        source: NotificationSource,
        to_event: Callable[[Any], Any],
        projections: Sequence[Projection],
        batch_size: int = 500,
        processes: Sequence[Projection] = (),
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"a projection batch holds at least one event, not {batch_size}")
        self.store = store
        self.source = source
        self.to_event = to_event
        self.projections = {p.name: p for p in projections}
        self.processes = {p.name: p for p in processes}
        if set(self.projections) & set(self.processes):
            raise ValueError("a view and a process share a name")
        self.batch_size = batch_size
        # per view: (from, to), the log past `from` up to `to` holds no event it uses
        self._unused: dict[str, tuple[int, int]] = {}

    @property
    def _fed(self) -> dict[str, Projection]:
        """Every view, then every process: the order batches are applied in."""
        return self.projections | self.processes

    def setup(self) -> None:
        """Create what is missing, and empty every view built by another version of it."""
        with self.store.transaction() as c:
            c.execute(_TRACKING)
            c.execute(_VERSIONS)
            for projection in self._fed.values():
                projection.create_tables(c)
                c.execute(
                    "INSERT INTO view_tracking (projection, position) VALUES (?, 0) "
                    "ON CONFLICT (projection) DO NOTHING",
                    (projection.name,),
                )
                rebuilt = self._claim_version(c, projection)
                if rebuilt and projection.name in self.projections:
                    self._empty(c, projection)

    def _passed(self, name: str, stored: int) -> int:
        """How far the view is, counting what this process saw it has no use for: from its
        stored position, past a stretch of the log known to hold none of its events."""
        known = self._unused.get(name)
        if known is not None and known[0] <= stored:
            return max(stored, known[1])
        return stored  # rebuilt since: the stretch no longer starts where the view is

    def _due(
        self,
        projection: Projection,
        stored: dict[str, int],
        positions: dict[str, int],
        events: Sequence[tuple[int, Any]],
        last: int,
        reading: bool,
    ) -> bool:
        """Whether this batch is written to the view: not, for a read, if it holds none of
        the events the view `uses` and the view is less than a batch behind."""
        name = projection.name
        if positions[name] >= last:
            return False
        if not reading:
            return True
        uses = getattr(projection, "uses", object)
        if any(n > positions[name] and isinstance(e, uses) for n, e in events):
            return True
        if last - stored[name] >= self.batch_size:
            return True  # bound what a restarted process reads again
        self._unused[name] = (stored[name], last)
        return False

    @staticmethod
    def _claim_version(c: Cursor, projection: Projection) -> bool:
        """Record the view's version; whether its tables were built by another (or unknown)
        one. Insert and compare-and-set: of several processes starting at once, one resets."""
        c.execute(
            "INSERT INTO view_versions (projection, version) VALUES (?, ?) "
            "ON CONFLICT (projection) DO NOTHING",
            (projection.name, projection.version),
        )
        if c.rowcount == 1:
            return True
        c.execute(
            "UPDATE view_versions SET version = ? WHERE projection = ? AND version <> ?",
            (projection.version, projection.name, projection.version),
        )
        return c.rowcount == 1

    @staticmethod
    def _empty(c: Cursor, projection: Projection) -> None:
        projection.drop_tables(c)
        projection.create_tables(c)
        c.execute("UPDATE view_tracking SET position = 0 WHERE projection = ?", (projection.name,))

    def head(self) -> int:
        return self.source.max_notification_id() or 0

    def position(self, name: str) -> int:
        """Where the view is, as this runner knows it (`positions` gives the stored ones)."""
        return self._passed(name, self.positions([name])[name])

    def catch_up(self, *names: str | None, reading: bool = False) -> int:
        """Apply every new event to the named views and processes (or all); returns the
        lowest position.

        A read catching up its own views (`reading`) does not write them a batch that holds
        none of the events they use: their position past it is kept in this runner, and
        written with their next event or once it is a batch behind. So a read after an
        access-log entry costs no transaction. Any other catch-up (the worker, a rebuild, the
        shell) writes every view to the end of each batch.

        They are taken in the runner's own order whatever order they are named in: each
        batch locks their tracking rows one by one, and two callers locking in opposite
        orders would deadlock on PostgreSQL."""
        fed = self._fed
        wanted = {n for n in names if n} or set(fed)
        unknown = wanted - set(fed)
        if unknown:
            raise KeyError(f"no such view: {', '.join(sorted(unknown))}")
        return self._catch_up([p for n, p in fed.items() if n in wanted], reading)

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        positions = self.positions(list(self._fed))
        return [ProjectionStatus(n, self._passed(n, positions[n]), head) for n in self._fed]

    def rebuild(self, name: str | None = None) -> None:
        """Drop and rebuild views from position zero, in one pass over the log (never a
        process: what it did is not derived data)."""
        if name in self.processes:
            raise ValueError(f"{name} is a process: what it has done is not rebuilt")
        chosen = [self.projections[name]] if name else list(self.projections.values())
        with self.store.transaction() as c:
            for projection in chosen:
                self._empty(c, projection)
        self._catch_up(chosen)

    def positions(self, names: Sequence[str]) -> dict[str, int]:
        with self.store.reading() as c:
            c.execute(
                "SELECT projection, position FROM view_tracking "
                f"WHERE projection IN ({', '.join('?' * len(names))})",
                list(names),
            )
            found = {str(row[0]): int(row[1]) for row in c.fetchall()}
        return {n: found.get(n, 0) for n in names}

    def _catch_up(self, projections: Sequence[Projection], reading: bool = False) -> int:
        if not projections:
            return self.head()
        while True:
            stored = self.positions([p.name for p in projections])
            positions = {name: self._passed(name, at) for name, at in stored.items()}
            start = min(positions.values())
            batch = self.source.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not batch:
                return start
            events = [(n.id, self.to_event(n)) for n in batch]
            last = batch[-1].id
            due = [p for p in projections if self._due(p, stored, positions, events, last, reading)]
            if not due:
                continue
            with self.store.transaction() as c:
                for projection in due:
                    seen = stored[projection.name]
                    c.execute(
                        "UPDATE view_tracking SET position = ? "
                        "WHERE projection = ? AND position = ?",
                        (last, projection.name, seen),
                    )
                    if c.rowcount != 1:
                        continue  # another runner applied this batch to it first
                    for notification_id, event in events:
                        if notification_id > seen:
                            projection.process(c, event, notification_id)
