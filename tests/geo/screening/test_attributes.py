"""Tests of geo.screening.attributes (derived site attributes) and the layers it reads."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from shapely.geometry import LineString, Point, box

from geo.errors import InputError
from geo.screening.attributes import (
    DERIVED_COLUMNS,
    CarMinutes,
    Layer,
    ScreeningLayers,
    derive_attributes,
    share_inside,
    subdivide,
)
from geo.screening.io import (
    load_layers,
    read_flood_zones,
)
from geo.screening.raster import Dem, Grid
from geo.settings import Settings
from tests.geo.screening.common import UTM, X0, Y0, gdf, square

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
