"""Run the bench scripts several times and write their figures, median and range.

``.venv/bin/python bench/run.py [--runs N] [--only NAME ...]`` runs each script of
:data:`SCRIPTS` ``N`` times (default 3) in its own process, collects the figures it
reports (:func:`figures.figure`) and writes them to ``bench/figures.json`` and
``docs/bench-figures.md`` (the file the README quotes): per figure the median of the runs,
the smallest and largest value, and the number of runs, with the date and the machine.
Figures of scripts not run this time are kept from the file's previous contents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JSON_OUT = HERE / "figures.json"
MD_OUT = ROOT / "docs" / "bench-figures.md"

#: The bench scripts, their arguments for a run of ``make bench``, and what they measure.
SCRIPTS: dict[str, tuple[list[str], str]] = {
    "derive.py": ([], "slope/terrain and flood share for 10,000 plots vs a rasterio.mask loop"),
    "screening.py": ([], "screening 100,000 plots with 8 criteria vs a row-by-row loop"),
    "transit_raptor.py": ([], "RAPTOR on the DB long-distance feed vs time-expanded Dijkstra"),
    "reachable_api.py": ([], "warm GET /reachable vs networkx Dijkstra with a cut-off"),
    "bench_api_access.py": ([], "a token check and an OGC page, as ratios"),
    "bench_plots_store.py": ([], "land-pool store import/read vs plain pyogrio write/read"),
    "travel_matrix.py": ([], "car matrices: engine vs osmnx + networkx"),
    "batch_rail.py": (["--repeat", "3"], "rail indicators: 2-worker LocalCluster vs one process"),
    "rail_trains.py": ([], "the trains behind a rail answer vs the window statistic alone"),
}


def run_script(name: str, args: list[str]) -> tuple[dict[str, tuple[float, str]], float]:
    """Run one script once; its figures and the wall time."""
    env = {**os.environ, "BENCH_SCRIPT": name}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(HERE / name), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - t0
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{name} failed (exit {proc.returncode})")
    out: dict[str, tuple[float, str]] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("FIGURE\t"):
            _, fig, value, unit = line.split("\t")
            out[fig] = (float(value), unit)
    return out, took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per script (default 3)")
    ap.add_argument("--only", nargs="*", default=None, help="script names (default all)")
    a = ap.parse_args()
    names = a.only or list(SCRIPTS)
    unknown = sorted(set(names) - set(SCRIPTS))
    if unknown:
        raise SystemExit(f"unknown bench script(s): {', '.join(unknown)}; see bench/README.md")
    if a.runs < 1:
        raise SystemExit("--runs must be at least 1")
    previous = json.loads(JSON_OUT.read_text()) if JSON_OUT.is_file() else {"scripts": {}}
    scripts = dict(previous.get("scripts", {}))
    for name in names:
        args, _ = SCRIPTS[name]
        runs: list[dict[str, tuple[float, str]]] = []
        seconds: list[float] = []
        load = os.getloadavg()[0]
        for i in range(a.runs):
            print(f"== {name} run {i + 1}/{a.runs}", flush=True)
            figs, took = run_script(name, args)
            runs.append(figs)
            seconds.append(took)
        figures = {}
        for fig in dict.fromkeys(k for r in runs for k in r):
            values = [r[fig][0] for r in runs if fig in r]
            figures[fig] = {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "runs": len(values),
                "unit": next(r[fig][1] for r in runs if fig in r),
            }
        scripts[name] = {
            "measured": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}",
            "args": args,
            "script_seconds": round(statistics.median(seconds), 1),
            "load_average": round(load, 1),
            "figures": figures,
        }
    JSON_OUT.write_text(json.dumps({"scripts": scripts}, indent=2, ensure_ascii=False) + "\n")
    MD_OUT.write_text(markdown(scripts))
    print(f"wrote {JSON_OUT.relative_to(ROOT)} and {MD_OUT.relative_to(ROOT)}")


def _num(v: float) -> str:
    return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def markdown(scripts: dict[str, dict]) -> str:
    """The figures as the page the README quotes."""
    lines = [
        "# Bench figures",
        "",
        "Written by `make bench` (`bench/run.py`), never by hand: each script run several",
        "times in its own process; median of the runs, and the range (smallest–largest).",
        "Ratios compare against a baseline run side by side in the same process (see",
        "`bench/README.md`). Scripts not run in the last `make bench` keep their last figures.",
        "",
    ]
    for name in SCRIPTS:
        if name not in scripts:
            lines += [f"## {name}", "", "not measured yet (`make bench`).", ""]
            continue
        s = scripts[name]
        args = " ".join(s["args"])
        lines += [
            f"## {name}",
            "",
            f"{SCRIPTS[name][1]}. Measured {s['measured']} on {s['machine']}"
            + (f", arguments `{args}`" if args else "")
            + f"; one run takes about {s['script_seconds']:g} s"
            + (
                f"; load average {s['load_average']:g} when it started (other jobs on the "
                "machine slow every side alike, and widen the range)."
                if "load_average" in s
                else "."
            ),
            "",
            "| figure | median | range | runs |",
            "|---|---:|---:|---:|",
        ]
        for fig, f in s["figures"].items():
            u = f" {f['unit']}" if f["unit"] else ""
            lines.append(
                f"| {fig} | {_num(f['median'])}{u} | {_num(f['min'])}–{_num(f['max'])}{u} "
                f"| {f['runs']} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
