"""Benchmark: what showing the trains costs a rail answer (geo/transit/trains.py).

Side by side in one process, for five Thuringian origins on the shared DB feed
(2019-05-15, window 07:00-08:00, 60 min, warm timetable and region links): the window
statistic alone (:func:`geo.transit.reached_minutes`, the step every answer had before),
the day's trains alone (:func:`geo.transit.trains.day_trains`, one RAPTOR run per
departure of the day) and the whole answer (:func:`geo.transit.reachable_rail`), medians
of several runs: the ratio trains / statistic and the trains' share of the whole answer.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from figures import figure  # noqa: E402

from geo import transit  # noqa: E402
from geo.region.build import load_region  # noqa: E402
from geo.region.model import find_municipality  # noqa: E402
from geo.settings import Settings  # noqa: E402
from geo.transit import io as transit_io  # noqa: E402
from geo.transit.trains import day_trains  # noqa: E402

DAY = "2019-05-15"
WINDOW = ("07:00", "08:00")
ORIGINS = ("Jena", "Erfurt", "Weimar", "Gera", "Eisenach")
RUNS = 15


def median_s(fn: object) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    settings = Settings()
    region, _ = load_region(settings)
    tt = transit_io.get_timetable(settings)
    links = transit.link_region(tt, region)
    transit.warm_up()
    stat, trains, whole, runs = [], [], [], []
    for name in ORIGINS:
        row = find_municipality(region, name)
        m = int((region.index == row.name).nonzero()[0][0])
        access = links.access(tt, m, True)
        t0, t1 = transit.parse_clock(WINDOW[0]), transit.parse_clock(WINDOW[1])
        transit.reachable_rail(tt, region, name, 60, DAY, window=WINDOW, links=links)  # warm
        stat.append(
            median_s(lambda m=m: transit.reached_minutes(tt, links, m, DAY, WINDOW, "07:00", 60))
        )
        trains.append(
            median_s(lambda a=access, w=(t0, t1): day_trains(tt, DAY, a, links.egress, 60, w))
        )
        whole.append(
            median_s(
                lambda n=name: transit.reachable_rail(
                    tt, region, n, 60, DAY, window=WINDOW, links=links
                )
            )
        )
        runs.append(day_trains(tt, DAY, access, links.egress, 60, (t0, t1)).runs)
        print(
            f"  {name:9s} statistic {stat[-1] * 1000:6.1f} ms   day's trains "
            f"{trains[-1] * 1000:6.1f} ms ({runs[-1]} departures)   whole answer "
            f"{whole[-1] * 1000:6.1f} ms"
        )
    ratio = statistics.median(t / s for t, s in zip(trains, stat, strict=True))
    share = statistics.median(t / w for t, w in zip(trains, whole, strict=True))
    print(
        f"day's trains / window statistic, median over {len(ORIGINS)} origins: {ratio:.1f}x; "
        f"the trains take {share * 100:.0f} % of the whole answer "
        f"(median {statistics.median(whole) * 1000:.1f} ms)"
    )
    figure("rail answer: day's trains / window statistic", ratio, "x")
    figure("rail answer: share of the day's trains", share * 100, "%")


if __name__ == "__main__":
    main()
