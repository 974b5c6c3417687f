"""GTFS files: reading (zip or folder, with gtfs-kit), writing, downloading, and the cache.

The only module of the transit part that touches files or the network. A feed is
validated and indexed by :func:`geo.transit.build_timetable`; the indexed arrays are
cached as one ``.npz`` under ``Settings.processed_dir`` keyed by the SHA-256 of the feed
files and the walking options, so the second load takes a fraction of a second. A broken
feed raises its named error before anything is written to the cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import urllib.request
import zipfile
from collections.abc import Sequence
from pathlib import Path

import gtfs_kit as gk
import numpy as np
import pandas as pd

from geo.errors import DataSourceError, FeedError, InputError
from geo.roads.download import Progress, probe
from geo.settings import Settings
from geo.sources import RAIL_FILE, file_digest, read_stations, read_vector
from geo.transit.feed import validate_feed
from geo.transit.options import TransitOptions
from geo.transit.scenarios import ServiceScenario, merge_tables, scenario_from_dict, with_scenario
from geo.transit.timetable import Timetable, build_timetable

#: GTFS files read into tables (file stem -> gtfs-kit attribute).
GTFS_FILES = (
    "agency",
    "stops",
    "routes",
    "trips",
    "stop_times",
    "calendar",
    "calendar_dates",
    "frequencies",
    "transfers",
    "feed_info",
)

#: Version of the cached array layout; bump when :class:`Timetable` changes.
CACHE_VERSION = "1"


def read_gtfs_tables(path: Path) -> dict[str, pd.DataFrame | None]:
    """Read a GTFS feed (``.zip`` or folder) into tables keyed by file stem.

    A file the feed lacks is ``None``; :func:`geo.transit.validate_feed` decides whether
    that is allowed.

    Raises
    ------
    DataSourceError
        When the path does not exist or is not a readable feed.
    """
    path = Path(path)
    if not path.exists():
        raise DataSourceError(
            f"GTFS feed not found at {path}. Set STADTREGION_GTFS_FEEDS or put the feed in "
            "the data folder."
        )
    try:
        feed = gk.read_feed(path, dist_units="km")
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"GTFS feed {path} cannot be read: {exc}") from exc
    except (ValueError, KeyError) as exc:  # gtfs-kit refuses some malformed files itself
        raise FeedError(f"GTFS feed {path} is malformed: {exc}") from exc
    return {name: getattr(feed, name, None) for name in GTFS_FILES}


def write_gtfs(tables: dict[str, pd.DataFrame | None], path: Path) -> Path:
    """Write GTFS tables as a zip of ``<name>.txt`` files (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".zip", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, df in tables.items():
                if df is not None:
                    zf.writestr(f"{name}.txt", df.to_csv(index=False))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def feed_paths(settings: Settings) -> list[Path]:
    """The configured feeds (``Settings.gtfs_feeds``; relative names are in data_dir)."""
    out = []
    for name in settings.gtfs_feeds:
        p = Path(name)
        out.append(p if p.is_absolute() else settings.data_dir / p)
    return out


def read_feeds(paths: Sequence[Path]) -> dict[str, pd.DataFrame | None]:
    """Read several feeds and merge them (ids are prefixed per feed when there are several).

    Stops keep their ids across feeds (so the same EVA station in two feeds is one stop);
    trips, routes and services get the feed's position as prefix to stay distinct.
    """
    merged: dict[str, pd.DataFrame | None] | None = None
    for i, p in enumerate(paths):
        t = read_gtfs_tables(Path(p))
        if len(paths) > 1:
            t = _prefix_ids(t, f"f{i}:")
        merged = t if merged is None else merge_tables(merged, t)
    if merged is None:
        raise InputError("no GTFS feed given; configure at least one (STADTREGION_GTFS_FEEDS).")
    return merged


def _prefix_ids(
    tables: dict[str, pd.DataFrame | None], prefix: str
) -> dict[str, pd.DataFrame | None]:
    cols = {"trip_id", "route_id", "service_id", "agency_id"}
    out: dict[str, pd.DataFrame | None] = {}
    for name, df in tables.items():
        if df is None:
            out[name] = None
            continue
        df = df.copy()
        for c in cols & set(df.columns):
            df[c] = prefix + df[c].astype(str)
        out[name] = df
    return out


def _options_key(options: TransitOptions) -> str:
    return repr(options)


def cache_path(settings: Settings, digest: str) -> Path:
    """Where the indexed arrays of a feed (set) with this digest are cached."""
    return settings.processed_dir / f"transit_{digest[:20]}.npz"


def load_timetable(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    options: TransitOptions | None = None,
    use_cache: bool = True,
) -> tuple[Timetable, dict[str, pd.DataFrame | None] | None]:
    """Return the indexed timetable of the configured feeds, from the cache when it fits.

    Returns
    -------
    (Timetable, tables)
        ``tables`` are the GTFS tables when the feed was read now (needed to add a
        scenario), ``None`` when the timetable came from the cache.

    Raises
    ------
    FeedError
        A named subclass when the feed is broken (nothing is cached then).
    """
    options = options or TransitOptions()
    paths = list(paths) if paths is not None else feed_paths(settings)
    for p in paths:
        if not Path(p).exists():
            raise DataSourceError(f"GTFS feed not found at {p}.")
    files = [Path(p) for p in paths if Path(p).is_file()]
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    for d in folders:
        files.extend(sorted(d.glob("*.txt")))
    h = hashlib.sha256(file_digest(files).encode())
    h.update(_options_key(options).encode())
    h.update(settings.gtfs_bad_trips.encode())
    h.update(CACHE_VERSION.encode())
    digest = h.hexdigest()
    target = cache_path(settings, digest)
    if use_cache and target.is_file():
        try:
            with np.load(target, allow_pickle=False) as z:
                return Timetable.from_arrays({k: z[k] for k in z.files}), None
        except (OSError, KeyError, ValueError):
            target.unlink(missing_ok=True)  # a damaged cache is rebuilt
    tables = read_feeds(paths)
    tt = build_timetable(
        tables,
        feeds=[Path(p).name for p in paths],
        options=options,
        digest=digest,
        bad_trips=settings.gtfs_bad_trips,
    )
    if use_cache:
        save_timetable(tt, target)
    return tt, tables


def save_timetable(tt: Timetable, path: Path) -> None:
    """Save a timetable's arrays as one ``.npz`` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez(buf, **tt.to_arrays())  # type: ignore[arg-type]
    fd, tmp = tempfile.mkstemp(suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def download_feed(
    url: str,
    dest: Path,
    timeout_s: float = 120.0,
    *,
    connect_timeout_s: float = 5.0,
    progress: Progress | None = None,
) -> Path:
    """Download a GTFS zip from ``url`` to ``dest``, check it, and only then keep it.

    The file is written under a temporary name, read back and validated
    (:func:`geo.transit.validate_feed`); a broken download never replaces a good feed.
    The server must answer within ``connect_timeout_s`` (each later read within
    ``timeout_s``); ``progress`` receives a line per step and per 5 MB received.

    Raises
    ------
    DataSourceError
        When the server cannot be reached or answers with an error.
    FeedError
        When the downloaded feed is broken.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"feed URL {url!r} must start with http:// or https://.")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".zip", dir=dest.parent)
    os.close(fd)
    try:
        say = progress or (lambda _: None)
        say(f"connecting to {url} (up to {connect_timeout_s:g} s) …")
        probe(url, connect_timeout_s, "GTFS download", "or give another --url")
        req = urllib.request.Request(url, headers={"User-Agent": "stadtregion"})
        got = 0
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as resp, open(tmp, "wb") as f:
                size = resp.headers.get("Content-Length")
                total = f" of {int(size) / 1e6:.1f} MB" if size and size.isdigit() else ""
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
                    got += len(chunk)
                    if got % (5 << 20) < len(chunk):
                        say(f"{got / 1e6:.1f} MB{total} received …")
        except OSError as exc:
            raise DataSourceError(f"GTFS download from {url} failed: {exc}") from exc
        say(f"{got / 1e6:.1f} MB received; checking the feed …")
        validate_feed(read_gtfs_tables(Path(tmp)))
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


_LOADED: dict[tuple[str, ...], Timetable] = {}


def get_timetable(settings: Settings) -> Timetable:
    """The timetable of the configured feeds, loaded once per process (for CLI and API)."""
    key = (str(settings.processed_dir), settings.gtfs_bad_trips, *settings.gtfs_feeds)
    tt = _LOADED.get(key)
    if tt is None:
        tt, _ = load_timetable(settings)
        _LOADED[key] = tt
    return tt


def timetable_with_scenario(settings: Settings, scenario: ServiceScenario) -> Timetable:
    """The configured feeds plus a planned service (built anew; named in every answer)."""
    base = get_timetable(settings)
    tables = read_feeds(feed_paths(settings))
    stations = read_stations(settings.data_dir)
    lines = (
        read_vector(settings.data_dir / RAIL_FILE, "rail line geometry")
        if scenario.running_min is None
        else None
    )
    return with_scenario(tables, base, scenario, stations, lines)


def read_scenario(path: Path) -> ServiceScenario:
    """Read a scenario from a JSON file (the fields of :class:`ServiceScenario`)."""
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise InputError(f"scenario file {path} not found.") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"scenario file {path} is not valid JSON: {exc}") from exc
    return scenario_from_dict(data)
