"""GTFS files (geo/transit/io.py) on feeds the tests write."""

from __future__ import annotations

from pathlib import Path

from geo import transit
from geo.transit import io as transit_io
from tests.geo.transit.feeds import (
    arrivals,
    hm,
    line_feed,
)


def test_write_and_read_gtfs_folder_roundtrip(tmp_path: Path) -> None:
    tables = line_feed()
    path = transit_io.write_gtfs(tables, tmp_path / "feed.zip")
    back = transit_io.read_gtfs_tables(path)
    tt = transit.build_timetable(back)
    assert arrivals(tt, "A", "07:55")["D"] == hm("08:30")
