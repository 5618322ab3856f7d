"""The sign-in throttle through the API: a valid token is never refused for anyone's failures,
malformed tokens are slowed per address, and the address is the one the trusted proxies saw."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from interface.api.app import create_app
from interface.config import Services
from interface.settings import ConfigurationError, Settings
from tests.api.helpers import Api, assert_problem
from tests.conftest import Clock
from tests.reliability.harness import Server, issue_tokens

OFFICE = "10.1.2.3"  # the reverse proxy every member of staff comes through
GARBAGE = {"Authorization": "Bearer cl_00_guess"}


def _me(api: Api, headers: dict[str, str], address: str = OFFICE) -> int:
    response = api.client.get("/api/v1/me", headers=headers, environ_base={"REMOTE_ADDR": address})
    return response.status_code


def _wrong_secret(api: Api, who: str) -> dict[str, str]:
    """A token naming the member's own account with a mistyped secret."""
    return {"Authorization": f"Bearer {api.token(who)[:-4]}oops"}


def test_one_persons_bad_tokens_never_lock_out_a_colleague_behind_the_same_address(
    api: Api,
) -> None:
    colleague = api.auth("manager")
    assert _me(api, colleague) == 200
    for _ in range(15):  # mistyped: their own account, over its limit
        assert _me(api, _wrong_secret(api, "officer")) in (401, 429)
    for _ in range(15):  # pasted garbage: no account at all, over the address's limit
        assert _me(api, GARBAGE) in (401, 429)
    assert _me(api, GARBAGE) == 429
    assert _me(api, colleague) == 200
    assert _me(api, api.auth("hub")) == 200  # a token not yet seen by this process
    assert _me(api, api.auth("officer")) == 200  # and the one who failed, once they get it right


def test_malformed_tokens_wait_per_address_and_the_window_passes(api: Api, clock: Clock) -> None:
    for _ in range(10):
        assert _me(api, GARBAGE) == 401
    throttled = api.client.get("/api/v1/me", headers=GARBAGE, environ_base={"REMOTE_ADDR": OFFICE})
    assert_problem(throttled, 429)
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert _me(api, GARBAGE, address="10.9.9.9") == 401  # another address has its own count
    clock.advance(timedelta(seconds=61))
    assert _me(api, GARBAGE) == 401


def test_an_accounts_failures_answer_429_but_its_own_valid_token_still_works(
    api: Api, clock: Clock
) -> None:
    wrong = _wrong_secret(api, "manager")
    # From ten addresses, so only the account's count can reach its limit.
    statuses = [_me(api, wrong, address=f"10.0.0.{n}") for n in range(11)]
    assert statuses == [401] * 10 + [429]
    assert _me(api, api.auth("manager"), address="10.0.0.99") == 200
    assert _me(api, wrong, address="10.0.0.98") == 401  # a success forgot the failures


def test_the_address_is_the_one_the_trusted_proxy_saw(services: Services) -> None:
    services.trusted_proxies = 1
    client = create_app(services).test_client()

    def me(forwarded: str) -> int:
        return client.get(
            "/api/v1/me",
            headers={**GARBAGE, "X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code

    # A client's own X-Forwarded-For is not believed: the proxy appends the real address.
    for n in range(10):
        assert me(f"192.0.2.{n}, 203.0.113.5") == 401
    assert me("192.0.2.200, 203.0.113.5") == 429
    assert me("203.0.113.6") == 401


def test_without_trusted_proxies_x_forwarded_for_is_ignored(api: Api) -> None:
    statuses = [
        api.client.get(
            "/api/v1/me", headers={**GARBAGE, "X-Forwarded-For": f"192.0.2.{n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [401] * 10 + [429]


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_trusted_proxies_must_be_a_whole_number(engine_env: dict[str, str], value: str) -> None:
    with pytest.raises(ConfigurationError, match="CASELEDGER_TRUSTED_PROXIES"):
        Settings.read(engine_env | {"CASELEDGER_TRUSTED_PROXIES": value})
    assert Settings.read(engine_env).trusted_proxies == 0


def test_a_real_server_behind_one_proxy_counts_each_client_address(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    """waitress drops X-Forwarded-For unless told to keep it: `serve` keeps it only when
    proxies are trusted, for the app's ProxyFix to read (it was every client as 127.0.0.1)."""
    tokens = issue_tokens(engine_env, "manager")
    server = Server(engine_env | {"CASELEDGER_TRUSTED_PROXIES": "1"}, tmp_path, threads=2)
    server.start()
    try:

        def me(client: str, token: str = "cl_00_guess") -> int:
            reply = server.call(
                "GET", "/api/v1/me", token=token, headers={"X-Forwarded-For": client}
            )
            return reply.status

        assert [me("198.51.100.7") for _ in range(11)] == [401] * 10 + [429]
        assert me("198.51.100.8") == 401  # another client behind the same proxy
        assert me("198.51.100.7", tokens["manager"]) == 200
    finally:
        server.stop()
