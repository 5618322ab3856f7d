"""The data protection officer's review of a case's free text: words removed before release.

Free text (a description, a contact note) is written about several people and held under
the victim's key; a machine can screen out the names of the people recorded on the case, but
not "his brother Tom" or "the woman at number 12". The DPO reads each passage a document
would show and decides which words to remove, for whom and why. Each decision is a
`WordsRemoved` event on the case's one `FreeTextReview` (its id derived from the case's), so
every document that shows the passage applies it: the subject access exports of everyone on
the case, and the evidence packs produced after it (`domain.redaction` applies them).

The removed words are personal data, so they are held under the key of the passage's owner:
erasing that person erases the decision's words with the passage.
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatchmethod
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidCommand
from domain.instants import aware
from domain.personal import Personal
from domain.policy import POLICY_VERSION
from domain.redaction import ReviewedWords


def review_id_for(case_id: UUID) -> UUID:
    """The id of a case's free-text review: one per case, found without an index."""
    return uuid5(NAMESPACE_URL, f"caseledger:free-text-review:{case_id}")


class ReviewStarted(Aggregate.Created):
    case_id: UUID
    actor: str
    occurred_at: datetime
    policy_version: str

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class WordsRemoved(Aggregate.Event):
    """Remove `text` from the passage (`"<case id>:<event version>:<field>"`) for every
    reader but the person the words are about (`about`, when they are on the case)."""

    actor: str
    occurred_at: datetime
    policy_version: str
    passage: str
    text: Personal
    about: UUID | None
    about_role: str
    reasons: Personal

    def apply(self, aggregate: Any) -> None:
        aggregate.when(self)


class FreeTextReview(Aggregate):
    def __init__(self) -> None:
        self.case_id: UUID | None = None
        self.decisions: list[tuple[datetime, ReviewedWords]] = []

    @classmethod
    def start(cls, *, case_id: UUID, actor: str, at: datetime) -> FreeTextReview:
        aware(at, "at")
        return cls._create(
            ReviewStarted,
            id=review_id_for(case_id),
            case_id=case_id,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
        )

    def remove_words(
        self,
        *,
        passage: str,
        shown: str,
        owner: UUID,
        text: str,
        about: UUID | None,
        about_role: str,
        reasons: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Remove `text` from a passage whose words, as the document shows them, are `shown`
        (held under `owner`'s key)."""
        aware(at, "at")
        words = text.strip()
        if not words:
            raise InvalidCommand("text", "name the words to remove")
        if words not in shown:
            raise InvalidCommand("text", "these words are not in the passage")
        if not reasons.strip():
            raise InvalidCommand("reasons", "say why the words are removed")
        self.trigger_event(
            WordsRemoved,
            actor=actor,
            occurred_at=at,
            policy_version=POLICY_VERSION,
            passage=passage,
            text=Personal(owner, words),
            about=about,
            about_role=about_role,
            reasons=Personal(owner, reasons.strip()),
        )

    def as_of(self, at: datetime | None = None) -> list[ReviewedWords]:
        """The decisions in force at `at` (all of them without it)."""
        return [d for when, d in self.decisions if at is None or when <= at]

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise NotImplementedError(type(event).__qualname__)

    @when.register
    def _(self, e: ReviewStarted) -> None:
        self.case_id = e.case_id

    @when.register
    def _(self, e: WordsRemoved) -> None:
        if e.text.erased or e.text.sealed is not None:
            return  # the passage's owner was erased: nothing left to remove it from
        reasons = "" if e.reasons.erased else str(e.reasons.value)
        decision = ReviewedWords(e.passage, str(e.text.value), e.about, e.about_role, reasons)
        self.decisions.append((e.occurred_at, decision))
