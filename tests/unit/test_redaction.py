"""The one redaction rule of every document a person reads (`domain.redaction`), and how a
pack names people for its purpose. No I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from application.exports.evidence_pack import PackMaterial, name_people
from domain.data_subject import DataSubject
from domain.personal import Personal
from domain.redaction import OTHERS_EXEMPTION, Person, Redaction, ReviewedWords
from domain.service_levels import ServiceLevels

AT = datetime(2026, 3, 2, tzinfo=UTC)
ME, WITNESS, NEIGHBOUR = uuid4(), uuid4(), uuid4()
PEOPLE = {
    ME: Person(ME, "you", "you", "Amara Okafor"),
    WITNESS: Person(WITNESS, "witness 1", "witness", "Ruth Adeyemi"),
}


def test_own_data_is_shown_anyone_elses_removed_and_every_removal_is_counted() -> None:
    redaction = Redaction(frozenset({ME}), PEOPLE)
    shown = redaction.value(Personal(ME, "Ruth Adeyemi saw it"), passage="c:1:notes", label="notes")
    theirs = redaction.value(Personal(WITNESS, {"name": "Ruth"}), passage="c:2:d", label="details")
    assert shown == "[witness 1] saw it"
    assert theirs == "[removed: the witness's information]"
    assert [(r.what, r.whose, r.why) for r in redaction.removals] == [
        ("a name in the notes", "the witness", OTHERS_EXEMPTION),
        ("details", "the witness", OTHERS_EXEMPTION),
    ]
    assert redaction.value(Personal.erased_for(ME), passage="c:3:x", label="x") == "[erased]"


def test_free_text_about_the_reader_or_naming_them_is_theirs_not_another_persons() -> None:
    redaction = Redaction(frozenset({WITNESS}), PEOPLE)
    about = redaction.value(
        Personal(ME, "Seen by the bins"), passage="c:1:notes", label="notes", about=[WITNESS]
    )
    naming = redaction.value(
        Personal(ME, "Adeyemi next door saw a man"), passage="c:2:summary", label="notes"
    )
    assert (about, naming) == ("Seen by the bins", "Adeyemi next door saw a man")
    assert redaction.removals == []
    assert redaction.names_a_reader({"summary": Personal(ME, "Ruth Adeyemi saw it")})
    assert not redaction.names_a_reader({"summary": Personal(ME, "Ruth from the shop")})


def test_the_dpos_removals_apply_to_everyone_but_the_person_they_are_about() -> None:
    decision = ReviewedWords("c:1:description", "Tom Baxter", NEIGHBOUR, "the neighbour", "named")
    text = Personal(ME, "Tom Baxter shouted")
    for_me = Redaction(frozenset({ME}), PEOPLE, [decision])
    assert for_me.value(text, passage="c:1:description", label="description") == (
        "[removed] shouted"
    )
    assert for_me.removals[0].whose == "the neighbour"
    assert for_me.passages[0].may_name_others is False  # nothing name-like is left
    for_him = Redaction(frozenset({NEIGHBOUR}), PEOPLE, [decision])
    shown = for_him.value(text, passage="c:1:description", label="description", about=[NEIGHBOUR])
    assert shown == "Tom Baxter shouted"


def test_a_passage_with_a_name_the_ledger_does_not_know_is_flagged_for_review() -> None:
    redaction = Redaction(frozenset({ME}), PEOPLE)
    redaction.value(
        Personal(ME, "He came with his friend Lee Carter."), passage="c:1:d", label="description"
    )
    [passage] = redaction.passages
    assert passage.may_name_others and passage.hints == ("Lee Carter",)


def test_a_case_review_pack_names_the_person_who_asked_for_the_review() -> None:
    subject = DataSubject.record(subject_id=ME, details={"name": "Amara Okafor"}, actor="x", at=AT)
    material = PackMaterial(
        case_id=uuid4(),
        reference="HC-2026-X",
        number=1,
        purpose="case-review",
        produced_by="c.liaison",
        produced_by_role="complaints",
        events=[],
        people={ME: (["victim"], subject)},
        levels=ServiceLevels(),
    )
    [person] = name_people(material, {ME})
    assert person.shown_as == "Amara Okafor (victim, person who asked for an ASB Case Review)"
