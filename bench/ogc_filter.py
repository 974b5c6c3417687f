"""OGC API: a CQL2-filtered page of municipalities in EPSG:25832 against the plain CRS84 page.

Requests, through the app in this process (FastAPI's test client, no network), a page of
``limit=1000`` municipalities (all 849) in CRS84 without filter (the baseline) and the same
page in EPSG:25832 with a CQL2 text filter evaluated on every row (``population >= 0 AND
trend_class IN (...)`` keeps the 821 municipalities with a known population, all
reprojected and written) and a selective one, with the answer cache
of ``api/cache.py`` on (as served) and off (``cache_max_bytes=0``: every request built
anew). Warm: each URL is requested once before timing. Prints the median and p90 of
``--runs`` requests each and the ratio to the baseline of the same cache setting.

Needs the built region (``stadtregion build``). Run:
``.venv/bin/python bench/ogc_filter.py [--runs 30]``.

Target of issue 17: the filtered EPSG:25832 page under 150 ms median warm.
"""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient

from api.app import create_app
from geo.settings import get_settings

ITEMS = "/ogc/collections/municipalities/items"
UTM = "http://www.opengis.net/def/crs/EPSG/0/25832"
CASES = {
    "CRS84, no filter (baseline)": {"limit": "1000"},
    "EPSG:25832, filter over every row": {
        "limit": "1000",
        "crs": UTM,
        "filter": "population >= 0 AND trend_class IN ('growing','stable','shrinking','unknown')",
    },
    "EPSG:25832, filter keeps 3": {
        "limit": "1000",
        "crs": UTM,
        "filter": "population > 50000 AND trend_class = 'growing'",
    },
}


def _time(client: TestClient, params: dict[str, str], runs: int) -> tuple[list[float], int, int]:
    r = client.get(ITEMS, params=params)  # warm
    assert r.status_code == 200, r.text[:300]
    n, size = r.json()["numberReturned"], len(r.content)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(ITEMS, params=params)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return times, n, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = get_settings()
    for label, max_bytes in (("answer cache on", base.cache_max_bytes), ("answer cache off", 0)):
        settings = base.model_copy(update={"cache_max_bytes": max_bytes})
        client = TestClient(create_app(settings))
        print(f"\n{label} ({args.runs} warm requests each)")
        baseline = None
        for name, params in CASES.items():
            times, n, size = _time(client, params, args.runs)
            med = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            baseline = baseline or med
            print(
                f"  {name:36s} {n:4d} features {size / 1e6:5.2f} MB  "
                f"median {med:7.1f} ms  p90 {p90:7.1f} ms  ×{med / baseline:4.2f}"
            )


if __name__ == "__main__":
    main()
