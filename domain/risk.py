"""The scored risk assessment (policy 5.5): a configurable question set banded into levels.

The question set is data, not code: a landlord can replace it (a new `version`) without a
release, and every `RiskAssessed` event records which version scored it, so old assessments
keep the meaning they had when they were made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidCommand
from domain.vocabulary import RiskLevel


@dataclass(frozen=True)
class RiskQuestion:
    key: str
    text: str
    max_score: int


@dataclass(frozen=True)
class RiskMatrix:
    """A versioned question set; a total at or above a threshold puts the case in that band."""

    version: str
    questions: tuple[RiskQuestion, ...]
    medium_from: int
    high_from: int

    def __post_init__(self) -> None:
        if not 0 < self.medium_from < self.high_from:
            raise ValueError("risk bands must satisfy 0 < medium_from < high_from")

    def score(self, answers: Mapping[str, int]) -> int:
        """Total score of a complete set of answers; every question answered, each in range."""
        known = {q.key: q for q in self.questions}
        unknown = sorted(set(answers) - set(known))
        if unknown:
            raise InvalidCommand("answers", f"unknown questions: {', '.join(unknown)}")
        missing = [q.key for q in self.questions if q.key not in answers]
        if missing:
            raise InvalidCommand("answers", f"unanswered questions: {', '.join(missing)}")
        for key, value in answers.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidCommand(f"answers.{key}", "must be a whole number")
            if not 0 <= value <= known[key].max_score:
                raise InvalidCommand(
                    f"answers.{key}", f"must be between 0 and {known[key].max_score}"
                )
        return sum(answers.values())

    def band(self, score: int) -> RiskLevel:
        if score >= self.high_from:
            return RiskLevel.HIGH
        if score >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.STANDARD

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "medium_from": self.medium_from,
            "high_from": self.high_from,
            "questions": [
                {"key": q.key, "text": q.text, "max_score": q.max_score} for q in self.questions
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskMatrix:
        return cls(
            version=str(data["version"]),
            medium_from=int(data["medium_from"]),
            high_from=int(data["high_from"]),
            questions=tuple(
                RiskQuestion(key=str(q["key"]), text=str(q["text"]), max_score=int(q["max_score"]))
                for q in data["questions"]
            ),
        )


# Modelled on the victim-centred ASB/hate risk matrices used by English housing providers
# (harm, vulnerability, repeat victimisation, escalation); 0 = no, 1 = some, 2 = serious.
DEFAULT_RISK_MATRIX = RiskMatrix(
    version="hate-risk-2024.1",
    medium_from=7,
    high_from=13,
    questions=(
        RiskQuestion("fear_for_safety", "Is the victim or family afraid for their safety?", 2),
        RiskQuestion("violence_or_threats", "Has there been violence or threats of violence?", 2),
        RiskQuestion("repeat_victimisation", "Has the victim been targeted before?", 2),
        RiskQuestion("escalation", "Is the behaviour getting worse or more frequent?", 2),
        RiskQuestion("targets_home", "Is the victim's home targeted (damage, graffiti, arson)?", 2),
        RiskQuestion("perpetrator_nearby", "Does the alleged perpetrator live nearby?", 2),
        RiskQuestion("vulnerability", "Is the victim vulnerable (health, disability, age)?", 2),
        RiskQuestion("children_affected", "Are children in the household affected?", 2),
        RiskQuestion("isolation", "Is the victim isolated, without support around them?", 2),
        RiskQuestion("health_impact", "Is it affecting the victim's physical or mental health?", 2),
    ),
)
