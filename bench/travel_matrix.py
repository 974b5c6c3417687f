"""Benchmark: many-to-many car travel-time matrices, project engine vs osmnx + networkx.

Prints, side by side in one run, the time of a many-to-many matrix computed with the
project's engine (:mod:`geo.roads.engine`: pandana contraction hierarchies and scipy
Dijkstra) and with the plain baseline (an osmnx graph and networkx's
``single_source_dijkstra_path_length`` per origin), their ratio, the largest
difference between their results and the peak memory, on two graphs:

1. the Jena road network of the data pack: all Ortsteile (representative points) ×
   all OSM landuse polygons (representative points; the demo plots) covered by it;
2. a generated road-like graph (perturbed grid with road classes and one-way streets,
   :func:`geo.roads.network.generate_road_graph`, ≥ 100,000 nodes), 1,000 × 1,000 random
   node pairs. Target: ≥ 50× faster than the baseline, equal to it within 1 s.

igraph's Dijkstra is timed as well (it was a candidate engine).

Run: ``.venv/bin/python bench/travel_matrix.py`` (about 10 minutes: the baseline is
slow). ``--baseline-origins N`` times the baseline on the first N origins only and
scales its time to all origins (linear: one search per origin); the printout says so.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
from figures import figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.roads import engine as travel  # noqa: E402
from geo.roads.io import JENA_ROADS_FILE  # noqa: E402
from geo.roads.network import generate_road_graph, graph_from_lines, prepare_network  # noqa: E402
from geo.settings import Settings  # noqa: E402


def rss_mb() -> float:
    """Current resident set size of this process (MB)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 1e6


class PeakRSS:
    """Sample the RSS every 5 ms while a block runs; report its peak (MB)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.start = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.start = self.peak = rss_mb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def timed(fn: Callable[[], Any]) -> tuple[float, Any, PeakRSS]:
    """Run ``fn`` once; return (seconds, result, peak memory)."""
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
    return dt, out, mem


def baseline_matrix(
    graph: nx.MultiDiGraph, origins: list[Any], destinations: list[Any]
) -> np.ndarray:
    """osmnx graph + networkx: one Dijkstra per origin, then the destinations picked out."""
    out = np.empty((len(origins), len(destinations)))
    for i, o in enumerate(origins):
        dist = nx.single_source_dijkstra_path_length(graph, o, weight="travel_time_s")
        out[i] = [dist.get(d, np.inf) for d in destinations]
    return out


def igraph_graph(engine: travel.RoutingEngine) -> Any:
    """The engine's graph as an igraph Graph (weights = travel_time_s)."""
    import igraph as ig

    coo = engine.graph_csr.tocoo()
    g = ig.Graph(n=engine.n_nodes, edges=np.column_stack([coo.row, coo.col]), directed=True)
    g.es["w"] = coo.data
    return g


