"""The region use cases: the region model once (cached), selections, the maps' inputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geo.errors import InputError, UnknownMunicipalityError
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.region import model as region_model
from geo.settings import Settings
from geo.usecases import reachability
from geo.usecases import region as uc

LANDPOOL = Viewer("landpool", "Frau Quendel")


def test_region_is_built_once_and_cached(settings: Settings) -> None:
    first = uc.region(settings)
    again = uc.region(settings.model_copy())
    assert len(first.model) == 849 and first.area == "thuringia"
    assert first.model is again.model and first.report is again.report
    assert {"ags", "name", "trend_class", "geometry"} <= set(first.model.columns)
    assert len(first.report) > 0
    with pytest.raises(InputError, match="unknown area 'mars'"):
        uc.region(settings, "mars")


def test_municipalities_select_as_cli_and_api(settings: Settings) -> None:
    near = uc.municipalities(settings, of="Jena", within_km=15)
    assert near["dist_km"].max() <= 15 and near.iloc[0]["name"] == "Jena"
    assert near["dist_km"].is_monotonic_increasing
    shk = uc.municipalities(settings, district="Saale-Holzland-Kreis", within_km=15)
    assert set(shk["ags"]) < set(near["ags"]) and (shk["district_ags"] == "16074").all()
    one = uc.municipality(settings, "16053000")
    assert list(one["name"]) == ["Jena"]
    with pytest.raises(UnknownMunicipalityError):
        uc.municipality(settings, "Jnea-Nord-Ost")


def test_region_map_data_keeps_stations_inside_the_region(settings: Settings) -> None:
    data = uc.region_map_data(settings)
    assert data is uc.region_map_data(settings)  # cached per settings
    assert len(data.rail) > 0 and len(data.stations) > 0
    inside = gpd.sjoin(data.stations, data.region[["geometry"]], predicate="within")
    assert inside.index.unique().size == len(data.stations)
    assert any("VG250" in a or "GeoBasis" in a for a in data.attribution)


def test_forum_map_data_reads_public_offers_only(settings: Settings, tmp_path: Path) -> None:
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    with Store.open(s) as store:
        for i, (pid, extra) in enumerate(
            [("PUB-1", {}), ("SECRET-1", {"confidential": True}), ("INTERN-1", {})]
        ):
            values = {"name": f"Offer {pid}", "intended_use": "Gewerbe", **extra}
            geom = box(681000 + 300 * i, 5645000, 681100 + 300 * i, 5645100)
            store.create(LANDPOOL, values, geom, plot_id=pid)
        store.publish(LANDPOOL, "PUB-1", reason="Forum")
        data = uc.forum_map_data(s, store)
        assert list(data.offers["plot_id"]) == ["PUB-1"]
        assert list(data.offers["kind"]) == ["commerce"]
        assert "confidential" not in data.offers.columns
        assert len(data.region) == 849
        # the land-pool view of the same store holds all three: the forum did not use it
        assert len(uc.viewer_plots(store, LANDPOOL)) == 3


def test_reachable_map_data_by_car_and_rail(settings: Settings) -> None:
    car = reachability.reachable_map_data(settings, "Jena", 20, "car")
    assert car.origin_label.startswith("Jena")
    assert car.result.summary["mode"] == "car" and car.result.summary["max_minutes"] == 20
    assert car.isochrones is not None
    assert sorted(car.isochrones["minutes"]) == reachability.isochrone_cuts(20) == [10.0, 20.0]
    reached = car.result.table["minutes"].to_numpy(dtype=float)
    assert len(reached) and (reached <= 20).all()
    rail = reachability.reachable_map_data(settings, "Jena", 60, "rail", {"window": "06:00-09:00"})
    assert rail.isochrones is None and rail.result.summary["mode"] == "rail"
    assert rail.result.summary["window"] == ["06:00", "09:00"]
    assert any("GTFS" in a or "DB" in a or "VMT" in a for a in rail.attribution)
    assert np.allclose(rail.origin_xy, car.origin_xy)


def test_reachable_map_data_refuses_bad_options(settings: Settings) -> None:
    with pytest.raises(InputError, match="mode must be 'car' or 'rail'"):
        reachability.reachable_map_data(settings, mode="bike")
    with pytest.raises(InputError, match="only for mode rail"):
        reachability.reachable_map_data(settings, mode="car", rail={"window": "06:00-09:00"})


def test_ic_car_minutes_only_for_long_distance_feeds(settings: Settings) -> None:
    model = uc.region(settings).model
    assert uc.ic_car_minutes(settings, model, ("some_regional_feed.zip",)).empty
    assert uc.ic_car_minutes(settings, model, ()).empty
    if set(uc.timetable_feeds(settings)) <= uc.LONG_DISTANCE_FEEDS:
        ic = uc.ic_car_minutes(settings, model, uc.timetable_feeds(settings))
        jena = region_model.find_municipality(model, "Jena")
        assert ic[str(jena["ags"])] < 15  # Jena Paradies is in town
