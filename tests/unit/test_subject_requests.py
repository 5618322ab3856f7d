"""Data subjects' requests (UK GDPR arts. 12, 15-17): due dates, extension, response,
erasure decisions, and the DPO's item-by-item exemptions and review. No I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain import case_events as ev
from domain.access_record import AccessRecord
from domain.errors import InvalidCommand
from domain.personal import Personal
from domain.service_levels import ServiceLevels, TimerState
from domain.subject_requests import (
    ART_12_3,
    ART_15_4,
    ART_17,
    AccessRequestExtended,
    AccessRequestReceived,
    SubjectRequest,
)
from projections.subject_index import PERSONAL_DATA, mentions
from tests.unit.case_builders import refused, replay, state_of

LEVELS = ServiceLevels()
DPO = "data.protection"


def received(day: str, hour: int = 10, **kwargs: Any) -> SubjectRequest:
    at = datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)
    request = SubjectRequest.receive_access(
        request_id=uuid4(), subject_id=uuid4(), received_at=at, levels=LEVELS, actor=DPO, at=at
    )
    if kwargs.get("reviewed"):
        request.record_review(actor=DPO, at=at)
    return request


def erasure() -> SubjectRequest:
    at = datetime(2026, 3, 2, 10, tzinfo=UTC)
    return SubjectRequest.receive_erasure(
        request_id=uuid4(),
        subject_id=uuid4(),
        received_at=at,
        ground_claimed="consent_withdrawn",
        levels=LEVELS,
        actor=DPO,
        at=at,
    )


@pytest.mark.parametrize(
    ("day", "due"),
    [
        ("2025-03-12", "2025-04-14"),  # 12 Apr 2025 is a Saturday: the Monday
        ("2025-01-31", "2025-02-28"),  # no 31 Feb: the last day of February (a Friday)
        ("2024-01-31", "2024-02-29"),  # ... in a leap year
        ("2026-01-31", "2026-03-02"),  # 28 Feb 2026 is a Saturday: Monday 2 March
        ("2026-04-25", "2026-05-26"),  # 25 May 2026 is the spring bank holiday
        ("2026-06-14", "2026-07-14"),  # received on a Sunday: the day still counts
    ],
)
def test_an_access_request_is_due_one_calendar_month_after_receipt(day: str, due: str) -> None:
    request = received(day)
    assert request.due_on == date.fromisoformat(due)
    assert request.received_at is not None
    assert request.timer().state(request.received_at) == TimerState.RUNNING


def test_the_day_of_receipt_is_the_uk_date() -> None:
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (summer time)
    request = received("2026-03-31", hour=23)
    assert request.due_on == date(2026, 5, 1)


def test_a_request_cannot_be_received_in_the_future() -> None:
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    with pytest.raises(InvalidCommand) as e:
        SubjectRequest.receive_access(
            request_id=uuid4(),
            subject_id=uuid4(),
            received_at=now + timedelta(days=1),
            levels=LEVELS,
            actor=DPO,
            at=now,
        )
    assert e.value.field == "received_at"


def test_nothing_is_withheld_until_the_dpo_decides_item_by_item_with_reasons() -> None:
    request = received("2026-03-02")
    assert request.withheld == {}
    at = datetime(2026, 3, 5, tzinfo=UTC)
    with pytest.raises(InvalidCommand) as e:
        request.withhold(item="c:4", exemption="crime", reasons=" ", told=None, actor=DPO, at=at)
    assert e.value.field == "reasons"
    with pytest.raises(InvalidCommand):
        request.withhold(item="c:4", exemption="police", reasons="x", told=None, actor=DPO, at=at)
    request.withhold(item="c:4", exemption="crime", reasons="Inquiry", told=None, actor=DPO, at=at)
    request.withhold(
        item="c:5", exemption="rights_of_others", reasons="Neighbour", told=None, actor=DPO, at=at
    )
    # not told of a crime exemption unless the DPO says so; told of the others
    assert {k: d.told for k, d in request.withheld.items()} == {"c:4": False, "c:5": True}
    request.release(item="c:4", reasons="Inquiry over", actor=DPO, at=at)
    assert list(request.withheld) == ["c:5"]
    with pytest.raises(InvalidCommand):
        request.release(item="c:4", reasons="again", actor=DPO, at=at)


def test_the_response_waits_for_the_dpos_review_of_the_free_text() -> None:
    request = received("2026-03-02")
    at = datetime(2026, 3, 10, tzinfo=UTC)
    with refused(request, ART_15_4):
        request.record_response(sent_at=at, method="email", actor=DPO, at=at)
    request.record_review(actor=DPO, at=at)
    request.record_response(sent_at=at, method="email", actor=DPO, at=at)
    with refused(request, ART_12_3):
        request.withhold(item="c:4", exemption="crime", reasons="x", told=None, actor=DPO, at=at)


def test_an_old_request_with_withheld_categories_reads_without_them() -> None:
    state: dict[str, Any] = {"withheld": ["police_reports"], "subject_id": uuid4()}
    AccessRequestReceived.upcast_v1_v2(state)
    assert "withheld" not in state


def test_an_extension_adds_two_months_from_receipt_and_needs_reasons() -> None:
    request = received("2025-01-31")
    at = datetime(2025, 2, 10, tzinfo=UTC)
    with pytest.raises(InvalidCommand) as e:
        request.extend(reasons="  ", levels=LEVELS, actor=DPO, at=at)
    assert e.value.field == "reasons"
    request.extend(reasons="Records across eleven cases", levels=LEVELS, actor=DPO, at=at)
    assert request.extended and request.due_on == date(2025, 4, 30)
    [*_, extended] = request.collect_events()
    assert isinstance(extended, AccessRequestExtended)
    assert isinstance(extended.reasons, Personal)
    assert extended.reasons.subject_id == request.subject_id


def test_a_request_is_extended_once_and_within_the_first_month() -> None:
    request = received("2026-03-02")
    at = datetime(2026, 3, 20, tzinfo=UTC)
    request.extend(reasons="Complex", levels=LEVELS, actor=DPO, at=at)
    with refused(request, ART_12_3):
        request.extend(reasons="Still complex", levels=LEVELS, actor=DPO, at=at)
    late = received("2026-03-02")
    with refused(late, ART_12_3):
        late.extend(
            reasons="Complex", levels=LEVELS, actor=DPO, at=datetime(2026, 4, 3, tzinfo=UTC)
        )


def test_the_response_stops_the_timer_once() -> None:
    request = received("2026-03-02", reviewed=True)
    sent = datetime(2026, 3, 30, 12, tzinfo=UTC)
    request.record_response(sent_at=sent, method="email", actor=DPO, at=sent)
    assert request.timer().state(sent + timedelta(days=90)) == TimerState.MET
    with refused(request, ART_12_3):
        request.record_response(sent_at=sent, method="post", actor=DPO, at=sent)
    with refused(request, ART_12_3):
        request.extend(reasons="Too late", levels=LEVELS, actor=DPO, at=sent)


def test_a_late_response_is_a_breach() -> None:
    request = received("2026-03-02", reviewed=True)
    sent = datetime(2026, 4, 10, tzinfo=UTC)
    request.record_response(sent_at=sent, method="post", actor=DPO, at=sent)
    assert request.timer().state(sent) == TimerState.BREACHED


def test_a_refusal_to_erase_names_an_art_17_3_ground_and_reasons() -> None:
    at = datetime(2026, 3, 3, tzinfo=UTC)
    for ground, reasons, field in [
        (None, "Needed", "ground"),
        ("consent_withdrawn", "Needed", "ground"),  # an art. 17(1) ground is no refusal
        ("legal_claims", "", "reasons"),
    ]:
        request = erasure()
        with pytest.raises(InvalidCommand) as e:
            request.decide_erasure(
                outcome="refused", ground=ground, reasons=reasons, actor=DPO, at=at
            )
        assert e.value.field == field
    request = erasure()
    request.decide_erasure(
        outcome="refused", ground="legal_claims", reasons="Possession claim", actor=DPO, at=at
    )
    assert (request.outcome, request.ground) == ("refused", "legal_claims")
    with refused(request, ART_17):
        request.decide_erasure(
            outcome="carried_out", ground="consent_withdrawn", reasons=None, actor=DPO, at=at
        )


def test_an_erasure_carried_out_names_its_art_17_1_ground() -> None:
    at = datetime(2026, 3, 3, tzinfo=UTC)
    request = erasure()
    with pytest.raises(InvalidCommand):
        request.decide_erasure(
            outcome="carried_out", ground="legal_claims", reasons=None, actor=DPO, at=at
        )
    request.decide_erasure(
        outcome="carried_out", ground="consent_withdrawn", reasons=None, actor=DPO, at=at
    )
    assert request.timer().state(at) == TimerState.MET


def test_requests_replay_to_the_same_state() -> None:
    request = received("2026-03-02", reviewed=True)
    at = datetime(2026, 3, 10, tzinfo=UTC)
    request.extend(reasons="Complex", levels=LEVELS, actor=DPO, at=at)
    request.withhold(item="c:4", exemption="crime", reasons="x", told=True, actor=DPO, at=at)
    request.record_response(sent_at=at, method="portal", actor=DPO, at=at)
    assert state_of(replay(request.collect_events(), SubjectRequest)) == state_of(request)


def test_an_access_request_cannot_be_decided_like_an_erasure() -> None:
    with pytest.raises(InvalidCommand):
        received("2026-03-02").decide_erasure(
            outcome="refused",
            ground="legal_claims",
            reasons="x",
            actor=DPO,
            at=datetime(2026, 3, 3, tzinfo=UTC),
        )


def _disclosed(recipient: str) -> ev.InformationDisclosed:
    # The library's metaclass makes each event class a dataclass when it is created, so mypy
    # sees only the base event's fields: the event's own constructor is called untyped.
    construct: Callable[..., ev.InformationDisclosed] = ev.InformationDisclosed
    return construct(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=datetime(2026, 3, 2, tzinfo=UTC),
        actor="x",
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        policy_version="p",
        disclosure_id="disclosure-1",
        recipient=recipient,
        recipient_name="West Midlands Police",
        representative_id=None,
        basis="legal_obligation",
        consent_id=None,
        concern_id=None,
        legal_basis="Crime and Disorder Act 1998 s. 115",
        subjects=[uuid4()],
        what=Personal(uuid4(), "The report"),
    )


def test_the_index_finds_references_and_owners_of_personal_values() -> None:
    event = _disclosed("police")
    kind, found = mentions(event)
    [about] = event.subjects
    assert kind == "case"
    assert found == {(about, "disclosed_about"), (event.what.subject_id, PERSONAL_DATA)}


def test_an_access_log_entry_names_a_case_or_a_person_and_a_known_purpose() -> None:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    fields: dict[str, Any] = {
        "actor": "a",
        "role": "officer",
        "purpose_stated": False,
        "route": "GET /x",
    }
    with pytest.raises(InvalidCommand):
        AccessRecord.record(entry_id=uuid4(), purpose="case_work", at=at, **fields)
    with pytest.raises(InvalidCommand) as e:
        AccessRecord.record(
            entry_id=uuid4(),
            purpose="curiosity",
            at=at,
            case_id=uuid4(),
            **fields,
        )
    assert e.value.field == "X-Access-Reason"
