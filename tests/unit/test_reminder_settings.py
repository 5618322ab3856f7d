"""Reminders' settings: the ladder, the digest's time and SMTP read once, each bad value a
ConfigurationError naming its variable."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from domain.reminder_schedule import DEFAULT_LADDER, Audience, Rung
from domain.service_levels import TimerKind
from interface.settings import ConfigurationError, Settings

BASE = {"SQLITE_DBNAME": "/tmp/unused.db"}


def test_the_defaults_are_the_issue_s_ladder_and_no_smtp_server() -> None:
    reminders = Settings.read(BASE).reminders

    assert reminders.rules.ladder == DEFAULT_LADDER
    assert reminders.rules.digest_at == time(8, 30)
    assert reminders.rules.hour_timers == {TimerKind.FIRST_RESPONSE, TimerKind.EMERGENCY_REPAIR}
    assert reminders.mail is None
    assert (reminders.attempts, reminders.backoff) == (5, timedelta(seconds=60))


def test_everything_is_configurable() -> None:
    reminders = Settings.read(
        BASE
        | {
            "CASELEDGER_SMTP_HOST": "mail.landlord.example",
            "CASELEDGER_SMTP_PORT": "587",
            "CASELEDGER_SMTP_USER": "caseledger",
            "CASELEDGER_SMTP_PASSWORD": "secret",
            "CASELEDGER_SMTP_STARTTLS": "true",
            "CASELEDGER_MAIL_FROM": "reminders@landlord.example",
            "CASELEDGER_DIGEST_AT": "07:45",
            "CASELEDGER_ESCALATION_LADDER": "manager:2d:2h",
            "CASELEDGER_HOUR_TIMERS": "emergency_repair",
            "CASELEDGER_HEAD_OF_SERVICE_EMAIL": "head@landlord.example",
        }
    ).reminders

    assert reminders.mail is not None
    assert (reminders.mail.port, reminders.mail.starttls) == (587, True)
    assert reminders.mail.message_domain == "landlord.example"
    assert reminders.rules.ladder == (Rung(Audience.MANAGER, 2, 2),)
    assert reminders.rules.hour_timers == {TimerKind.EMERGENCY_REPAIR}
    assert reminders.head_of_service == "head@landlord.example"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASELEDGER_ESCALATION_LADDER", "manager:1:1"),
        ("CASELEDGER_ESCALATION_LADDER", "officer:1d:1h"),
        ("CASELEDGER_HOUR_TIMERS", "tea_break"),
        ("CASELEDGER_DIGEST_AT", "half past eight"),
        ("CASELEDGER_SMTP_STARTTLS", "maybe"),
        ("CASELEDGER_HEAD_OF_SERVICE_EMAIL", "the boss"),
        ("CASELEDGER_CASE_URL", "http://example.org/cases/"),
        ("CASELEDGER_SMTP_ATTEMPTS", "0"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    env = BASE | {"CASELEDGER_SMTP_HOST": "localhost", name: value}

    with pytest.raises(ConfigurationError, match=name if "LADDER" not in name else "LADDER"):
        Settings.read(env)
