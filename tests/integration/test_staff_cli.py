"""`caseledger staff add --email`, `staff email` and `staff move`, run in-process on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from interface.cli import main
from interface.config import build_services
from tests.conftest import sqlite_env


def test_the_operator_sets_a_members_work_address_and_team(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    env = sqlite_env(str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    add = ["staff", "add", "k.officer", "--role", "officer", "--team", "north"]

    assert main([*add, "--email", "not an address"]) == 2
    assert "email" in capsys.readouterr().err
    assert main([*add, "--email", "k.officer@example.org"]) == 0
    assert "added k.officer (officer, team north)" in capsys.readouterr().out
    assert main(["staff", "move", "k.officer", "--team", "south"]) == 0
    assert main(["staff", "email", "k.officer", "k.o@example.org"]) == 0
    assert "k.officer's reminders go to k.o@example.org" in capsys.readouterr().out

    services = build_services(env)
    try:
        member = services.staff.get("k.officer")
        assert (member.email, member.team) == ("k.o@example.org", "south")
    finally:
        services.close()
    assert main(["staff", "email", "k.officer", ""]) == 0
    assert "go to no address" in capsys.readouterr().out
