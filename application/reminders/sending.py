"""Delivering reminders: the reminders process's outbox, one entry per recorded reminder, sent
by email and settled on the log.

Exactly once in effect, across processes and crashes: a sender claims an entry for a while
before it sends (another sender skips it), loads the reminder's record and sends nothing if
it is settled already, sends with the reminder's own Message-ID, then records the outcome and
marks the entry done. A sender killed after sending and before recording leaves the entry
claimed; once the claim runs out the next sender sends it again with the same Message-ID, so
the receiving server can drop the copy. A temporary refusal (4xx, no server) is recorded and
tried again after a backoff that doubles; a permanent one (5xx), or the last try refused, is
recorded as failed. A member removed, or moved to another team, since the reminder was
recorded, and a reminder with no address or nobody to go to, are recorded as undeliverable.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.reminders.mail import Mailer, PermanentRefusal, TemporaryRefusal
from application.reminders.messages import email_for
from application.reminders.planning import SYSTEM_ACTOR, ReminderSettings
from domain.reminder import Reminder, Undeliverable
from domain.reminder_schedule import HEAD_OF_SERVICE, NOBODY
from domain.staff import StaffMember, staff_id_for
from processes.outbox import Entry
from processes.reminders import RemindersProcess
from projections.store import ViewStore


@dataclass(frozen=True)
class Settled:
    """What one delivery did: the reminder's id and its outcome ("deferred" if put off)."""

    reminder_id: str
    outcome: str


class Sender:
    def __init__(
        self,
        app: Application,
        store: ViewStore,
        process: RemindersProcess,
        mailer: Mailer,
        settings: ReminderSettings,
        clock: Clock,
    ) -> None:
        self.app = app
        self.store = store
        self.outbox = process.outbox
        self.mailer = mailer
        self.settings = settings
        self.clock = clock

    def deliver(self, batch: int = 100) -> list[Settled]:
        """Send every entry due now that no other sender holds."""
        done: list[Settled] = []
        while True:
            with self.store.reading() as c:
                entries = self.outbox.due(c, self.clock(), limit=batch)
            settled = [s for s in (self._one(e) for e in entries) if s is not None]
            done += settled
            if len(entries) < batch or not settled:
                return done

    def next_due_at(self) -> datetime | None:
        with self.store.reading() as c:
            return self.outbox.next_due_at(c)

    def _one(self, entry: Entry) -> Settled | None:
        now = self.clock()
        with self.store.transaction() as c:
            if not self.outbox.claim(c, entry.key, now, now + self.settings.lease):
                return None  # another sender has it
        reminder: Reminder = self.app.repository.get(UUID(entry.payload["reminder_id"]))
        if reminder.settled:  # recorded by a sender that died before marking it done
            self._done(entry, now)
            return Settled(entry.key, reminder.outcome)
        reason = self._undeliverable(reminder)
        if reason:
            reminder.undeliverable(reason=reason, actor=SYSTEM_ACTOR, at=now)
            return self._record(reminder, entry)
        message = email_for(
            reminder,
            sender=self.settings.mail.sender if self.settings.mail else "caseledger@localhost",
            case_url=self.settings.case_url,
            calendar=self.settings.rules.calendar,
            sent_at=now,
        )
        try:
            reply = self.mailer.send(message)
        except TemporaryRefusal as refused:
            at = self.clock()
            if reminder.attempts + 1 >= self.settings.attempts:
                reminder.failed(reply=refused.reply, actor=SYSTEM_ACTOR, at=at)
                return self._record(reminder, entry)
            retry_at = at + self.settings.backoff * 2**reminder.attempts
            reminder.deferred(reply=refused.reply, retry_at=retry_at, actor=SYSTEM_ACTOR, at=at)
            return self._record(reminder, entry, retry_at=retry_at)
        except PermanentRefusal as refused:
            reminder.failed(reply=refused.reply, actor=SYSTEM_ACTOR, at=self.clock())
            return self._record(reminder, entry)
        reminder.delivered(reply=reply, actor=SYSTEM_ACTOR, at=self.clock())
        return self._record(reminder, entry)

    def _undeliverable(self, reminder: Reminder) -> str:
        if reminder.recipient == NOBODY:
            return Undeliverable.NO_RECIPIENT
        if reminder.recipient != HEAD_OF_SERVICE:
            try:
                member: StaffMember = self.app.repository.get(staff_id_for(reminder.recipient))
            except AggregateNotFoundError:
                return Undeliverable.REMOVED
            if not member.active:
                return Undeliverable.REMOVED
            if member.team != reminder.team:
                return Undeliverable.MOVED_TEAM
        if not reminder.address:
            return Undeliverable.NO_ADDRESS
        return ""

    def _record(
        self, reminder: Reminder, entry: Entry, retry_at: datetime | None = None
    ) -> Settled:
        with suppress(IntegrityError):  # another sender recorded it first (its claim ran out)
            self.app.save(reminder)
        with self.store.transaction() as c:
            if retry_at is not None:
                self.outbox.retry(c, entry.key, retry_at)
            else:
                self.outbox.done(c, entry.key, self.clock())
        return Settled(entry.key, "deferred" if retry_at else reminder.outcome)

    def _done(self, entry: Entry, now: datetime) -> None:
        with self.store.transaction() as c:
            self.outbox.done(c, entry.key, now)
