"""Feed validation: refuse GTFS tables that cannot be routed on, with a named error.

:func:`validate_feed` runs before anything is built or cached; :func:`_stop_time_arrays`
reads stop times into integer seconds (interpolating blank intermediate times).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from geo.errors import (
    FeedMissingColumnError,
    FeedMissingFileError,
    FeedReferenceError,
    FeedTimeOrderError,
    InputError,
)
from geo.transit.options import CALENDAR_COLUMNS, FREQUENCY_COLUMNS, REQUIRED_COLUMNS, Tables


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
