"""The scored risk assessment (policy 5.5): a versioned question set banded into levels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidCommand
from domain.risk import DEFAULT_RISK_MATRIX, RiskMatrix, RiskQuestion
from domain.vocabulary import RiskLevel
from tests.unit.case_builders import risk_answers

MATRIX = DEFAULT_RISK_MATRIX
MAX_TOTAL = sum(q.max_score for q in MATRIX.questions)


def test_a_complete_set_of_answers_scores_their_total() -> None:
    answers = {q.key: 1 for q in MATRIX.questions}

    assert MATRIX.score(answers) == len(MATRIX.questions)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, RiskLevel.STANDARD),
        (MATRIX.medium_from - 1, RiskLevel.STANDARD),
        (MATRIX.medium_from, RiskLevel.MEDIUM),
        (MATRIX.high_from - 1, RiskLevel.MEDIUM),
        (MATRIX.high_from, RiskLevel.HIGH),
        (MAX_TOTAL, RiskLevel.HIGH),
    ],
)
def test_a_score_falls_in_the_band_that_starts_at_or_below_it(score: int, level: str) -> None:
    assert MATRIX.band(score) == level


def test_an_unanswered_question_is_named() -> None:
    answers = {q.key: 0 for q in MATRIX.questions[1:]}

    with pytest.raises(InvalidCommand) as info:
        MATRIX.score(answers)
    assert info.value.field == "answers"
    assert MATRIX.questions[0].key in info.value.message


def test_an_unknown_question_is_named() -> None:
    answers = {**{q.key: 0 for q in MATRIX.questions}, "star_sign": 1}

    with pytest.raises(InvalidCommand) as info:
        MATRIX.score(answers)
    assert info.value.field == "answers"
    assert "star_sign" in info.value.message


@pytest.mark.parametrize("value", [-1, 3])
def test_an_answer_out_of_range_names_its_question(value: int) -> None:
    answers = {**{q.key: 0 for q in MATRIX.questions}, "isolation": value}

    with pytest.raises(InvalidCommand) as info:
        MATRIX.score(answers)
    assert info.value.field == "answers.isolation"


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_an_answer_that_is_not_a_whole_number_is_refused(value: object) -> None:
    answers = {**{q.key: 0 for q in MATRIX.questions}, "isolation": value}

    with pytest.raises(InvalidCommand) as info:
        MATRIX.score(answers)  # type: ignore[arg-type]
    assert info.value.field == "answers.isolation"


@pytest.mark.parametrize(("medium_from", "high_from"), [(0, 5), (5, 5), (6, 5)])
def test_bands_must_rise(medium_from: int, high_from: int) -> None:
    with pytest.raises(ValueError):
        RiskMatrix(version="x", questions=(), medium_from=medium_from, high_from=high_from)


def test_a_matrix_round_trips_through_a_dict() -> None:
    assert RiskMatrix.from_dict(MATRIX.as_dict()) == MATRIX


def test_a_replacement_matrix_is_data_not_code() -> None:
    data = {
        "version": "landlord-2027.1",
        "medium_from": 2,
        "high_from": 4,
        "questions": [{"key": "threats", "text": "Threats?", "max_score": 5}],
    }

    matrix = RiskMatrix.from_dict(data)

    assert matrix.questions == (RiskQuestion("threats", "Threats?", 5),)
    assert matrix.band(matrix.score({"threats": 4})) == RiskLevel.HIGH


@given(st.integers(min_value=0, max_value=MAX_TOTAL))
def test_the_builder_answers_score_exactly_their_total(total: int) -> None:
    assert MATRIX.score(risk_answers(total)) == total


@given(
    st.fixed_dictionaries(
        {q.key: st.integers(min_value=0, max_value=q.max_score) for q in MATRIX.questions}
    )
)
def test_any_valid_answers_score_their_sum_and_band_by_threshold(answers: dict[str, int]) -> None:
    score = MATRIX.score(answers)

    assert score == sum(answers.values())
    expected = (
        RiskLevel.HIGH
        if score >= MATRIX.high_from
        else RiskLevel.MEDIUM
        if score >= MATRIX.medium_from
        else RiskLevel.STANDARD
    )
    assert MATRIX.band(score) == expected


@given(st.integers(min_value=0, max_value=MAX_TOTAL), st.integers(min_value=0, max_value=MAX_TOTAL))
def test_a_higher_score_is_never_a_lower_band(a: int, b: int) -> None:
    order = [RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH]
    low, high = sorted((a, b))

    assert order.index(MATRIX.band(low)) <= order.index(MATRIX.band(high))
