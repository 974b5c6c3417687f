"""Answers per municipality: reachable from one origin, many origins, the matrix.

Access from the municipality's centre on foot and from the stations inside it; the
minutes reported are a statistic over a departure window (or one departure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from geo.errors import (
    InputError,
)
from geo.region import population
from geo.region.model import find_municipality
from geo.transit.access import RegionLinks, link_region
from geo.transit.options import FEED_NOTES, _as_date, format_clock, parse_clock
from geo.transit.timetable import Timetable
from geo.transit.trains import day_trains, status
from geo.transit.windows import WindowResult, nearest_rank, window_stats, window_times


@dataclass
class RailReachability:
    """Municipalities reached by public transport from one origin within a time limit.

    ``table`` has the columns of the car mode (:data:`geo.modes.REACHABLE_COLUMNS`),
    then ``status`` and the trains behind the answer (:data:`geo.transit.trains.TRAIN_COLUMNS`:
    best ride time in the window, departures reaching it within the limit in the window
    and over the day, first and last such departure); ``stats`` has the window statistics
    of every reached municipality (min, median, percentiles); ``not_reached`` lists the
    municipalities the statistic does not reach although some departure that day does
    (``status`` ``not_in_window``), with the same train columns; every other municipality
    has no train that day within the limit (``summary["municipalities_no_train_that_day"]``).
    ``summary`` says what the answer was computed from.
    """

    table: pd.DataFrame
    stats: pd.DataFrame
    summary: dict[str, Any]
    not_reached: pd.DataFrame | None = None


#: What the train columns of an answer count (named in its summary).
TRAINS_NOTE = (
    "departures: times leaving the origin 00:00-23:59 on the date that reach the "
    "municipality within max_minutes, each connection once (at its latest departure); "
    "ride time from that departure, without initial wait; in the window: departures "
    "inside the departure window"
)


def _window_or_single(window: tuple[str, str] | None, depart: str | int) -> tuple[int, int]:
    if window is None:
        t = parse_clock(depart, "depart")
        return t, t + 1
    if len(window) != 2:
        raise InputError("window must be (start, end), e.g. ('07:00', '08:00').")
    return parse_clock(window[0], "window start"), parse_clock(window[1], "window end")


def _origin_window(
    tt: Timetable,
    links: RegionLinks,
    m: int,
    day: date | str,
    window: tuple[str, str] | None,
    depart: str | int,
    max_minutes: float,
    planned: bool,
    from_stations: bool,
) -> WindowResult:
    """Travel times from municipality ``m`` to every municipality over the window."""
    t0, t1 = _window_or_single(window, depart)
    access = links.access(tt, m, from_stations)
    return window_times(
        tt, day, access, t0, t1, max_minutes=max_minutes, planned=planned, egress=links.egress
    )


def _statistic(res: WindowResult, percentile: float) -> tuple[np.ndarray, pd.DataFrame]:
    """The chosen statistic per target (dense) and the table of window statistics."""
    stats = window_stats(res, (percentile,))
    key = f"p{int(percentile) if float(percentile).is_integer() else percentile}"
    return stats[key].to_numpy(), stats


def reached_minutes(
    tt: Timetable,
    links: RegionLinks,
    m: int,
    day: date | str,
    window: tuple[str, str] | None,
    depart: str | int,
    max_minutes: float,
    planned: bool = False,
    percentile: float = 50,
    from_stations: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Municipalities reached from municipality ``m`` (rows of ``links``) and the minutes.

    The statistic over the window is as in :func:`reachable_rail` and :func:`rail_matrix`.
    Sparse: only targets with a finite time (ascending), so its cost follows what the
    origin reaches, not the number of municipalities. This is the per-origin step of
    batch jobs (:mod:`geo.batch.jobs`).
    """
    res = _origin_window(tt, links, m, day, window, depart, max_minutes, planned, from_stations)
    # the statistic of window_stats for this one percentile, without building a table
    minutes = nearest_rank(res.live_minutes, float(percentile))
    ok = np.isfinite(minutes)
    return res.columns[ok], minutes[ok]


def _validate_query(max_minutes: float, percentile: float) -> None:
    if not max_minutes > 0:
        raise InputError(f"max_minutes must be positive, not {max_minutes}.")
    if not 0 <= percentile <= 100:
        raise InputError(f"percentile must be between 0 and 100, not {percentile}.")


