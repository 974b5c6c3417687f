"""Travel-time matrices for any origin and destination sets, by car or rail, on Dask.

Points come from :func:`point_set` (municipality centres or a vector file); car matrices
route on the loaded road network and leave out (and count) points it does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.batch.jobs import BatchSummary, Task, run_to
from geo.batch.rail import MATRIX_MAX_CHUNK, rail_matrix_task, rail_state
from geo.errors import InputError
from geo.region import model as region_model
from geo.region.build import load_region
from geo.roads.engine import car_matrix_task, covered
from geo.roads.io import cached_engine
from geo.settings import WORK_CRS
from geo.transit.io import get_timetable
from geo.transit.query import parse_rail_query


@dataclass
class CarState:
    """The road engine and the destinations (id, x, y in EPSG:25832); scattered once."""

    engine: Any
    destinations: pd.DataFrame


def car_matrix_batch_task(state: CarState, origins: pd.DataFrame, _: dict[str, Any]) -> Any:
    """One partition of a car matrix (:func:`geo.roads.engine.car_matrix_task`) as GeoParquet
    rows."""
    rows = car_matrix_task(state.engine, origins, {"destinations": state.destinations})
    xy = origins.set_index("id").loc[rows["origin"], ["x", "y"]].to_numpy()
    return gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WORK_CRS)


def point_set(spec: str, region: Any, id_column: str | None = None) -> tuple[pd.DataFrame, str]:
    """Origins or destinations as ``id``, ``x``, ``y`` (EPSG:25832) from a spec.

    ``municipalities`` gives the area's municipality centres (id: AGS); anything else is
    a vector file (points, or polygons by their representative point) with ids from
    ``id_column`` (default: ``id`` when present, else the row number).
    """
    if spec == "municipalities":
        pts = region_model.centres(region)
        return pd.DataFrame(
            {"id": pts["ags"].astype(str), "x": pts.geometry.x, "y": pts.geometry.y}
        ).reset_index(drop=True), "municipalities"
    gdf = sources.read_vector(Path(spec), f"point file {spec}")
    col = id_column or ("id" if "id" in gdf.columns else None)
    if col is not None and col not in gdf.columns:
        raise InputError(f"{spec} has no column {col!r}; name the id column with --id-column.")
    ids = gdf[col].astype(str) if col else pd.Series(range(len(gdf))).astype(str)
    if ids.duplicated().any():
        raise InputError(f"ids in {spec} are not unique; name a unique column with --id-column.")
    pts = gdf.geometry.representative_point()
    return pd.DataFrame({"id": ids.to_numpy(), "x": pts.x.to_numpy(), "y": pts.y.to_numpy()}), spec


def run_matrix(
    settings: Any,
    *,
    origins: str,
    destinations: str,
    mode: str,
    out: str,
    area: str = "thuringia",
    id_column: str | None = None,
    date: str | None = None,
    window: tuple[str, str] | None = None,
    max_minutes: float = 240,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> BatchSummary:
    """A travel-time matrix for any origin and destination sets, partitioned by origin.

    ``mode="car"`` routes on the loaded road network; points it does not cover are left
    out and counted in the summary (``outside``), never given a made-up time.
    ``mode="rail"`` works between municipalities (``municipalities`` on both sides).
    """
    region, _ = load_region(settings, area)
    if mode == "car":
        engine, choice = cached_engine(settings)
        o, o_name = point_set(origins, region, id_column)
        d, d_name = point_set(destinations, region, id_column)
        o_in = covered(engine, o[["x", "y"]].to_numpy())
        d_in = covered(engine, d[["x", "y"]].to_numpy())
        outside = int((~o_in).sum() + (~d_in).sum())
        if not d_in.any():
            raise InputError(
                f"no destination lies inside the loaded road network {choice.name}; fetch a "
                "larger one with 'stadtregion network fetch --region NAME'."
            )
        o = o[o_in].reset_index(drop=True)
        state: Any = CarState(engine, d[d_in].reset_index(drop=True))
        task: Task = car_matrix_batch_task
        network = choice.name
    elif mode == "rail":
        if origins != "municipalities" or destinations != "municipalities":
            raise InputError(
                "rail matrices run between municipalities: use --origins municipalities "
                "--destinations municipalities."
            )
        query = parse_rail_query(
            settings,
            date=date,
            window=window or settings.rail_day_window,
            max_minutes=max_minutes,
            require_origin=False,
        )
        date, window = query.date.isoformat(), query.window
        state = rail_state(
            get_timetable(settings),
            region,
            date=date,
            window=window,
            max_minutes=max_minutes,
            reach_minutes=(int(max_minutes),),
        )
        o = pd.DataFrame({"m": np.arange(len(region))})
        task, o_name, d_name, outside, network = (
            rail_matrix_task,
            "municipalities",
            "municipalities",
            0,
            ";".join(state.timetable.feeds),
        )
    else:
        raise InputError(f"mode must be car or rail, got {mode!r}.")
    manifest = {
        "kind": f"{mode}-matrix",
        "area": area,
        "origins": o_name,
        "destinations": d_name,
        "network": network,
        "n_origins": len(o),
        "date": date if mode == "rail" else None,
        "window": "-".join(window) if (mode == "rail" and window) else None,
    }
    summary = run_to(
        out,
        task=task,
        state=state,
        origins=o,
        manifest=manifest,
        chunk_size=chunk_size,
        most=MATRIX_MAX_CHUNK,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    summary.outside = outside
    return summary
