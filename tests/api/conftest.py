"""Fixtures of the API tests: the Flask test client and the `Api` helper over it.

Every test runs on both engines: `services` (tests/conftest.py) is parametrised by
`engine_env`, so each test here runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from interface.api.app import create_app
from interface.config import Services
from tests.api.helpers import Api
from tests.conftest import Clock


@pytest.fixture
def client(services: Services) -> FlaskClient:
    return create_app(services).test_client()


@pytest.fixture
def api(client: FlaskClient, services: Services, clock: Clock) -> Api:
    return Api(client=client, services=services, clock=clock)
