"""Staff accounts: one per username, a role from the vocabulary, token hashes only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidCommand
from domain.staff import (
    StaffAdded,
    StaffEmailSet,
    StaffMember,
    StaffMovedTeam,
    StaffRemoved,
    StaffTokenRotated,
    staff_id_for,
)
from domain.vocabulary import StaffRole
from tests.unit.case_builders import T0, later, replay, state_of

ADMIN = "system.admin"


def add(**overrides: Any) -> StaffMember:
    arguments: dict[str, Any] = {
        "username": "a.khan",
        "display_name": "Amir Khan",
        "role": "officer",
        "team": "north",
        "token_hash": "scrypt$salt$hash",
        "actor": ADMIN,
        "at": T0,
    }
    arguments.update(overrides)
    return StaffMember.add(**arguments)


@pytest.mark.parametrize("role", [r.value for r in StaffRole])
def test_a_member_is_added_in_any_role(role: str) -> None:
    member = add(role=role)

    [added] = member.collect_events()
    assert isinstance(added, StaffAdded)
    assert (member.username, member.role, member.team) == ("a.khan", role, "north")
    assert member.active is True


def test_an_unknown_role_names_the_field() -> None:
    with pytest.raises(InvalidCommand) as info:
        add(role="superuser")
    assert info.value.field == "role"


@pytest.mark.parametrize("username", ["A.Khan", "a", "-akhan", "a khan", "a" * 64, ""])
def test_a_malformed_username_is_refused(username: str) -> None:
    with pytest.raises(InvalidCommand) as info:
        add(username=username)
    assert info.value.field == "username"


def test_blank_display_name_and_team_fall_back_to_defaults() -> None:
    member = add(display_name=" ", team=" ")

    assert (member.display_name, member.team) == ("a.khan", "default")


def test_the_account_id_is_derived_from_the_username() -> None:
    assert add().id == staff_id_for("a.khan")
    assert staff_id_for("a.khan") != staff_id_for("b.khan")


@given(st.from_regex(r"[a-z0-9][a-z0-9._-]{1,62}", fullmatch=True))
def test_any_well_formed_username_is_accepted_and_gets_its_own_id(username: str) -> None:
    member = add(username=username)

    assert member.id == staff_id_for(username)


def test_rotating_the_token_replaces_the_hash() -> None:
    member = add()

    member.rotate_token(token_hash="scrypt$new$hash", actor=ADMIN, at=later())

    assert isinstance(member.collect_events()[-1], StaffTokenRotated)
    assert member.token_hash == "scrypt$new$hash"


def test_a_removed_member_is_inactive() -> None:
    member = add()

    member.remove(reason="Left the organisation", actor=ADMIN, at=later())

    assert isinstance(member.collect_events()[-1], StaffRemoved)
    assert member.active is False


@pytest.mark.parametrize("command", ["rotate", "remove"])
def test_a_removed_account_takes_no_further_changes(command: str) -> None:
    member = add()
    member.remove(reason="Left", actor=ADMIN, at=later())

    with pytest.raises(InvalidCommand) as info:
        if command == "rotate":
            member.rotate_token(token_hash="x", actor=ADMIN, at=later(1))
        else:
            member.remove(reason="Again", actor=ADMIN, at=later(1))
    assert info.value.field == "username"


def test_a_member_replays_to_the_same_state() -> None:
    member = add()
    member.rotate_token(token_hash="scrypt$new$hash", actor=ADMIN, at=later())
    member.remove(reason="Left", actor=ADMIN, at=later(1))

    rebuilt = replay(member.collect_events(), StaffMember)

    assert state_of(rebuilt) == state_of(member)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(InvalidCommand) as info:
        add(at=datetime(2026, 3, 10, 9, 0))
    assert info.value.field == "at"


def test_a_work_address_is_set_changed_and_cleared_by_events() -> None:
    member = add()
    member.set_email(email=" a.khan@example.org ", actor=ADMIN, at=later())
    member.set_email(email="a.khan@example.org", actor=ADMIN, at=later(1))  # no change
    member.set_email(email="", actor=ADMIN, at=later(2))

    emails = [e.email for e in member.collect_events() if isinstance(e, StaffEmailSet)]
    assert emails == ["a.khan@example.org", ""]
    assert member.email == ""


@pytest.mark.parametrize(
    "email", ["a.khan", "a khan@example.org", "<a@example.org>", "a@b", "a@example.org, b@x.org"]
)
def test_a_malformed_address_names_the_field(email: str) -> None:
    with pytest.raises(InvalidCommand) as info:
        add().set_email(email=email, actor=ADMIN, at=later())
    assert info.value.field == "email"


def test_a_member_moves_team_and_replays_there() -> None:
    member = add()
    member.move_team(team="south", actor=ADMIN, at=later())
    member.set_email(email="a.khan@example.org", actor=ADMIN, at=later(1))

    [moved] = [e for e in member.collect_events() if isinstance(e, StaffMovedTeam)]
    assert moved.team == member.team == "south"
    rebuilt = replay([*add().collect_events(), moved], StaffMember)
    assert rebuilt.team == "south" and rebuilt.email == ""
    with pytest.raises(InvalidCommand):
        member.move_team(team=" ", actor=ADMIN, at=later(2))
