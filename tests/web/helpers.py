"""The screens' test helper: a test client that fills in forms as a person would (with the
page's CSRF token), and signs in as any of the test staff (tests/conftest.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from interface.config import Services
from tests.conftest import ADMIN, STAFF, Clock

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def set_passwords(services: Services) -> None:
    for username, _, _ in STAFF.values():
        services.staff.set_password(username, PASSWORD, actor=ADMIN)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    client: FlaskClient
    services: Services
    clock: Clock

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def submit(self, form_page: str, action: str, **fields: str) -> TestResponse:
        """Open `form_page`, then post `fields` to `action` with the page's CSRF token."""
        token = csrf_of(self.client.get(form_page).get_data(as_text=True))
        return self.client.post(action, data={"csrf_token": token, **fields})

    def sign_in(self, who: str, password: str = PASSWORD) -> TestResponse:
        username = STAFF[who][0]
        return self.submit("/sign-in", "/sign-in", username=username, password=password)

    def cookie(self) -> str | None:
        found = self.client.get_cookie("caseledger_session")
        return found.value if found else None

    def text(self, path: str) -> str:
        return self.get(path).get_data(as_text=True)
