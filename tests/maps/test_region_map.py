"""The region map builder: shared borders kept, colours, legend, attribution."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.settings import Settings
from maps.base import render_html, simplify_for_display
from maps.region import TREND_COLOURS, UNKNOWN_COLOUR, build_region_map, trend_colours


def test_simplified_borders_stay_shared(region_model: gpd.GeoDataFrame) -> None:
    sample = region_model[region_model["district_ags"].isin(["16053", "16074"])]
    simple = simplify_for_display(sample, tolerance_m=100.0)
    assert simple.geometry.is_valid.all()
    # fewer vertices, yet no overlaps and no gaps: union area equals summed area
    before = sample.geometry.count_coordinates().sum()
    after = simple.geometry.count_coordinates().sum()
    assert after < before * 0.75
    assert abs(simple.union_all().area - simple.area.sum()) < 1.0  # m², no overlaps
    holes_before = sample.union_all().buffer(0)
    holes_after = simple.union_all().buffer(0)
    assert len(getattr(holes_after, "interiors", [])) == len(getattr(holes_before, "interiors", []))


def test_trend_colours() -> None:
    rates = pd.Series([-2.0, -0.5, 0.0, 0.5, 3.0, None])
    assert list(trend_colours(rates)) == [*TREND_COLOURS, UNKNOWN_COLOUR]


def test_map_without_tiles_has_vector_layers(
    region_model: gpd.GeoDataFrame, settings: Settings
) -> None:
    s = settings.model_copy(update={"tiles_url": "http://127.0.0.1:9/{z}/{x}/{y}.png"})
    m = build_region_map(region_model, s, attribution=["A1"], tiles="none")
    page = render_html(m, s)
    assert "127.0.0.1:9" not in page
    assert "sr-legend" in page and "L.control.scale" in page
    with_tiles = render_html(build_region_map(region_model, s, attribution=["A1"]), s)
    assert "127.0.0.1:9" in with_tiles
