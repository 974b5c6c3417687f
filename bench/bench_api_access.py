"""API access and OGC paging: what a token check and an OGC page cost, as ratios.

Side by side in one process, through the ASGI app (no network):
- a public request (no token) against the same request with a planner token (SHA-256 of
  the token, one indexed lookup in the GeoPackage store): the cost of authentication per request;
- an OGC items page of 10 and of all 849 municipalities against ``GET /municipalities``
  (the plain GeoJSON route of the foundation, all 849): the cost of OGC paging.

Run: ``.venv/bin/python bench/bench_api_access.py [REPEATS]`` (default 200).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from figures import figure

from api.app import create_app
from geo.access.tokens import TokenStore
from geo.region.build import build
from geo.settings import Settings


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(repeats: int = 200) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    settings = Settings(
        processed_dir=tmp / "processed",
        landpool_gpkg=tmp / "lp.gpkg",
        cache_max_bytes=0,  # the cost of the work itself, not of the answer cache
    )
    build(settings)
    tokens = TokenStore.open(settings)
    token, _ = tokens.create("bench", "planner")
    tokens.close()
    client = TestClient(create_app(settings))
    auth = {"Authorization": f"Bearer {token}"}
    url = "/ogc/collections/stations/items?limit=10"
    for h in ({}, auth):  # warm caches
        assert client.get(url, headers=h).status_code == 200
    public = _median_ms(lambda: client.get(url), repeats)
    with_token = _median_ms(lambda: client.get(url, headers=auth), repeats)
    print(
        f"OGC page of 10 stations: public {public:.2f} ms, planner token {with_token:.2f} ms "
        f"(ratio {with_token / public:.2f}; token check ≈ {with_token - public:.2f} ms)"
    )
    figure("token check per request", with_token - public, "ms")

    few = max(5, repeats // 20)
    client.get("/municipalities")
    plain = _median_ms(lambda: client.get("/municipalities"), few)
    page10 = _median_ms(
        lambda: client.get("/ogc/collections/municipalities/items?limit=10"), repeats // 4
    )
    page_all = _median_ms(
        lambda: client.get("/ogc/collections/municipalities/items?limit=1000"), few
    )
    print(
        f"GET /municipalities (849): {plain:.0f} ms; OGC items limit=1000 (849): "
        f"{page_all:.0f} ms (ratio {page_all / plain:.2f}); OGC page of 10: {page10:.1f} ms "
        f"(ratio {page10 / plain:.3f})"
    )
    figure("OGC items limit=1000 / GET /municipalities", page_all / plain, "x")
    figure("OGC page of 10", page10, "ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
