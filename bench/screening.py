"""Bench: screening 100,000 plots with 8 criteria, against a row-by-row Python loop.

Run: ``.venv/bin/python bench/screening.py [N]``. Target (issue 7): under 2 s and at
least 20x faster than a row-by-row loop over the same GeoDataFrame; both are printed
side by side, and the loop's results are checked against ours.

Attributes are derived first (not timed against anything): the real Jena landuse
polygons replicated inside the SRTM tile, terrain from the tile, distances to the real
DB stations, flood share against a stand-in layer built from the real water layer (see
``common.py``). Register attributes are drawn from their vocabularies (seeded).
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
import pandas as pd
from common import bench_flood_layer, bench_plots
from figures import figure

from geo.screening import Layer, ScreeningLayers, derive_attributes, parse_profile, screen
from geo.screening.raster_io import DEFAULT_DEM_FILE, read_dem
from geo.settings import Settings
from geo.sources import read_stations
from geo.vocabulary import words

#: English words of the register's categories, as the reasons show them.
WORDS_EN = {c: words(c, "en") for c in ("owner_type", "planning_status", "contamination")}

PROFILE = parse_profile(
    {
        "name": "bench",
        "filters": {
            "min_area_ha": 0.5,
            "max_mean_slope_pct": 12,
            "max_steep_share": 0.3,
            "max_flood_share": 0.05,
            "max_dist_station_m": 4000,
            "owner_types": ["city", "municipal_company", "state", "unknown"],
            "planning_status": ["fnp_only", "bplan_in_force", "s34"],
            "exclude_contamination": ["confirmed", "suspected"],
        },
        "weights": {
            "area_ha": {"weight": 1, "best": 5, "worst": 0.5},
            "slope_mean_pct": 2,
            "dist_station_m": {"weight": 2, "best": 500, "worst": 4000},
            "flood_share": 1,
            "owner_type": {"weight": 1, "values": {"city": 1.0, "municipal_company": 0.8}},
        },
    },
    "bench profile",
)

NUMERIC = [  # key, column, min/max, label, unit, decimals, display scale
    ("min_area_ha", "area_ha", "min", "area", " ha", 2, 1.0),
    ("max_mean_slope_pct", "slope_mean_pct", "max", "mean slope", " %", 1, 1.0),
    ("max_steep_share", "steep_share", "max", "steep share", " %", 1, 100.0),
    ("max_flood_share", "flood_share", "max", "share in flood zone", " %", 1, 100.0),
    ("max_dist_station_m", "dist_station_m", "max", "distance to station", " m", 0, 1.0),
]
CATEGORY = [  # key, column, in/not_in, label
    ("owner_types", "owner_type", "in", "owner"),
    ("planning_status", "planning_status", "in", "planning status"),
    ("exclude_contamination", "contamination", "not_in", "contamination"),
]


def fmt(v: float, d: int) -> str:
    return f"{v:,.{d}f}"  # English numbers, as screen(..., lang="en") writes them


def row_by_row(frame: Any) -> pd.DataFrame:
    """The same screening, one plot at a time with iterrows (the baseline)."""
    f = PROFILE.filters.model_dump()
    specs = PROFILE.score_specs()
    total_w = sum(w for _, w, _ in specs)
    rows = []
    for _, row in frame.iterrows():
        failed, unknown, fail_reasons, unknown_reasons = [], [], [], []
        for key, col, op, label, unit, d, scale in NUMERIC:
            v, thr = row[col], f[key]
            t = fmt(thr * scale, d) + unit
            word = "min" if op == "min" else "max"
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                unknown.append(key)
                unknown_reasons.append(f"{label} unknown ({word} {t})")
                continue
            ok = v >= thr if op == "min" else v <= thr
            if not ok:
                failed.append(key)
                sign = "<" if op == "min" else ">"
                fail_reasons.append(f"{label} {fmt(v * scale, d)}{unit} {sign} {word} {t}")
        for key, col, op, label in CATEGORY:
            allowed = sorted(set(f[key]))
            shown = ", ".join(WORDS_EN[col].get(a, a) for a in allowed)
            v = row[col]
            listed = v in allowed
            if v == "unknown" and not listed:
                unknown.append(key)
                verb = "required" if op == "in" else "excluded"
                unknown_reasons.append(f"{label} unknown ({verb}: {shown})")
            elif (op == "in") != listed:
                failed.append(key)
                text = "not in" if op == "in" else "is excluded"
                fail_reasons.append(f"{label} {WORDS_EN[col].get(v, v)} {text} [{shown}]")
        acc = 0.0
        for key, w, spec in specs:
            v = row[key]
            if isinstance(spec, dict):
                s = spec.get(v, 0.0)
            elif v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                s = 0.0
            else:
                best, worst = spec
                s = min(max((v - worst) / (best - worst), 0.0), 1.0)
            acc += w * s
        outcome = "fails" if failed else ("open" if unknown else "passes")
        order = [k for k in f if f[k] is not None]
        rows.append(
            (
                outcome,
                outcome == "passes",
                ",".join(k for k in order if k in failed),
                ",".join(k for k in order if k in unknown),
                "; ".join(fail_reasons + unknown_reasons) or "all criteria met",
                round(100 * acc / total_w, 1),
            )
        )
    columns = ["outcome", "passed", "failed", "open_criteria", "reasons", "score"]
    out = pd.DataFrame(rows, columns=columns, index=frame.index)
    out["rank"] = np.nan
    for group in ("passes", "open"):  # ranked apart, ties share the best rank
        inside = out["outcome"] == group
        out.loc[inside, "rank"] = out.loc[inside, "score"].rank(method="min", ascending=False)
    return out


def main(n: int = 100_000) -> None:
    settings = Settings()
    t0 = time.perf_counter()
    plots, offsets = bench_plots(n)
    # the stand-in flood zones of the first 136 copies (as in bench/derive.py): with a
    # copy for every one of 1,352 plot copies they would pile up a thousand times over
    flood = bench_flood_layer(offsets[:136])
    dem = read_dem(settings.data_dir / DEFAULT_DEM_FILE)
    layers = ScreeningLayers(
        dem=dem,
        flood=Layer(flood, "bench stand-in flood zones"),
        stations=Layer(read_stations(settings.data_dir), "db_stations_thueringen.csv"),
    )
    derived = derive_attributes(plots, layers)
    print(
        f"{n:,} plots derived in {time.perf_counter() - t0:.1f} s "
        f"(real Jena landuse polygons replicated in the SRTM tile)"
    )
    print(
        f"profile: {len(PROFILE.filters.model_dump(exclude_none=True))} criteria, "
        f"{len(PROFILE.weights)} weights"
    )

    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        ours = screen(derived, PROFILE, lang="en")
        best = min(best, time.perf_counter() - t0)
    t0 = time.perf_counter()
    loop = row_by_row(derived)
    t_loop = time.perf_counter() - t0

    for col in ["outcome", "passed", "failed", "open_criteria", "reasons"]:
        same = (ours[col].astype(str).to_numpy() == loop[col].astype(str).to_numpy()).mean()
        assert same == 1.0, f"{col}: vectorised and loop differ on {1 - same:.2%} of plots"
    assert np.allclose(ours["score"].to_numpy(), loop["score"].to_numpy())
    assert (
        ours["rank"].astype("float64").fillna(-1).to_numpy() == loop["rank"].fillna(-1).to_numpy()
    ).all()

    print(f"{'':28}{'seconds':>10}{'plots/s':>14}")
    print(f"{'vectorised screen()':28}{best:>10.3f}{n / best:>14,.0f}")
    print(f"{'row-by-row loop':28}{t_loop:>10.3f}{n / t_loop:>14,.0f}")
    figure(f"screen {n:,} plots", best, "s")
    figure("screen: speed-up over the row-by-row loop", t_loop / best, "x")
    print(
        f"ratio: {t_loop / best:.1f}x  (target: >= 20x, and vectorised < 2 s: "
        f"{'met' if best < 2 and t_loop / best >= 20 else 'NOT met'})"
    )
    print(
        f"results identical: pass/fail, reasons, scores, ranks; "
        f"passes {int(ours['passed'].sum()):,}, open {(ours['outcome'] == 'open').sum():,}, "
        f"fails {(ours['outcome'] == 'fails').sum():,}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
