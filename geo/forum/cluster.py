"""Server-side grid clustering of contribution points for the maps (no client library)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geo.settings import WORK_CRS

#: Up to this many points are drawn one by one.
CLUSTER_ABOVE = 150
#: Side of a grid cell (m) when clustering.
CELL_M = 2000.0


def grid_clusters(
    points: gpd.GeoDataFrame, *, above: int = CLUSTER_ABOVE, cell_m: float = CELL_M
) -> gpd.GeoDataFrame:
    """Points grouped into ``cell_m`` grid cells when there are more than ``above``.

    Returns a new frame (CRS of ``points``) with ``count`` and ``ids`` (the ids of the
    cell's points) and the mean position of each cell; with ``above`` or fewer points,
    one row per point (``count`` 1). ``points`` is not changed.
    """
    if len(points) <= above:
        out = points[["id", "geometry"]].copy()
        out["count"] = 1
        out["ids"] = [[i] for i in points["id"]]
        return out
    work = points.to_crs(WORK_CRS)
    x = work.geometry.x.to_numpy()
    y = work.geometry.y.to_numpy()
    keys = list(
        zip(np.floor(x / cell_m).astype(int), np.floor(y / cell_m).astype(int), strict=True)
    )
    frame = work.assign(_cell=keys, _x=x, _y=y)
    groups = frame.groupby("_cell", sort=True)
    out = gpd.GeoDataFrame(
        {
            "id": [f"cell-{k[0]}-{k[1]}" for k, _ in groups],
            "count": [len(g) for _, g in groups],
            "ids": [list(g["id"]) for _, g in groups],
        },
        geometry=gpd.points_from_xy(groups["_x"].mean().to_numpy(), groups["_y"].mean().to_numpy()),
        crs=WORK_CRS,
    )
    return out.to_crs(points.crs)
