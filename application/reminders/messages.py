"""A reminder as an email: case references, timer names, due times and links to each case's
page, and nothing else about a case. The email leaves the landlord's systems, so it never
holds a name, an address, a description or any other personal value: everything it says is
taken from the reminder's record (`domain.reminder`), which holds none.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from domain.calendar import WorkingCalendar
from domain.plain_words import words
from domain.reminder import Reminder
from domain.service_levels import TimerKind

_SUBJECTS = {
    ("digest", "officer"): "Your hate cases: timers due today and overdue",
    ("digest", "manager"): "Your team's hate cases: overdue, breached and unallocated",
    ("digest", "hub"): "Hate reports waiting for triage",
    ("escalation", "manager"): "Escalation: hate case timers overdue in your team",
    ("escalation", "head_of_service"): "Escalation to the head of service: timers overdue",
}


def timer_name(kind: str) -> str:
    return "Report" if kind == "report" else words(TimerKind, kind)


def local_time(at: str, calendar: WorkingCalendar) -> str:
    """A due instant on the local wall clock: "17:00 Tue 1 Sep 2026"."""
    if not at:
        return ""
    local = datetime.fromisoformat(at).astimezone(calendar.zone)
    return f"{local:%H:%M %a} {local.day} {local:%b %Y}"


def email_for(
    reminder: Reminder, *, sender: str, case_url: str, calendar: WorkingCalendar, sent_at: datetime
) -> EmailMessage:
    """The email for one recorded reminder; its Message-ID is the reminder's, every time."""
    subject = _SUBJECTS.get((reminder.kind, reminder.audience), "Hate case reminders")
    count = len(reminder.lines)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = reminder.address
    message["Subject"] = f"{subject} ({count} item{'s' if count != 1 else ''})"
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = reminder.message_id
    message["Auto-Submitted"] = "auto-generated"
    body = [f"{subject}.", ""]
    for line in reminder.lines:
        due = local_time(line["due_at"], calendar)
        body.append(
            f"- {line['reference']}: {timer_name(line['kind'])}"
            + (f", due {due}" if due else "")
            + f" ({line['why']})"
        )
        body.append(f"  {case_url.format(case_id=line['case_id'])}")
    body += [
        "",
        "This message names cases by reference only. Open a case in caseledger for its "
        "details; never forward them by email.",
        f"Reminder {reminder.message_id}, recorded in the case ledger.",
    ]
    message.set_content("\n".join(body) + "\n", cte="7bit")  # plain ASCII, readable raw
    return message
