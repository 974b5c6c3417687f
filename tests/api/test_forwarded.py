"""Behind a reverse proxy: whose address the forum's limits count (STADTREGION_FORWARDED_ALLOW_IPS).

The proxy's ``X-Forwarded-For`` is believed only when the connection comes from an
address in ``forwarded_allow_ips``; from anywhere else the header is ignored, so a
visitor cannot choose a new address for every submission.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.errors import InputError
from geo.settings import Settings
from tests.api.landpool_seed import SeededApi
from tests.api.web.forum_helpers import forum_site, submit

CLI = Path(sys.executable).parent / "stadtregion"


@pytest.fixture(scope="module")
def lp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededApi]:
    yield forum_site(
        settings,
        Path(tmp_path_factory.mktemp("forwarded")),
        contributions_per_client_hour=2,
        contributions_pending_per_client=50,
    )


def _browser(app: object, peer: str, forwarded: str | None) -> TestClient:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return TestClient(app, client=(peer, 40000), headers=headers, follow_redirects=False)  # type: ignore[arg-type]


def _codes(app: object, peer: str, forwarded: list[str | None], tag: str) -> list[int]:
    return [
        submit(_browser(app, peer, f), title=f"Hinter dem Proxy {tag} {i}").status_code
        for i, f in enumerate(forwarded)
    ]


def test_a_trusted_proxy_passes_on_each_visitor(lp: SeededApi) -> None:
    app = lp.client.app  # default: the proxy on 127.0.0.1 is trusted
    assert lp.settings.forwarded_allow_ips == "127.0.0.1"
    one, two = "203.0.113.1", "198.51.100.9, 127.0.0.1"  # a chain: the last untrusted hop
    assert _codes(app, "127.0.0.1", [one, one, one], "a") == [303, 303, 429]
    assert _codes(app, "127.0.0.1", [two, two], "b") == [303, 303]


def test_a_visitor_cannot_choose_a_new_address(lp: SeededApi) -> None:
    app = lp.client.app
    spoofed = [f"192.0.2.{i}" for i in range(3)]
    assert _codes(app, "10.77.0.1", spoofed, "c") == [303, 303, 429]  # not a trusted proxy


def test_no_trusted_proxy_ignores_the_header(lp: SeededApi) -> None:
    app = create_app(lp.settings.model_copy(update={"forwarded_allow_ips": ""}))
    spoofed = [f"192.0.2.{100 + i}" for i in range(3)]
    assert _codes(app, "127.0.0.9", spoofed, "d") == [303, 303, 429]


def test_a_bad_proxy_list_is_refused_in_one_line(lp: SeededApi, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'10\.0\.0\.0/33' is no IP address"):
        create_app(lp.settings.model_copy(update={"forwarded_allow_ips": "127.0.0.1, 10.0.0.0/33"}))
    run = subprocess.run(
        [str(CLI), "serve", "--port", "9"],
        env={**os.environ, "STADTREGION_FORWARDED_ALLOW_IPS": "proxy.local"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: STADTREGION_FORWARDED_ALLOW_IPS: 'proxy.local' is no IP address or network "
        "(e.g. 127.0.0.1, 10.0.0.0/8, or * for any proxy)."
    ]
