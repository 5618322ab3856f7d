"""Reminders end to end, against a real SMTP server on loopback, on SQLite and PostgreSQL, with
an injected clock: the officer who ignores a case is reminded, their manager told the next
working day, the head of service after; each message recorded before it is sent and once."""

from __future__ import annotations

import ast
import io
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.actors import Actor
from application.commands.after_the_case import ProduceEvidencePack, ReceiveComplaint
from application.integrity.evidence_verifier import PACK_PDF
from application.reminders import Reminders
from domain.reminder import Reminder, Undeliverable
from domain.vocabulary import ComplaintStage, EvidencePackPurpose, StaffRole
from interface import demo
from interface.api.app import create_app
from interface.config import Services, build_services
from tests.api.helpers import Api
from tests.cases import DESCRIPTION, VICTIM_NAME, act, allocated
from tests.conftest import (
    ADMIN,
    COMPLAINTS,
    MANAGER,
    OFFICER,
    OTHER_OFFICER,
    STAFF,
    Clock,
    add_staff,
)
from tests.pdf_text import pdf_text
from tests.smtp import Inbox, smtp_env, smtp_server

LANDLORD = "landlord.example"


def address(username: str) -> str:
    return f"{username}@{LANDLORD}"


AUDITOR = Actor("i.auditor", StaffRole.AUDITOR, "audit")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def with_addresses(services: Services) -> Services:
    add_staff(services)
    for username, _, _ in STAFF.values():
        services.staff.set_email(username, address(username), actor=ADMIN)
    return services


@pytest.fixture
def reminded(engine_env: dict[str, str], clock: Clock, inbox: Inbox) -> Iterator[Services]:
    built = build_services(engine_env | smtp_env(inbox), clock=clock)
    yield with_addresses(built)
    built.close()


def at(clock: Clock, year: int, month: int, day: int, hour: int, minute: int = 0) -> None:
    clock.now = datetime(year, month, day, hour, minute, tzinfo=UTC)  # London is UTC in Nov


