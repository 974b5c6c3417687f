"""Tests of geo.screening.criteria (derived attributes, profiles, screening) and
geo.screening.io."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from shapely.geometry import LineString, Point, box

from geo.errors import InputError, NotFoundError, ProfileError
from geo.landpool.plots import Viewer
from geo.screening.criteria import (
    DERIVED_COLUMNS,
    CarMinutes,
    Filters,
    Layer,
    Profile,
    ScreeningLayers,
    derive_attributes,
    parse_profile,
    ranked,
    screen,
    screen_for_role,
    share_inside,
    subdivide,
    visible_plots,
)
from geo.screening.io import (
    load_layers,
    load_profile,
    read_flood_zones,
    read_profile,
    shipped_profile,
    shipped_profile_names,
)
from geo.screening.raster import Dem, Grid
from geo.settings import Settings

UTM = "EPSG:25832"
X0, Y0 = 680_000.0, 5_650_000.0


def gdf(geoms: list[Any], **cols: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


def square(x: float, y: float, side: float) -> Any:
    return box(x, y, x + side, y + side)


# -- derived attributes -------------------------------------------------------------------


def test_plot_half_inside_a_flood_polygon_has_share_one_half() -> None:
    plot = square(X0, Y0, 100)
    flood = Layer(gdf([box(X0 - 50, Y0 - 50, X0 + 50, Y0 + 200)]), version="hq100.gpkg@test")
    out = derive_attributes(gdf([plot]), ScreeningLayers(flood=flood))
    assert out["flood_share"].iloc[0] == pytest.approx(0.5)
    assert json.loads(out["layer_versions"].iloc[0])["flood_share"] == "hq100.gpkg@test"


def test_overlapping_flood_polygons_are_not_counted_twice() -> None:
    a = square(X0, Y0, 100)
    b = square(X0 + 200, Y0, 100)
    flood = gdf([box(X0, Y0, X0 + 50, Y0 + 100), box(X0 + 25, Y0, X0 + 75, Y0 + 100)])
    share = share_inside(gdf([a, b]).geometry, flood)
    assert share.tolist() == pytest.approx([0.75, 0.0])


def test_without_flood_layer_the_share_is_unknown_not_zero() -> None:
    out = derive_attributes(gdf([square(X0, Y0, 100)]), ScreeningLayers())
    assert pd.isna(out["flood_share"].iloc[0])
    assert "flood_share: unknown, no flood-zone layer" in out["derive_notes"].iloc[0]
    assert pd.isna(out["car_min_centre"].iloc[0])
    assert "no road network given" in out["derive_notes"].iloc[0]
    assert set(DERIVED_COLUMNS) <= set(out.columns)


def test_flat_plot_on_a_flat_dem() -> None:
    grid = Grid(np.full((100, 100), 150.0), Affine(10, 0, X0 - 500, 0, -10, Y0 + 500), CRS(UTM))
    out = derive_attributes(
        gdf([square(X0, Y0, 120)]), ScreeningLayers(dem=Dem(grid, "flat.tif@v1"))
    )
    row = out.iloc[0]
    assert row["slope_mean_pct"] == 0.0 and row["slope_max_pct"] == 0.0
    assert row["steep_share"] == 0.0 and row["elev_mean_m"] == pytest.approx(150.0)
    assert json.loads(row["layer_versions"])["terrain"] == "flat.tif@v1"


def test_plot_outside_the_dem_has_unknown_terrain() -> None:
    grid = Grid(np.full((10, 10), 150.0), Affine(10, 0, X0, 0, -10, Y0), CRS(UTM))
    out = derive_attributes(gdf([square(X0 + 10_000, Y0, 50)]), ScreeningLayers(dem=Dem(grid, "x")))
    assert pd.isna(out["slope_mean_pct"].iloc[0]) and pd.isna(out["elev_mean_m"].iloc[0])
    assert "terrain: plot outside the DEM" in out["derive_notes"].iloc[0]


def test_area_municipality_and_reserve_share() -> None:
    mun = Layer(
        gdf([box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)], ags=["16053000"], name=["Jena"]),
        version="region@1",
    )
    reserves = Layer(gdf([box(X0, Y0, X0 + 100, Y0 + 25)]), version="nsg@1")
    plots = gdf([square(X0, Y0, 100), square(X0 + 5000, Y0, 100)])
    out = derive_attributes(plots, ScreeningLayers(municipalities=mun, nature_reserves=reserves))
    assert out["area_ha"].tolist() == pytest.approx([1.0, 1.0])
    assert out["ags"].iloc[0] == "16053000" and out["municipality"].iloc[0] == "Jena"
    assert pd.isna(out["ags"].iloc[1])
    assert out["reserve_share"].tolist() == pytest.approx([0.25, 0.0])


def test_distances_to_water_station_and_tram() -> None:
    plot = square(X0, Y0, 100)
    water = Layer(gdf([LineString([(X0 + 300, Y0 - 500), (X0 + 300, Y0 + 500)])]), "water@1")
    stations = Layer(
        gdf([Point(X0 + 50, Y0 + 400), Point(X0 + 50, Y0 + 2000)], name=["Nah", "Fern"]), "st@1"
    )
    tram = Layer(gdf([LineString([(X0 - 500, Y0 - 80), (X0 + 500, Y0 - 80)])]), "tram@1")
    out = derive_attributes(gdf([plot]), ScreeningLayers(water=water, stations=stations, tram=tram))
    row = out.iloc[0]
    assert row["water_proximity_m"] == pytest.approx(200.0)
    assert row["dist_station_m"] == pytest.approx(300.0)
    assert row["nearest_station"] == "Nah"
    assert row["dist_tram_m"] == pytest.approx(80.0)


def test_layer_coverage_makes_values_outside_unknown() -> None:
    coverage = box(X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000)
    tram = Layer(gdf([LineString([(X0, Y0), (X0 + 10, Y0)])]), "tram@1", coverage, "Jena")
    reserves = Layer(gdf([box(X0, Y0, X0 + 10, Y0 + 10)]), "nsg@1", coverage, "Jena")
    plots = gdf([square(X0 + 100, Y0, 50), square(X0 + 5000, Y0, 50), square(X0 + 990, Y0, 50)])
    out = derive_attributes(plots, ScreeningLayers(tram=tram, nature_reserves=reserves))
    assert out["dist_tram_m"].iloc[0] == pytest.approx(90.0)
    assert pd.isna(out["dist_tram_m"].iloc[1])
    assert out["reserve_share"].iloc[0] == 0.0
    assert pd.isna(out["reserve_share"].iloc[1])
    assert pd.isna(out["reserve_share"].iloc[2])  # straddles the edge of the coverage
    assert "outside the coverage of the tram layer (Jena)" in out["derive_notes"].iloc[1]


class StraightLineCar:
    """A test engine: straight-line distance at 30 km/h (0.5 km per minute)."""

    def minutes_matrix(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> np.ndarray:
        o = np.c_[origins.x, origins.y]
        d = np.c_[destinations.x, destinations.y]
        return np.hypot(o[:, None, 0] - d[None, :, 0], o[:, None, 1] - d[None, :, 1]) / 500.0


def test_car_minutes_come_from_the_engine() -> None:
    plot = square(X0 - 10, Y0 - 10, 20)  # representative point at (X0, Y0)
    stations = Layer(gdf([Point(X0 + 1000, Y0), Point(X0, Y0 + 3000)], name=["a", "b"]), "st")
    layers = ScreeningLayers(
        stations=stations, centre=Point(X0 + 5000, Y0), car=StraightLineCar(), car_version="t@1"
    )
    out = derive_attributes(gdf([plot]), layers)
    assert out["car_min_centre"].iloc[0] == pytest.approx(10.0, abs=0.05)
    assert out["car_min_station"].iloc[0] == pytest.approx(2.0, abs=0.05)
    assert json.loads(out["layer_versions"].iloc[0])["car_minutes"] == "t@1"


def test_car_minutes_unreachable_are_unknown() -> None:
    engine = CarMinutes(lambda o, d: np.full((len(o), len(d)), np.nan))
    stations = Layer(gdf([Point(X0 + 1000, Y0)], name=["a"]), "st")
    out = derive_attributes(
        gdf([square(X0, Y0, 20)]),
        ScreeningLayers(stations=stations, centre=Point(X0, Y0), car=engine),
    )
    assert pd.isna(out["car_min_centre"].iloc[0]) and pd.isna(out["car_min_station"].iloc[0])
    assert "no station reachable by car" in out["derive_notes"].iloc[0]


def test_derive_does_not_touch_its_input_and_reprojects() -> None:
    plots = gdf([square(X0, Y0, 100)], plot_id=[7]).to_crs(4326)
    before = plots.copy()
    out = derive_attributes(plots, ScreeningLayers())
    pd.testing.assert_frame_equal(plots, before)
    assert out.crs == UTM and out["plot_id"].iloc[0] == 7
    assert out["area_ha"].iloc[0] == pytest.approx(1.0, rel=1e-6)


def test_derive_refuses_missing_crs_and_geometry() -> None:
    with pytest.raises(InputError, match="no CRS"):
        derive_attributes(gpd.GeoDataFrame(geometry=[square(0, 0, 1)]), ScreeningLayers())
    with pytest.raises(InputError, match="without geometry"):
        derive_attributes(gdf([None]), ScreeningLayers())
    with pytest.raises(InputError, match="must be polygons; 1 rows are not"):
        derive_attributes(gdf([square(X0, Y0, 10), Point(X0, Y0)]), ScreeningLayers())


def test_read_flood_zones_and_its_version(tmp_path: Path) -> None:
    path = tmp_path / "hq100.geojson"
    gdf([square(X0, Y0, 100)]).to_file(path)
    layer = read_flood_zones(path)
    assert layer.version.startswith("hq100.geojson@sha256:")
    lines = tmp_path / "lines.geojson"
    gdf([LineString([(X0, Y0), (X0 + 1, Y0)])]).to_file(lines)
    with pytest.raises(Exception, match="no polygons"):
        read_flood_zones(lines)


# -- screening ----------------------------------------------------------------------------


def plots_frame() -> gpd.GeoDataFrame:
    """Three plots: a passes everything, b fails everything, c is unknown everywhere."""
    nan = np.nan
    return gdf(
        [square(X0 + i * 200, Y0, 100) for i in range(3)],
        plot_id=["a", "b", "c"],
        area_ha=[2.0, 0.3, nan],
        slope_mean_pct=[3.0, 14.0, nan],
        slope_max_pct=[6.0, 40.0, nan],
        steep_share=[0.0, 0.6, nan],
        flood_share=[0.0, 0.5, nan],
        reserve_share=[0.0, 0.2, nan],
        dist_station_m=[400.0, 6000.0, nan],
        dist_tram_m=[100.0, 4000.0, nan],
        car_min_centre=[8.0, 40.0, nan],
        car_min_station=[3.0, 30.0, nan],
        owner_type=["city", "private", "unknown"],
        planning_status=["bplan_in_force", "s35", "unknown"],
        contamination=["none", "confirmed", "unknown"],
        status=["identified", "withdrawn", "identified"],
        ags=["16053000", "16074001", pd.NA],
        confidential=[False, True, pd.NA],
        derive_notes=["", "", "terrain: plot outside the DEM or on DEM voids"],
    )


#: Every filter with a threshold that a passes and b fails, and what its reason shows.
FILTER_CASES: dict[str, tuple[Any, str, str]] = {
    "min_area_ha": (1.0, "area 2.0 ha ≥ min 1.0 ha", "area 0.3 ha < min 1.0 ha"),
    "max_area_ha": (0.5, "area 2.0 ha > max 0.5 ha", "area 0.3 ha ≤ max 0.5 ha"),
    "max_mean_slope_pct": (10, "mean slope 3.0 % ≤ max 10.0 %", "mean slope 14.0 % > max 10.0 %"),
    "max_slope_pct": (20, "max slope 6.0 % ≤ max 20.0 %", "max slope 40.0 % > max 20.0 %"),
    "max_steep_share": (0.25, "steep share 0.0 % ≤ max 25.0 %", "steep share 60.0 % > max 25.0 %"),
    "max_flood_share": (
        0.01,
        "share in flood zone 0.0 % ≤ max 1.0 %",
        "share in flood zone 50.0 % > max 1.0 %",
    ),
    "max_reserve_share": (
        0.0,
        "share in nature reserve 0.0 % ≤ max 0.0 %",
        "share in nature reserve 20.0 % > max 0.0 %",
    ),
    "max_dist_station_m": (
        1500,
        "distance to station 400 m ≤ max 1500 m",
        "distance to station 6000 m > max 1500 m",
    ),
    "max_dist_tram_m": (
        500,
        "distance to tram 100 m ≤ max 500 m",
        "distance to tram 4000 m > max 500 m",
    ),
    "max_car_minutes_to_centre": (
        20,
        "car to centre 8.0 min ≤ max 20.0 min",
        "car to centre 40.0 min > max 20.0 min",
    ),
    "max_car_minutes_to_station": (
        10,
        "car to station 3.0 min ≤ max 10.0 min",
        "car to station 30.0 min > max 10.0 min",
    ),
    "owner_types": (
        ["city", "municipal_company"],
        "owner city in [city, municipal_company]",
        "owner private not in [city, municipal_company]",
    ),
    "planning_status": (
        ["bplan_in_force", "s34"],
        "planning status bplan_in_force in [bplan_in_force, s34]",
        "planning status s35 not in [bplan_in_force, s34]",
    ),
    "exclude_contamination": (
        ["confirmed", "suspected"],
        "contamination none not among excluded [confirmed, suspected]",
        "contamination confirmed is excluded [confirmed, suspected]",
    ),
    "statuses": (
        ["identified", "assessed"],
        "status identified in [assessed, identified]",
        "status withdrawn not in [assessed, identified]",
    ),
    "municipalities": (
        ["16053000"],
        "municipality (AGS) 16053000 in [16053000]",
        "municipality (AGS) 16074001 not in [16053000]",
    ),
}


def test_every_filter_is_covered() -> None:
    assert set(FILTER_CASES) == set(Filters.model_fields)


@pytest.mark.parametrize("key", sorted(FILTER_CASES))
def test_each_filter_passes_fails_and_knows_unknown(key: str) -> None:
    threshold, reason_a, reason_b = FILTER_CASES[key]
    profile = Profile(name="t", filters=Filters(**{key: threshold}))
    out = screen(plots_frame(), profile)
    states = out[f"pass_{key}"].tolist()
    reasons = out[f"reason_{key}"].tolist()
    if key == "max_area_ha":  # the one filter where the big plot fails
        assert states[:2] == ["fail", "pass"]
        assert reasons[:2] == [reason_a, reason_b]
    else:
        assert states[:2] == ["pass", "fail"]
        assert reasons[:2] == [reason_a, reason_b]
    if key == "statuses":  # c has a known status
        assert states[2] == "pass"
    else:
        assert states[2] == "unknown"
        assert "unknown" in reasons[2]
        assert out["passed"].iloc[2] is np.False_ or out["passed"].iloc[2] == False  # noqa: E712
        assert out["result"].iloc[2] == "unknown"


def test_unknown_reason_says_why_and_names_threshold() -> None:
    out = screen(plots_frame(), Profile(name="t", filters=Filters(max_mean_slope_pct=10)))
    assert out["reason_max_mean_slope_pct"].iloc[2] == (
        "mean slope unknown: plot outside the DEM or on DEM voids (max 10.0 %)"
    )


def test_unknown_category_passes_when_the_profile_lists_it() -> None:
    profile = Profile(name="t", filters=Filters(owner_types=["city", "unknown"]))
    assert screen(plots_frame(), profile)["pass_owner_types"].tolist() == ["pass", "fail", "pass"]
    excl = Profile(name="t", filters=Filters(exclude_contamination=["unknown"]))
    states = screen(plots_frame(), excl)["pass_exclude_contamination"].tolist()
    assert states == ["pass", "pass", "fail"]


def test_on_unknown_policy() -> None:
    filters = Filters(max_mean_slope_pct=10)
    strict = screen(plots_frame(), Profile(name="t", filters=filters))
    lenient = screen(plots_frame(), Profile(name="t", filters=filters, on_unknown="pass"))
    assert strict["passed"].tolist() == [True, False, False]
    assert lenient["passed"].tolist() == [True, False, True]
    assert lenient["result"].tolist() == ["pass", "fail", "unknown"]


def test_overall_result_reasons_and_failed_keys() -> None:
    profile = Profile(
        name="t", filters=Filters(min_area_ha=1, max_mean_slope_pct=10, owner_types=["city"])
    )
    out = screen(plots_frame(), profile)
    assert out["result"].tolist() == ["pass", "fail", "unknown"]
    assert out["reasons"].iloc[0] == "all criteria met"
    assert out["failed"].iloc[1] == "min_area_ha,max_mean_slope_pct,owner_types"
    assert out["reasons"].iloc[1] == (
        "area 0.3 ha < min 1.0 ha; mean slope 14.0 % > max 10.0 %; owner private not in [city]"
    )
    assert out["rank"].iloc[0] == 1 and out["rank"].iloc[1:].isna().all()


def test_score_order_follows_weights() -> None:
    frame = gdf(
        [square(X0 + i * 200, Y0, 100) for i in range(4)],
        area_ha=[1.0, 1.0, 1.0, 1.0],
        slope_mean_pct=[2.0, 8.0, 14.0, np.nan],
        dist_station_m=[4000.0, 1000.0, 0.0, 0.0],
    )
    slope_first = Profile(
        name="t",
        weights={"slope_mean_pct": 3, "dist_station_m": {"weight": 1, "best": 0, "worst": 4000}},
    )
    out = screen(frame, slope_first)
    # scores: 100*(3*(13/15)+0)/4, 100*(3*(7/15)+0.75)/4, 100*(3*(1/15)+1)/4, 100*(0+1)/4
    assert out["score"].tolist() == pytest.approx([65.0, 53.8, 30.0, 25.0], abs=0.05)
    assert out["rank"].tolist() == [1, 2, 3, 4]
    station_first = Profile(
        name="t",
        weights={"slope_mean_pct": 1, "dist_station_m": {"weight": 3, "best": 0, "worst": 4000}},
    )
    out2 = screen(frame, station_first)
    # 100*(13/15)/4, 100*(7/15+2.25)/4, 100*(1/15+3)/4, 100*3/4
    assert out2["score"].tolist() == pytest.approx([21.7, 67.9, 76.7, 75.0], abs=0.05)
    assert out2.sort_values("rank").index.tolist() == [2, 3, 1, 0]


def test_score_with_categories_and_ties() -> None:
    frame = plots_frame()
    profile = Profile(
        name="t",
        weights={"owner_type": {"weight": 1, "values": {"city": 1.0, "private": 0.5}}},
    )
    out = screen(frame, profile)
    assert out["score"].tolist() == [100.0, 50.0, 0.0]
    none = screen(frame, Profile(name="t"))
    assert none["score"].tolist() == [0.0, 0.0, 0.0]
    assert none["rank"].tolist() == [1, 1, 1]  # no filters: all pass and tie


def test_ranked_puts_passed_plots_first() -> None:
    profile = Profile(name="t", filters=Filters(min_area_ha=1), weights={"slope_mean_pct": 1})
    out = ranked(screen(plots_frame(), profile))
    assert out["plot_id"].tolist()[0] == "a"


def test_screen_needs_the_derived_columns() -> None:
    with pytest.raises(InputError, match="needs column 'flood_share'"):
        screen(gdf([square(X0, Y0, 1)]), Profile(name="t", filters=Filters(max_flood_share=0)))


def test_confidential_plots_only_for_the_land_pool_role() -> None:
    frame = plots_frame()
    assert visible_plots(frame, "landpool")["plot_id"].tolist() == ["a", "b", "c"]
    assert visible_plots(frame, Viewer("admin"))["plot_id"].tolist() == ["a", "b", "c"]
    assert visible_plots(frame, "planner")["plot_id"].tolist() == ["a"]
    out = screen_for_role(frame, Profile(name="t"), "public")
    assert out["plot_id"].tolist() == ["a"]
    with pytest.raises(InputError, match="confidential"):
        visible_plots(frame.drop(columns="confidential"), "public")


# -- profiles -----------------------------------------------------------------------------


def test_bad_filter_key_is_named() -> None:
    with pytest.raises(ProfileError, match=r"filters\.max_slop_pct: unknown key"):
        parse_profile({"name": "x", "filters": {"max_slop_pct": 5}})


def test_bad_top_level_key_and_type_are_named() -> None:
    with pytest.raises(ProfileError, match=r"wieghts: unknown key"):
        parse_profile({"name": "x", "wieghts": {}})
    with pytest.raises(ProfileError, match=r"filters\.min_area_ha: .*number"):
        parse_profile({"name": "x", "filters": {"min_area_ha": "big"}})
    with pytest.raises(ProfileError, match=r"filters\.max_flood_share: .*less than or equal to 1"):
        parse_profile({"name": "x", "filters": {"max_flood_share": 50}})
    with pytest.raises(ProfileError, match=r"filters\.owner_types\.0: .*'city'"):
        parse_profile({"name": "x", "filters": {"owner_types": ["stadt"]}})
    with pytest.raises(ProfileError, match=r"filters\.municipalities: .*8-digit AGS"):
        parse_profile({"name": "x", "filters": {"municipalities": ["Jena"]}})
    with pytest.raises(ProfileError, match="name: Field required"):
        parse_profile({"filters": {}})
    with pytest.raises(ProfileError, match="must be a mapping"):
        parse_profile(["housing"])


def test_bad_weights_are_named() -> None:
    with pytest.raises(ProfileError, match=r"weights\.slope: Input should be 'area_ha'"):
        parse_profile({"name": "x", "weights": {"slope": 1}})
    with pytest.raises(ProfileError, match=r"weights\.water_proximity_m: has no default range"):
        parse_profile({"name": "x", "weights": {"water_proximity_m": 1}})
    with pytest.raises(ProfileError, match=r"weights\.owner_type: give"):
        parse_profile({"name": "x", "weights": {"owner_type": 2}})
    with pytest.raises(ProfileError, match=r"weights\.owner_type\.values: unknown categories"):
        parse_profile({"name": "x", "weights": {"owner_type": {"weight": 1, "values": {"x": 1}}}})
    with pytest.raises(ProfileError, match=r"weights\.area_ha: best and worst must differ"):
        parse_profile({"name": "x", "weights": {"area_ha": {"weight": 1, "best": 2, "worst": 2}}})
    with pytest.raises(ProfileError, match=r"min_area_ha is larger than max_area_ha"):
        parse_profile({"name": "x", "filters": {"min_area_ha": 5, "max_area_ha": 1}})


def test_read_profile_from_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "p.yaml"
    y.write_text("name: p\nfilters:\n  min_area_ha: 1\nweights:\n  area_ha: 2\n")
    assert read_profile(y).filters.min_area_ha == 1
    j = tmp_path / "p.json"
    j.write_text(json.dumps({"name": "p", "filters": {"max_flood_share": 0}}))
    assert read_profile(j).filters.max_flood_share == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: p\nfilters: {min_area_ha: 1\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        read_profile(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("name: p\nfilters:\n  max_car_minutes: 10\n")
    with pytest.raises(ProfileError, match=r"typo\.yaml: filters\.max_car_minutes: unknown key"):
        read_profile(typo)
    with pytest.raises(ProfileError, match="not found"):
        read_profile(tmp_path / "missing.yaml")


def test_shipped_profiles_load_and_screen() -> None:
    assert shipped_profile_names() == ["commerce", "housing", "quick_wins"]
    for name in shipped_profile_names():
        profile = shipped_profile(name)
        assert profile.name == name and profile.description
        out = screen(plots_frame(), profile)
        assert out["passed"].iloc[1] == False  # noqa: E712  (b fails every profile)
    assert load_profile("housing").filters.min_area_ha == 0.5
    with pytest.raises(NotFoundError, match="choose one of"):
        shipped_profile("villas")


def test_subdivide_keeps_area_and_bounds_vertices() -> None:
    ring = Point(X0, Y0).buffer(500, quad_segs=300)  # 1,200 vertices
    donut = ring.difference(Point(X0, Y0).buffer(200, quad_segs=100))
    pieces, src = subdivide(np.array([ring, donut], dtype=object), max_vertices=64)
    assert (shapely.get_num_coordinates(pieces) <= 64).all()
    for k, geom in enumerate([ring, donut]):
        own = pieces[src == k]
        assert shapely.area(own).sum() == pytest.approx(geom.area, rel=1e-9)
        assert shapely.union_all(own).area == pytest.approx(geom.area, rel=1e-9)  # disjoint


def test_a_plot_across_a_boundary_goes_to_the_larger_part() -> None:
    mun = Layer(
        gdf(
            [
                box(X0 - 1000, Y0 - 1000, X0 + 30, Y0 + 1000),
                box(X0 + 30, Y0 - 1000, X0 + 1000, Y0 + 1000),
            ],
            ags=["16053000", "16074001"],
            name=["Jena", "Nachbar"],
        ),
        version="region@1",
    )
    out = derive_attributes(gdf([square(X0, Y0, 100)]), ScreeningLayers(municipalities=mun))
    assert out["ags"].iloc[0] == "16074001" and out["municipality"].iloc[0] == "Nachbar"


JX, JY = 681_000.0, 5_645_000.0  # in the city of Jena


def test_load_layers_reads_the_pack_and_configured_dem_and_flood(
    settings: Settings, tmp_path: Path
) -> None:
    dem_path = tmp_path / "flat.tif"
    with rasterio.open(
        dem_path,
        "w",
        driver="GTiff",
        width=200,
        height=200,
        count=1,
        dtype="float32",
        crs=UTM,
        transform=Affine(10, 0, JX - 1000, 0, -10, JY + 1000),
    ) as ds:
        ds.write(np.full((200, 200), 155.0, dtype="float32"), 1)
    flood_path = tmp_path / "hq100.geojson"
    gdf([box(JX, JY, JX + 50, JY + 100)]).to_file(flood_path)
    configured = settings.model_copy(update={"dem_file": dem_path, "flood_zones_file": flood_path})
    plot = gdf([square(JX, JY, 100)], plot_id=["P"])
    layers = load_layers(configured, bounds=tuple(plot.total_bounds))
    out = derive_attributes(plot, layers).iloc[0]
    assert out["slope_mean_pct"] == 0.0 and out["elev_mean_m"] == pytest.approx(155.0)
    assert out["flood_share"] == pytest.approx(0.5)
    assert out["ags"] == "16053000" and out["municipality"] == "Jena"
    assert out["nearest_station"] and out["dist_station_m"] > 0
    versions = json.loads(out["layer_versions"])
    assert versions["terrain"].startswith("flat.tif@")
    assert versions["flood_share"].startswith("hq100.geojson@sha256:")
    assert versions["dist_tram_m"].startswith("jena_tram_osm2014.geojson@sha256:")
    default = load_layers(settings, bounds=tuple(plot.total_bounds))
    assert default.dem is not None and default.dem.version.startswith("N50E011.hgt@")
    assert default.flood is None