def igraph_matrix(g: Any, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """igraph's Dijkstra (targets must be unique, so they are mapped back)."""
    ud, inv = np.unique(d, return_inverse=True)
    res = np.asarray(g.distances(source=o.tolist(), target=ud.tolist(), weights="w"))
    return res[:, inv]


def row(label: str, secs: float, base: float, mem: PeakRSS | None, note: str = "") -> str:
    ratio = f"{base / secs:8.1f}×" if secs > 0 else "      -"
    m = f"peak RSS {mem.peak:7.0f} MB (+{mem.peak - mem.start:5.0f})" if mem else " " * 28
    return f"  {label:<44} {secs:9.3f} s  {ratio}  {m}  {note}"


def compare(a: np.ndarray, b: np.ndarray) -> str:
    diff = np.abs(a - b)
    return f"max |Δ| {float(np.nanmax(diff)):.4f} s"


def bench_jena(settings: Settings, results: dict[str, Any]) -> None:
    print("\n== Jena road network (data pack, OSM 2014): Ortsteile × landuse plots ==")
    lines = gpd.read_file(Path(settings.data_dir) / JENA_ROADS_FILE)
    graph, report = prepare_network(graph_from_lines(lines))
    engine = travel.RoutingEngine.from_graph(
        graph, "jena_roads_osm2014", JENA_ROADS_FILE, settings.max_snap_m, report.as_dict()
    )
    ortsteile = gpd.read_file(Path(settings.data_dir) / "jena_ortsteile_osm2014.geojson")
    plots = gpd.read_file(Path(settings.data_dir) / "jena_landuse_osm2014.geojson")
    oxy = travel.points_xy(ortsteile, "ortsteile")
    pxy = travel.points_xy(plots, "plots")
    o_ok, p_ok = travel.covered(engine, oxy), travel.covered(engine, pxy)
    print(
        f"  network: {engine.n_nodes} nodes, {engine.n_edges} edges "
        f"(largest strongly connected part, {report.share_kept:.0%} of nodes)"
    )
    print(
        f"  origins: {o_ok.sum()} of {len(oxy)} Ortsteile covered; destinations: "
        f"{p_ok.sum()} of {len(pxy)} landuse plots covered (others are refused by the engine)"
    )
    o = travel.snap(engine, oxy[o_ok]).node
    d = travel.snap(engine, pxy[p_ok]).node
    ids = engine.node_ids

    t_base, base, m_base = timed(lambda: baseline_matrix(graph, list(ids[o]), list(ids[d])))
    t_dij, dij, m_dij = timed(lambda: travel.matrix_s(engine, o, d, method="dijkstra"))
    t_chb, _, m_chb = timed(lambda: travel.build_ch(engine))
    t_ch, ch, m_ch = timed(lambda: travel.matrix_s(engine, o, d, method="ch"))
    ig_graph = igraph_graph(engine)
    t_ig, ig_res, m_ig = timed(lambda: igraph_matrix(ig_graph, o, d))
    print(f"  {len(o)} × {len(d)} matrix:")
    print(row("baseline osmnx + networkx (per origin)", t_base, t_base, m_base))
    print(row("engine: scipy Dijkstra (auto picks this)", t_dij, t_base, m_dij, compare(dij, base)))
    print(row("engine: pandana CH, query only", t_ch, t_base, m_ch, compare(ch, base)))
    print(row("engine: pandana CH, incl. building the CH", t_ch + t_chb, t_base, m_chb))
    print(
        row(
            "candidate: igraph Dijkstra (graph prebuilt)", t_ig, t_base, m_ig, compare(ig_res, base)
        )
    )
    figure("Jena matrix: scipy Dijkstra speed-up over networkx", t_base / t_dij, "x")
    figure("Jena matrix: CH incl. build speed-up over networkx", t_base / (t_ch + t_chb), "x")
    results["jena"] = {
        "pairs": [len(o), len(d)],
        "baseline_s": t_base,
        "scipy_s": t_dij,
        "ch_s": t_ch,
        "ch_build_s": t_chb,
        "igraph_s": t_ig,
        "max_diff_scipy_s": float(np.max(np.abs(dij - base))),
        "max_diff_ch_s": float(np.max(np.abs(ch - base))),
    }


def bench_large(args: argparse.Namespace, results: dict[str, Any]) -> None:
    print(
        f"\n== generated road-like graph ({args.side}×{args.side} perturbed grid, road "
        "classes, one-way streets) =="
    )
    t0 = time.perf_counter()
    graph, report = prepare_network(generate_road_graph(args.side, seed=42))
    engine = travel.RoutingEngine.from_graph(
        graph, "generated", "generate_road_graph", component_report=report.as_dict()
    )
    print(
        f"  network: {engine.n_nodes:,} nodes, {engine.n_edges:,} edges, built in "
        f"{time.perf_counter() - t0:.1f} s (dropped {report.nodes_dropped} nodes outside the "
        "largest strongly connected part)"
    )
    rng = np.random.default_rng(7)
    o = rng.choice(engine.n_nodes, args.origins, replace=False)
    d = rng.choice(engine.n_nodes, args.destinations, replace=False)
    ids = engine.node_ids
    nb = min(args.baseline_origins or args.origins, args.origins)

    t_chb, _, m_chb = timed(lambda: travel.build_ch(engine))
    t_ch, ch, m_ch = timed(lambda: travel.matrix_s(engine, o, d, method="ch"))
    t_dij, dij, m_dij = timed(lambda: travel.matrix_s(engine, o, d, method="dijkstra"))
    ig_graph = igraph_graph(engine)
    t_ig, ig_res, m_ig = timed(lambda: igraph_matrix(ig_graph, o, d))
    t_b, base, m_base = timed(lambda: baseline_matrix(graph, list(ids[o[:nb]]), list(ids[d])))
    t_base = t_b * args.origins / nb
    scaled = (
        f"(measured {t_b:.1f} s on {nb} origins, scaled ×{args.origins / nb:g})"
        if nb < args.origins
        else ""
    )
    print(
        f"  {args.origins:,} × {args.destinations:,} matrix "
        f"({args.origins * args.destinations:,} pairs):"
    )
    print(row("baseline osmnx + networkx (per origin)", t_base, t_base, m_base, scaled))
    print(row("engine: pandana CH, query only (auto)", t_ch, t_base, m_ch, compare(ch[:nb], base)))
    print(
        row(
            "engine: pandana CH, incl. building the CH",
            t_ch + t_chb,
            t_base,
            m_chb,
            f"(CH build {t_chb:.1f} s, once per network)",
        )
    )
    print(row("engine: scipy Dijkstra", t_dij, t_base, m_dij, compare(dij[:nb], base)))
    print(
        row(
            "candidate: igraph Dijkstra (graph prebuilt)",
            t_ig,
            t_base,
            m_ig,
            compare(ig_res[:nb], base),
        )
    )
    ok = t_base / t_ch >= 50 and float(np.max(np.abs(ch[:nb] - base))) <= 1.0
    print(f"  target ≥ 50× and equal within 1 s (CH query): {'MET' if ok else 'NOT MET'}")
    figure("large matrix: CH query speed-up over networkx", t_base / t_ch, "x")
    figure("large matrix: CH incl. build speed-up over networkx", t_base / (t_ch + t_chb), "x")
    figure("large matrix: CH build", t_chb, "s")
    results["large"] = {
        "nodes": engine.n_nodes,
        "edges": engine.n_edges,
        "pairs": [len(o), len(d)],
        "baseline_s": t_base,
        "baseline_measured_s": t_b,
        "baseline_origins": nb,
        "ch_build_s": t_chb,
        "ch_s": t_ch,
        "scipy_s": t_dij,
        "igraph_s": t_ig,
        "ratio_ch": t_base / t_ch,
        "ratio_ch_with_build": t_base / (t_ch + t_chb),
        "ratio_scipy": t_base / t_dij,
        "max_diff_ch_s": float(np.max(np.abs(ch[:nb] - base))),
        "max_diff_scipy_s": float(np.max(np.abs(dij[:nb] - base))),
        "peak_rss_ch_mb": m_ch.peak,
        "peak_rss_baseline_mb": m_base.peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=320, help="grid side (320 → 102,400 nodes)")
    parser.add_argument("--origins", type=int, default=1000)
    parser.add_argument("--destinations", type=int, default=1000)
    parser.add_argument(
        "--baseline-origins",
        type=int,
        default=None,
        help="time the baseline on this many origins and scale (default all)",
    )
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    results: dict[str, Any] = {}
    print("travel-time matrix benchmark (times are wall clock, one run each, same process)")
    bench_jena(settings, results)
    if not args.skip_large:
        bench_large(args, results)
    out = ROOT / "bench" / "output"
    out.mkdir(parents=True, exist_ok=True)
    (out / "travel_matrix.json").write_text(json.dumps(results, indent=2))
    print(
        f"\nmax RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f}"
        " MB"
    )


if __name__ == "__main__":
    main()
