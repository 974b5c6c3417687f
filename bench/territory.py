"""Bench: the region model of all of Germany with territorial changes, against the build without.

Run: ``.venv/bin/python bench/territory.py [RUNS]``. Reads the Germany pack once (VG250
2016: 11,299 land parts and 132 water parts; Destatis: 11,313 codes), then builds the
model ``RUNS`` times each way in the same process, alternating:

* ours: :func:`geo.region.model.build_region` with the territorial step
  (:mod:`geo.region.territory`: areas with water parts, adjacency, centre points, the
  subset search, trends on the common territory);
* baseline: the same build with ``territorial=False`` (the model before the step).

Prints the median seconds of both, the ratio, and what the step found. Target: under
30 s for the model with territorial changes.
"""

from __future__ import annotations

import statistics
import sys
import time

from geo import sources
from geo.region import model as region
from geo.settings import Settings


def main(runs: int = 3) -> None:
    s = Settings()
    folder = s.germany_dir
    t0 = time.perf_counter()
    gem = sources.read_vg250_file(folder / sources.VG250_GERMANY_FILE, "gemeinden")
    kreise = sources.read_vg250_file(folder / sources.VG250_GERMANY_FILE, "kreise")
    water = sources.read_vg250_water(folder / sources.VG250_GERMANY_FILE, "gemeinden")
    pop = sources.read_population_file(folder / sources.POPULATION_GERMANY_FILE)
    read_s = time.perf_counter() - t0
    ours: list[float] = []
    base: list[float] = []
    model = report = None
    for _ in range(runs):
        t = time.perf_counter()
        region.build_region(gem, kreise, pop, None, water=water, territorial=False)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        model, report = region.build_region(gem, kreise, pop, None, water=water)
        ours.append(time.perf_counter() - t)
    assert model is not None and report is not None
    mo, mb = statistics.median(ours), statistics.median(base)
    print(
        f"Germany: {len(model):,} municipalities, {len(pop):,} Destatis codes; read {read_s:.1f} s"
    )
    print(f"{'':38}{'median s':>10}{'runs':>6}")
    print(f"{'baseline (no territorial step)':38}{mb:>10.2f}{runs:>6}")
    print(f"{'with territorial changes':38}{mo:>10.2f}{runs:>6}")
    print(f"ratio ours / baseline: {mo / mb:.2f}×; the step itself: {mo - mb:.2f} s")
    print(f"target: model with territorial changes under 30 s → {'met' if mo < 30 else 'MISSED'}")
    ch = report[report["kind"].isin(["territory_change", "code_change"])]
    print("findings:", ch.groupby(["kind", "status"]).size().to_dict())
    print(
        f"territory_changed: {int(model['territory_changed'].sum())}, trend unknown after a "
        "change: "
        f"{int((model['territory_changed'] & model['trend_class'].eq('unknown')).sum())}"
    )
    print(report.loc[report["kind"].eq("tolerance"), "detail"].iloc[0])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
