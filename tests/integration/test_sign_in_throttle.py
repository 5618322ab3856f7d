"""The sign-in throttle's table: shared by every process on the database, bounded in size,
timed by the injected clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from application.sign_in_throttle import SignInThrottle
from interface.config import Services, build_services
from tests.conftest import Clock


@pytest.fixture
def second_process(engine_env: dict[str, str], clock: Clock) -> Iterator[Services]:
    """Another server process on the same database: its own connections and throttle."""
    built = build_services(engine_env, clock=clock)
    yield built
    built.close()


def test_two_processes_share_the_counts(services: Services, second_process: Services) -> None:
    one, other = services.sign_in, second_process.sign_in
    for n in range(10):
        (one if n % 2 else other).record_failure(None, "10.0.0.1")
    assert one.check(None, "10.0.0.1") > 0
    assert other.check(None, "10.0.0.1") > 0
    for n in range(10):
        one.record_failure("token:abc", f"10.0.1.{n}")
    assert other.record_failure("token:abc", "10.0.2.1") > 0  # the eleventh, seen by the other
    other.record_success("token:abc", "10.0.2.1")
    assert one.record_failure("token:abc", "10.0.2.2") == 0


def test_windows_pass_by_the_clock(services: Services, clock: Clock) -> None:
    throttle = services.sign_in
    for _ in range(10):
        throttle.record_failure(None, "10.0.0.1")
    assert 59 <= throttle.check(None, "10.0.0.1") <= 60
    clock.advance(timedelta(seconds=30))
    assert 29 <= throttle.check(None, "10.0.0.1") <= 30
    clock.advance(timedelta(seconds=30))
    assert throttle.check(None, "10.0.0.1") == 0
    assert throttle.record_failure(None, "10.0.0.1") == 0  # a new window, counting from one
    assert throttle.check("token:abc", "10.0.0.1") == 0  # a named account is always verified


def test_addresses_that_stop_failing_are_forgotten(services: Services, clock: Clock) -> None:
    """An hour of failures from a new address every six seconds (600 addresses) leaves only
    the windows still running: those of the last minute (the address window) and their
    accounts of the last quarter hour (the account window)."""
    throttle = services.sign_in
    for n in range(600):
        throttle.record_failure(f"token:{n % 7}" if n % 2 else None, f"10.{n // 256}.{n % 256}.1")
        clock.advance(timedelta(seconds=6))
    assert throttle.rows() <= 60 // 6 + 7 + 1


def test_the_table_never_holds_more_than_its_limit(services: Services, clock: Clock) -> None:
    throttle = SignInThrottle(services.runner.store, clock, max_rows=50)
    for n in range(120):  # all at once: no window has passed
        throttle.record_failure(None, f"10.0.{n // 256}.{n % 256}")
    assert throttle.rows() == 50
    assert throttle.record_failure(None, "10.0.0.119") == 0  # the newest were kept
