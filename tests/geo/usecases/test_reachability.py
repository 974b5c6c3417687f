"""The reachability use cases (geo/usecases/reachability.py) on the shared data pack."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from geo import modes, transit
from geo.errors import InputError
from geo.roads.io import cached_engine
from geo.settings import Settings
from geo.transit import io as transit_io
from geo.usecases import reachability as usecase

DAY = "2019-05-15"
WEIMAR = "16055000"


def test_car_answer_is_the_engine_answer_with_the_query_named(
    settings: Settings, region_model: gpd.GeoDataFrame
) -> None:
    answer = usecase.reachable(settings, "Jena", mode="car", max_minutes=20)
    engine, choice = cached_engine(settings)
    direct = modes.reachable("Jena", "car", 20, region=region_model, network=engine)
    assert answer.result.table.equals(direct.table)
    assert answer.network_note == choice.note
    assert answer.result.summary["query"] == {"from": "Jena", "mode": "car", "max_minutes": 20}


def test_rail_options_are_refused_for_car(settings: Settings) -> None:
    query = transit.parse_rail_query(settings, require_origin=False)
    with pytest.raises(InputError, match="only for mode rail"):
        usecase.reachable(settings, "Jena", mode="car", rail=query)
    with pytest.raises(InputError, match="municipality as origin"):
        usecase.reachable(settings, (11.58, 50.93), mode="rail")


def test_jena_to_weimar_shows_the_three_trains(settings: Settings) -> None:
    """The real feed on 2019-05-15: three ICs Jena West -> Weimar (06:44, 12:44, 18:44),
    16 min each; none leaves in the default window 07:00-08:00."""
    query = transit.parse_rail_query(settings, origin="Jena", date=DAY)
    answer = usecase.rail_reachable(settings, query)
    res = answer.result
    assert res.summary["query"]["from"] == "Jena" and res.summary["date"] == DAY
    assert res.not_reached is not None
    weimar = res.not_reached.set_index("ags").loc[WEIMAR]
    assert weimar["status"] == "not_in_window"
    assert weimar["departures_day"] == 3 and weimar["departures_window"] == 0
    assert weimar["ride_minutes_day"] == 16.0
    assert (weimar["first_departure"], weimar["last_departure"]) == ("06:44", "18:44")
    # by the mode registry (/reachable?mode=rail, reachable --mode rail) the same trains
    by_mode = usecase.reachable(settings, "Jena", mode="rail", rail=query)
    late = {r["ags"]: r for r in by_mode.result.summary["not_reached_in_window"]}
    assert late[WEIMAR]["departures_day"] == 3 and late[WEIMAR]["ride_minutes_day"] == 16.0


def test_a_window_with_the_train_reaches_weimar(settings: Settings) -> None:
    query = transit.parse_rail_query(settings, origin="Jena", date=DAY, window="06:40-06:50")
    table = usecase.rail_reachable(settings, query).result.table.set_index("ags")
    w = table.loc[WEIMAR]
    assert w["status"] == "reached" and w["departures_window"] == 1
    assert w["ride_minutes_window"] == 16.0 and w["departures_day"] == 3


def test_rail_answer_is_reachable_for_on_the_loaded_inputs(
    settings: Settings, region_model: gpd.GeoDataFrame
) -> None:
    query = transit.parse_rail_query(settings, origin="Erfurt", max_minutes=90)
    direct = transit.reachable_for(transit_io.get_timetable(settings), region_model, query)
    got = usecase.rail_reachable(settings, query).result
    assert got.table.equals(direct.table) and got.summary == direct.summary
    with pytest.raises(InputError, match="from is missing"):
        usecase.rail_reachable(settings, transit.parse_rail_query(settings, require_origin=False))


def test_isochrones_and_matrix(settings: Settings) -> None:
    iso = usecase.isochrones(settings, "Jena", [5, 10])
    assert list(iso.isochrones["minutes"]) == [5, 10] and iso.origin.label == "Jena"
    assert iso.isochrones["area_km2"].is_monotonic_increasing
    query = transit.parse_rail_query(settings, require_origin=False, date=DAY)
    long, tt = usecase.rail_matrix(settings, query, origins=["Jena"])
    assert set(long["origin_ags"]) == {"16053000"} and tt.feeds
    assert long.attrs["query"]["window"] == "07:00-08:00"


def test_map_minutes_use_the_day_window_and_name_the_trains(settings: Settings) -> None:
    data = usecase.origin_minutes(settings)
    assert data.rail_query.window == ("06:00", "20:00")  # Settings.rail_day_window
    weimar = data.rail_trains.loc[WEIMAR]
    assert weimar["departures_day"] == 3 and weimar["ride_minutes_day"] == 16.0
    assert np.isnan(data.rail.loc[WEIMAR])  # the median over 06-20 h stays "not reached"
    assert data.rail.loc["16053000"] == 0.0
    assert set(data.rail_trains["status"]) <= {"reached", "not_in_window", "no_train_that_day"}


def test_travel_data_names_network_feeds_and_defaults_without_loading(settings: Settings) -> None:
    data = usecase.travel_data(settings)
    assert data.network == "jena_roads_osm2014 (Jena only)" and "Jena only" in data.network_note
    assert data.feeds == ("db_fv_gtfs_2019.zip",)
    assert data.feed_notes == (transit.FEED_NOTES["db_fv_gtfs_2019.zip"],)
    assert data.rail_defaults == transit.parse_rail_query(settings, require_origin=False)
    assert data.rail_defaults.date.isoformat() == settings.rail_date
    assert "-".join(data.rail_defaults.window or ()) == settings.rail_window
    assert data.default_minutes == {"car": modes.default_minutes("car"), "rail": 60.0}
