"""Fixtures shared by the test-suite: settings on the real shared data, built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.region.build import build, load_region
from geo.settings import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings on the real shared data pack, with a private processed folder."""
    processed = tmp_path_factory.mktemp("processed")
    s = Settings(
        processed_dir=processed,
        landpool_gpkg=processed / "landpool.gpkg",
    )
    if not s.data_dir.is_dir():
        pytest.fail(f"shared data pack missing at {s.data_dir}; clone with ../shared beside it")
    build(s)
    return s


@pytest.fixture(scope="session")
def region_model(settings: Settings) -> gpd.GeoDataFrame:
    """The region model built from the shared data."""
    model, _ = load_region(settings)
    return model


@pytest.fixture(scope="session")
def join_report(settings: Settings) -> pd.DataFrame:
    """The join report of the region model."""
    _, report = load_region(settings)
    return report


@pytest.fixture()
def output_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder under test-output/ for artefacts a person may want to look at."""
    root = Path(__file__).resolve().parent.parent / "test-output" / request.node.name
    root.mkdir(parents=True, exist_ok=True)
    yield root