def _summary(
    tt: Timetable,
    day: date | str,
    window: tuple[str, str] | None,
    depart: str | int,
    planned: bool,
    percentile: float,
    max_minutes: float,
) -> dict[str, Any]:
    return {
        "mode": "rail",
        "feeds": list(tt.feeds),
        "feed_notes": [FEED_NOTES[f] for f in tt.feeds if f in FEED_NOTES],
        "dropped_trips": list(tt.dropped_trips),
        "scenario": list(tt.scenarios) or None,
        "scenario_used": bool(tt.scenarios),
        "date": _as_date(day).isoformat(),
        "window": list(window) if window is not None else None,
        "depart": None if window is not None else format_clock(parse_clock(depart)),
        "statistic": (
            f"percentile {percentile:g} of the minutes in the window"
            if window is not None
            else "single departure"
        ),
        "planned_departure": planned,
        "max_minutes": max_minutes,
        "walking": tt.options.describe(),
        "access": "from the municipality's centre on foot and from its stations (0 min)",
    }


def reachable_rail(
    tt: Timetable,
    region: gpd.GeoDataFrame,
    origin: str,
    max_minutes: float,
    date: date | str,
    window: tuple[str, str] | None = None,
    depart: str | int = "08:00",
    percentile: float = 50,
    planned: bool = False,
    from_stations: bool = True,
    links: RegionLinks | None = None,
    walk_graph: nx.Graph | None = None,
) -> RailReachability:
    """Municipalities reachable by public transport from ``origin`` within ``max_minutes``.

    Parameters
    ----------
    tt
        The timetable (feeds and scenarios are named in the summary).
    region
        Municipalities as from :func:`geo.region.build.load_region` (EPSG:25832).
    origin
        A municipality name, AGS or RS (:func:`geo.region.model.find_municipality`).
    max_minutes
        Time limit; also the routing cutoff.
    date
        Service date (``YYYY-MM-DD``).
    window
        ``(start, end)`` of a departure window (e.g. ``("07:00", "08:00")``, every
        minute); the reported minutes are the ``percentile`` of the minutes in the window.
        ``None``: a single departure at ``depart``.
    planned
        Count from the first vehicle's departure (no initial wait).
    from_stations
        Count the stations inside the origin municipality as its start (0 min walk).
    links
        A :func:`link_region` result to reuse across calls.
    walk_graph
        A walk network for the walk from the origin's centre (see :func:`link_region`).

    Returns
    -------
    RailReachability
        ``table`` sorted by minutes with the car mode's columns; ``summary`` with the total
        population reached, the feeds, date, window and whether a scenario was used.
    """
    _validate_query(max_minutes, percentile)
    row = find_municipality(region, origin)
    m = int(np.flatnonzero(region.index == row.name)[0])
    links = links or link_region(tt, region, walk_graph)
    minutes, stats = _statistic(
        _origin_window(tt, links, m, date, window, depart, max_minutes, planned, from_stations),
        percentile,
    )
    ok = np.isfinite(minutes) & (minutes <= max_minutes)
    keep = np.flatnonzero(ok)
    trains = day_trains(
        tt,
        date,
        links.access(tt, m, from_stations),
        links.egress,
        max_minutes,
        _window_or_single(window, depart) if window is not None else None,
    )
    # the origin is there already: no train figures for it
    trains.table.loc[m, ["ride_minutes_window", "ride_minutes_day"]] = np.nan
    trains.table.loc[m, ["first_departure", "last_departure"]] = ""
    trains.table.loc[m, "departures_day"] = 0
    trains.table.loc[m, "departures_window"] = 0 if window is not None else pd.NA
    state = status(ok, trains.table["departures_day"].to_numpy())
    base = region.iloc[keep]
    table = pd.DataFrame(
        {
            "ags": base["ags"].astype(str).to_numpy(),
            "name": base["name"].astype(str).to_numpy(),
            "district": base["district"].astype(str).to_numpy(),
            "minutes": np.round(minutes[keep], 1),
            "population": base["population"].to_numpy(),
            "change_pct_per_year": base["change_pct_per_year"].to_numpy(),
            "trend_class": base["trend_class"].astype(str).to_numpy(),
            "status": state[keep],
        }
    )
    table = pd.concat([table, trains.table.iloc[keep].reset_index(drop=True)], axis=1)
    order = np.lexsort((table["name"].to_numpy(), table["minutes"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    late = np.flatnonzero(state == "not_in_window")
    not_reached = pd.concat(
        [
            pd.DataFrame(
                {
                    "ags": region["ags"].astype(str).to_numpy()[late],
                    "name": region["name"].astype(str).to_numpy()[late],
                    "district": region["district"].astype(str).to_numpy()[late],
                    "status": state[late],
                }
            ),
            trains.table.iloc[late].reset_index(drop=True),
        ],
        axis=1,
    ).sort_values(["ride_minutes_day", "name"], ignore_index=True)
    st = stats.iloc[keep].copy()
    st.insert(0, "ags", base["ags"].astype(str).to_numpy())
    st = st.iloc[order].reset_index(drop=True)
    summary = _summary(tt, date, window, depart, planned, percentile, max_minutes)
    if links.walk_graph is not None:
        summary["access"] += "; from the centre on the loaded walk network where it covers it"
    summary.update(
        {
            "origin": {"ags": str(row["ags"]), "name": str(row["name"])},
            "municipalities_reached": len(table),
            "municipalities_not_in_window": len(not_reached),
            "municipalities_no_train_that_day": int((state == "no_train_that_day").sum()),
            "trains": TRAINS_NOTE,
            **population.population_total(base),
        }
    )
    return RailReachability(table=table, stats=st, summary=summary, not_reached=not_reached)


def reachable_many(
    tt: Timetable,
    region: gpd.GeoDataFrame,
    max_minutes: float,
    date: date | str,
    origins: Sequence[str] | None = None,
    window: tuple[str, str] | None = None,
    depart: str | int = "08:00",
    percentile: float = 50,
    planned: bool = False,
    from_stations: bool = True,
    walk_graph: nx.Graph | None = None,
) -> pd.DataFrame:
    """Travel times from many origins (default: every municipality) in one call.

    Returns
    -------
    DataFrame
        Long form: origin_ags, ags, minutes (only pairs within ``max_minutes``).
    """
    mat = rail_matrix(
        tt,
        region,
        max_minutes,
        date,
        origins,
        window,
        depart,
        percentile,
        planned,
        from_stations,
        walk_graph,
    )
    long = pd.DataFrame(mat.stack(future_stack=True)).reset_index()
    long.columns = pd.Index(["origin_ags", "ags", "minutes"])
    return long[np.isfinite(long["minutes"])].reset_index(drop=True)


def rail_matrix(
    tt: Timetable,
    region: gpd.GeoDataFrame,
    max_minutes: float,
    date: date | str,
    origins: Sequence[str] | None = None,
    window: tuple[str, str] | None = None,
    depart: str | int = "08:00",
    percentile: float = 50,
    planned: bool = False,
    from_stations: bool = True,
    walk_graph: nx.Graph | None = None,
) -> pd.DataFrame:
    """Municipality × municipality travel times (minutes; NaN beyond ``max_minutes``).

    Rows are origins (AGS), columns every municipality of ``region`` (AGS). The
    statistic is as in :func:`reachable_rail`. Origins without a stop in walking reach
    only reach themselves and neighbours on foot.
    """
    _validate_query(max_minutes, percentile)
    links = link_region(tt, region, walk_graph)
    if origins is None:
        idx = np.arange(len(region))
    else:
        rows = [find_municipality(region, o).name for o in origins]
        idx = np.array([int(np.flatnonzero(region.index == r)[0]) for r in rows])
    out = np.full((len(idx), len(region)), np.nan)
    for k, m in enumerate(idx):
        targets, minutes = reached_minutes(
            tt, links, int(m), date, window, depart, max_minutes, planned, percentile, from_stations
        )
        ok = minutes <= max_minutes
        out[k, targets[ok]] = np.round(minutes[ok], 1)
    ags = region["ags"].astype(str).to_numpy()
    frame = pd.DataFrame(out, index=pd.Index(ags[idx], name="origin_ags"), columns=ags)
    frame.columns.name = "ags"
    frame.attrs["summary"] = _summary(tt, date, window, depart, planned, percentile, max_minutes)
    return frame


def rail_areas(res: RailReachability, region: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Municipality areas of a :class:`RailReachability`, for maps and GeoJSON.

    One row per reached municipality with the columns of ``table`` and the window
    statistics as ``minutes_min``, ``minutes_median``, ``minutes_p<N>`` (``NaN`` where
    not reached at that rank).
    """
    geom = region.set_index(region["ags"].astype(str)).geometry
    stats = res.stats.drop(columns="ags").replace(np.inf, np.nan).round(1)
    frame = res.table.join(stats.add_prefix("minutes_"))
    return gpd.GeoDataFrame(
        frame, geometry=geom.reindex(frame["ags"].astype(str)).to_numpy(), crs=region.crs
    )
