"""Dependencies shared by the routers: settings and the loaded region model."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from fastapi import Request

from geo.build import load_region
from geo.settings import Settings


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_region(request: Request) -> gpd.GeoDataFrame:
    """The region model (built on first use, then cached)."""
    model, _ = load_region(get_app_settings(request))
    return model


def get_join_report(request: Request) -> pd.DataFrame:
    """The join report of the region model."""
    _, report = load_region(get_app_settings(request))
    return report
