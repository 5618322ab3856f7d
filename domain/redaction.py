"""One rule for what the reader of a document may see of the personal data in events, used
by the subject access export and the evidence pack alike.

A document is written for readers: the person who asked for their data (an export), or the
complainant or the person who asked for an ASB Case Review (a pack). For each personal value
of an event:

- erased (the owner's key destroyed): shown as erased;
- the readers' own data, or free text written about them (the event names one of them:
  a contact note with them, a note on them as an alleged perpetrator, their complaint; or
  the text names them, as a witness is named in the victim's contact note):
  shown, with the names of the other people on the case screened out ("[witness R.A.]")
  and the words the data protection officer decided to remove taken out; each such
  passage is listed for the officer's review, because free text cannot be cleared by a
  machine alone;
- anybody else's data: removed (DPA 2018 Sch 2 para 16).

Every removal is recorded with what kind of item it was, whose (by role) and why, so the
document can say so: a document never claims "0 items removed" when something was.
People are named as the document decides (`shown_as`), never by id.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.personal import ERASED_MARK, Personal

OTHERS_EXEMPTION = "DPA 2018 Sch 2 para 16 (protecting the rights of other people)"
# A capitalised word that does not start a sentence (nor follow an opening bracket or quote).
_NAME_LIKE = re.compile(
    r"(?<![.!?:;\[(\"'\u2018\u201c]\s)(?<!^)\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+)*)"
)
_TITLES = frozenset({"cllr", "councillor", "mr", "mrs", "ms", "miss", "mx", "dr", "mp", "rev"})


@dataclass(frozen=True)
class Person:
    """Someone on the case as a document names them."""

    subject_id: UUID
    shown_as: str  # "Yusuf Rahman (victim, complainant)", "witness R.A.", "you"
    role: str  # their main part, in words: "witness", "alleged perpetrator"
    name: str = ""  # their recorded name, to find in free text ("" if none or erased)
    erased: bool = False


@dataclass(frozen=True)
class Removal:
    """Something a reader is not shown: what kind of item, whose (by role), and why."""

    what: str
    whose: str
    why: str


@dataclass(frozen=True)
class ReviewedWords:
    """The data protection officer's decision to remove `text` from one passage."""

    passage: str
    text: str
    about: UUID | None  # the person the words are about, when they are on the case
    about_role: str
    reasons: str


@dataclass(frozen=True)
class Passage:
    """A passage of free text a document shows, for the officer's review before release."""

    key: str  # "<case id>:<event version>:<field>"
    owner: UUID  # whose key the passage is held under
    label: str
    text: str
    names: tuple[str, ...]  # how the people whose names were screened out are shown
    hints: tuple[str, ...]  # capitalised words within a sentence: perhaps someone's name

    @property
    def may_name_others(self) -> bool:
        return bool(self.names or self.hints)


def name_parts(name: str) -> list[str]:
    """A full name and its first and last words, without titles or anything bracketed."""
    core = re.sub(r"\(.*?\)", " ", name).split(" of ")[0]
    words = [w for w in core.split() if w.strip(".").casefold() not in _TITLES]
    parts = [" ".join(words)] if words else []
    parts += [w for w in (words[:1] + words[-1:]) if len(w) >= 3 and w not in parts]
    return parts


def initials(name: str) -> str:
    words = name_parts(name)[:1]
    return "".join(f"{w[0].upper()}." for w in words[0].split()) if words else ""


@dataclass
class Redaction:
    """What `readers` may see; `people` are everyone on the case as the document names them;
    `reviewed` the officer's decisions about passages."""

    readers: frozenset[UUID]
    people: Mapping[UUID, Person]
    reviewed: Sequence[ReviewedWords] = ()
    removals: list[Removal] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    def __post_init__(self) -> None:
        reader_names = {part for r in self.readers if r in self.people for part in self._parts(r)}
        found = [
            (part, person)
            for person in self.people.values()
            if person.subject_id not in self.readers
            for part in self._parts(person.subject_id)
            if part not in reader_names
        ]
        found.sort(key=lambda pair: -len(pair[0]))
        self._screen = [(re.compile(rf"\b{re.escape(p)}\b"), person) for p, person in found]
        # a reader named in free text by their full name or surname (a first name alone is
        # too common to say the passage is about them)
        named = {
            part
            for r in self.readers
            for full in self._parts(r)[:1]
            for part in (full, full.split()[-1])
            if len(part) >= 3
        }
        self._readers_named = [re.compile(rf"\b{re.escape(p)}\b") for p in named]

    def names_a_reader(self, value: Any) -> bool:
        """Whether free text inside `value` (an event's fields) names one of the readers."""
        if isinstance(value, Personal):
            text = None if value.erased or value.sealed else value.value
            return isinstance(text, str) and any(p.search(text) for p in self._readers_named)
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list | tuple):
            return any(self.names_a_reader(v) for v in value)
        return False

    def _parts(self, subject_id: UUID) -> list[str]:
        person = self.people.get(subject_id)
        return name_parts(person.name) if person and person.name else []

    def person(self, subject_id: UUID) -> str:
        person = self.people.get(subject_id)
        return person.shown_as if person else "another person"

    def whose(self, subject_id: UUID) -> str:
        person = self.people.get(subject_id)
        return f"the {person.role}" if person else "another person"

    def value(
        self, value: Personal, *, passage: str, label: str, about: Collection[UUID] = ()
    ) -> Any:
        """The value as the readers may see it."""
        if value.erased:
            return ERASED_MARK
        own = value.subject_id in self.readers
        written_about = isinstance(value.value, str) and (
            bool(self.readers & set(about)) or self.names_a_reader(value)
        )
        if not (own or written_about):
            whose = self.whose(value.subject_id)
            self.removals.append(Removal(label, whose, OTHERS_EXEMPTION))
            return f"[removed: {whose}'s information]"
        if not isinstance(value.value, str):
            return value.value
        return self._free_text(value.value, value.subject_id, passage, label)

    def _free_text(self, text: str, owner: UUID, passage: str, label: str) -> str:
        names: list[str] = []
        for pattern, person in self._screen:
            text, n = pattern.subn(f"[{person.shown_as}]", text)
            if n:
                names.append(person.shown_as)
                self.removals.extend(
                    Removal(f"a name in the {label}", f"the {person.role}", OTHERS_EXEMPTION)
                    for _ in range(n)
                )
        for decision in self.reviewed:
            if decision.passage != passage or decision.about in self.readers:
                continue
            text, n = re.subn(re.escape(decision.text), "[removed]", text)
            self.removals.extend(
                Removal(
                    f"words in the {label}",
                    decision.about_role,
                    f"{OTHERS_EXEMPTION}: {decision.reasons}",
                )
                for _ in range(n)
            )
        hints = tuple(dict.fromkeys(m.group(1) for m in _NAME_LIKE.finditer(text)))
        found = tuple(dict.fromkeys(names))
        self.passages.append(Passage(passage, owner, label, text, found, hints))
        return text


def summarise(removals: Sequence[Removal]) -> list[str]:
    """Each kind of removal once, with how many: "2 x a name in the contact summary (about
    the witness): DPA 2018 Sch 2 para 16 ..."."""
    counts: dict[Removal, int] = {}
    for removal in removals:
        counts[removal] = counts.get(removal, 0) + 1
    return [
        f"{n} \u00d7 {r.what}, about {r.whose}: {r.why}"
        if n > 1
        else f"{r.what}, about {r.whose}: {r.why}"
        for r, n in counts.items()
    ]
