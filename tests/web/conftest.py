"""Fixtures of the screens' tests: the Flask test client as a browser, signed in by role.

Most screens' tests run on SQLite only (the screens call the same services as the API, whose
tests cover both engines); the sessions table is tested on both (test_sessions.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interface.api.app import create_app
from interface.config import Services, build_services
from tests.conftest import Clock, add_staff, sqlite_env
from tests.web.helpers import PASSWORD, Browser, set_passwords


@pytest.fixture
def web_env(tmp_path: Path) -> dict[str, str]:
    return sqlite_env(str(tmp_path)) | {"CASELEDGER_WEB_MFA": "optional"}


@pytest.fixture
def web_services(web_env: dict[str, str], clock: Clock) -> Iterator[Services]:
    built = build_services(web_env, clock=clock)
    add_staff(built)
    set_passwords(built)
    yield built
    built.close()


@pytest.fixture
def browser(web_services: Services, clock: Clock) -> Browser:
    return Browser(create_app(web_services).test_client(), web_services, clock)


__all__ = ["PASSWORD"]
