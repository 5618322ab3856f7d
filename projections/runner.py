"""Keeps views up to date by reading the notification log from each view's tracked position.

Every batch of notifications is applied to a view and its tracking position is advanced in
the same transaction, by compare-and-set on the old position: if another process applied the
batch first, this one rolls back, so an event is applied once however many runners poll.
The same code runs on SQLite (whose 9.5 recorder cannot be subscribed to) and PostgreSQL.
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
    """A view: its tables, and how one event changes them."""

    name: str

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


class ProjectionRunner:
    def __init__(
        self,
        store: ViewStore,
        source: NotificationSource,
        to_event: Callable[[Any], Any],
        projections: Sequence[Projection],
        batch_size: int = 500,
    ) -> None:
        self.store = store
        self.source = source
        self.to_event = to_event
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size

    def setup(self) -> None:
        with self.store.transaction() as c:
            c.execute(_TRACKING)
            for projection in self.projections.values():
                projection.create_tables(c)
                c.execute(
                    "INSERT INTO view_tracking (projection, position) VALUES (?, 0) "
                    "ON CONFLICT (projection) DO NOTHING",
                    (projection.name,),
                )

    def head(self) -> int:
        return self.source.max_notification_id() or 0

    def position(self, name: str) -> int:
        with self.store.reading() as c:
            c.execute("SELECT position FROM view_tracking WHERE projection = ?", (name,))
            row = c.fetchone()
        return int(row[0]) if row else 0

    def catch_up(self, name: str | None = None) -> int:
        """Apply every new event to the named view (or all); returns the lowest position."""
        names = [name] if name else list(self.projections)
        return min(self._catch_up_one(self.projections[n]) for n in names)

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        return [ProjectionStatus(n, self.position(n), head) for n in self.projections]

    def rebuild(self, name: str | None = None) -> None:
        """Drop and rebuild views from position zero."""
        names = [name] if name else list(self.projections)
        for n in names:
            projection = self.projections[n]
            with self.store.transaction() as c:
                projection.drop_tables(c)
                projection.create_tables(c)
                c.execute("UPDATE view_tracking SET position = 0 WHERE projection = ?", (n,))
            self._catch_up_one(projection)

    def _catch_up_one(self, projection: Projection) -> int:
        while True:
            position = self.position(projection.name)
            batch = self.source.select_notifications(
                start=position, limit=self.batch_size, inclusive_of_start=False
            )
            if not batch:
                return position
            events = [(n.id, self.to_event(n)) for n in batch]
            with self.store.transaction() as c:
                c.execute(
                    "UPDATE view_tracking SET position = ? WHERE projection = ? AND position = ?",
                    (batch[-1].id, projection.name, position),
                )
                if c.rowcount != 1:
                    continue  # another runner applied this batch first; nothing was written
                for notification_id, event in events:
                    projection.process(c, event, notification_id)
