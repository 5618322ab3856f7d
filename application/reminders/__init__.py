"""Reminders and escalation (issue 17): the digests and escalations the timers owe, recorded
on the log, sent by email, and shown with the cases they are about.

`Reminders` is what the CLI and the API use: `send` makes one pass (record what is due, then
deliver the outbox), `run` makes passes until stopped, sleeping until the next thing is due,
`preview` shows what would go out without recording or sending anything. The rules are
`domain.reminder_schedule`; deciding is `planning`, delivering `sending`, the email itself
`messages`, SMTP `mail`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from eventsourcing.application import Application

from application.actors import Actor
from application.authorisation import authorise
from application.clock import Clock
from application.freshness import ViewFreshness
from application.reminders.mail import Mailer, SmtpMailer
from application.reminders.messages import email_for
from application.reminders.planning import Planner, ReminderSettings
from application.reminders.sending import Sender, Settled
from domain.reminder import Reminder
from processes.reminders import RemindersProcess
from projections import reminders_view
from projections.reminders_view import ReminderRecord

_log = logging.getLogger("caseledger.reminders")


class NoMailServer(ValueError):
    """Reminders cannot be sent: no SMTP server is configured."""


@dataclass(frozen=True)
class Pass:
    """One pass: the reminders recorded, what became of the deliveries tried, and when the
    next thing may fall due."""

    recorded: list[Reminder]
    settled: list[Settled]
    next_at: datetime


class Reminders:
    def __init__(
        self,
        app: Application,
        views: ViewFreshness,
        process: RemindersProcess,
        settings: ReminderSettings,
        clock: Clock,
        mailer: Mailer | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.views = views
        self.runner = runner = views.runner
        self.planner = Planner(app, runner, process, settings, clock)
        if mailer is None and settings.mail is not None:
            mailer = SmtpMailer(settings.mail)
        self.sender = (
            Sender(app, runner.store, process, mailer, settings, clock) if mailer else None
        )

    def send(self) -> Pass:
        """Record every reminder due now, then deliver every one due (this pass's and any
        left by a pass before, or by a sender that died)."""
        if self.sender is None:
            raise NoMailServer("CASELEDGER_SMTP_HOST is not set: no reminder can be sent")
        recorded, next_at = self.planner.plan()
        self.runner.catch_up()  # the outbox takes what was just recorded
        settled = self.sender.deliver()
        waiting = self.sender.next_due_at()
        if waiting is not None:
            next_at = min(next_at, max(waiting, self.clock()))
        return Pass(recorded, settled, next_at)

    def run(self, stop: threading.Event, longest_sleep: timedelta) -> None:
        """Passes until `stop` is set, each sleeping until the next thing is due (at most
        `longest_sleep`, so new cases and timers are seen). A pass that fails (the database
        gone for a moment) is logged by its kind of error and tried again after a while:
        what it had recorded stays recorded, and what it had claimed is taken over."""
        while not stop.is_set():
            try:
                done = self.send()
            except NoMailServer:
                raise
            except Exception as error:  # the next pass starts from the log and the outbox
                _log.warning("reminders pass failed (%s); trying again", type(error).__name__)
                stop.wait(min(longest_sleep, timedelta(seconds=5)).total_seconds())
                continue
            wait = min(done.next_at - self.clock(), longest_sleep)
            stop.wait(max(wait.total_seconds(), 0.05))

    def preview(self, staff: str | None = None) -> list[EmailMessage]:
        """The emails a pass now would send (to `staff` only, if named), nothing recorded."""
        self.runner.catch_up()
        now = self.clock()
        due = self.planner.due(now)
        emails = []
        for reminder in due.reminders:
            if staff is not None and reminder.recipient != staff:
                continue
            intention = self.planner.intention(reminder, due.members, now)
            emails.append(
                email_for(
                    intention,
                    sender=self.settings.mail.sender if self.settings.mail else "",
                    case_url=self.settings.case_url,
                    calendar=self.settings.rules.calendar,
                    sent_at=now,
                )
            )
        return emails

    def about_case(self, case_id: str, as_of: datetime | None = None) -> list[ReminderRecord]:
        """Every reminder about a case (see `reminders_about`)."""
        return reminders_about(self.views, case_id, as_of)

    def deliveries(
        self, actor: Actor, outcomes: tuple[str, ...], limit: int = 100, offset: int = 0
    ) -> list[ReminderRecord]:
        """Reminders by outcome, newest first: the auditor's and the admin's (failed
        deliveries, members without an address); references and ids, no personal data."""
        authorise(actor, "reminder-deliveries")
        self.views.ready(reminders_view.RemindersView.name)
        with self.runner.store.reading() as c:
            return reminders_view.by_outcome(c, outcomes, limit, offset)

    def to_me(self, actor: Actor, days: int = 7) -> list[ReminderRecord]:
        """The reminders to the reader in the last `days` days, the latest first: what their
        Today screen shows beside their timers, failed deliveries included."""
        self.views.ready(reminders_view.RemindersView.name)
        with self.runner.store.reading() as c:
            since = self.clock() - timedelta(days=days)
            return reminders_view.to_recipient(c, actor.username, since)


def reminders_about(
    views: ViewFreshness, case_id: str, as_of: datetime | None = None
) -> list[ReminderRecord]:
    """Every reminder about a case, in the order recorded, with its lines about that case;
    `as_of`: only those recorded by then, each outcome as it stood then (an evidence pack's
    view). The caller has checked that the reader may see the case."""
    views.ready(reminders_view.RemindersView.name)
    with views.store.reading() as c:
        found = reminders_view.about_case(c, case_id)
    if as_of is None:
        return found
    return [_as_of(r, as_of) for r in found if r.intended_at <= as_of]


def _as_of(record: ReminderRecord, at: datetime) -> ReminderRecord:
    if record.settled_at is not None and record.settled_at > at:
        return replace(record, outcome="", settled_at=None, reply="")
    return record
