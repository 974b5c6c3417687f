"""The timetable: GTFS tables indexed into compact numpy arrays (:func:`build_timetable`).

:class:`Timetable` holds stop times per trip, stop patterns, service days and footpaths
between nearby stops; :class:`DayTimetable` is one service date in RAPTOR layout (built
by :func:`geo.transit.day.day_timetable`). Both are plain picklable data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo.errors import (
    FeedTimeOrderError,
    InputError,
    NoServiceError,
)
from geo.settings import WORK_CRS
from geo.transit.feed import _stop_time_arrays, parse_gtfs_time, validate_feed
from geo.transit.options import Tables, TransitOptions


@dataclass
class Timetable:
    """Everything routing needs from one or more GTFS feeds, as compact numpy arrays.

    Plain data: picklable, and saved/loaded as one ``.npz`` by :mod:`geo.transit.io`.
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
