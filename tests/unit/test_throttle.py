"""Failed sign-ins are throttled per address, and the window slides."""

from __future__ import annotations

from interface.api.throttle import FailureThrottle


def test_ten_failures_in_a_minute_make_the_address_wait() -> None:
    clock = [1000.0]
    throttle = FailureThrottle(limit=10, window_seconds=60, now=lambda: clock[0])
    for _ in range(9):
        throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 0
    throttle.failed("10.0.0.1")
    assert 0 < throttle.retry_after("10.0.0.1") <= 61
    assert throttle.retry_after("10.0.0.2") == 0
    clock[0] += 61
    assert throttle.retry_after("10.0.0.1") == 0
