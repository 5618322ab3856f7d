"""Keeps every view caught up as a process of its own: `caseledger projections run`.

The loop polls the notification log (the same catch-up the API can do inline), sleeps while
nothing is new, and stops when asked once the views are caught up. A database error does not end
it: it waits, with a growing back-off, and carries on from the tracked positions, so it is
its own supervisor for outages; a process manager restarts it if the process itself dies.
Nothing personal is logged: only view names and positions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from projections.runner import ProjectionRunner

log = logging.getLogger("caseledger.projections")

MIN_BACKOFF_S = 0.1  # the first wait after an error, however short the poll interval
MAX_BACKOFF_S = 10.0


class ProjectionWorker:
    def __init__(
        self,
        runner: ProjectionRunner,
        poll_interval_s: float = 0.2,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.runner = runner
        self.poll_interval_s = poll_interval_s
        self._stopping = threading.Event()
        self._sleep = sleep or self._stopping.wait

    def stop(self) -> None:
        self._stopping.set()

    def run_forever(self) -> None:
        # Never below MIN_BACKOFF_S: with `--poll-interval 0` an outage would otherwise be a
        # busy loop logging a traceback per iteration, as 0 doubled is still 0.
        first_backoff = min(max(self.poll_interval_s, MIN_BACKOFF_S), MAX_BACKOFF_S)
        backoff = first_backoff
        position = -1
        while not self._stopping.is_set():
            try:
                reached = self.runner.catch_up()
            except Exception:  # any engine error: keep the tracked positions, retry later
                log.exception("projection catch-up failed; retrying in %.1fs", backoff)
                self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            backoff = first_backoff
            if reached != position:
                log.info("views caught up to position %d", reached)
                position = reached
            self._sleep(self.poll_interval_s)
        log.info("projection worker stopped at position %d", position)
