"""An API client on the real shared data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.settings import Settings


@pytest.fixture(scope="session")
def client(settings: Settings) -> TestClient:
    """A test client of the app on the session's settings."""
    return TestClient(create_app(settings))
