"""Helpers of the forum page tests: a seeded app, clients by address, posting forms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from geo.settings import Settings
from tests.api.landpool_seed import SeededApi, seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: A point in Jena (lat, lon).
JENA = ("50.9271", "11.5892")


def forum_site(settings: Settings, tmp: Path, **limits: Any) -> SeededApi:
    """An app with public and confidential plots, tokens per role and forum ``limits``."""
    return seed(settings.model_copy(update=limits), tmp)


def client_at(lp: SeededApi, ip: str) -> TestClient:
    """A browser-like client of the app from address ``ip``."""
    return TestClient(lp.client.app, client=(ip, 40000), follow_redirects=False)


def csrf(client: TestClient, path: str = "/forum/contribute", **kw: Any) -> str:
    r = client.get(path, **kw)
    assert r.status_code == 200, r.text[:500]
    found = CSRF.search(r.text)
    assert found, "no CSRF field on " + path
    return found.group(1)


def submit(client: TestClient, **fields: str) -> Any:
    """Post the contribute form with ``fields`` (defaults: a point in Jena, topic traffic)."""
    data = {
        "lat": JENA[0],
        "lon": JENA[1],
        "topic": "traffic",
        "title": "Radweg an der Saale",
        "text": "Bitte einen durchgehenden Radweg entlang der Saale bauen.",
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    data["csrf_token"] = csrf(client)
    return client.post("/forum/contribute", data=data)


def contribution_id(response: Any) -> str:
    """The id in the redirect to the confirmation."""
    assert response.status_code == 303, response.text[:800]
    found = re.search(r"id=([a-z2-7]+)", response.headers["location"])
    assert found
    return found.group(1)


def moderate(lp: SeededApi, cid: str, action: str, role: str = "planner", **fields: str) -> Any:
    """Post one moderation step with a bearer token of ``role``."""
    client = TestClient(lp.client.app, follow_redirects=False)
    headers = lp.headers[role]
    token = csrf(client, "/forum/contribute")
    return client.post(
        f"/forum/moderation/{cid}",
        data={"action": action, "csrf_token": token, **fields},
        headers=headers,
    )
