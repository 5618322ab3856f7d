"""A real SMTP server on loopback for the tests (aiosmtpd), that keeps what it receives and can
be told to refuse, or to call back when a message arrives."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Inbox:
    """What the server received, and how it answers: `refusals` are replies given to the next
    messages instead of taking them (e.g. "451 4.3.0 try later")."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    on_mail: Callable[[], None] | None = None  # called at MAIL FROM, before anything is taken
    on_data: Callable[[], None] | None = None  # called once a message is taken

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.on_mail is not None:
            self.on_mail()
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            return self.refusals.pop(0)
        self.received.append(Received(list(envelope.rcpt_tos), bytes(envelope.original_content)))
        if self.on_data is not None:
            self.on_data()
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def smtp_env(inbox: Inbox) -> dict[str, str]:
    return {
        "CASELEDGER_SMTP_HOST": "127.0.0.1",
        "CASELEDGER_SMTP_PORT": str(inbox.port),
        "CASELEDGER_MAIL_FROM": "caseledger@landlord.example",
        "CASELEDGER_HEAD_OF_SERVICE_EMAIL": "head.of.service@landlord.example",
        "CASELEDGER_CASE_URL": "https://caseledger.landlord.example/cases/{case_id}",
    }
