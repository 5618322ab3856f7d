"""Sending one email over SMTP with the standard library's `smtplib`, and what the server said.

`SmtpMailer.send` connects, says STARTTLS and logs in if configured, sends, and returns the
server's reply to the message. A refusal is told apart for the sender's sake: a temporary
one (a 4xx reply, or a server that cannot be reached) is `TemporaryRefusal`, worth trying
again later; a permanent one (5xx) is `PermanentRefusal`. A message keeps its `Message-ID`
across every attempt, so a server that got it before a crash can drop the copy.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


@dataclass(frozen=True)
class MailSettings:
    """Where reminders are sent from and through (`CASELEDGER_SMTP_*`, `CASELEDGER_MAIL_FROM`)."""

    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "caseledger@localhost"
    timeout_s: float = 30.0

    @property
    def message_domain(self) -> str:
        """The right-hand side of every Message-ID: the sender's domain."""
        return self.sender.rpartition("@")[2] or "localhost"


class Refusal(Exception):
    """The server would not take the message: `reply` is what it said."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class TemporaryRefusal(Refusal):
    """A 4xx reply, or no server to talk to: try again later."""


class PermanentRefusal(Refusal):
    """A 5xx reply: trying again will not help."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send; the server's reply, or a `Refusal`."""


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {said}".strip()


def _refusal(code: int, text: bytes | str) -> Refusal:
    reply = _reply(code, text)
    return PermanentRefusal(reply) if 500 <= code < 600 else TemporaryRefusal(reply)


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> str:
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password)
                refused = smtp.send_message(message)
                if refused:  # some recipients refused: ours is the only one
                    code, text = next(iter(refused.values()))
                    raise _refusal(code, text)
                return "250 accepted"
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            raise _refusal(code, text) from None
        except smtplib.SMTPResponseException as e:
            raise _refusal(e.smtp_code, e.smtp_error) from None
        except (OSError, smtplib.SMTPException) as e:
            raise TemporaryRefusal(f"no SMTP server at {s.host}:{s.port}: {e}") from None
