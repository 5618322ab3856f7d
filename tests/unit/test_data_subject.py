"""The DataSubject aggregate: one person's details, rectification (UK GDPR art. 16) and
erasure (art. 17); the details are Personal values keyed to the person themselves."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest

from domain.data_subject import (
    DataSubject,
    SubjectDetailsRectified,
    SubjectErased,
    SubjectRecorded,
)
from domain.errors import InvalidCommand
from domain.personal import Personal
from tests.unit.case_builders import OFFICER, T0, later, refused, replay, state_of

DPO = "data.protection"


def record(**details: object) -> DataSubject:
    return DataSubject.record(subject_id=uuid4(), details=details, actor=OFFICER, at=T0)


def test_a_person_is_recorded_with_details_keyed_to_themselves() -> None:
    subject = record(name="Jane Doe", phone="07700 900123")

    [recorded] = subject.collect_events()
    assert isinstance(recorded, SubjectRecorded)
    assert isinstance(recorded.details, Personal)
    assert recorded.details.subject_id == subject.id
    assert recorded.details.value == {"name": "Jane Doe", "phone": "07700 900123"}
    assert subject.anonymous is False


def test_a_person_with_no_details_is_anonymous() -> None:
    subject = record()

    assert subject.anonymous is True
    assert subject.details is not None
    assert subject.details.value == {}


def test_blank_details_are_dropped_and_an_all_blank_person_is_anonymous() -> None:
    subject = record(name="  ", email=None)

    assert subject.anonymous is True
    assert subject.details is not None
    assert subject.details.value == {}


def test_an_unknown_detail_field_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        record(name="Jane", shoe_size="5")
    assert info.value.field == "details"


def test_the_recorded_details_never_appear_in_plaintext_or_repr() -> None:
    subject = record(name="Jane Doe", address="4 Elm Court")

    [recorded] = subject.collect_events()
    assert "Jane" not in repr(recorded)
    assert all("Jane" not in v for v in vars(recorded).values() if isinstance(v, str))


def test_rectification_merges_the_correction_into_the_details() -> None:
    subject = record(name="Jane Doe", phone="07700 900123")

    subject.rectify(
        details={"name": "Jane Doe-Smith"}, reason="Married name", actor=DPO, at=later()
    )

    rectified = subject.collect_events()[-1]
    assert isinstance(rectified, SubjectDetailsRectified)
    assert rectified.details.value == {"name": "Jane Doe-Smith", "phone": "07700 900123"}
    assert rectified.reason == Personal(subject.id, "Married name")
    assert subject.rectification_count == 1


def test_rectification_can_remove_a_detail() -> None:
    subject = record(name="Jane Doe", phone="07700 900123")

    subject.rectify(details={"phone": None}, reason="No longer her number", actor=DPO, at=later())

    assert subject.details is not None
    assert subject.details.value == {"name": "Jane Doe"}


def test_rectification_needs_a_reason() -> None:
    subject = record(name="Jane Doe")

    with pytest.raises(InvalidCommand) as info:
        subject.rectify(details={"name": "J"}, reason=" ", actor=DPO, at=later())
    assert info.value.field == "reason"


def test_rectification_with_an_unknown_field_is_refused() -> None:
    subject = record(name="Jane Doe")

    with pytest.raises(InvalidCommand) as info:
        subject.rectify(details={"nickname": "JD"}, reason="x", actor=DPO, at=later())
    assert info.value.field == "details"


def test_erasure_is_recorded_with_its_request_and_ground() -> None:
    subject = record(name="Jane Doe")

    subject.mark_erased(request_id="SAR-17", ground="art17(1)(a)", actor=DPO, at=later())

    erased = subject.collect_events()[-1]
    assert isinstance(erased, SubjectErased)
    assert (erased.request_id, erased.ground) == ("SAR-17", "art17(1)(a)")
    assert subject.erased is True


def test_an_erased_subject_is_not_rectified() -> None:
    subject = record(name="Jane Doe")
    subject.mark_erased(request_id="SAR-17", ground="art17(1)(a)", actor=DPO, at=later())

    with refused(subject, "UK GDPR art. 17"):
        subject.rectify(details={"name": "J"}, reason="x", actor=DPO, at=later(1))


def test_a_subject_is_erased_once() -> None:
    subject = record(name="Jane Doe")
    subject.mark_erased(request_id="SAR-17", ground="art17(1)(a)", actor=DPO, at=later())

    with pytest.raises(InvalidCommand) as info:
        subject.mark_erased(request_id="SAR-18", ground="art17(1)(a)", actor=DPO, at=later(1))
    assert info.value.field == "subject_id"


def test_a_subject_replays_to_the_same_state() -> None:
    subject = record(name="Jane Doe")
    subject.rectify(details={"phone": "0121 000"}, reason="New phone", actor=DPO, at=later())
    subject.mark_erased(request_id="SAR-17", ground="art17(1)(a)", actor=DPO, at=later(1))

    rebuilt = replay(subject.collect_events(), DataSubject)

    assert state_of(rebuilt) == state_of(subject)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        DataSubject.record(
            subject_id=uuid4(), details={}, actor=OFFICER, at=datetime(2026, 3, 10, 9, 0)
        )
    assert info.value.field == "at"


def test_a_person_read_back_after_erasure_is_not_taken_for_anonymous() -> None:
    subject = record(name="Jane Doe")
    subject.rectify(details={"name": "Jane Roe"}, reason="Married name", actor=DPO, at=later())
    erased = [
        type(e)(**{**vars(e), "details": Personal.erased_for(subject.id)})
        for e in subject.collect_events()
    ]  # as the mapper reads them once the key is destroyed
    assert replay(erased, DataSubject).anonymous is False


def test_details_recorded_for_one_case_show_on_that_case_only() -> None:
    subject = record(name="Jane Doe", address="1 Old Road")
    case_a, case_b = uuid4(), uuid4()

    subject.record_for_case(
        case_id=case_b, details={"address": "Refuge 7"}, reason="Moved", actor=DPO, at=later(1)
    )
    subject.rectify(details={"name": "Jane Doe-Smith"}, reason="Married", actor=DPO, at=later(2))
    replayed = replay(subject.collect_events(), DataSubject)

    for shown in (subject, replayed):
        assert isinstance(shown, DataSubject)
        on_a, on_b = shown.details_on(case_a), shown.details_on(case_b)
        assert on_a is not None and on_b is not None
        assert on_a.value == {"name": "Jane Doe-Smith", "address": "1 Old Road"}
        assert on_b.value == {"name": "Jane Doe-Smith", "address": "Refuge 7"}
        assert shown.details is not None and shown.details.value == on_a.value


def test_details_for_one_case_need_a_reason_and_a_detail() -> None:
    subject = record(name="Jane Doe")
    with pytest.raises(InvalidCommand):
        subject.record_for_case(case_id=uuid4(), details={}, reason="x", actor=DPO, at=later())
    with pytest.raises(InvalidCommand):
        subject.record_for_case(
            case_id=uuid4(), details={"address": "Refuge"}, reason=" ", actor=DPO, at=later()
        )