def test_the_officer_is_reminded_and_the_manager_told_the_next_working_day(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    case = allocated(reminded)  # Monday 23 November 2026, 10:00; first response due Tue 17:00
    reminders = reminded.reminders

    at(clock, 2026, 11, 24, 8, 29)
    assert reminders.send().recorded == []
    at(clock, 2026, 11, 24, 8, 30)
    tuesday = reminders.send()
    assert [(r.kind, r.recipient) for r in tuesday.recorded] == [("digest", "k.officer")]
    assert tuesday.next_at == datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    assert reminders.send().recorded == []  # once a day
    at(clock, 2026, 11, 25, 8, 30)
    assert {r.recipient for r in reminders.send().recorded} == {"k.officer", "t.manager"}
    at(clock, 2026, 11, 25, 10, 0)  # one working hour overdue (an hour timer)
    (escalation,) = reminders.send().recorded
    assert (escalation.kind, escalation.recipient) == ("escalation", "t.manager")
    at(clock, 2026, 11, 25, 12, 0)
    (head,) = reminders.send().recorded
    assert (head.audience, head.address) == ("head_of_service", f"head.of.service@{LANDLORD}")

    assert [r.recipients for r in inbox.received] == [
        [address("k.officer")],
        [address("k.officer")],
        [address("t.manager")],
        [address("t.manager")],
        [f"head.of.service@{LANDLORD}"],
    ]
    for received in inbox.received:
        text = received.data.decode()
        assert case.reference in text
        assert f"https://caseledger.{LANDLORD}/cases/{case.id}" in text
        assert "First response and allocation" in text
        assert VICTIM_NAME not in text and DESCRIPTION not in text and "07700" not in text

    reminded.runner.catch_up()
    told = reminders.about_case(str(case.id))
    assert [(r.kind, r.recipient, r.outcome) for r in told] == [
        ("digest", "k.officer", "delivered"),
        ("digest", "k.officer", "delivered"),
        ("digest", "t.manager", "delivered"),
        ("escalation", "t.manager", "delivered"),
        ("escalation", "head-of-service", "delivered"),
    ]
    assert {r.message_id for r in told} == {r.message_id for r in inbox.received}


def test_two_senders_at_once_send_each_message_once(
    reminded: Services, engine_env: dict[str, str], clock: Clock, inbox: Inbox
) -> None:
    for _ in range(3):
        allocated(reminded)
    at(clock, 2026, 11, 26, 12, 0)  # digests and both rungs due for every case
    other = build_services(engine_env | smtp_env(inbox), clock=clock)
    try:
        passes: list[Reminders] = [reminded.reminders, other.reminders]
        threads = [threading.Thread(target=p.send) for p in passes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reminded.reminders.send()
    finally:
        other.close()

    ids = [r.message_id for r in inbox.received]
    assert len(ids) == len(set(ids)) == 4  # officer's digest, manager's, two escalations
    reminded.runner.catch_up()
    assert len(reminded.reminders.deliveries(AUDITOR, ("delivered",))) == 4


def test_a_temporary_refusal_is_tried_again_later_and_a_permanent_one_is_failed(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    allocated(reminded)
    at(clock, 2026, 11, 24, 9, 0)
    inbox.refusals = ["451 4.3.0 try again later", "421 4.7.0 busy"]

    first = reminded.reminders.send()
    assert [s.outcome for s in first.settled] == ["deferred"]
    assert first.next_at == clock.now + timedelta(seconds=60)
    clock.advance(timedelta(seconds=59))
    assert reminded.reminders.send().settled == []  # not yet
    clock.advance(timedelta(seconds=1))
    assert [s.outcome for s in reminded.reminders.send().settled] == ["deferred"]
    clock.advance(timedelta(seconds=120))  # the backoff doubles
    assert [s.outcome for s in reminded.reminders.send().settled] == ["delivered"]
    (received,) = inbox.received
    reminded.runner.catch_up()
    (record,) = reminded.reminders.deliveries(AUDITOR, ("delivered",))
    assert (record.attempts, record.message_id) == (3, received.message_id)

    inbox.refusals = ["550 5.1.1 no such mailbox"]
    at(clock, 2026, 11, 25, 9, 0)
    outcomes = sorted(s.outcome for s in reminded.reminders.send().settled)
    assert outcomes == ["delivered", "failed"]
    reminded.runner.catch_up()
    (failed,) = reminded.reminders.deliveries(AUDITOR, ("failed",))
    assert failed.reply == "550 5.1.1 no such mailbox"


def test_no_address_removed_or_moved_between_intention_and_delivery_is_recorded(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    allocated(reminded)
    reminded.staff.set_email("t.manager", "", actor=ADMIN)
    at(clock, 2026, 11, 25, 9, 0)
    recorded, _ = reminded.reminders.planner.plan()
    assert {r.recipient for r in recorded} == {"k.officer", "t.manager"}
    reminded.staff.remove("k.officer", reason="left", actor=ADMIN)
    reminded.runner.catch_up()
    assert reminded.reminders.sender is not None
    reminded.reminders.sender.deliver()
    reminded.runner.catch_up()

    undelivered = reminded.reminders.deliveries(AUDITOR, ("undeliverable",))
    assert {(r.recipient, r.reply) for r in undelivered} == {
        ("k.officer", Undeliverable.REMOVED),
        ("t.manager", Undeliverable.NO_ADDRESS),
    }
    assert inbox.received == []

    reminded.staff.set_email("t.manager", address("t.manager"), actor=ADMIN)
    at(clock, 2026, 11, 26, 9, 0)
    recorded, _ = reminded.reminders.planner.plan()
    assert sorted((r.kind, r.recipient) for r in recorded) == [
        ("digest", "t.manager"),
        ("escalation", "head-of-service"),
        ("escalation", "t.manager"),
    ]
    reminded.staff.move_team("t.manager", "south", actor=ADMIN)
    reminded.runner.catch_up()
    reminded.reminders.sender.deliver()
    reminded.runner.catch_up()
    moved = reminded.reminders.deliveries(AUDITOR, ("undeliverable",))[:2]
    assert {(r.recipient, r.reply) for r in moved} == {("t.manager", Undeliverable.MOVED_TEAM)}
    assert [r.recipients for r in inbox.received] == [[f"head.of.service@{LANDLORD}"]]


def test_a_reminder_recorded_as_delivered_is_not_sent_again(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    """A sender that died after recording the delivery and before marking its outbox entry
    done: the next finds the record settled and sends nothing."""
    allocated(reminded)
    at(clock, 2026, 11, 24, 9, 0)
    (recorded,) = reminded.reminders.planner.plan()[0]
    reminder: Reminder = reminded.ledger.repository.get(recorded.id)
    reminder.delivered(reply="250 OK", actor="system:reminders", at=clock.now)
    reminded.ledger.save(reminder)
    reminded.runner.catch_up()
    assert reminded.reminders.sender is not None

    assert [s.outcome for s in reminded.reminders.sender.deliver()] == ["delivered"]
    assert inbox.received == []
    assert reminded.reminders.sender.deliver() == []


def test_preview_shows_what_would_go_and_records_nothing(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    case = allocated(reminded)
    at(clock, 2026, 11, 25, 12, 0)

    previewed = reminded.reminders.preview()
    only = reminded.reminders.preview("k.officer")

    head = f"head.of.service@{LANDLORD}"
    to = [address("k.officer"), address("t.manager"), address("t.manager"), head]
    assert sorted(str(m["To"]) for m in previewed) == sorted(to)
    assert [str(m["To"]) for m in only] == [address("k.officer")]
    assert case.reference in only[0].get_content()
    reminded.runner.catch_up()
    assert reminded.reminders.deliveries(AUDITOR, ("", "delivered")) == []
    assert inbox.received == []


def test_without_an_smtp_server_nothing_is_sent(engine_env: dict[str, str], clock: Clock) -> None:
    services = build_services(engine_env, clock=clock)
    try:
        with pytest.raises(ValueError, match="CASELEDGER_SMTP_HOST"):
            services.reminders.send()
    finally:
        services.close()


# Every value the demo writes as a person's details or free text: what no email may carry.
_PLANTED_FIELDS = {"name", "phone", "address", "email", "description", "summary", "notes"}
_PLANTED_FIELDS |= {"reasons", "tenancy_reference", "recipient_name"}


def demo_personal_values() -> set[str]:
    tree = ast.parse(Path(demo.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in _PLANTED_FIELDS:
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(value.value)
    return {v for v in found if len(v) > 3 and "@example.org" not in v}


def test_no_personal_data_of_the_demo_in_any_message(
    engine_env: dict[str, str], inbox: Inbox
) -> None:
    planted = demo_personal_values()
    assert {"Amara Okafor", "07700 900123", "Flat 3, Elm Court", "T-48213"} <= planted
    clock = demo.WalkingClock(datetime(2026, 10, 26, 9, 0, tzinfo=UTC))
    services = build_services(engine_env | smtp_env(inbox), clock=clock)
    try:
        demo.populate(services, clock)
        clock.step = timedelta(0)
        for day in (26, 27, 30):  # digests, then both rungs of the ladder
            clock.now = datetime(2026, 11, day, 16, 0, tzinfo=UTC)
            services.reminders.send()
    finally:
        services.close()

    recipients = {r for received in inbox.received for r in received.recipients}
    assert {"k.officer@example.org", "t.manager@example.org"} <= recipients
    assert len(inbox.received) >= 5
    for received in inbox.received:
        raw = received.data.decode("utf-8", "replace")
        for value in planted:
            assert value not in raw, (value, received.message["Subject"])


def test_the_case_and_its_evidence_pack_show_who_was_reminded_when(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    """Done when: an officer who ignores a case is reminded, their manager is told the next
    working day, and the evidence pack of that case shows both."""
    case = allocated(reminded)  # Monday 23 November 2026
    at(clock, 2026, 11, 24, 9, 0)  # Tuesday: the officer's digest
    reminded.reminders.send()
    at(clock, 2026, 11, 25, 10, 0)  # Wednesday: the manager's digest and escalation
    reminded.reminders.send()
    inbox.refusals = ["554 5.7.1 rejected"]
    at(clock, 2026, 11, 25, 12, 0)  # the head of service: refused
    reminded.reminders.send()
    api = Api(create_app(reminded).test_client(), reminded, clock)

    seen = api.get(f"/cases/{case.id}", "officer").get_json()["reminders"]
    assert [(r["recipient"], r["kind"], r["outcome"], r["recorded_at"][:10]) for r in seen] == [
        ("k.officer", "digest", "delivered", "2026-11-24"),
        ("k.officer", "digest", "delivered", "2026-11-25"),
        ("t.manager", "digest", "delivered", "2026-11-25"),
        ("t.manager", "escalation", "delivered", "2026-11-25"),
        ("head-of-service", "escalation", "failed", "2026-11-25"),
    ]
    assert seen[0]["lines"][0]["timer"] == "first_response"
    failed = api.get("/audit/reminders", "auditor")
    assert [r["reply"] for r in failed.get_json()["items"]] == ["554 5.7.1 rejected"]
    assert api.get("/audit/reminders?outcome=delivered", "admin").get_json()["items"]
    assert api.get("/audit/reminders", "officer").status_code == 403
    assert api.get("/audit/reminders?outcome=lost", "auditor").status_code == 422

    complaint = ReceiveComplaint(stage=ComplaintStage.STAGE_1, summary="Nobody called me.")
    act(reminded, case, COMPLAINTS, complaint)
    pack = reminded.evidence_packs.produce(
        MANAGER, case.id, ProduceEvidencePack(purpose=EvidencePackPurpose.COMPLAINT)
    )
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        text = pdf_text(archive.read(PACK_PDF))
    told = text[text.index("Who was reminded") :]
    assert "daily digest to the officer (k.officer)" in told
    assert "Tue 24 Nov 2026" in told
    assert "escalation to the manager (t.manager)" in told
    assert "escalation to the head of service" in told
    assert "delivery failed" in told and "554 5.7.1 rejected" in told


def test_a_member_reads_the_reminders_sent_to_them_and_those_that_failed(
    reminded: Services, clock: Clock, inbox: Inbox
) -> None:
    allocated(reminded)
    at(clock, 2026, 11, 24, 9, 0)
    reminded.reminders.send()
    inbox.refusals = ["550 5.1.1 no such mailbox"] * 2  # the officer's and the manager's
    at(clock, 2026, 11, 25, 9, 0)
    reminded.reminders.send()

    mine = reminded.reminders.to_me(OFFICER)
    assert [(r.kind, r.outcome, r.intended_at.day) for r in mine] == [
        ("digest", "failed", 25),
        ("digest", "delivered", 24),
    ]
    assert reminded.reminders.to_me(OTHER_OFFICER) == []
