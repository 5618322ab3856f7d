"""Who a token names is read by the member's version: another process's removal or token
rotation is seen by the next request here, and a member unchanged is not replayed again."""

from __future__ import annotations

from typing import Any

import pytest

from application.errors import Unauthenticated
from interface.config import build_services
from tests.conftest import ADMIN, Clock


def test_a_change_made_by_another_process_is_seen_at_once(
    engine_env: dict[str, str], clock: Clock
) -> None:
    here, there = build_services(engine_env, clock=clock), build_services(engine_env, clock=clock)
    try:
        _, token = here.staff.add(username="r.officer", role="officer", team="north", actor=ADMIN)
        assert here.staff.authenticate(token).username == "r.officer"

        fresh = there.staff.rotate_token("r.officer", actor=ADMIN)
        with pytest.raises(Unauthenticated):
            here.staff.authenticate(token)
        assert here.staff.authenticate(fresh).username == "r.officer"

        there.staff.remove("r.officer", reason="left the landlord", actor=ADMIN)
        with pytest.raises(Unauthenticated):
            here.staff.authenticate(fresh)
    finally:
        here.close()
        there.close()


def test_an_unchanged_member_is_not_replayed(
    engine_env: dict[str, str], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(engine_env, clock=clock)
    try:
        _, token = services.staff.add(username="r.hub", role="hub", team="hub", actor=ADMIN)
        services.staff.authenticate(token)
        replays: list[object] = []
        get = services.ledger.repository.get

        def counted(*args: Any, **kwargs: Any) -> Any:
            replays.append(args)
            return get(*args, **kwargs)

        monkeypatch.setattr(services.ledger.repository, "get", counted)
        for _ in range(3):
            assert services.staff.authenticate(token).username == "r.hub"
        assert replays == []
    finally:
        services.close()
