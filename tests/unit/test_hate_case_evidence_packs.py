"""Recording that an evidence pack was produced (policy 11, 12.2): on a closed case too."""

from __future__ import annotations

import pytest

from domain import case_events as ev
from domain.errors import InvalidCommand
from tests.unit.case_builders import LATER, MANAGER, Stage, case_at, refused, replay


def test_a_pack_is_recorded_on_a_closed_case_under_complaint_and_numbered() -> None:
    case = case_at(Stage.CLOSED)
    case.receive_complaint(stage="stage_1", summary="Closed too soon", actor=MANAGER, at=LATER)

    first = case.produce_evidence_pack(
        purpose="complaint", actor_role="manager", actor=MANAGER, at=LATER
    )
    second = case.produce_evidence_pack(
        purpose="complaint", actor_role="manager", since_checkpoint=3, actor=MANAGER, at=LATER
    )

    assert (first, second) == (1, 2)
    events = case.collect_events()
    event = events[-1]
    assert isinstance(event, ev.EvidencePackProduced)
    assert (event.pack_number, event.purpose, event.actor, event.since_checkpoint) == (
        2,
        "complaint",
        MANAGER,
        3,
    )
    assert replay(events).evidence_packs == ["complaint", "complaint"]


def test_a_pack_is_for_a_complaint_or_a_case_review_that_exists() -> None:
    case = case_at(Stage.ALLOCATED)
    with refused(case, "11.1"):
        case.produce_evidence_pack(
            purpose="complaint", actor_role="manager", actor=MANAGER, at=LATER
        )
    with refused(case, "12.2"):
        case.produce_evidence_pack(
            purpose="case-review", actor_role="manager", actor=MANAGER, at=LATER
        )
    case.request_case_review(local_authority="Birmingham CC", actor=MANAGER, at=LATER)
    for field, purpose, since in (
        ("purpose", "curiosity", None),
        ("since_checkpoint", "case-review", 0),
    ):
        with pytest.raises(InvalidCommand, match=f"^{field}:"):
            case.produce_evidence_pack(
                purpose=purpose,
                actor_role="manager",
                since_checkpoint=since,
                actor=MANAGER,
                at=LATER,
            )
    assert (
        case.produce_evidence_pack(
            purpose="case-review", actor_role="complaints", actor=MANAGER, at=LATER
        )
        == 1
    )
