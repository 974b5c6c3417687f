"""Public-transport travel times from GTFS timetables (pure: no file or network I/O).

The pieces, in the order a query uses them:

1. :func:`validate_feed` checks GTFS tables (as read by :mod:`geo.gtfs_io`) and refuses a
   broken feed with a named error from :mod:`geo.errors` before anything is built or cached.
2. :func:`build_timetable` turns the tables into a :class:`Timetable`: compact numpy arrays
   (stop times per trip, stop patterns, service days, footpaths between nearby stops).
   It is a plain picklable object, so a parallel batch can send it to its workers once.
3. :func:`day_timetable` selects the trips that run on one service date (including trips of
   the previous service day whose times pass 24:00) and groups them into RAPTOR routes.
4. :func:`raptor` is round-based public-transit routing (Delling, Pajor, Werneck 2012):
   earliest arrival at every stop for one departure, with at most ``max_transfers``
   changes, footpaths between stops after each ride and a minimum change time when
   staying at a stop. The kernel is compiled with numba.
5. :func:`window_times` runs RAPTOR for every departure minute of a window (e.g.
   07:00–08:00, each minute) and reports travel times per minute, from which
   :func:`window_stats` takes the minimum and nearest-rank percentiles (as Conveyal R5
   does). ``planned=True`` counts from the actual departure of the first vehicle (minus the
   walk to it) instead of from the start minute: the time of a traveller who knows the
   timetable and leaves home just in time.
6. :func:`reachable_rail`, :func:`reachable_many` and :func:`rail_matrix` answer per
   municipality (access from the centre by walking and from the stations inside it).
7. :class:`ServiceScenario` and :func:`scenario_tables` write a planned service that does
   not exist yet as GTFS trips, merged with the real feed by :func:`merge_tables`; a
   :class:`Timetable` built from them names the scenario in every answer.

Walking is straight-line distance times a detour factor at a walking speed
(:class:`TransitOptions`), or a shortest path on a walk network where one is given
(:func:`access_on_graph`).

Times are seconds after midnight of the service date (GTFS "noon minus 12 h"), so
``25:10:00`` is 90600. Travel times beyond the cutoff count as not reachable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from numba import njit
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from geo.errors import (
    FeedMissingColumnError,
    FeedMissingFileError,
    FeedReferenceError,
    FeedTimeOrderError,
    InputError,
    NoServiceError,
)
from geo.settings import WORK_CRS

#: Unreachable (seconds); larger than any time in a feed.
INF = np.int64(2**40)

#: GTFS files and the columns routing needs. ``calendar`` / ``calendar_dates``: at least one.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id", "stop_lat", "stop_lon"),
    "routes": ("route_id",),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
}
CALENDAR_COLUMNS: dict[str, tuple[str, ...]] = {
    "calendar": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates": ("service_id", "date", "exception_type"),
}
FREQUENCY_COLUMNS = ("trip_id", "start_time", "end_time", "headway_secs")

Tables = Mapping[str, pd.DataFrame | None]

#: What a known feed does not cover; every answer made with it says so.
FEED_NOTES: dict[str, str] = {
    "db_fv_gtfs_2019.zip": (
        "DB long-distance trains only (ICE/IC/EC and partners), timetable year 2019: "
        "no regional trains (RE/RB), no trams, no buses"
    ),
}


# ---------------------------------------------------------------------------------------
# options
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitOptions:
    """How walking and changing are counted.

    Attributes
    ----------
    walk_speed_m_s
        Walking speed (1.25 m/s = 4.5 km/h).
    detour_factor
        Walked distance per straight-line metre (1.3: streets are not straight).
    max_access_m
        Longest straight-line walk from an origin point to a stop, and from a stop to a
        destination point (metres).
    max_transfer_m
        Longest straight-line walk between two stops to change trains (metres).
    min_change_s
        Minimum time to change between two vehicles at the same stop (seconds).
    max_transfers
        Most changes in one journey (rides = ``max_transfers + 1``).
    """

    walk_speed_m_s: float = 1.25
    detour_factor: float = 1.3
    max_access_m: float = 1500.0
    max_transfer_m: float = 400.0
    min_change_s: int = 120
    max_transfers: int = 4

    def walk_s(self, dist_m: np.ndarray) -> np.ndarray:
        """Return walking seconds for straight-line distances in metres."""
        return np.ceil(np.asarray(dist_m) * self.detour_factor / self.walk_speed_m_s).astype(
            np.int64
        )

    def describe(self) -> str:
        """One line for answers: how walking was counted."""
        return (
            f"walking straight-line x {self.detour_factor} at {self.walk_speed_m_s} m/s, "
            f"access/egress up to {self.max_access_m:.0f} m, changes on foot up to "
            f"{self.max_transfer_m:.0f} m, {self.min_change_s} s to change at a stop, "
            f"at most {self.max_transfers} changes"
        )


# ---------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------


def parse_gtfs_time(values: pd.Series, what: str) -> np.ndarray:
    """Parse GTFS ``H:MM:SS`` times (hours may pass 24) into seconds; blanks become -1.

    Raises
    ------
    FeedTimeOrderError
        When a non-blank value is not a time.
    """
    s = values.astype("string").str.strip()
    blank = s.isna() | (s == "")
    parts = s[~blank].str.extract(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
    bad = parts[0].isna()
    if bad.any():
        example = s[~blank][bad].iloc[0]
        raise FeedTimeOrderError(
            f"{what}: {int(bad.sum())} value(s) are not GTFS times (H:MM:SS), e.g. {example!r}."
        )
    out = np.full(len(s), -1, dtype=np.int64)
    secs = (
        parts[0].astype(np.int64) * 3600
        + parts[1].astype(np.int64) * 60
        + parts[2].astype(np.int64)
    )
    out[~blank.to_numpy()] = secs.to_numpy()
    return out


def _require(tables: Tables, name: str, columns: Iterable[str]) -> pd.DataFrame:
    df = tables.get(name)
    if df is None:
        raise FeedMissingFileError(
            f"GTFS feed has no {name}.txt; a feed needs stops, routes, trips, stop_times "
            "and calendar or calendar_dates."
        )
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FeedMissingColumnError(
            f"GTFS file {name}.txt lacks the required column(s) {', '.join(missing)}."
        )
    return df


def validate_feed(tables: Tables, bad_trips: str = "refuse") -> list[str]:
    """Refuse a GTFS feed that cannot be routed on, with a named error.

    Checks required files and columns, that every stop_time points to a known trip and
    stop, every trip to a known route and service, that times can be read and do not go
    backwards within a trip, and that the first and last stop of each trip have times.

    Parameters
    ----------
    bad_trips
        ``"refuse"``: a trip whose times go backwards refuses the whole feed.
        ``"drop"``: such trips are left out and returned, so every answer can name them
        (the DB long-distance feed has three night trains whose times jump back where
        they cross a time zone). Everything else is refused either way.

    Returns
    -------
    list of str
        The trip ids left out (empty with ``"refuse"``).

    Raises
    ------
    FeedMissingFileError, FeedMissingColumnError, FeedReferenceError, FeedTimeOrderError
    """
    for name, cols in REQUIRED_COLUMNS.items():
        _require(tables, name, cols)
    present = [n for n in CALENDAR_COLUMNS if tables.get(n) is not None]
    if not present:
        raise FeedMissingFileError(
            "GTFS feed has neither calendar.txt nor calendar_dates.txt: no service days."
        )
    for n in present:
        _require(tables, n, CALENDAR_COLUMNS[n])
    if tables.get("frequencies") is not None:
        _require(tables, "frequencies", FREQUENCY_COLUMNS)

    stops = _require(tables, "stops", REQUIRED_COLUMNS["stops"])
    trips = _require(tables, "trips", REQUIRED_COLUMNS["trips"])
    routes = _require(tables, "routes", REQUIRED_COLUMNS["routes"])
    st = _require(tables, "stop_times", REQUIRED_COLUMNS["stop_times"])

    if stops[["stop_lat", "stop_lon"]].isna().any().any():
        bad = stops.loc[stops[["stop_lat", "stop_lon"]].isna().any(axis=1), "stop_id"]
        raise FeedMissingColumnError(
            f"stops.txt: stop(s) {', '.join(map(str, bad.head(3)))} have no stop_lat/stop_lon."
        )
    _check_refs(st, "trip_id", trips, "trips.txt", "stop_times.txt")
    _check_refs(st, "stop_id", stops, "stops.txt", "stop_times.txt")
    _check_refs(trips, "route_id", routes, "routes.txt", "trips.txt")
    services: set[str] = set()
    for n in present:
        services |= set(tables[n]["service_id"].astype(str))  # type: ignore[index]
    unknown = sorted(set(trips["service_id"].astype(str)) - services)
    if unknown:
        raise FeedReferenceError(
            f"trips.txt: service_id {', '.join(unknown[:3])} is defined in neither "
            "calendar.txt nor calendar_dates.txt."
        )
    freq = tables.get("frequencies")
    if freq is not None and len(freq):
        _check_refs(freq, "trip_id", trips, "trips.txt", "frequencies.txt")
        for col in ("start_time", "end_time"):
            if (parse_gtfs_time(freq[col], f"frequencies.txt {col}") < 0).any():
                raise FeedTimeOrderError(f"frequencies.txt: {col} is blank.")
    _, dropped = _stop_time_arrays(st, bad_trips)  # raises on unreadable/backwards times
    return dropped


def _check_refs(
    df: pd.DataFrame, col: str, target: pd.DataFrame, target_name: str, source_name: str
) -> None:
    known = set(target[col].astype(str))
    vals = df[col].astype(str)
    bad = ~vals.isin(known)
    if bad.any():
        examples = ", ".join(sorted(set(vals[bad]))[:3])
        raise FeedReferenceError(
            f"{source_name}: {int(bad.sum())} row(s) point to a {col} not in {target_name} "
            f"(e.g. {examples})."
        )


def _stop_time_arrays(
    st: pd.DataFrame, bad_trips: str = "refuse"
) -> tuple[pd.DataFrame, list[str]]:
    """Return stop_times sorted by trip and sequence with integer ``arr``/``dep`` seconds,
    and the trips left out (``bad_trips="drop"``) because their times go backwards.

    Blank intermediate times are interpolated linearly between the neighbouring timed
    stops (by position); the first and last stop of a trip must have a time.
    """
    df = pd.DataFrame(
        {
            "trip_id": st["trip_id"].astype(str).to_numpy(),
            "stop_id": st["stop_id"].astype(str).to_numpy(),
            "seq": pd.to_numeric(st["stop_sequence"], errors="coerce").to_numpy(),
            "arr": parse_gtfs_time(st["arrival_time"], "stop_times.txt arrival_time"),
            "dep": parse_gtfs_time(st["departure_time"], "stop_times.txt departure_time"),
        }
    )
    if df["seq"].isna().any():
        raise FeedTimeOrderError("stop_times.txt: stop_sequence must be a whole number.")
    df = df.sort_values(["trip_id", "seq"], kind="stable").reset_index(drop=True)
    if df.duplicated(["trip_id", "seq"]).any():
        trip = df.loc[df.duplicated(["trip_id", "seq"]), "trip_id"].iloc[0]
        raise FeedTimeOrderError(f"stop_times.txt: trip {trip!r} repeats a stop_sequence.")
    arr = df["arr"].to_numpy().copy()
    dep = df["dep"].to_numpy().copy()
    arr = np.where(arr < 0, dep, arr)
    dep = np.where(dep < 0, arr, dep)
    first = ~df["trip_id"].duplicated(keep="first").to_numpy()
    last = ~df["trip_id"].duplicated(keep="last").to_numpy()
    if ((arr < 0) & (first | last)).any():
        trip = df.loc[(arr < 0) & (first | last), "trip_id"].iloc[0]
        raise FeedTimeOrderError(
            f"stop_times.txt: trip {trip!r} has no time at its first or last stop."
        )
    if (arr < 0).any():
        # interpolate by position within each trip
        t = pd.Series(np.where(arr < 0, np.nan, arr).astype(float))
        filled = t.groupby(df["trip_id"].to_numpy()).transform(lambda x: x.interpolate())
        arr = np.where(arr < 0, np.round(filled.to_numpy()), arr).astype(np.int64)
        dep = np.where(dep < 0, arr, dep)
    same_trip = ~first
    backwards_dwell = dep < arr
    prev_dep = np.concatenate([[0], dep[:-1]])
    backwards_ride = same_trip & (arr < prev_dep)
    bad = backwards_dwell | backwards_ride
    if bad_trips not in ("refuse", "drop"):
        raise InputError(f"bad_trips must be 'refuse' or 'drop', not {bad_trips!r}.")
    dropped: list[str] = []
    if bad.any() and bad_trips == "drop":
        dropped = sorted(set(df["trip_id"].to_numpy()[bad]))
        keep = ~df["trip_id"].isin(dropped).to_numpy()
        df, arr, dep = df[keep].reset_index(drop=True), arr[keep], dep[keep]
        bad = bad[keep]
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FeedTimeOrderError(
            f"stop_times.txt: times go backwards in trip {df['trip_id'].iloc[i]!r} at "
            f"stop_sequence {int(df['seq'].iloc[i])} (stop {df['stop_id'].iloc[i]!r}); "
            "each time must be at or after the one before it."
        )
    df["arr"] = arr
    df["dep"] = dep
    return df, dropped


# ---------------------------------------------------------------------------------------
# the timetable
# ---------------------------------------------------------------------------------------


@dataclass
class Timetable:
    """Everything routing needs from one or more GTFS feeds, as compact numpy arrays.

    Plain data: picklable, and saved/loaded as one ``.npz`` by :mod:`geo.gtfs_io`.
    Stop times are stored trip after trip (``trip_ptr`` is the CSR index); times are
    seconds after midnight of the service date.
    """

    stop_ids: np.ndarray
    stop_names: np.ndarray
    stop_lat: np.ndarray
    stop_lon: np.ndarray
    stop_x: np.ndarray
    stop_y: np.ndarray
    trip_ids: np.ndarray
    trip_service: np.ndarray
    trip_label: np.ndarray
    trip_pattern: np.ndarray
    trip_ptr: np.ndarray
    st_stop: np.ndarray
    st_arr: np.ndarray
    st_dep: np.ndarray
    service_ids: np.ndarray
    svc_entry_service: np.ndarray
    svc_entry_day: np.ndarray
    xfer_ptr: np.ndarray
    xfer_to: np.ndarray
    xfer_s: np.ndarray
    feeds: tuple[str, ...] = ()
    scenarios: tuple[str, ...] = ()
    digest: str = ""
    options: TransitOptions = field(default_factory=TransitOptions)
    dropped_trips: tuple[str, ...] = ()
    #: Date ordinal when the timetable holds one service date only (see
    #: :func:`restrict_to_day`); 0 for a whole feed.
    only_day: int = 0
    _days: dict[int, DayTimetable] = field(default_factory=dict, repr=False, compare=False)

    ARRAY_FIELDS = (
        "stop_ids",
        "stop_names",
        "stop_lat",
        "stop_lon",
        "stop_x",
        "stop_y",
        "trip_ids",
        "trip_service",
        "trip_label",
        "trip_pattern",
        "trip_ptr",
        "st_stop",
        "st_arr",
        "st_dep",
        "service_ids",
        "svc_entry_service",
        "svc_entry_day",
        "xfer_ptr",
        "xfer_to",
        "xfer_s",
    )

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_ids)

    @property
    def n_trips(self) -> int:
        """Number of trips (frequency-based trips expanded)."""
        return len(self.trip_ids)

    def service_days(self) -> tuple[date, date]:
        """First and last date on which any trip runs."""
        if self.only_day:
            return date.fromordinal(self.only_day), date.fromordinal(self.only_day)
        if len(self.svc_entry_day) == 0:
            raise NoServiceError("the timetable has no service day at all.")
        return (
            date.fromordinal(int(self.svc_entry_day.min())),
            date.fromordinal(int(self.svc_entry_day.max())),
        )

    def stop_index(self, query: str) -> int:
        """Return the index of a stop by stop_id or exact (case-insensitive) name."""
        q = str(query).strip()
        hit = np.flatnonzero(self.stop_ids == q)
        if len(hit) == 0:
            hit = np.flatnonzero(np.char.lower(self.stop_names.astype(str)) == q.lower())
        if len(hit) == 0:
            close = [str(n) for n in self.stop_names if q.lower()[:4] in str(n).lower()][:5]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise InputError(f"stop {query!r} is not in the timetable.{hint}")
        return int(hit[0])

    def describe(self) -> dict[str, Any]:
        """A short summary for answers: feeds, scenarios, size, service days."""
        first, last = self.service_days()
        return {
            "feeds": list(self.feeds),
            "scenarios": list(self.scenarios),
            "dropped_trips": list(self.dropped_trips),
            "stops": self.n_stops,
            "trips": self.n_trips,
            "stop_times": len(self.st_stop),
            "service_from": first.isoformat(),
            "service_to": last.isoformat(),
        }

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays and metadata for saving (``numpy.savez``), see :meth:`from_arrays`."""
        out = {name: getattr(self, name) for name in self.ARRAY_FIELDS}
        out["meta_feeds"] = np.array(self.feeds, dtype=str)
        out["meta_scenarios"] = np.array(self.scenarios, dtype=str)
        out["meta_digest"] = np.array([self.digest], dtype=str)
        out["meta_dropped"] = np.array(self.dropped_trips, dtype=str)
        out["meta_only_day"] = np.array([self.only_day], dtype=np.int64)
        o = self.options
        out["meta_options"] = np.array(
            [
                o.walk_speed_m_s,
                o.detour_factor,
                o.max_access_m,
                o.max_transfer_m,
                o.min_change_s,
                o.max_transfers,
            ],
            dtype=float,
        )
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Timetable:
        """Rebuild a timetable saved by :meth:`to_arrays`."""
        o = arrays["meta_options"]
        options = TransitOptions(
            walk_speed_m_s=float(o[0]),
            detour_factor=float(o[1]),
            max_access_m=float(o[2]),
            max_transfer_m=float(o[3]),
            min_change_s=int(o[4]),
            max_transfers=int(o[5]),
        )
        return cls(
            **{name: np.asarray(arrays[name]) for name in cls.ARRAY_FIELDS},  # type: ignore[arg-type]
            feeds=tuple(str(x) for x in arrays["meta_feeds"]),
            scenarios=tuple(str(x) for x in arrays["meta_scenarios"]),
            digest=str(arrays["meta_digest"][0]),
            options=options,
            dropped_trips=tuple(str(x) for x in arrays["meta_dropped"]),
            only_day=int(arrays["meta_only_day"][0]) if "meta_only_day" in arrays else 0,
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_days"] = {}  # day tables are rebuilt on demand where they are used
        return state


def _service_days(tables: Tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (service_ids, entry_service, entry_day) with one entry per active day."""
    pairs: set[tuple[str, int]] = set()
    cal = tables.get("calendar")
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    if cal is not None and len(cal):
        for r in cal.astype(str).to_dict("records"):
            start = _parse_date(r["start_date"], "calendar.txt start_date")
            end = _parse_date(r["end_date"], "calendar.txt end_date")
            mask = [str(r[wd]).strip() == "1" for wd in weekdays]
            d = start
            while d <= end:
                if mask[d.weekday()]:
                    pairs.add((str(r["service_id"]), d.toordinal()))
                d += timedelta(days=1)
    cd = tables.get("calendar_dates")
    if cd is not None and len(cd):
        days = pd.to_datetime(cd["date"].astype(str), format="%Y%m%d", errors="coerce")
        if days.isna().any():
            bad = cd["date"].astype(str)[days.isna()].iloc[0]
            raise FeedTimeOrderError(f"calendar_dates.txt: date {bad!r} is not YYYYMMDD.")
        ords = (days.dt.normalize() - pd.Timestamp("0001-01-01")).dt.days.to_numpy() + 1
        etype = pd.to_numeric(cd["exception_type"], errors="coerce").to_numpy()
        sids = cd["service_id"].astype(str).to_numpy()
        for sid, o, e in zip(sids, ords, etype, strict=True):
            if e == 1:
                pairs.add((sid, int(o)))
            elif e == 2:
                pairs.discard((sid, int(o)))
    service_ids = np.array(sorted({s for s, _ in pairs}), dtype=str)
    lookup = {s: i for i, s in enumerate(service_ids)}
    ordered = sorted(pairs)
    entry_service = np.array([lookup[s] for s, _ in ordered], dtype=np.int32)
    entry_day = np.array([d for _, d in ordered], dtype=np.int32)
    return service_ids, entry_service, entry_day


def _parse_date(value: object, what: str) -> date:
    try:
        return datetime.strptime(str(value).strip(), "%Y%m%d").date()
    except ValueError as exc:
        raise FeedTimeOrderError(f"{what}: {value!r} is not a date (YYYYMMDD).") from exc


def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def _footpaths(
    x: np.ndarray, y: np.ndarray, options: TransitOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR footpaths between distinct stops within ``max_transfer_m`` (straight line)."""
    n = len(x)
    if n == 0 or options.max_transfer_m <= 0:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(options.max_transfer_m, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
    a = np.concatenate([pairs[:, 0], pairs[:, 1]])
    b = np.concatenate([pairs[:, 1], pairs[:, 0]])
    dist = np.hypot(x[a] - x[b], y[a] - y[b])
    order = np.lexsort((b, a))
    a, b, dist = a[order], b[order], dist[order]
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, a + 1, 1)
    return np.cumsum(ptr), b.astype(np.int32), options.walk_s(dist)


def _expand_frequencies(
    st: pd.DataFrame, trips: pd.DataFrame, freq: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace each frequency-based trip by one trip per headway in its time ranges."""
    if freq is None or len(freq) == 0:
        return st, trips
    f = pd.DataFrame(
        {
            "trip_id": freq["trip_id"].astype(str).to_numpy(),
            "start": parse_gtfs_time(freq["start_time"], "frequencies.txt start_time"),
            "end": parse_gtfs_time(freq["end_time"], "frequencies.txt end_time"),
            "headway": pd.to_numeric(freq["headway_secs"], errors="coerce").to_numpy(),
        }
    )
    if (~(f["headway"] > 0)).any():
        raise FeedTimeOrderError("frequencies.txt: headway_secs must be a positive number.")
    freq_trips = set(f["trip_id"])
    base = st[~st["trip_id"].isin(freq_trips)]
    new_st = [base]
    new_trips = [trips[~trips["trip_id"].astype(str).isin(freq_trips)]]
    for trip_id, group in f.groupby("trip_id", sort=True):
        tmpl = st[st["trip_id"] == trip_id]
        trow = trips[trips["trip_id"].astype(str) == trip_id]
        offset = tmpl["arr"].to_numpy() - int(tmpl["dep"].iloc[0])
        offset_dep = tmpl["dep"].to_numpy() - int(tmpl["dep"].iloc[0])
        for start_s, end_s, headway_s in zip(
            group["start"].tolist(), group["end"].tolist(), group["headway"].tolist(), strict=True
        ):
            for k, start in enumerate(range(int(start_s), int(end_s), int(headway_s))):
                tid = f"{trip_id}#{start_s}+{k}"
                copy = tmpl.copy()
                copy["trip_id"] = tid
                copy["arr"] = start + offset
                copy["dep"] = start + offset_dep
                new_st.append(copy)
                t = trow.copy()
                t["trip_id"] = tid
                new_trips.append(t)
    st2 = pd.concat(new_st, ignore_index=True).sort_values(["trip_id", "seq"], kind="stable")
    return st2.reset_index(drop=True), pd.concat(new_trips, ignore_index=True)


def build_timetable(
    tables: Tables,
    feeds: Sequence[str] = (),
    options: TransitOptions | None = None,
    scenarios: Sequence[str] = (),
    digest: str = "",
    bad_trips: str = "refuse",
) -> Timetable:
    """Validate GTFS tables and index them into a :class:`Timetable`.

    Parameters
    ----------
    tables
        GTFS tables keyed by file stem (``"stops"``, ``"stop_times"``, ...); ``None`` or
        absent for a file the feed does not have.
    feeds
        Names of the feeds the tables come from (reported with every answer).
    options
        Walking and changing rules; footpaths between stops are built from them.
    scenarios
        Names of planned services merged into the tables (reported with every answer).
    digest
        Hash of the feed files (the cache key).
    bad_trips
        ``"refuse"`` or ``"drop"`` trips whose times go backwards (see
        :func:`validate_feed`); dropped trips are kept in ``Timetable.dropped_trips``.

    Raises
    ------
    FeedError
        A named subclass, when the feed is broken.
    """
    options = options or TransitOptions()
    validate_feed(tables, bad_trips)
    st, dropped = _stop_time_arrays(tables["stop_times"], bad_trips)  # type: ignore[arg-type]
    trips = tables["trips"].copy()  # type: ignore[union-attr]
    trips["trip_id"] = trips["trip_id"].astype(str)
    st, trips = _expand_frequencies(st, trips, tables.get("frequencies"))
    trips = trips.drop_duplicates("trip_id").set_index("trip_id")

    stops = tables["stops"]
    assert stops is not None
    stop_ids = stops["stop_id"].astype(str).to_numpy()
    names = (
        stops["stop_name"].astype(str).to_numpy()
        if "stop_name" in stops.columns
        else stop_ids.copy()
    )
    lat = stops["stop_lat"].astype(float).to_numpy()
    lon = stops["stop_lon"].astype(float).to_numpy()
    x, y = _project(lon, lat)
    stop_lookup = pd.Series(np.arange(len(stop_ids)), index=stop_ids)

    service_ids, entry_service, entry_day = _service_days(tables)
    svc_lookup = pd.Series(np.arange(len(service_ids)), index=service_ids)

    trip_ids = list(pd.unique(st["trip_id"]))
    trip_rows = trips.loc[trip_ids]
    labels_of_dropped = (
        trips.loc[dropped, "route_id"].astype(str).to_numpy() if dropped else np.array([])
    )
    counts = st.groupby("trip_id", sort=False).size().reindex(trip_ids).to_numpy()
    trip_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    st_stop = stop_lookup.loc[st["stop_id"].to_numpy()].to_numpy().astype(np.int32)
    trip_service = (
        svc_lookup.reindex(trip_rows["service_id"].astype(str).to_numpy())
        .fillna(-1)
        .to_numpy()
        .astype(np.int32)
    )
    routes = tables["routes"]
    assert routes is not None
    rlabel = routes.set_index(routes["route_id"].astype(str))
    short = (
        rlabel["route_short_name"].astype("string").fillna("")
        if "route_short_name" in rlabel
        else pd.Series("", index=rlabel.index)
    )
    long_ = (
        rlabel["route_long_name"].astype("string").fillna("")
        if "route_long_name" in rlabel
        else pd.Series("", index=rlabel.index)
    )
    label = short.where(short != "", long_)
    trip_label = label.reindex(trip_rows["route_id"].astype(str).tolist()).astype(str).to_numpy()

    # stop patterns: trips with the same stop sequence share a pattern id
    keys = [st_stop[trip_ptr[i] : trip_ptr[i + 1]].tobytes() for i in range(len(trip_ids))]
    trip_pattern = pd.factorize(pd.Series(keys, dtype=object))[0].astype(np.int32)
    xfer_ptr, xfer_to, xfer_s = _footpaths(x, y, options)
    return Timetable(
        stop_ids=stop_ids.astype(str),
        stop_names=names.astype(str),
        stop_lat=lat,
        stop_lon=lon,
        stop_x=x,
        stop_y=y,
        trip_ids=np.asarray(trip_ids, dtype=str),
        trip_service=trip_service,
        trip_label=trip_label.astype(str),
        trip_pattern=trip_pattern,
        trip_ptr=trip_ptr,
        st_stop=st_stop,
        st_arr=st["arr"].to_numpy().astype(np.int64),
        st_dep=st["dep"].to_numpy().astype(np.int64),
        service_ids=service_ids,
        svc_entry_service=entry_service,
        svc_entry_day=entry_day,
        xfer_ptr=xfer_ptr,
        xfer_to=xfer_to,
        xfer_s=xfer_s,
        feeds=tuple(feeds),
        scenarios=tuple(scenarios),
        digest=digest,
        options=options,
        dropped_trips=tuple(
            f"{t} ({label[r] if r in label.index else r})"
            for t, r in zip(dropped, labels_of_dropped, strict=True)
        ),
    )


# ---------------------------------------------------------------------------------------
# one service day, in RAPTOR layout
# ---------------------------------------------------------------------------------------


@dataclass
class DayTimetable:
    """The trips of one service date grouped into RAPTOR routes (FIFO stop patterns).

    Route ``r`` visits ``route_stops[route_ptr[r]:route_ptr[r+1]]``; its trips are sorted by
    departure and never overtake each other; their times are stored trip after trip from
    ``time_ptr[r]`` (``n_trips x n_stops``). Times are seconds after midnight of ``day``
    (trips of the day before that run past midnight are shifted by -24 h).
    """

    day: date
    route_ptr: np.ndarray
    route_stops: np.ndarray
    route_ntrips: np.ndarray
    time_ptr: np.ndarray
    arr: np.ndarray
    dep: np.ndarray
    route_trip_ptr: np.ndarray
    route_trip: np.ndarray
    route_trip_shift: np.ndarray
    stop_route_ptr: np.ndarray
    stop_route: np.ndarray
    stop_route_pos: np.ndarray

    @property
    def n_trips(self) -> int:
        """Number of trips that run on this date."""
        return int(self.route_ntrips.sum())


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"date {value!r} is not a date; give it as YYYY-MM-DD.") from exc


def active_trips(tt: Timetable, day: date | str) -> tuple[np.ndarray, np.ndarray]:
    """Return (trip indices, time shift in s) of the trips that run on ``day``.

    A trip of the previous service day is included, shifted by -86400 s, when its last
    arrival is at or after 24:00.
    """
    d = _as_date(day).toordinal()
    n_svc = len(tt.service_ids)
    today = np.zeros(n_svc + 1, bool)
    today[tt.svc_entry_service[tt.svc_entry_day == d]] = True
    yesterday = np.zeros(n_svc + 1, bool)
    yesterday[tt.svc_entry_service[tt.svc_entry_day == d - 1]] = True
    ts = tt.trip_service.copy()
    ts[ts < 0] = n_svc
    last_arr = tt.st_arr[tt.trip_ptr[1:] - 1]
    t_today = np.flatnonzero(today[ts])
    t_prev = np.flatnonzero(yesterday[ts] & (last_arr >= 86400))
    trips = np.concatenate([t_today, t_prev])
    shift = np.concatenate(
        [np.zeros(len(t_today), np.int64), np.full(len(t_prev), -86400, np.int64)]
    )
    return trips, shift


def day_timetable(tt: Timetable, day: date | str) -> DayTimetable:
    """Return the RAPTOR layout of the trips running on ``day`` (cached on ``tt``).

    Raises
    ------
    NoServiceError
        When no trip runs on that date.
    """
    d = _as_date(day)
    cached = tt._days.get(d.toordinal())
    if cached is not None:
        return cached
    if tt.only_day and d.toordinal() != tt.only_day:
        raise InputError(
            f"this timetable holds only the trips of {date.fromordinal(tt.only_day)} "
            f"(restricted to that date); use the whole timetable for {d.isoformat()}."
        )
    trips, shift = active_trips(tt, d)
    if len(trips) == 0:
        try:
            first, last = tt.service_days()
            span = f" The feed runs from {first.isoformat()} to {last.isoformat()}."
        except NoServiceError:
            span = ""
        raise NoServiceError(
            f"no trip of {', '.join(tt.feeds) or 'the timetable'} runs on {d.isoformat()}.{span}"
        )
    first_dep = tt.st_dep[tt.trip_ptr[trips]] + shift
    order = np.lexsort((first_dep, tt.trip_pattern[trips]))
    trips, shift = trips[order], shift[order]
    pats = tt.trip_pattern[trips]
    bounds = np.flatnonzero(np.diff(pats)) + 1
    groups = np.split(np.arange(len(trips)), bounds)

    route_stops: list[np.ndarray] = []
    route_arr: list[np.ndarray] = []
    route_dep: list[np.ndarray] = []
    route_trip: list[np.ndarray] = []
    route_shift: list[np.ndarray] = []
    for g in groups:
        t0 = trips[g[0]]
        stops = tt.st_stop[tt.trip_ptr[t0] : tt.trip_ptr[t0 + 1]]
        n = len(stops)
        idx = tt.trip_ptr[trips[g]][:, None] + np.arange(n)[None, :]
        arr = tt.st_arr[idx] + shift[g][:, None]
        dep = tt.st_dep[idx] + shift[g][:, None]
        # split into FIFO sub-routes: a trip never overtakes an earlier one in its route
        subs: list[list[int]] = []
        if len(g) == 1 or ((np.diff(arr, axis=0) >= 0).all() and (np.diff(dep, axis=0) >= 0).all()):
            subs = [list(range(len(g)))]  # already FIFO (the usual case)
        for i in range(len(g)) if not subs else ():
            for sub in subs:
                j = sub[-1]
                if (arr[i] >= arr[j]).all() and (dep[i] >= dep[j]).all():
                    sub.append(i)
                    break
            else:
                subs.append([i])
        for sub in subs:
            s = np.asarray(sub)
            route_stops.append(stops)
            route_arr.append(arr[s].ravel())
            route_dep.append(dep[s].ravel())
            route_trip.append(trips[g][s])
            route_shift.append(shift[g][s])

    n_routes = len(route_stops)
    lens = np.array([len(s) for s in route_stops], np.int64)
    ntrips = np.array([len(t) for t in route_trip], np.int64)
    route_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    time_ptr = np.concatenate([[0], np.cumsum(lens * ntrips)]).astype(np.int64)
    flat_stops = np.concatenate(route_stops).astype(np.int32)
    # stop -> (route, position)
    r_of = np.repeat(np.arange(n_routes), lens)
    pos = np.arange(len(flat_stops)) - route_ptr[r_of]
    order = np.lexsort((pos, r_of, flat_stops))
    sr_ptr = np.zeros(tt.n_stops + 1, np.int64)
    np.add.at(sr_ptr, flat_stops + 1, 1)
    day_tt = DayTimetable(
        day=d,
        route_ptr=route_ptr,
        route_stops=flat_stops,
        route_ntrips=ntrips,
        time_ptr=time_ptr,
        arr=np.concatenate(route_arr).astype(np.int64),
        dep=np.concatenate(route_dep).astype(np.int64),
        route_trip_ptr=np.concatenate([[0], np.cumsum(ntrips)]).astype(np.int64),
        route_trip=np.concatenate(route_trip).astype(np.int64),
        route_trip_shift=np.concatenate(route_shift).astype(np.int64),
        stop_route_ptr=np.cumsum(sr_ptr),
        stop_route=r_of[order].astype(np.int32),
        stop_route_pos=pos[order].astype(np.int32),
    )
    tt._days[d.toordinal()] = day_tt
    return day_tt


def restrict_to_day(tt: Timetable, day: date | str) -> Timetable:
    """The timetable cut down to what routing on ``day`` needs, to ship to batch workers.

    Keeps every stop (indices stay valid, so region links still fit), the trips that run
    on ``day`` (with those of the day before that run past midnight) and their stop
    times, and the calendar entries of their services on those two dates: answers for
    ``day`` are the same as with the whole timetable. Any other date is refused, never
    answered from a partial calendar. (The German long-distance feed on one date:
    3.8 MB pickled → 0.4 MB.)

    Raises
    ------
    NoServiceError
        When no trip runs on ``day``.
    """
    d = _as_date(day)
    day_timetable(tt, d)  # refuses a date without service, with the feed's span
    trips, _ = active_trips(tt, d)
    keep = np.unique(trips)
    lens = tt.trip_ptr[keep + 1] - tt.trip_ptr[keep]
    pos, _ = _ranges(tt.trip_ptr, keep)
    o = d.toordinal()
    services = np.unique(tt.trip_service[keep])
    entries = np.isin(tt.svc_entry_day, [o - 1, o]) & np.isin(tt.svc_entry_service, services)
    return replace(
        tt,
        trip_ids=tt.trip_ids[keep],
        trip_service=tt.trip_service[keep],
        trip_label=tt.trip_label[keep],
        trip_pattern=tt.trip_pattern[keep],
        trip_ptr=np.concatenate([[0], np.cumsum(lens)]).astype(tt.trip_ptr.dtype),
        st_stop=tt.st_stop[pos],
        st_arr=tt.st_arr[pos],
        st_dep=tt.st_dep[pos],
        svc_entry_service=tt.svc_entry_service[entries],
        svc_entry_day=tt.svc_entry_day[entries],
        digest=f"{tt.digest}@{d.isoformat()}",
        only_day=o,
        _days={},
    )


# ---------------------------------------------------------------------------------------
# RAPTOR
# ---------------------------------------------------------------------------------------


@njit(cache=True)
def _raptor_kernel(
    n_stops: int,
    route_ptr: np.ndarray,
    route_stops: np.ndarray,
    route_ntrips: np.ndarray,
    time_ptr: np.ndarray,
    t_arr: np.ndarray,
    t_dep: np.ndarray,
    stop_route_ptr: np.ndarray,
    stop_route: np.ndarray,
    stop_route_pos: np.ndarray,
    xfer_ptr: np.ndarray,
    xfer_to: np.ndarray,
    xfer_s: np.ndarray,
    src_stop: np.ndarray,
    src_time: np.ndarray,
    max_rounds: int,
    min_change_s: int,
    max_time: int,
) -> np.ndarray:
    inf = np.int64(2**40)
    best_arr = np.full(n_stops, inf, np.int64)
    ready = np.full(n_stops, inf, np.int64)  # earliest time one can board at the stop
    marked = np.zeros(n_stops, np.bool_)
    for i in range(len(src_stop)):
        s = src_stop[i]
        t = src_time[i]
        if t < ready[s]:
            ready[s] = t
        if t < best_arr[s]:
            best_arr[s] = t
        marked[s] = True
    n_routes = len(route_ntrips)
    queue = np.full(n_routes, -1, np.int64)
    ride_arr = np.full(n_stops, inf, np.int64)
    for _k in range(max_rounds):
        ready_prev = ready.copy()
        # routes through marked stops, from the earliest marked position
        any_route = False
        for s in range(n_stops):
            if marked[s]:
                marked[s] = False
                for j in range(stop_route_ptr[s], stop_route_ptr[s + 1]):
                    r = stop_route[j]
                    p = stop_route_pos[j]
                    if queue[r] < 0 or p < queue[r]:
                        queue[r] = p
                    any_route = True
        if not any_route:
            break
        ride_arr[:] = inf
        for r in range(n_routes):
            p0 = queue[r]
            if p0 < 0:
                continue
            queue[r] = -1
            base = route_ptr[r]
            n = route_ptr[r + 1] - base
            nt = route_ntrips[r]
            tp = time_ptr[r]
            trip = -1
            for i in range(p0, n):
                s = route_stops[base + i]
                if trip >= 0:
                    a = t_arr[tp + trip * n + i]
                    if a <= max_time and a < ride_arr[s]:
                        ride_arr[s] = a
                rd = ready_prev[s]
                if rd < inf and (trip < 0 or rd <= t_dep[tp + trip * n + i]):
                    # earliest trip departing at or after rd (trips are FIFO: binary search)
                    lo = 0
                    hi = nt if trip < 0 else trip + 1
                    while lo < hi:
                        mid = (lo + hi) // 2
                        if t_dep[tp + mid * n + i] >= rd:
                            hi = mid
                        else:
                            lo = mid + 1
                    if lo < nt and (trip < 0 or lo < trip):
                        trip = lo
        # arrivals by ride: stay (after a change time) or walk one footpath
        for s in range(n_stops):
            a = ride_arr[s]
            if a >= inf:
                continue
            if a < best_arr[s]:
                best_arr[s] = a
            if a + min_change_s < ready[s]:
                ready[s] = a + min_change_s
                marked[s] = True
            for j in range(xfer_ptr[s], xfer_ptr[s + 1]):
                u = xfer_to[j]
                w = a + xfer_s[j]
                if w > max_time:
                    continue
                if w < best_arr[u]:
                    best_arr[u] = w
                if w < ready[u]:
                    ready[u] = w
                    marked[u] = True
    return best_arr


def warm_up() -> None:
    """Load the compiled RAPTOR kernel (numba's on-disk cache) with the argument types
    real queries use, on a one-stop timetable.

    A new process otherwise pays that load on its first query; batch workers call this
    when they start (:func:`geo.batch.dask_setup`), so timed work starts warm.
    """
    i64 = np.zeros(1, np.int64)
    i32 = np.zeros(1, np.int32)
    two = np.zeros(2, np.int64)
    _raptor_kernel(
        1, np.array([0, 1], np.int64), i32, np.ones(1, np.int64), i64, i64, i64,
        two, i32, i32, two, np.zeros(0, np.int32), np.zeros(0, np.int64),
        i64, i64, 1, 0, 1,
    )  # fmt: skip


def raptor(
    day_tt: DayTimetable,
    tt: Timetable,
    sources: Sequence[tuple[int, int]] | np.ndarray,
    max_time_s: int | None = None,
    max_transfers: int | None = None,
) -> np.ndarray:
    """Earliest arrival (seconds after midnight) at every stop; unreachable = :data:`INF`.

    Parameters
    ----------
    day_tt
        The day's routes (:func:`day_timetable`).
    tt
        The timetable (footpaths, options).
    sources
        ``(stop index, time one can board there)`` pairs: the departure time plus the
        walk from the origin.
    max_time_s
        Arrivals after this time are dropped (and not ridden on from).
    max_transfers
        Most changes; defaults to ``tt.options.max_transfers``.
    """
    src = np.asarray(sources, dtype=np.int64).reshape(-1, 2)
    mt = tt.options.max_transfers if max_transfers is None else max_transfers
    if mt < 0:
        raise InputError(f"max_transfers must be 0 or more, not {mt}.")
    return _raptor_kernel(
        tt.n_stops,
        day_tt.route_ptr,
        day_tt.route_stops,
        day_tt.route_ntrips,
        day_tt.time_ptr,
        day_tt.arr,
        day_tt.dep,
        day_tt.stop_route_ptr,
        day_tt.stop_route,
        day_tt.stop_route_pos,
        tt.xfer_ptr,
        tt.xfer_to,
        tt.xfer_s,
        src[:, 0].copy(),
        src[:, 1].copy(),
        mt + 1,
        int(tt.options.min_change_s),
        int(INF - 1 if max_time_s is None else max_time_s),
    )


def parse_clock(value: str | int, what: str = "time") -> int:
    """Return seconds after midnight for ``"HH:MM"``, ``"HH:MM:SS"`` or seconds.

    Raises
    ------
    InputError
        When the value is not a time of day.
    """
    if isinstance(value, int | np.integer):
        return int(value)
    parts = str(value).strip().split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) not in (2, 3) or not all(0 <= n < 60 for n in nums[1:]) or nums[0] < 0:
        raise InputError(f"{what} {value!r} is not a time of day; give it as HH:MM.")
    return nums[0] * 3600 + nums[1] * 60 + (nums[2] if len(nums) == 3 else 0)


def parse_window(window: str | None) -> tuple[str, str] | None:
    """``"07:00-08:00"`` (or with an en dash) -> ``("07:00", "08:00")``; None stays None.

    Raises
    ------
    InputError
        When ``window`` is not two times joined by a dash.
    """
    if window is None:
        return None
    parts = window.replace("–", "-").split("-")
    if len(parts) != 2:
        raise InputError(f"window {window!r} must look like 07:00-08:00.")
    return parts[0].strip(), parts[1].strip()


def format_clock(seconds: int) -> str:
    """Return ``HH:MM:SS`` (hours may pass 24)."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def earliest_arrival(
    tt: Timetable,
    origin_stop: str | int,
    day: date | str,
    depart: str | int,
    max_minutes: float | None = None,
) -> pd.DataFrame:
    """One-to-all earliest arrival from one stop at one departure time.

    Returns
    -------
    DataFrame
        One row per reached stop: stop_id, stop_name, arrival (HH:MM:SS), arrival_s,
        minutes; sorted by arrival.
    """
    s = tt.stop_index(str(origin_stop)) if not isinstance(origin_stop, int) else origin_stop
    t0 = parse_clock(depart, "depart")
    limit = None if max_minutes is None else t0 + int(max_minutes * 60)
    best = raptor(day_timetable(tt, day), tt, [(s, t0)], max_time_s=limit)
    hit = np.flatnonzero(best < INF)
    out = pd.DataFrame(
        {
            "stop_id": tt.stop_ids[hit],
            "stop_name": tt.stop_names[hit],
            "arrival": [format_clock(int(a)) for a in best[hit]],
            "arrival_s": best[hit],
            "minutes": (best[hit] - t0) / 60.0,
        }
    )
    return out.sort_values(["arrival_s", "stop_name"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# departure windows
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """How an origin reaches the network: walk seconds to stops, and to targets directly.

    ``stops``/``walk_s``: the stops one can walk to and how long it takes.
    ``direct_targets``/``direct_s``: the targets one can walk to straight from the
    origin and how long it takes (sparse: targets not listed are out of walking reach);
    ``None`` when the targets are the stops themselves.
    """

    stops: np.ndarray
    walk_s: np.ndarray
    direct_targets: np.ndarray | None = None
    direct_s: np.ndarray | None = None


def _min_by_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` (ascending) and the smallest of their ``values``."""
    if len(keys) == 0:
        return keys.astype(np.int64), values.astype(np.int64)
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    first = np.ones(len(k), bool)
    first[1:] = k[1:] != k[:-1]
    return k[first].astype(np.int64), v[first].astype(np.int64)


def candidate_departures(
    day_tt: DayTimetable, access: Access, start_s: int, end_s: int
) -> np.ndarray:
    """Times one can leave the origin to catch a vehicle exactly, within ``[start, end]``."""
    if len(access.stops) == 0:
        return np.zeros(0, np.int64)
    walk: dict[int, int] = {}
    for st, w in zip(access.stops.tolist(), access.walk_s.tolist(), strict=True):
        walk[st] = min(w, walk.get(st, w))
    times: list[np.ndarray] = []
    for s, w_s in walk.items():
        for j in range(day_tt.stop_route_ptr[s], day_tt.stop_route_ptr[s + 1]):
            r = day_tt.stop_route[j]
            p = day_tt.stop_route_pos[j]
            n = day_tt.route_ptr[r + 1] - day_tt.route_ptr[r]
            if p == n - 1:
                continue  # nobody boards at the last stop
            tp = day_tt.time_ptr[r]
            deps = day_tt.dep[tp + p : tp + n * day_tt.route_ntrips[r] : n]
            times.append(deps - w_s)
    if not times:
        return np.zeros(0, np.int64)
    c = np.unique(np.concatenate(times))
    return c[(c >= start_s) & (c <= end_s)]


@dataclass
class WindowResult:
    """Travel times from one origin for every minute of a departure window.

    ``minutes[i, j]``: travel time (minutes, ``inf`` = not within the cutoff) leaving at
    ``departures_s[i]`` to target ``j``.
    """

    departures_s: np.ndarray
    live_minutes: np.ndarray
    columns: np.ndarray
    n_targets: int
    planned: bool

    @property
    def minutes(self) -> np.ndarray:
        """The full matrix (departures × targets); only ``columns`` can be finite."""
        full = np.full((len(self.departures_s), self.n_targets), np.inf)
        full[:, self.columns] = self.live_minutes
        return full


def _suffix_best(arrivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For candidate rows sorted by time: best arrival from row i on, and the latest
    candidate departure (index) achieving it."""
    n_c, n_t = arrivals.shape
    best = np.full((n_c + 1, n_t), INF, np.int64)
    last = np.full((n_c + 1, n_t), -1, np.int64)
    for i in range(n_c - 1, -1, -1):
        a = arrivals[i]
        take = a < best[i + 1]
        best[i] = np.where(take, a, best[i + 1])
        last[i] = np.where(take, i, last[i + 1])
    return best, last


def window_times(
    tt: Timetable,
    day: date | str,
    access: Access,
    start: str | int,
    end: str | int,
    step_s: int = 60,
    max_minutes: float = 120.0,
    planned: bool = False,
    egress: Egress | None = None,
) -> WindowResult:
    """Travel times for each departure minute in ``[start, end)`` to stops or targets.

    RAPTOR runs once per distinct time at which leaving the origin catches a vehicle
    exactly (usually far fewer than the minutes of the window); the time leaving at any
    minute ``t`` is the best arrival among departures at or after ``t`` (exactly what one
    RAPTOR run at ``t`` would give). With ``planned=True`` a minute's travel time counts
    from the latest departure that still gives that arrival, i.e. without the first wait.

    Parameters
    ----------
    egress
        Targets reached from stops (municipalities); ``None``: the targets are the stops.
    """
    t0 = parse_clock(start, "window start")
    t1 = parse_clock(end, "window end")
    if t1 <= t0:
        raise InputError(f"window end {end!r} must be after its start {start!r}.")
    if step_s <= 0:
        raise InputError(f"window step must be positive, not {step_s} s.")
    cutoff = int(max_minutes * 60)
    minutes_t = np.arange(t0, t1, step_s, dtype=np.int64)
    day_tt = day_timetable(tt, day)
    cand = candidate_departures(day_tt, access, t0, t1 + cutoff)
    n_t = tt.n_stops if egress is None else egress.n_targets
    # Leaving later never arrives earlier, so a minute's best arrival is that of the first
    # departure at or after it: the departures in the window and the first one after it
    # are enough. Planned mode also needs the latest departure giving the same arrival,
    # so it goes on past the window while some arrival stays the same.
    last_minute = int(minutes_t[-1])
    rows: list[np.ndarray] = []
    used: list[int] = []
    for c in cand:
        src = np.column_stack([access.stops, c + access.walk_s])
        best = raptor(day_tt, tt, src, max_time_s=int(c + cutoff))
        row = best if egress is None else egress.apply(best)
        if used and used[-1] > last_minute:  # the first departure after the window ran
            prev = rows[-1]
            if not planned or not np.any((row == prev) & (row < INF)):
                break
        rows.append(row)
        used.append(int(c))
    cand = np.asarray(used, np.int64)
    arrivals = np.vstack(rows) if rows else np.full((0, n_t), INF, np.int64)
    # Walking only: to the stops and on to targets, and straight to targets. Kept sparse
    # (the targets actually reached), as is the minutes × targets work below: it is done
    # only for targets reached at all, by a ride or on foot. Same answers as dense arrays
    # over every target, with work in proportion to what an origin reaches (most
    # municipalities reach none of a long-distance feed's stops on foot).
    if egress is None:
        walk_tgt, walk_s = _min_by_key(access.stops, access.walk_s)
    else:
        walk_tgt, walk_s = egress.reach(access.stops, access.walk_s)
    parts = [walk_tgt]
    if rows:
        parts.append(np.flatnonzero((arrivals < INF).any(axis=0)))
    if access.direct_targets is not None:
        parts.append(access.direct_targets)
    cols = np.unique(np.concatenate(parts)).astype(np.int64)
    sbest, slast = _suffix_best(arrivals[:, cols])
    idx = np.searchsorted(cand, minutes_t, side="left")
    arr_t = sbest[idx]  # (minutes, live targets)
    if planned:
        li = slast[idx]
        cand_or_0 = cand if len(cand) else np.zeros(1, np.int64)
        dep_t = np.where(li >= 0, cand_or_0[np.clip(li, 0, None)], 0)
        travel = np.where(arr_t < INF, arr_t - dep_t, INF)
    else:
        travel = np.where(arr_t < INF, arr_t - minutes_t[:, None], INF)
    travel = np.minimum(travel, _on_columns(cols, walk_tgt, walk_s)[None, :])
    if access.direct_targets is not None and access.direct_s is not None:
        direct_tgt, direct_s = _min_by_key(access.direct_targets, access.direct_s)
        travel = np.minimum(travel, _on_columns(cols, direct_tgt, direct_s)[None, :])
    live_mins = travel.astype(float) / 60.0
    live_mins[(travel >= INF) | (live_mins > max_minutes)] = np.inf
    return WindowResult(
        departures_s=minutes_t,
        live_minutes=live_mins,
        columns=cols,
        n_targets=n_t,
        planned=planned,
    )


def _on_columns(cols: np.ndarray, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` of distinct ``keys`` (all in sorted ``cols``) on ``cols``; INF elsewhere."""
    out = np.full(len(cols), INF, np.int64)
    out[np.searchsorted(cols, keys)] = values
    return out


def nearest_rank(values: np.ndarray, pct: float, axis: int = 0) -> np.ndarray:
    """Nearest-rank percentile (``inf`` counts as the largest value), as R5 reports them."""
    if not 0 <= pct <= 100:
        raise InputError(f"percentile must be between 0 and 100, not {pct}.")
    n = values.shape[axis]
    k = max(math.ceil(pct / 100.0 * n) - 1, 0)
    if values.ndim == 2 and axis == 0:
        # only columns with a finite value need ordering; the others are all inf
        out = np.full(values.shape[1], np.inf)
        cols = np.flatnonzero(np.isfinite(values).any(axis=0))
        out[cols] = np.partition(values[:, cols], k, axis=0)[k]
        return out
    return np.take(np.partition(values, k, axis=axis), k, axis=axis)


def window_stats(result: WindowResult, percentiles: Sequence[float] = (50,)) -> pd.DataFrame:
    """Minimum, median and chosen percentiles of travel time per target (minutes).

    Columns ``min``, ``median`` and ``p<N>`` for each percentile; ``inf`` where the
    target is not reached within the cutoff at that rank.
    """
    m = result.live_minutes
    live = {"min": m.min(axis=0, initial=np.inf), "median": nearest_rank(m, 50)}
    for p in percentiles:
        live[f"p{int(p) if float(p).is_integer() else p}"] = nearest_rank(m, float(p))
    out = {}
    for key, values in live.items():
        full = np.full(result.n_targets, np.inf)
        full[result.columns] = values
        out[key] = full
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------
# access and egress
# ---------------------------------------------------------------------------------------


def _by_key(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order grouping ``keys`` (0 … n_keys-1), and the CSR pointer of each group."""
    order = np.argsort(keys, kind="stable")
    ptr = np.searchsorted(keys[order], np.arange(n_keys + 1)).astype(np.int64)
    return order, ptr


def _ranges(ptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of every member of the CSR groups ``keys``, and which key each came from."""
    starts = ptr[keys]
    lens = ptr[keys + 1] - starts
    which = np.repeat(np.arange(len(keys)), lens)
    offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    return np.repeat(starts, lens) + offsets, which


@dataclass(frozen=True)
class Egress:
    """From stops to targets: target ``tgt[k]`` is reached ``secs[k]`` after stop ``stop[k]``."""

    n_targets: int
    stop: np.ndarray
    tgt: np.ndarray
    secs: np.ndarray

    def apply(self, stop_arrival: np.ndarray) -> np.ndarray:
        """Return the earliest arrival at each target from arrivals at stops."""
        out = np.full(self.n_targets, INF, np.int64)
        a = stop_arrival[self.stop]
        ok = a < INF
        np.minimum.at(out, self.tgt[ok], a[ok] + self.secs[ok])
        return out

    @cached_property
    def _by_stop(self) -> tuple[np.ndarray, np.ndarray]:
        return _by_key(self.stop, int(self.stop.max()) + 1 if len(self.stop) else 0)

    def reach(self, stops: np.ndarray, at_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Targets reached from ``stops`` reached at times ``at_s``, and the earliest times.

        The sparse form of :meth:`apply`: work in proportion to the stops given, not to
        the number of targets. Targets come out ascending.
        """
        order, ptr = self._by_stop
        stops = np.asarray(stops, np.int64)
        known = stops < len(ptr) - 1
        pos, which = _ranges(ptr, stops[known])
        k = order[pos]
        return _min_by_key(self.tgt[k], np.asarray(at_s, np.int64)[known][which] + self.secs[k])


def point_access(tt: Timetable, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Stops within ``max_access_m`` of a point (EPSG:25832) and the walk seconds to them."""
    d = np.hypot(tt.stop_x - x, tt.stop_y - y)
    hit = np.flatnonzero(d <= tt.options.max_access_m)
    return hit, tt.options.walk_s(d[hit])


def access_on_graph(
    tt: Timetable,
    graph: nx.Graph,
    x: float,
    y: float,
    weight: str = "length",
    off_graph_m: float = 500.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Stops reachable on a walk network from a point, with walk seconds.

    The graph's nodes carry ``x``/``y`` in EPSG:25832 and its edges a length in metres
    (``weight``). The point and each stop are joined to their nearest node in a straight
    line; walking on the network uses the speed of ``tt.options`` (no detour factor), and
    stops whose total walk exceeds ``max_access_m`` times the detour factor are dropped.
    A point farther than ``off_graph_m`` from every node (outside the loaded network)
    falls back to the straight-line rule of :func:`point_access`.
    """
    nodes = list(graph.nodes)
    if not nodes:
        raise InputError("the walk network has no nodes.")
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    tree = cKDTree(xy)
    d0, i0 = tree.query([x, y])
    if d0 > off_graph_m:
        return point_access(tt, x, y)
    ds, is_ = tree.query(np.column_stack([tt.stop_x, tt.stop_y]))
    lengths = nx.single_source_dijkstra_path_length(graph, nodes[int(i0)], weight=weight)
    net = np.array([lengths.get(nodes[int(i)], np.inf) for i in is_], dtype=float)
    total = d0 + net + ds
    limit = tt.options.max_access_m * tt.options.detour_factor
    hit = np.flatnonzero(total <= limit)
    return hit, np.ceil(total[hit] / tt.options.walk_speed_m_s).astype(np.int64)


@dataclass(frozen=True)
class RegionLinks:
    """Municipalities linked to the timetable: which stops lie in them and near them.

    Per municipality ``m`` (CSR groups, pointer ``*_ptr[m]:*_ptr[m + 1]``), built once by
    :func:`link_region` so that an origin's access costs nothing per target:
    ``inside_stop``: the stops inside it; ``near_stop``/``near_s``: the stops within
    ``max_access_m`` of its centre and the walk to them; ``direct_tgt``/``direct_s``: the
    municipalities whose centres lie within ``max_access_m`` of its centre, and the walk.
    """

    ags: np.ndarray
    centre_x: np.ndarray
    centre_y: np.ndarray
    stops_inside: np.ndarray  # pairs (municipality, stop)
    egress: Egress
    inside_ptr: np.ndarray
    inside_stop: np.ndarray
    near_ptr: np.ndarray
    near_stop: np.ndarray
    near_s: np.ndarray
    direct_ptr: np.ndarray
    direct_tgt: np.ndarray
    direct_s: np.ndarray
    walk_graph: nx.Graph | None = None

    def access(self, tt: Timetable, m: int, from_stations: bool = True) -> Access:
        """How municipality ``m`` reaches stops (from its centre; its stations at 0 s).

        From the centre on the walk network where one is loaded and covers the centre,
        else straight-line (see :class:`TransitOptions`).
        """
        if self.walk_graph is not None:
            cx, cy = float(self.centre_x[m]), float(self.centre_y[m])
            stops, walk = access_on_graph(tt, self.walk_graph, cx, cy)
        else:
            a, b = self.near_ptr[m], self.near_ptr[m + 1]
            stops, walk = self.near_stop[a:b], self.near_s[a:b]
        if from_stations:
            inside = self.inside_stop[self.inside_ptr[m] : self.inside_ptr[m + 1]]
            stops = np.concatenate([stops, inside])
            walk = np.concatenate([walk, np.zeros(len(inside), np.int64)])
        a, b = self.direct_ptr[m], self.direct_ptr[m + 1]
        return Access(
            stops=stops.astype(np.int64),
            walk_s=walk,
            direct_targets=self.direct_tgt[a:b],
            direct_s=self.direct_s[a:b],
        )


def _pairs_within(
    tree: cKDTree, x: np.ndarray, y: np.ndarray, tx: np.ndarray, ty: np.ndarray, r: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (point i, tree point j) with ``hypot`` distance at most ``r``, sorted by (i, j).

    The distance test is the same ``np.hypot(...) <= r`` a direct scan would make; the
    tree only narrows the candidates (queried with a hair more than ``r``).
    """
    near = tree.query_ball_point(np.column_stack([x, y]), r * (1 + 1e-9) + 1e-6)
    i = np.repeat(np.arange(len(x)), [len(n) for n in near])
    j = np.fromiter((s for n in near for s in n), dtype=np.int64, count=len(i))
    d = np.hypot(tx[j] - x[i], ty[j] - y[i])
    keep = d <= r
    i, j, d = i[keep], j[keep], d[keep]
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def link_region(
    tt: Timetable, region: gpd.GeoDataFrame, walk_graph: nx.Graph | None = None
) -> RegionLinks:
    """Link municipalities (``load_region`` frame, EPSG:25832) to the timetable's stops.

    A municipality is reached when a stop inside it is reached (0 s), or a stop within
    ``max_access_m`` of its centre (plus the walk). ``walk_graph`` (nodes with ``x``/``y``
    in EPSG:25832, edge ``length`` in metres) is used for the walk from an origin's
    centre where it covers it.
    """
    from geo.region import require_crs

    require_crs(region, "region")
    reg = region.to_crs(WORK_CRS) if str(region.crs) != WORK_CRS else region
    n = len(reg)
    pts = gpd.GeoDataFrame(
        {"stop": np.arange(tt.n_stops)},
        geometry=gpd.points_from_xy(tt.stop_x, tt.stop_y),
        crs=WORK_CRS,
    )
    polys = gpd.GeoDataFrame({"m": np.arange(n)}, geometry=reg.geometry.values, crs=WORK_CRS)
    joined = gpd.sjoin(pts, polys, predicate="within", how="inner")
    inside = np.column_stack([joined["m"].to_numpy(), joined["stop"].to_numpy()]).astype(np.int64)
    inside = inside[np.lexsort((inside[:, 1], inside[:, 0]))]
    cx = reg["centre_x"].to_numpy(dtype=float)
    cy = reg["centre_y"].to_numpy(dtype=float)
    r = tt.options.max_access_m
    m_idx, s_idx, d = _pairs_within(
        cKDTree(np.column_stack([tt.stop_x, tt.stop_y])), cx, cy, tt.stop_x, tt.stop_y, r
    )
    near_s = tt.options.walk_s(d)
    egress = Egress(
        n_targets=n,
        stop=np.concatenate([inside[:, 1], s_idx]).astype(np.int64),
        tgt=np.concatenate([inside[:, 0], m_idx]).astype(np.int64),
        secs=np.concatenate([np.zeros(len(inside), np.int64), near_s]),
    )
    o_idx, t_idx, dd = _pairs_within(cKDTree(np.column_stack([cx, cy])), cx, cy, cx, cy, r)
    direct_s = np.where(o_idx == t_idx, 0, tt.options.walk_s(dd)).astype(np.int64)

    def ptr(keys: np.ndarray) -> np.ndarray:
        return np.searchsorted(keys, np.arange(n + 1)).astype(np.int64)

    return RegionLinks(
        ags=reg["ags"].astype(str).to_numpy(),
        centre_x=cx,
        centre_y=cy,
        stops_inside=inside,
        egress=egress,
        inside_ptr=ptr(inside[:, 0]),
        inside_stop=inside[:, 1].copy(),
        near_ptr=ptr(m_idx),
        near_stop=s_idx,
        near_s=near_s,
        direct_ptr=ptr(o_idx),
        direct_tgt=t_idx,
        direct_s=direct_s,
        walk_graph=walk_graph,
    )


# ---------------------------------------------------------------------------------------
# per municipality
# ---------------------------------------------------------------------------------------


@dataclass
class RailReachability:
    """Municipalities reached by public transport from one origin within a time limit.

    ``table`` has the columns of the car mode (:data:`geo.travel.REACHABLE_COLUMNS`);
    ``stats`` has the window statistics of every reached municipality (min, median,
    percentiles); ``summary`` says what the answer was computed from.
    """

    table: pd.DataFrame
    stats: pd.DataFrame
    summary: dict[str, Any]


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
    batch jobs (:mod:`geo.batch`).
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
        Municipalities as from :func:`geo.build.load_region` (EPSG:25832).
    origin
        A municipality name, AGS or RS (:func:`geo.region.find_municipality`).
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
    from geo.region import find_municipality

    _validate_query(max_minutes, percentile)
    row = find_municipality(region, origin)
    m = int(np.flatnonzero(region.index == row.name)[0])
    links = links or link_region(tt, region, walk_graph)
    minutes, stats = _statistic(
        _origin_window(tt, links, m, date, window, depart, max_minutes, planned, from_stations),
        percentile,
    )
    keep = np.flatnonzero(np.isfinite(minutes) & (minutes <= max_minutes))
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
        }
    )
    order = np.lexsort((table["name"].to_numpy(), table["minutes"].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    st = stats.iloc[keep].copy()
    st.insert(0, "ags", base["ags"].astype(str).to_numpy())
    st = st.iloc[order].reset_index(drop=True)
    summary = _summary(tt, date, window, depart, planned, percentile, max_minutes)
    if links.walk_graph is not None:
        summary["access"] += "; from the centre on the loaded walk network where it covers it"
    pop = pd.to_numeric(table["population"], errors="coerce")
    summary.update(
        {
            "origin": {"ags": str(row["ags"]), "name": str(row["name"])},
            "municipalities_reached": len(table),
            "population_reached": int(pop.sum(skipna=True)),
            "population_unknown": int(pop.isna().sum()),
        }
    )
    return RailReachability(table=table, stats=st, summary=summary)


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
    from geo.region import find_municipality

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


# ---------------------------------------------------------------------------------------
# scenarios: planned services written as GTFS trips
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceScenario:
    """A public-transport service that does not exist yet, defined by a planner.

    Attributes
    ----------
    name
        Shown with every answer made with it.
    stations
        Stations in running order: EVA numbers or names from the DB station list.
    headway_min
        Minutes between two departures.
    first_departure, last_departure
        Service hours at the first station (``HH:MM``; the last departure is included if
        it falls on the headway).
    running_min
        Minutes between consecutive stations (``len(stations) - 1`` values); or None to
        derive them from ``speed_kmh`` along the rail line geometry.
    speed_kmh
        Average speed along the rail line, used when ``running_min`` is None.
    dwell_min
        Stop time at intermediate stations.
    both_directions
        Also run the reverse direction with the same hours.
    start_date, end_date
        Dates of service (``YYYY-MM-DD``); every day in between.
    """

    name: str
    stations: tuple[str, ...]
    headway_min: float
    first_departure: str
    last_departure: str
    start_date: str
    end_date: str
    running_min: tuple[float, ...] | None = None
    speed_kmh: float | None = None
    dwell_min: float = 1.0
    both_directions: bool = True

    def check(self) -> None:
        """Raise :class:`InputError` naming the field that cannot be used."""
        if not self.name.strip():
            raise InputError("scenario name must not be empty.")
        if len(self.stations) < 2:
            raise InputError("scenario stations: give at least two stations in running order.")
        if not self.headway_min > 0:
            raise InputError(f"scenario headway_min must be positive, not {self.headway_min}.")
        if self.running_min is None and (self.speed_kmh is None or not self.speed_kmh > 0):
            raise InputError("scenario: give running_min per segment or a positive speed_kmh.")
        if self.running_min is not None:
            if len(self.running_min) != len(self.stations) - 1:
                raise InputError(
                    f"scenario running_min has {len(self.running_min)} values; "
                    f"{len(self.stations)} stations need {len(self.stations) - 1}."
                )
            if any(not r > 0 for r in self.running_min):
                raise InputError("scenario running_min values must be positive.")
        if self.dwell_min < 0:
            raise InputError("scenario dwell_min must not be negative.")
        a = parse_clock(self.first_departure, "scenario first_departure")
        b = parse_clock(self.last_departure, "scenario last_departure")
        if b < a:
            raise InputError("scenario last_departure must not be before first_departure.")
        if _as_date(self.end_date) < _as_date(self.start_date):
            raise InputError("scenario end_date must not be before start_date.")


def find_station(stations: pd.DataFrame, query: str) -> pd.Series:
    """Return a station of the DB station list by EVA number, RIL100 code or exact name."""
    q = str(query).strip()
    for col in ("station_id", "ril100", "name"):
        if col in stations.columns:
            hit = stations[stations[col].astype(str).str.casefold() == q.casefold()]
            if len(hit):
                return hit.iloc[0]
    close = stations.loc[
        stations["name"].astype(str).str.casefold().str.contains(q.casefold()[:5], regex=False),
        "name",
    ].head(5)
    hint = f" Did you mean: {', '.join(map(str, close))}?" if len(close) else ""
    raise InputError(f"station {query!r} is not in the station list.{hint}")


def rail_graph(lines: gpd.GeoDataFrame, snap_m: float = 30.0) -> nx.Graph:
    """A graph of rail line geometry (EPSG:25832): segment ends within ``snap_m`` joined.

    Nodes carry ``x``/``y``; edges carry ``length`` (metres).
    """
    from geo.region import require_crs

    require_crs(lines, "rail lines")
    geoms = lines.to_crs(WORK_CRS).geometry
    segs: list[LineString] = []
    for g in geoms:
        if isinstance(g, MultiLineString):
            segs.extend(g.geoms)
        elif isinstance(g, LineString):
            segs.append(g)
    ends = np.array([[*s.coords[0][:2], *s.coords[-1][:2]] for s in segs], dtype=float)
    pts = np.vstack([ends[:, :2], ends[:, 2:]])
    tree = cKDTree(pts)
    pairs = tree.query_pairs(snap_m, output_type="ndarray")
    uf = nx.utils.UnionFind(range(len(pts)))
    for a, b in pairs:
        uf.union(int(a), int(b))
    root = np.array([uf[i] for i in range(len(pts))])
    g = nx.Graph()
    n = len(segs)
    for i, s in enumerate(segs):
        u, v = int(root[i]), int(root[i + n])
        for node, k in ((u, i), (v, i + n)):
            if node not in g:
                g.add_node(node, x=float(pts[k, 0]), y=float(pts[k, 1]))
        if u != v and (not g.has_edge(u, v) or g[u][v]["length"] > s.length):
            g.add_edge(u, v, length=float(s.length))
    return g


def rail_distance_m(
    graph: nx.Graph,
    a_xy: tuple[float, float],
    b_xy: tuple[float, float],
    max_snap_m: float = 1000.0,
) -> float:
    """Distance along the rail graph between the nodes nearest to two points (metres).

    Raises
    ------
    InputError
        When a point is farther than ``max_snap_m`` from the rail lines, or no line joins
        the two.
    """
    nodes = list(graph.nodes)
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    tree = cKDTree(xy)
    (da, ia), (db, ib) = tree.query(a_xy), tree.query(b_xy)
    if da > max_snap_m or db > max_snap_m:
        raise InputError(
            f"a station lies {max(da, db):.0f} m from the rail line geometry (limit "
            f"{max_snap_m:.0f} m); give running_min for this scenario instead of speed_kmh."
        )
    try:
        d = nx.shortest_path_length(graph, nodes[int(ia)], nodes[int(ib)], weight="length")
    except nx.NetworkXNoPath as exc:
        raise InputError(
            "no rail line in the geometry joins two consecutive scenario stations; give "
            "running_min for this scenario instead of speed_kmh."
        ) from exc
    return float(d) + float(da) + float(db)


def scenario_tables(
    scenario: ServiceScenario,
    stations: pd.DataFrame,
    rail_lines: gpd.GeoDataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Write a planned service as GTFS tables (agency, stops, routes, trips, stop_times,
    calendar_dates) ready for :func:`merge_tables`.

    Stop ids are the stations' EVA numbers, the same ids as the DB feed, so changes to
    and from real trains work. Running times come from ``running_min`` or from
    ``speed_kmh`` along ``rail_lines`` (rounded up to whole minutes).

    Parameters
    ----------
    stations
        The DB station list (``station_id``, ``name``, ``lat``, ``lon``; EPSG:4326 columns).
    """
    scenario.check()
    rows = [find_station(stations, s) for s in scenario.stations]
    if scenario.running_min is not None:
        run = [float(r) for r in scenario.running_min]
    else:
        if rail_lines is None:
            raise InputError("scenario with speed_kmh needs the rail line geometry.")
        graph = rail_graph(rail_lines)
        x, y = _project(
            np.array([float(r["lon"]) for r in rows]), np.array([float(r["lat"]) for r in rows])
        )
        speed = float(scenario.speed_kmh) / 3.6  # type: ignore[arg-type]
        run = [
            math.ceil(rail_distance_m(graph, (x[i], y[i]), (x[i + 1], y[i + 1])) / speed / 60)
            for i in range(len(rows) - 1)
        ]
    tag = "scn-" + "".join(ch if ch.isalnum() else "-" for ch in scenario.name.strip()).lower()
    first = parse_clock(scenario.first_departure)
    last = parse_clock(scenario.last_departure)
    head = round(scenario.headway_min * 60)
    dwell = round(scenario.dwell_min * 60)
    starts = list(range(first, last + 1, head))
    directions = [list(range(len(rows)))]
    if scenario.both_directions:
        directions.append(directions[0][::-1])
    st_rows: list[dict[str, Any]] = []
    trip_rows: list[dict[str, Any]] = []
    for d_i, order in enumerate(directions):
        seg = run if d_i == 0 else run[::-1]
        for k, t in enumerate(starts):
            tid = f"{tag}-{d_i}-{k}"
            trip_rows.append(
                {"route_id": tag, "service_id": tag, "trip_id": tid, "direction_id": d_i}
            )
            clock = t
            for pos, si in enumerate(order):
                arr = clock
                dep = clock if pos in (0, len(order) - 1) else clock + dwell
                st_rows.append(
                    {
                        "trip_id": tid,
                        "arrival_time": format_clock(arr),
                        "departure_time": format_clock(dep),
                        "stop_id": str(rows[si]["station_id"]),
                        "stop_sequence": pos,
                    }
                )
                if pos < len(order) - 1:
                    clock = dep + round(seg[pos] * 60)
    d0, d1 = _as_date(scenario.start_date), _as_date(scenario.end_date)
    dates = [(d0 + timedelta(days=i)).strftime("%Y%m%d") for i in range((d1 - d0).days + 1)]
    return {
        "agency": pd.DataFrame(
            {
                "agency_id": ["stadtregion-scenario"],
                "agency_name": [f"Scenario: {scenario.name}"],
                "agency_url": ["https://example.invalid/scenario"],
                "agency_timezone": ["Europe/Berlin"],
            }
        ),
        "stops": pd.DataFrame(
            {
                "stop_id": [str(r["station_id"]) for r in rows],
                "stop_name": [str(r["name"]) for r in rows],
                "stop_lat": [float(r["lat"]) for r in rows],
                "stop_lon": [float(r["lon"]) for r in rows],
            }
        ).drop_duplicates("stop_id"),
        "routes": pd.DataFrame(
            {
                "route_id": [tag],
                "agency_id": ["stadtregion-scenario"],
                "route_short_name": [f"Scenario {scenario.name}"],
                "route_long_name": [" – ".join(str(r["name"]) for r in rows)],
                "route_type": [2],
            }
        ),
        "trips": pd.DataFrame(trip_rows),
        "stop_times": pd.DataFrame(st_rows),
        "calendar_dates": pd.DataFrame({"service_id": tag, "date": dates, "exception_type": 1}),
    }


def merge_tables(base: Tables, extra: Tables) -> dict[str, pd.DataFrame | None]:
    """Merge GTFS tables; stops already in ``base`` (same stop_id) are kept from ``base``.

    Raises
    ------
    InputError
        When a trip, route or service id of ``extra`` is already used in ``base``.
    """
    out: dict[str, pd.DataFrame | None] = {k: v for k, v in base.items()}
    keys = {"trips": "trip_id", "routes": "route_id", "agency": "agency_id"}
    for name, df in extra.items():
        if df is None:
            continue
        cur = out.get(name)
        if cur is None:
            out[name] = df.copy()
            continue
        if name == "stops":
            df = df[~df["stop_id"].astype(str).isin(set(cur["stop_id"].astype(str)))]
        elif name in keys and keys[name] in cur.columns:
            clash = set(df[keys[name]].astype(str)) & set(cur[keys[name]].astype(str))
            if clash:
                raise InputError(
                    f"scenario {name}.txt reuses {keys[name]} {sorted(clash)[0]!r} of the feed."
                )
        out[name] = pd.concat(
            [cur.astype({c: "object" for c in cur.columns if c in df.columns}), df],
            ignore_index=True,
        )
    return out


def with_scenario(
    tables: Tables,
    tt: Timetable,
    scenario: ServiceScenario,
    stations: pd.DataFrame,
    rail_lines: gpd.GeoDataFrame | None = None,
) -> Timetable:
    """Return a new timetable of ``tables`` (the feed ``tt`` was built from) plus a scenario."""
    merged = merge_tables(tables, scenario_tables(scenario, stations, rail_lines))
    return build_timetable(
        merged,
        feeds=tt.feeds,
        options=tt.options,
        scenarios=(*tt.scenarios, scenario.name),
        digest=tt.digest,
        bad_trips="drop" if tt.dropped_trips else "refuse",
    )


def with_options(tt: Timetable, options: TransitOptions) -> Timetable:
    """Return the timetable with other walking/changing options (footpaths rebuilt)."""
    ptr, to, secs = _footpaths(tt.stop_x, tt.stop_y, options)
    return replace(tt, options=options, xfer_ptr=ptr, xfer_to=to, xfer_s=secs, _days={})


def scenario_from_dict(data: Mapping[str, Any]) -> ServiceScenario:
    """Build a :class:`ServiceScenario` from a plain mapping (JSON), naming a bad field."""
    if not isinstance(data, Mapping):
        raise InputError("a scenario must be an object with the fields of ServiceScenario.")
    known = set(ServiceScenario.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"scenario has unknown field(s) {', '.join(unknown)}.")
    missing = sorted(
        n
        for n, f in ServiceScenario.__dataclass_fields__.items()
        if f.default is MISSING and f.default_factory is MISSING and n not in data
    )
    if missing:
        raise InputError(f"scenario lacks the field(s) {', '.join(missing)}.")
    kw = dict(data)
    kw["stations"] = tuple(str(s) for s in kw["stations"])
    if kw.get("running_min") is not None:
        kw["running_min"] = tuple(float(x) for x in kw["running_min"])
    try:
        scn = ServiceScenario(**kw)
    except TypeError as exc:
        raise InputError(f"scenario cannot be read: {exc}") from exc
    scn.check()
    return scn
