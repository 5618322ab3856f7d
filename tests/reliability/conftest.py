"""The API tests' fixtures (`client`, `api` over the Flask test client), on both engines."""

from tests.api.conftest import api, client

__all__ = ["api", "client"]
