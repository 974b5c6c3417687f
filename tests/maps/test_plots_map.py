"""The plots map builder and the registry's viewer and options."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest

import maps.plots  # noqa: F401  (imports rasterio before the store loads SpatiaLite)
from geo.errors import InputError, NotFoundError, PermissionDeniedError
from geo.landpool.io import seed_demo
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import Settings
from maps.plots import SCORE_CLASSES, UNKNOWN_COLOUR, score_colours, slope_colours
from maps.registry import render_map

LANDPOOL = Viewer("landpool", "tester")


def shows(page: str, text: str) -> bool:
    """Whether ``text`` is in the page, as HTML or as a JSON-escaped string in a script."""
    return text in page or json.dumps(text)[1:-1] in page


def test_class_colours() -> None:
    import pandas as pd

    scores = pd.Series([0.0, 20.0, 20.1, 99.0, 100.0, None])
    assert score_colours(scores) == [
        SCORE_CLASSES[0][1],
        SCORE_CLASSES[0][1],
        SCORE_CLASSES[1][1],
        SCORE_CLASSES[4][1],
        SCORE_CLASSES[4][1],
        UNKNOWN_COLOUR,
    ]
    assert slope_colours(pd.Series([None]))[0] == UNKNOWN_COLOUR


def test_plots_map_needs_the_landpool_role(settings: Settings, tmp_path: Path) -> None:
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    with Store.open(s) as store:
        seed_demo(store, LANDPOOL, s.data_dir)
        for role in ("public", "planner"):
            with pytest.raises(PermissionDeniedError):
                render_map("plots", s, viewer=Viewer(role), store=lambda: store)
        page = render_map("plots", s, viewer=LANDPOOL, options={"by": "score"}, store=lambda: store)
        assert "Score (Profil housing)" in page and "Kein HQ100-Layer geladen" in page
        assert "OSM-W" in page  # demo plot ids
        with pytest.raises(InputError):
            render_map("plots", s, viewer=LANDPOOL, options={"profile": "../x.yaml"})
        with pytest.raises(InputError):
            render_map("region", s, options={"by": "score"})
    with pytest.raises(NotFoundError):
        render_map("nope", s)


def test_plots_map_draws_flood_zones_when_configured(
    settings: Settings, tmp_path: Path, region_model: gpd.GeoDataFrame
) -> None:
    jena = region_model[region_model["name"] == "Jena"]
    flood = gpd.GeoDataFrame(geometry=[jena.geometry.iloc[0].centroid.buffer(500)], crs=jena.crs)
    flood_file = tmp_path / "hq100.geojson"
    flood.to_crs(4326).to_file(flood_file)
    s = settings.model_copy(
        update={"landpool_gpkg": tmp_path / "lp.gpkg", "flood_zones_file": flood_file}
    )
    with Store.open(s) as store:
        seed_demo(store, LANDPOOL, s.data_dir)
        page = render_map("plots", s, viewer=LANDPOOL, store=lambda: store)
    assert shows(page, "Überschwemmungsgebiete (HQ100)") and "Kein HQ100-Layer" not in page
    assert "hq100.geojson" in page
