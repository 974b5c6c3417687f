"""Benchmark: warm ``GET /reachable`` latency (target: median under 50 ms).

Side by side in one process: the median of warm requests to ``/reachable`` (the app's
engine and region model cached after the first call) and the time of the same
reachability question answered the plain way — networkx's Dijkstra with a cut-off on
the osmnx-style graph, then the municipality centres looked up — with their ratio.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from figures import figure  # noqa: E402

from api.app import create_app  # noqa: E402
from geo import modes  # noqa: E402
from geo.region.build import load_region  # noqa: E402
from geo.roads import engine as travel  # noqa: E402
from geo.roads.io import cached_engine, jena_roads_path  # noqa: E402
from geo.roads.network import graph_from_lines, prepare_network  # noqa: E402
from geo.settings import Settings  # noqa: E402

RUNS = 60


def main() -> None:
    settings = Settings()
    client = TestClient(create_app(settings))
    params = {"from": "Jena", "max_minutes": 30}
    t0 = time.perf_counter()
    first = client.get("/reachable", params=params)
    cold = time.perf_counter() - t0
    assert first.status_code == 200, first.text
    warm = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = client.get("/reachable", params=params)
        warm.append(time.perf_counter() - t)
        assert r.status_code == 200
    engine, choice = cached_engine(settings)

    # the plain way on the same network: networkx Dijkstra with a cut-off per request
    model, _ = load_region(settings)
    graph, _ = prepare_network(
        graph_from_lines(__import__("geopandas").read_file(jena_roads_path(settings)))
    )
    origin = modes.resolve_origin(model, "Jena")
    node = engine.node_ids[travel.snap(engine, origin.xy).node[0]]
    plain = []
    for _ in range(RUNS):
        t = time.perf_counter()
        dist = nx.single_source_dijkstra_path_length(
            graph, node, cutoff=1800, weight="travel_time_s"
        )
        xy = modes.centre_xy(model)
        near = engine.tree.query(xy)[1]
        _ = [dist.get(engine.node_ids[n]) for n in near]
        plain.append(time.perf_counter() - t)
    core = []
    for _ in range(RUNS):
        t = time.perf_counter()
        modes.reachable("Jena", "car", 30, region=model, network=engine)
        core.append(time.perf_counter() - t)

    med, p95 = statistics.median(warm), float(np.percentile(warm, 95))
    print(f"warm GET /reachable?from=Jena&max_minutes=30 on {choice.note}")
    print(f"  cold first request                       {cold * 1000:8.1f} ms")
    print(
        f"  warm request, median of {RUNS}              {med * 1000:8.1f} ms   "
        f"(p95 {p95 * 1000:.1f} ms; target < 50 ms: {'MET' if med < 0.05 else 'NOT MET'})"
    )
    figure("warm GET /reachable, median", med * 1000, "ms")
    figure(
        "reachable: speed-up over networkx cut-off Dijkstra",
        statistics.median(plain) / statistics.median(core),
        "x",
    )
    print(f"  geo.modes.reachable() alone, median     {statistics.median(core) * 1000:8.1f} ms")
    print(
        f"  plain networkx cut-off Dijkstra, median  {statistics.median(plain) * 1000:8.1f} ms"
        f"   ratio plain / engine {statistics.median(plain) / statistics.median(core):.1f}×"
    )


if __name__ == "__main__":
    main()
