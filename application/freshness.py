"""How a read makes sure the views it reads hold what it must see (read your own writes).

Two modes, chosen by `CASELEDGER_PROJECTIONS`:

* `inline` (the default; one server process on SQLite): a read first catches the views it
  needs up with the log itself, so everything written before the read began is in them.
* `worker`: `caseledger projections run` keeps the views up to date as a process of its
  own, and a read only reads. It waits (up to `CASELEDGER_VIEW_WAIT_S`) for the views to
  reach the position its caller asks for, which is the `X-Ledger-Position` a command answered
  with, sent back as `X-Min-Position`; if they do not, the read is refused (`ViewsBehind`)
  rather than answered from a view that lacks the caller's own write.

Either way the lowest position a request's reads saw is kept, for the response to say how
fresh it is. Both values live in context variables set per request by the interface.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar, Token

from application.errors import ViewsBehind
from projections.runner import ProjectionRunner
from projections.store import ViewStore

INLINE = "inline"
WORKER = "worker"
MODES = (INLINE, WORKER)

_wanted: ContextVar[int] = ContextVar("caseledger_min_position", default=0)
# The positions this request's reads saw; None outside a request (CLI, tests): nothing kept.
_seen: ContextVar[list[int] | None] = ContextVar("caseledger_seen_positions", default=None)

Scope = tuple[Token[int], Token[list[int] | None]]


class ViewFreshness:
    def __init__(
        self,
        runner: ProjectionRunner,
        mode: str = INLINE,
        wait_s: float = 5.0,
        sleep: Callable[[float], object] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"CASELEDGER_PROJECTIONS must be one of {', '.join(MODES)}")
        if not wait_s >= 0:
            raise ValueError(f"CASELEDGER_VIEW_WAIT_S must be a number of seconds, not {wait_s}")
        self.runner = runner
        self.mode = mode
        self.wait_s = wait_s
        self._sleep = sleep
        self._monotonic = monotonic

    @property
    def store(self) -> ViewStore:
        return self.runner.store

    def begin(self, min_position: int = 0) -> Scope:
        """Start a request's reads; they must see at least `min_position`."""
        return _wanted.set(min_position), _seen.set([])

    @staticmethod
    def end(scope: Scope) -> None:
        _wanted.reset(scope[0])
        _seen.reset(scope[1])

    @staticmethod
    def seen() -> int | None:
        """The lowest view position this request's reads saw, if it read any view."""
        seen = _seen.get()
        return min(seen) if seen else None

    def ready(self, *names: str) -> int:
        """Make the named views fit to read (see the module's docstring); their position."""
        if self.mode == INLINE:
            position = self.runner.catch_up(*names, reading=True)
        else:
            position = self._wait_for(names, _wanted.get())
        seen = _seen.get()
        if seen is not None:
            seen.append(position)
        return position

    def _wait_for(self, names: tuple[str, ...], wanted: int) -> int:
        chosen = list(names) or list(self.runner.projections)
        deadline = self._monotonic() + self.wait_s
        pause = 0.005
        while True:
            reached = min(self.runner.positions(chosen).values())
            if reached >= wanted:
                return reached
            if self._monotonic() >= deadline:
                raise ViewsBehind(wanted, reached)
            self._sleep(pause)
            pause = min(pause * 2, 0.1)
