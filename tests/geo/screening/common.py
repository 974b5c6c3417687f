"""Helpers of the screening tests: plots as GeoDataFrames in EPSG:25832."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

UTM = "EPSG:25832"
X0, Y0 = 680_000.0, 5_650_000.0


def gdf(geoms: list[Any], **cols: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=UTM)


def square(x: float, y: float, side: float) -> Any:
    return box(x, y, x + side, y + side)


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
        current_use=["brownfield", "industrial (OSM landuse=industrial)", None],
        ags=["16053000", "16074001", pd.NA],
        confidential=[False, True, pd.NA],
        derive_notes=["", "", "terrain: plot outside the DEM or on DEM voids"],
    )
