"""Slows down token guessing: too many failed authentications from one address get 429.

Counts live in the server process (each worker limits on its own); the window and the limit
are small enough that a person mistyping a token is never stopped for long.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FailureThrottle:
    def __init__(
        self,
        limit: int = 10,
        window_seconds: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._now = now
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds the client must wait before trying again; 0 if it may try now."""
        with self._lock:
            recent = self._recent(client)
            if len(recent) < self.limit:
                return 0
            return max(1, int(recent[0] + self.window - self._now()) + 1)

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self._now())
            if len(self._failures) > 10_000:  # bound memory under a spray of addresses
                self._failures = {k: v for k, v in self._failures.items() if v}

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        cutoff = self._now() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures
