"""The sessions table on both engines, and `caseledger staff set-password` from stdin."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from application.sign_in.sessions import Stage
from interface import cli
from interface.config import Services, build_services
from tests.conftest import ADMIN, Clock, sqlite_env


def test_sessions_are_kept_and_ended_in_the_database(services: Services, clock: Clock) -> None:
    sessions = services.screen_sign_in.sessions
    mine = sessions.start(Stage.SIGNED_IN, "k.officer")
    other = sessions.start(Stage.SIGNED_IN, "k.officer")
    theirs = sessions.start(Stage.SIGNED_IN, "t.manager")

    found = sessions.find(mine.token)
    assert found is not None and found.username == "k.officer" and found.csrf == mine.csrf
    assert sessions.find(mine.token + "x") is None

    assert sessions.end_all("k.officer") == 2
    assert sessions.find(other.token) is None
    assert sessions.find(theirs.token) is not None
    clock.advance(timedelta(minutes=30))
    assert sessions.find(theirs.token) is None


def test_set_password_reads_the_password_from_standard_input(
    tmp_path: Path,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = sqlite_env(str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    services = build_services(env, clock=clock)
    services.staff.add(username="k.officer", role="officer", team="north", actor=ADMIN)
    services.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))

    assert cli.main(["staff", "set-password", "k.officer"]) == 0

    assert "password for the screens is set" in capsys.readouterr().out
    services = build_services(env, clock=clock)
    try:
        assert services.staff.member_with_password("k.officer", "a long enough password")
        assert services.staff.member_with_password("k.officer", "a long enough password\n") is None
    finally:
        services.close()
