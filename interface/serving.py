"""How `caseledger serve` runs the API: one worker process per core (gunicorn), or one process
(waitress) when asked for a single worker.

Why gunicorn for several processes: Python runs one thread at a time per process, so the
API, which spends most of a request in Python, uses one core per process. Waitress has no
process manager; several waitress processes would need a supervisor of their own to share
the port, restart one that dies and stop them together, which is what gunicorn's master
already does (a pre-forked listening socket, a dead worker replaced, SIGTERM a graceful stop).
Its `gthread` workers keep each worker multi-threaded with keep-alive connections, as
waitress's threads are. Waitress stays for one process (`--workers 1`), as before.

Each worker builds its own services after the fork (the library's pools, SQLite
connections and the integrity log's timer are per process: built before the fork they would
be shared by accident). What must agree across workers is in the database: accounts and
their tokens (a worker's cache of a staff member is checked against the member's version on
each request), the views and their positions (caught up by compare-and-set), checkpoints
(any worker may sign the next one), and the sign-in throttle's counts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from interface.config import Services

log = logging.getLogger("caseledger")


def cores() -> int:
    """The cores this process may run on: the default number of workers."""
    return len(os.sched_getaffinity(0))


def serve(
    build: Callable[[], Services], *, host: str, port: int, threads: int, workers: int
) -> int:
    """Serve until stopped. `build` makes a process's services; it runs once here first, to
    set up the tables and check the settings before any worker starts."""
    if workers <= 1:
        return _one_process(build(), host, port, threads)
    build().close()  # set up once, then every worker opens its own
    log.info("serving on http://%s:%s, %d workers of %d threads", host, port, workers, threads)
    _Gunicorn(build, host=host, port=port, threads=threads, workers=workers).run()
    return 0


def _one_process(services: Services, host: str, port: int, threads: int) -> int:
    import waitress

    log.info("serving on http://%s:%s, one process of %d threads", host, port, threads)
    try:
        waitress.serve(
            _app(services),
            host=host,
            port=port,
            threads=threads,
            ident="caseledger",
            # waitress drops X-Forwarded-* itself unless told otherwise; with trusted proxies
            # the app's ProxyFix reads them (CASELEDGER_TRUSTED_PROXIES), never the client's
            # own. gunicorn passes them on as they came, for the same ProxyFix to judge.
            clear_untrusted_proxy_headers=not services.trusted_proxies,
        )
    finally:
        services.close()
    return 0


def _app(services: Services) -> Flask:
    from interface.api.app import create_app

    app = create_app(services)
    if not services.screen_sign_in.second_factor_required:
        log.warning(
            "CASELEDGER_WEB_MFA=optional: the staff screens sign people in with a password "
            "alone; for local development and the demo only"
        )
    services.integrity.start_timer()  # signs events saved just before a quiet spell
    return app


class _Gunicorn(BaseApplication):
    """gunicorn's master and workers, configured here rather than from a file or argv."""

    def __init__(
        self, build: Callable[[], Services], *, host: str, port: int, threads: int, workers: int
    ) -> None:
        self._build = build
        self._services: Services | None = None
        self._options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "graceful_timeout": 5,
            "accesslog": None,  # the app logs each request itself, without bodies or queries
            "proc_name": "caseledger",
            "control_socket_disable": True,  # one fixed path per user: servers would share it
            "worker_exit": self._worker_exit,
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        """In each worker, after the fork: its own services and app."""
        self._services = self._build()
        return _app(self._services)

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        if self._services is not None:
            self._services.close()
