"""Deciding reminders: on each pass, what `domain.reminder_schedule` says is due, less what
the log already records, is recorded on the log (`domain.reminder`) before anything is sent.

One planner at a time across every process (a lease in the reminders process's tables), and
each reminder's record has an id derived from its key, so a reminder is recorded once however
many `reminders run` processes there are. The planner reads the views (timers, case
summaries, staff, reminders) after catching them up, never a case's events.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.reminders.mail import MailSettings
from domain.reminder import Reminder
from domain.reminder_schedule import (
    HEAD_OF_SERVICE,
    CaseOnFile,
    Member,
    ReminderRules,
    next_due,
    reminders_due,
)
from domain.reminder_schedule import Reminder as DueReminder
from processes.reminders import RemindersProcess
from projections import reminders_view, staff_view, timers
from projections.reminders_view import RemindersView
from projections.runner import ProjectionRunner

SYSTEM_ACTOR = "system:reminders"


@dataclass(frozen=True)
class ReminderSettings:
    """Everything reminders are configured by (`interface.settings`, "Reminders")."""

    rules: ReminderRules = field(default_factory=ReminderRules)
    mail: MailSettings | None = None  # None: no SMTP server configured
    head_of_service: str = ""  # the address of the ladder's last rung
    case_url: str = "http://127.0.0.1:8000/cases/{case_id}"
    attempts: int = 5  # tries in all before a temporary refusal is a failure
    backoff: timedelta = timedelta(seconds=60)  # before the second try; doubled each time
    lease: timedelta = timedelta(seconds=120)  # how long a planner or sender holds its work

    @property
    def message_domain(self) -> str:
        return self.mail.message_domain if self.mail else "localhost"


@dataclass(frozen=True)
class Due:
    """What is due as of `now`, what it was decided from, and when to look again."""

    reminders: list[DueReminder]
    members: list[Member]
    cases: list[CaseOnFile]


class Planner:
    def __init__(
        self,
        app: Application,
        runner: ProjectionRunner,
        process: RemindersProcess,
        settings: ReminderSettings,
        clock: Clock,
    ) -> None:
        self.app = app
        self.runner = runner
        self.process = process
        self.settings = settings
        self.clock = clock
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    def due(self, now: datetime) -> Due:
        """The reminders due as of `now` and not yet recorded (views as they are)."""
        rules = self.settings.rules
        calendar = rules.calendar
        today = calendar.local_date(now)
        with self.runner.store.reading() as c:
            cases = timers.reminder_cases(
                c,
                due_before=calendar.end_of_day(today),
                stopped_since=now - timedelta(days=14),
            )
            members = staff_view.members(c)
        candidates = reminders_due(cases, members, now, rules)
        keys = [r.key for r in candidates] + [k for r in candidates for k in r.line_keys]
        with self.runner.store.reading() as c:
            decided = reminders_view.decided(c, keys)
        due = reminders_due(cases, members, now, rules, decided) if decided else candidates
        return Due(due, members, cases)

    def next_wake(self, due: Due, now: datetime) -> datetime:
        return next_due(due.cases, now, self.settings.rules)

    def intention(self, due: DueReminder, members: Sequence[Member], now: datetime) -> Reminder:
        """The record of a reminder about to be sent (not yet saved)."""
        if due.recipient == HEAD_OF_SERVICE:
            address = self.settings.head_of_service
        else:
            address = next((m.email for m in members if m.username == due.recipient), "")
        return Reminder.intend(
            due,
            address=address,
            message_domain=self.settings.message_domain,
            actor=SYSTEM_ACTOR,
            at=now,
        )

    def _caught_up_with_the_log(self) -> bool:
        """Whether the views now hold every event stored before this pass began, reminders
        recorded by earlier passes included: a view read from a lagging replica must not let
        a line decided already be decided again. Waits a little for a lagging source."""
        head = self.app.recorder.max_notification_id() or 0
        deadline = time.monotonic() + self.settings.lease.total_seconds() / 4
        while True:
            self.runner.catch_up()
            if self.runner.position(RemindersView.name) >= head:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def plan(self) -> tuple[list[Reminder], datetime]:
        """Record every reminder due now (if no other planner is at it); what was recorded,
        and when something may next fall due."""
        now = self.clock()
        with self.runner.store.transaction() as c:
            held = self.process.lease.take(c, self.holder, now, now + self.settings.lease)
        if not held:
            return [], now + self.settings.lease
        try:
            if not self._caught_up_with_the_log():
                return [], now + self.settings.lease
            due = self.due(now)
            recorded = []
            for reminder in due.reminders:
                intention = self.intention(reminder, due.members, now)
                try:
                    self.app.save(intention)
                except IntegrityError:
                    continue  # recorded already (by a planner whose lease ran out)
                recorded.append(intention)
            return recorded, self.next_wake(due, now)
        finally:
            with self.runner.store.transaction() as c:
                self.process.lease.let_go(c, self.holder)
