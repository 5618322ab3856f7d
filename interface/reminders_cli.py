"""`caseledger reminders`: send the digests and escalations due (`send`, one pass, for cron or
a test), keep sending them (`run`, sleeping until the next is due) or show what would go out
(`preview`, nothing recorded or sent)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import timedelta
from typing import Any

from application.reminders import NoMailServer, Pass
from interface.config import Services


def _report(done: Pass) -> None:
    for reminder in done.recorded:
        print(
            f"recorded {reminder.kind} {reminder.id} for {reminder.recipient or 'nobody'} "
            f"({len(reminder.lines)} item{'s' if len(reminder.lines) != 1 else ''})"
        )
    for settled in done.settled:
        print(f"{settled.outcome}: {settled.reminder_id}")
    print(f"next due at {done.next_at.isoformat()}")


def _send(services: Services, args: argparse.Namespace) -> int:
    try:
        _report(services.reminders.send())
    except NoMailServer as e:
        print(f"configuration error: {e}", file=sys.stderr)
        return 78
    return 0


def _run(services: Services, args: argparse.Namespace) -> int:
    if services.reminders.sender is None:
        print("configuration error: CASELEDGER_SMTP_HOST is not set", file=sys.stderr)
        return 78
    stop = threading.Event()

    def stopping(*_: Any) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stopping)
    services.reminders.run(stop, timedelta(seconds=args.longest_sleep))
    return 0


def _preview(services: Services, args: argparse.Namespace) -> int:
    emails = services.reminders.preview(args.staff)
    for email in emails:
        print(email.as_string())
    print(f"{len(emails)} message{'s' if len(emails) != 1 else ''} would go out")
    return 0


def register(sub: Any) -> None:
    reminders = sub.add_parser(
        "reminders", help="daily digests and escalations of the timers, by email"
    ).add_subparsers(dest="reminders", required=True)
    send = reminders.add_parser("send", help="one pass now: record and send everything due")
    send.set_defaults(run=_send)
    run = reminders.add_parser("run", help="keep sending, sleeping until the next is due")
    run.add_argument(
        "--longest-sleep",
        type=float,
        default=300.0,
        help="seconds: look for new cases and timers at least this often",
    )
    run.set_defaults(run=_run)
    preview = reminders.add_parser("preview", help="what would go out now, without sending")
    preview.add_argument("--staff", help="only the messages to this member")
    preview.set_defaults(run=_preview)
