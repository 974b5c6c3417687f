"""Build ``data/processed/`` from the shared data packs, idempotently.

Two areas can be built:

* ``thuringia`` (default, ``region.gpkg``): the 849 municipalities of the Jena region pack,
  with the ISEK neighbour-town facts;
* ``germany`` (``germany.gpkg``): all German municipalities of the Germany pack (land
  parts, ``gf`` = 4; the water parts share a municipality's code and are left out).

``build()`` hashes its inputs (and :data:`BUILD_VERSION`, bumped when the model changes)
and rebuilds an area only when that digest differs from the one stored beside it in
``<name>.build.json``. Both files are written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import sources
from geo.errors import InputError
from geo.region import model as region_model
from geo.region import published, published_io
from geo.settings import Settings

#: Bump when the region model's columns or rules change, to force a rebuild.
BUILD_VERSION = "region-5"


@dataclass(frozen=True)
class Area:
    """Inputs and output of one buildable area."""

    name: str
    output: str
    vg250: str
    population: str
    with_isek: bool


AREAS: dict[str, Area] = {
    "thuringia": Area(
        "thuringia", "region.gpkg", sources.VG250_FILE, sources.POPULATION_FILE, True
    ),
    "germany": Area(
        "germany",
        "germany.gpkg",
        sources.VG250_GERMANY_FILE,
        sources.POPULATION_GERMANY_FILE,
        False,
    ),
}


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` did."""

    path: Path
    rebuilt: bool
    municipalities: int
    report_rows: int
    seconds: float


def get_area(name: str) -> Area:
    """Return the area called ``name``; an unknown name is an :class:`InputError`."""
    area = AREAS.get(name)
    if area is None:
        raise InputError(f"unknown area {name!r}; areas: {', '.join(AREAS)}.")
    return area


def _folder(settings: Settings, area: Area) -> Path:
    return settings.data_dir if area.name == "thuringia" else settings.germany_dir


def _inputs(settings: Settings, area: Area) -> list[Path]:
    folder = _folder(settings, area)
    paths = [
        sources.require_file(folder / area.vg250, f"VG250 layer file of {area.name}"),
        sources.require_file(folder / area.population, f"Destatis population of {area.name}"),
    ]
    if area.with_isek:
        paths.append(
            sources.require_file(settings.raw_dir / sources.ISEK_FILE, "ISEK neighbour towns")
        )
    inkar = published_io.inkar_input(settings)
    if inkar is not None:
        paths.append(inkar)
    return paths


def build(settings: Settings, force: bool = False, area: str = "thuringia") -> BuildResult:
    """Build an area's GeoPackage (layers ``municipalities``, ``districts``, ``join_report``).

    Parameters
    ----------
    settings
        Where the inputs are and where the output goes.
    force
        Rebuild even when the inputs have not changed.
    area
        ``thuringia`` (default) or ``germany``.
    """
    t0 = time.perf_counter()
    spec = get_area(area)
    out = settings.processed_dir / spec.output
    stamp_path = out.with_suffix(".build.json")
    digest = sources.file_digest(_inputs(settings, spec)) + ":" + BUILD_VERSION
    stamp = sources.read_json(stamp_path)
    if not force and out.is_file() and stamp and stamp.get("digest") == digest:
        return BuildResult(
            out,
            False,
            int(stamp["municipalities"]),
            int(stamp["report_rows"]),
            time.perf_counter() - t0,
        )
    folder = _folder(settings, spec)
    municipalities = sources.read_vg250_file(folder / spec.vg250, "gemeinden")
    districts = sources.read_vg250_file(folder / spec.vg250, "kreise")
    population = sources.read_population_file(folder / spec.population)
    water = sources.read_vg250_water(folder / spec.vg250, "gemeinden")
    isek = sources.read_isek_umland(settings.raw_dir) if spec.with_isek else None
    model, report = region_model.build_region(
        municipalities, districts, population, isek, water=water
    )
    inkar_file = published_io.inkar_input(settings)
    inkar = published_io.read_inkar(inkar_file) if inkar_file is not None else None
    model, inkar_report = published.join_inkar(model, inkar)
    sources.write_layers_atomic(
        out,
        {
            "municipalities": model,
            "districts": districts[["ags", "rs", "gen", "bez", "geometry"]],
            "join_report": report,
            "inkar_report": inkar_report,
        },
    )
    sources.write_json_atomic(
        stamp_path,
        {
            "digest": digest,
            "area": spec.name,
            "municipalities": len(model),
            "report_rows": len(report),
            "inputs": [str(p) for p in _inputs(settings, spec)],
        },
    )
    _load_cached.cache_clear()
    return BuildResult(out, True, len(model), len(report), time.perf_counter() - t0)


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    model = sources.read_layer(path, "municipalities")
    report = pd.DataFrame(
        sources.read_layer(path, "join_report").drop(columns="geometry", errors="ignore")
    )
    ints = [c for c in model.columns if c.startswith("population")]
    for col in [*ints, "first_year", "last_year"]:
        model[col] = model[col].astype("Int64")
    if "territory_changed" in model.columns:
        model["territory_changed"] = model["territory_changed"].astype(bool)
    for col in ("predecessors", "successor", "trend_basis", "trend_note"):
        if col in model.columns:
            model[col] = model[col].fillna("").astype(str)
    return model, report


def load_region(
    settings: Settings, area: str = "thuringia"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return an area's region model and its join report, building them first if needed.

    The result is cached per input folders; treat it as read-only (the functions of
    :mod:`geo.region.model` never modify their input).
    """
    return _load_cached(
        settings.data_dir, settings.germany_dir, settings.raw_dir, settings.processed_dir, area
    )


@lru_cache(maxsize=4)
def _load_cached(
    data_dir: Path, germany_dir: Path, raw_dir: Path, processed_dir: Path, area: str
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    settings = Settings(
        data_dir=data_dir, germany_dir=germany_dir, raw_dir=raw_dir, processed_dir=processed_dir
    )
    result = build(settings, area=area)
    return _load(result.path, result.path.stat().st_mtime)
