"""The rail query: one value object for every way in (CLI, API, maps, batch).

:func:`parse_rail_query` reads what a caller typed once, checks every field and names
the argument and the fix when one is wrong; :class:`RailQuery` is what the domain
functions take. Without a date the query runs on ``Settings.rail_date``; without a
window or departure, over ``Settings.rail_window``. Every answer names its query
(:meth:`RailQuery.describe`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from geo.errors import InputError
from geo.settings import Settings
from geo.transit.access import RegionLinks
from geo.transit.options import _as_date, format_clock, parse_clock, parse_window
from geo.transit.reachability import RailReachability, rail_matrix, reachable_rail
from geo.transit.timetable import Timetable

#: Time limit of a rail query without one (minutes), and the range allowed.
DEFAULT_MAX_MINUTES = 60.0
MIN_MINUTES, MAX_MINUTES = 1.0, 240.0
#: The declared defaults of ``Settings.rail_date`` / ``rail_window`` (for signatures
#: without settings; entry points read the settings themselves).
DEFAULT_DATE: str = Settings.model_fields["rail_date"].default
_start, _end = str(Settings.model_fields["rail_window"].default).split("-")
DEFAULT_WINDOW: tuple[str, str] = (_start, _end)
#: The options of a rail query, by the name every entry point uses.
OPTIONS = ("from", "date", "window", "depart", "percentile", "planned", "max_minutes")


@dataclass(frozen=True)
class RailQuery:
    """A rail query, parsed and checked (build it with :func:`parse_rail_query`).

    Attributes
    ----------
    origin
        The origin municipality (name, AGS or RS), as given (``from``); ``None`` for
        queries over every municipality (matrices, batch jobs).
    date
        Service date.
    window
        ``(start, end)`` of the departure window (``HH:MM``), every minute; ``None`` for
        a single departure at ``depart``.
    depart
        The single departure (``HH:MM:SS``), when ``window`` is ``None``.
    percentile
        Statistic over the window's minutes (nearest rank, 50 = median).
    planned
        Count from the first vehicle's departure (no initial wait).
    max_minutes
        Time limit; also the routing cutoff.
    from_stations
        Count the stations inside the origin municipality as its start (0 min walk).
    """

    origin: str | None
    date: date
    window: tuple[str, str] | None
    depart: str | None
    percentile: float = 50.0
    planned: bool = False
    max_minutes: float = DEFAULT_MAX_MINUTES
    from_stations: bool = True

    def describe(self) -> dict[str, Any]:
        """The query as answers name it (the entry points' option names)."""
        return {
            "from": self.origin,
            "date": self.date.isoformat(),
            "window": "-".join(self.window) if self.window else None,
            "depart": self.depart,
            "percentile": self.percentile,
            "planned": self.planned,
            "max_minutes": self.max_minutes,
        }


def _number(value: object, name: str, low: float, high: float, hint: str) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        x = math.nan
    if not (low <= x <= high):
        raise InputError(f"{name} {value!r} must be a number from {low:g} to {high:g}; {hint}.")
    return x


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "ja"):
        return True
    if text in ("false", "0", "no", "nein", ""):
        return False
    raise InputError(f"{name} {value!r} must be true or false.")


def parse_rail_query(
    settings: Settings,
    *,
    origin: str | None = None,
    date: str | date | None = None,
    window: str | tuple[str, str] | None = None,
    depart: str | int | None = None,
    percentile: float | str = 50,
    planned: bool | str = False,
    max_minutes: float | str | None = None,
    from_stations: bool | str = True,
    require_origin: bool = True,
) -> RailQuery:
    """Read a rail query as typed, check every field, fill defaults from ``settings``.

    Parameters
    ----------
    origin
        ``from``: a municipality name, AGS or RS. Required unless ``require_origin`` is
        False.
    date
        ``YYYY-MM-DD``; ``settings.rail_date`` when not given.
    window, depart
        A departure window (``"07:00-08:00"``) or one departure (``"08:00"``), not both;
        neither: ``settings.rail_window``.

    Raises
    ------
    InputError
        Naming the argument and how to give it.
    """
    org = None if origin is None else str(origin).strip()
    if require_origin and not org:
        raise InputError("from is missing: give the origin municipality, e.g. from=Jena.")
    day = _as_date(settings.rail_date if date in (None, "") else date)
    if window not in (None, "") and depart not in (None, ""):
        raise InputError(
            "give either window (a departure window, e.g. 07:00-08:00) or depart "
            "(one departure, e.g. 08:00), not both."
        )
    win: tuple[str, str] | None = None
    dep: str | None = None
    if depart not in (None, ""):
        dep = format_clock(parse_clock(depart, "depart"))
    else:
        raw = settings.rail_window if window in (None, "") else window
        pair = parse_window(raw) if isinstance(raw, str) else tuple(raw)
        if pair is None or len(pair) != 2:
            raise InputError(f"window {raw!r} must look like 07:00-08:00.")
        t0 = parse_clock(pair[0], "window start")
        t1 = parse_clock(pair[1], "window end")
        if t1 <= t0:
            raise InputError(f"window {raw!r}: the end must be after the start, e.g. 07:00-08:00.")
        win = (str(pair[0]).strip(), str(pair[1]).strip())
    pct = _number(percentile, "percentile", 0, 100, "50 is the median of the window")
    limit = _number(
        DEFAULT_MAX_MINUTES if max_minutes in (None, "") else max_minutes,
        "max_minutes",
        MIN_MINUTES,
        MAX_MINUTES,
        "give the time limit in minutes, e.g. 60",
    )
    return RailQuery(
        origin=org or None,
        date=day,
        window=win,
        depart=dep,
        percentile=pct,
        planned=_flag(planned, "planned"),
        max_minutes=limit,
        from_stations=_flag(from_stations, "from_stations"),
    )


def reachable_for(
    tt: Timetable,
    region: gpd.GeoDataFrame,
    query: RailQuery,
    *,
    links: RegionLinks | None = None,
    walk_graph: nx.Graph | None = None,
) -> RailReachability:
    """:func:`~geo.transit.reachability.reachable_rail` for a query; the summary names it."""
    if query.origin is None:
        raise InputError("from is missing: give the origin municipality, e.g. from=Jena.")
    res = reachable_rail(
        tt,
        region,
        query.origin,
        query.max_minutes,
        query.date,
        window=query.window,
        depart=query.depart or "00:00",
        percentile=query.percentile,
        planned=query.planned,
        from_stations=query.from_stations,
        links=links,
        walk_graph=walk_graph,
    )
    res.summary["query"] = query.describe()
    return res


def matrix_for(
    tt: Timetable,
    region: gpd.GeoDataFrame,
    query: RailQuery,
    origins: list[str] | None = None,
) -> pd.DataFrame:
    """:func:`~geo.transit.reachability.rail_matrix` for a query (``attrs["summary"]``)."""
    mat = rail_matrix(
        tt,
        region,
        query.max_minutes,
        query.date,
        origins,
        query.window,
        query.depart or "00:00",
        query.percentile,
        query.planned,
        query.from_stations,
    )
    mat.attrs["summary"]["query"] = query.describe()
    return mat
