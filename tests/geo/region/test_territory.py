"""Territorial changes on the real packs and on synthetic merges with known answers."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from shapely.geometry import box

from geo.region import model as region
from geo.region import population, territory
from geo.region.build import load_region
from geo.settings import Settings

YEARS = (2013, 2014, 2018)


def _row(model: gpd.GeoDataFrame, name: str) -> pd.Series:
    return region.find_municipality(model, name)


def _pop_csv(settings: Settings, germany: bool = False) -> pd.DataFrame:
    folder = settings.germany_dir if germany else settings.data_dir
    file = (
        "population_destatis_deutschland.csv" if germany else "population_destatis_thueringen.csv"
    )
    return pd.read_csv(folder / file, dtype={"rs": str})


# -- the Thuringia pack ----------------------------------------------------------------


def test_ilmenau_is_reconstructed_with_its_predecessors(region_model: gpd.GeoDataFrame) -> None:
    ilm = _row(region_model, "Ilmenau")
    assert bool(ilm["territory_changed"])
    preds = set(ilm["predecessors"].split(","))
    # Langewiesen, Wolfsberg, Gehren and Pennewitz joined Ilmenau on 6 July 2018
    assert preds == {"16070032", "16070055", "16070018", "16070042"}
    for p in preds:
        row = region_model[region_model["ags"] == p].iloc[0]
        assert row["successor"] == "16070029"
        assert pd.isna(row["population"])  # its residents are in Ilmenau's 2018 figure
        assert row["name"] in ilm["trend_basis"]
    first = sum(
        int(region_model.loc[region_model["ags"] == a, "population_2013"].iloc[0])
        for a in [*preds, "16070029"]
    )
    assert ilm["change_pct"] == pytest.approx((36716 / first - 1) * 100, abs=0.01)
    assert abs(ilm["change_pct"]) < 2  # not the +41.5 % of the raw series
    assert ilm["trend_class"] == "stable"
    assert "2013–2018" in ilm["trend_basis"] and "Gebiet von 2018" in ilm["trend_basis"]


def test_bad_salzungen_is_reconstructed(region_model: gpd.GeoDataFrame) -> None:
    bs = _row(region_model, "Bad Salzungen")
    names = {
        region_model.loc[region_model["ags"] == a, "name"].iloc[0]
        for a in bs["predecessors"].split(",")
    }
    assert names == {"Tiefenort", "Ettenhausen a.d. Suhl", "Frauensee"}
    assert bs["change_pct"] < 0  # +29.9 % raw; the common territory lost people
    assert bs["trend_class"] == "shrinking"


@pytest.mark.parametrize("name", ["Jena", "Kahla"])
def test_unchanged_towns(region_model: gpd.GeoDataFrame, name: str) -> None:
    row = _row(region_model, name)
    assert not bool(row["territory_changed"])
    assert row["predecessors"] == "" and row["successor"] == ""
    assert row["trend_basis"] == "2013–2018, gleiches Gebiet (VG250 2016)"
    assert row["change_pct"] == pytest.approx(
        (row["population_2018"] / row["population_2013"] - 1) * 100, abs=0.01
    )


def test_no_trend_across_an_unproven_change(
    region_model: gpd.GeoDataFrame, join_report: pd.DataFrame
) -> None:
    proven = set(
        join_report.loc[
            join_report["kind"].eq("territory_change") & join_report["status"].eq("reconstructed"),
            "predecessors",
        ]
    )
    classed = region_model[region_model["trend_class"].isin(["growing", "shrinking"])]
    for _, r in classed[classed["territory_changed"]].iterrows():
        if pd.isna(r["population"]):  # dissolved: its own figures up to the merger
            assert r["last_year"] < 2018 and "eigenes Gebiet" in r["trend_basis"]
        else:
            assert r["predecessors"] and r["predecessors"] in proven, r["name"]
    # independent of the tolerance: a 10 % area difference with a 2018 figure is either
    # rebuilt or unknown
    rel = (region_model["area_km2"] - region_model["vg250_area_km2"]).abs() / region_model[
        "vg250_area_km2"
    ]
    big = region_model[(rel > 0.10) & region_model["population"].notna()]
    assert len(big) >= 10
    for _, r in big.iterrows():
        assert r["trend_class"] == "unknown" or r["predecessors"], r["name"]
    unknown = region_model[
        region_model["territory_changed"] & region_model["trend_basis"].str.startswith("kein")
    ]
    assert (unknown["trend_class"] == "unknown").all()
    assert unknown["trend_note"].str.contains("Gebietsänderung").all()


def test_population_counts_every_resident_once(
    region_model: gpd.GeoDataFrame, settings: Settings
) -> None:
    csv = _pop_csv(settings)
    distinct = int(csv["population_2018"].sum())  # every 2018 code once
    total = population.population_total(region_model)
    assert total["population_year"] == 2018
    assert total["population_reached"] == distinct == 2_143_145
    # Ilmenau and the towns it absorbed: 36,716, not 36,716 + their 2014 figures
    ilm = _row(region_model, "Ilmenau")
    group = region_model[region_model["ags"].isin([ilm["ags"], *ilm["predecessors"].split(",")])]
    counted = population.population_total(group)
    assert counted["population_reached"] == 36716
    assert counted["population_in_successor"] == 4 and counted["population_unknown"] == 0
    # any selection stays within the distinct residents
    rng = np.random.default_rng(3)
    for _ in range(20):
        pick = region_model.iloc[rng.choice(len(region_model), 300, replace=False)]
        assert population.population_total(pick)["population_reached"] <= distinct


def test_reachable_counts_a_merged_town_once(region_model: gpd.GeoDataFrame) -> None:
    import networkx as nx

    from geo import modes
    from geo.roads import engine as travel
    from geo.roads.network import prepare_network

    ilm = _row(region_model, "Ilmenau")
    group = region_model[region_model["ags"].isin([ilm["ags"], *ilm["predecessors"].split(",")])]
    # a road from Ilmenau's centre to each absorbed town's centre (its old 2014 figure
    # must not be added to Ilmenau's 2018 one)
    g = nx.MultiDiGraph(crs="EPSG:25832")
    for k, (_, r) in enumerate(group.iterrows()):
        g.add_node(k, x=float(r["centre_x"]), y=float(r["centre_y"]))
    for k in range(1, len(group)):
        for u, v in ((0, k), (k, 0)):
            g.add_edge(u, v, highway="primary", maxspeed="100", length=10_000.0, oneway=False)
    order = [ilm.name, *[i for i in group.index if i != ilm.name]]
    g = nx.relabel_nodes(g, dict(enumerate(order)))
    prepared, report = prepare_network(g)
    engine = travel.RoutingEngine.from_graph(prepared, "test", "test", 500.0, report.as_dict())
    res = modes.reachable("Ilmenau", max_minutes=60, region=group, network=engine)
    assert len(res.table) == 5
    s = res.summary
    assert s["population_year"] == 2018
    assert s["population_reached"] == 36716
    assert s["population_in_successor"] == 4 and s["population_unknown"] == 0


def test_join_report_lists_every_change_with_evidence(join_report: pd.DataFrame) -> None:
    ch = join_report[join_report["kind"].eq("territory_change")]
    ilm = ch[ch["ags"].eq("16070029")].iloc[0]
    assert ilm["status"] == "reconstructed"
    assert "168.18 km²" in ilm["detail"] and "62.16 km²" in ilm["detail"]
    assert "Langewiesen (16070032)" in ilm["detail"]
    counts = ch["status"].value_counts().to_dict()
    assert counts == {"reconstructed": 13, "unproven": 9}
    assert join_report["kind"].eq("tolerance").sum() == 1


def test_region_map_paints_no_merged_town_as_growing(
    region_model: gpd.GeoDataFrame, settings: Settings
) -> None:
    from maps.region import TREND_COLOURS, UNKNOWN_COLOUR, map_rates, trend_colours

    colours = trend_colours(map_rates(region_model))
    growing = set(TREND_COLOURS[3:])
    changed = region_model["territory_changed"].astype(bool)
    for idx in region_model.index[changed]:
        r = region_model.loc[idx]
        if r["trend_class"] == "unknown" and pd.notna(r["population"]):
            assert colours[idx] == UNKNOWN_COLOUR, r["name"]
    for name in ["Ilmenau", "Stadtilm", "Bad Salzungen", "Gerstungen", "Leinefelde-Worbis"]:
        idx = _row(region_model, name).name
        assert colours[idx] not in growing, name
    # a dissolved municipality wears its successor's colour (the territory of 2018)
    lw = _row(region_model, "Langewiesen").name
    assert colours[lw] == colours[_row(region_model, "Ilmenau").name]


# -- the Germany pack ------------------------------------------------------------------


@pytest.fixture(scope="module")
def germany(settings: Settings) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return load_region(settings, "germany")


@pytest.mark.parametrize("name", ["Helgoland", "Ueckermünde", "Glücksburg (Ostsee)"])
def test_water_parts_are_no_merger(
    germany: tuple[gpd.GeoDataFrame, pd.DataFrame], name: str
) -> None:
    row = _row(germany[0], name)
    assert not bool(row["territory_changed"]), row["trend_note"]
    assert row["trend_class"] != "unknown"


def test_germany_counts_and_codes_dissolved_before_2016(
    germany: tuple[gpd.GeoDataFrame, pd.DataFrame], settings: Settings
) -> None:
    model, report = germany
    thiendorf = _row(model, "Thiendorf")  # made of two codes in 2014
    assert thiendorf["first_year"] == 2013
    assert set(thiendorf["predecessors"].split(",")) == {"14627280", "14627290"}
    assert thiendorf["change_pct"] == pytest.approx((3767 / (1446 + 2233) - 1) * 100, abs=0.01)
    csv = _pop_csv(settings, germany=True)
    # every 2018 code is carried by one 2016 row: the residents add up exactly once
    assert population.population_total(model)["population_reached"] == csv["population_2018"].sum()
    ch = report[report["kind"].eq("territory_change")]
    assert (ch["status"] == "reconstructed").sum() >= 25


# -- synthetic merges ------------------------------------------------------------------


def _grid(widths: list[float], heights: list[float]) -> gpd.GeoDataFrame:
    cells, x0 = [], 600_000.0
    for i, w in enumerate(widths):
        y0 = 5_600_000.0
        for j, h in enumerate(heights):
            cells.append((i, j, box(x0, y0, x0 + w, y0 + h)))
            y0 += h
        x0 += w
    ags = [f"160{i:02d}{j:03d}" for i, j, _ in cells]
    return gpd.GeoDataFrame(
        {
            "ags": ags,
            "rs": [a[:5] + "0000" + a[5:] for a in ags],
            "gen": [f"G{a}" for a in ags],
            "bez": "Gemeinde",
        },
        geometry=[c for *_, c in cells],
        crs="EPSG:25832",
    )


@st.composite
def merges(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[int, set[int]]]:
    nx, ny = draw(st.integers(3, 5)), draw(st.integers(3, 5))
    widths = [draw(st.floats(1500, 6000)) for _ in range(nx)]
    heights = [draw(st.floats(1500, 6000)) for _ in range(ny)]
    cells = _grid(widths, heights)
    n = len(cells)
    pops = [draw(st.integers(100, 20000)) for _ in range(n)]
    # up to two successors, each absorbing a connected set of its neighbours
    free = set(range(n))
    nb = {
        i: {j for j in range(n) if j != i and cells.geometry[i].intersects(cells.geometry[j])}
        for i in range(n)
    }
    plan: dict[int, set[int]] = {}
    for _ in range(draw(st.integers(1, 2))):
        succ = draw(st.sampled_from(sorted(free)))
        members: set[int] = set()
        for _ in range(draw(st.integers(1, 4))):
            options = sorted({j for m in {succ, *members} for j in nb[m]} & free - {succ} - members)
            if not options:
                break
            members.add(draw(st.sampled_from(options)))
        if members:
            plan[succ] = members
            free -= {succ, *members}
        if len(free) < 3:
            break
    area = cells.geometry.area.to_numpy() / 1e6
    rows = []
    for i in range(n):
        absorbed = any(i in m for m in plan.values())
        p13, p14 = pops[i], pops[i] + draw(st.integers(-50, 50))
        a = area[i] + sum(area[j] for j in plan.get(i, ())) + draw(st.floats(-0.01, 0.01))
        p18 = (
            None
            if absorbed
            else p14 + sum(pops[j] for j in plan.get(i, ())) + draw(st.integers(-300, 300))
        )
        rows.append(
            {
                "rs": cells["rs"][i],
                "population_2013": float(p13),
                "population_2014": float(p14),
                "population_2018": p18,
                "area_km2": round(a, 2) if not absorbed else round(area[i], 2),
                "center_lon": np.nan,
                "center_lat": np.nan,
            }
        )
    return cells, pd.DataFrame(rows), plan


@given(merges())
@hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_synthetic_merges_are_detected_and_rebuilt(
    case: tuple[gpd.GeoDataFrame, pd.DataFrame, dict[int, set[int]]],
) -> None:
    cells, pop, plan = case
    joined = cells.merge(pop, on="rs", how="left")
    tol = territory.AreaTolerance(0.035, 0.99, 0, 0.0036)
    before = joined.copy()
    frame, figures, series, report, _ = territory.detect_territory(joined, pop, None, tol)
    pd.testing.assert_frame_equal(joined, before)  # input not mutated
    ags = cells["ags"].to_numpy()
    assert {ags[s] for s in plan} <= set(report["ags"])  # every change is reported
    merged = {i for s, m in plan.items() for i in {s, *m}}
    for i in range(len(cells)):
        if i not in merged:
            assert not frame["territory_changed"].iloc[i]
            assert np.allclose(series[i], figures[i], equal_nan=True)
    for s, members in plan.items():
        assert frame["territory_changed"].iloc[s]
        found = frame["predecessors"].iloc[s]
        if found:  # whenever something is rebuilt, it is the truth
            assert set(found.split(",")) == {ags[m] for m in members}
            for m in members:
                assert frame["successor"].iloc[m] == ags[s]
            first = pop["population_2013"].iloc[[s, *members]].sum()
            assert series[s][0] == pytest.approx(first)
            assert series[s][2] == pop["population_2018"].iloc[s]
        else:
            assert frame["trend_unknown"].iloc[s]
    if len(plan) == 1:  # a single merge is always proven
        (s,) = plan
        assert frame["predecessors"].iloc[s] != ""


def test_synthetic_unproven_change_is_unknown() -> None:
    cells = _grid([3000, 3000, 3000], [3000, 3000])
    pop = pd.DataFrame(
        {
            "rs": cells["rs"],
            "population_2013": [1000.0] * 6,
            "population_2014": [1002.0] * 6,
            "population_2018": [2500.0, 1005, 1005, 1005, 1005, 1005],
            # the first cell grew by 6 km² without any dissolved neighbour
            "area_km2": [15.0, 9.0, 9.0, 9.0, 9.0, 9.0],
            "center_lon": np.nan,
            "center_lat": np.nan,
        }
    )
    model, _ = region.build_region(
        cells,
        gpd.GeoDataFrame(
            {"ags": ["16000"], "gen": ["K"], "bez": ["Kreis"]}, geometry=[box(0, 0, 1, 1)]
        ),
        pop,
    )
    first = model[model["ags"] == cells["ags"][0]].iloc[0]
    assert first["territory_changed"] and first["trend_class"] == "unknown"
    assert "Gebietsänderung" in first["trend_note"] and "15.00 km²" in first["trend_note"]
    others = model[model["ags"] != cells["ags"][0]]
    assert not others["territory_changed"].any()
    assert (others["trend_class"] == "stable").all()


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda df: df.drop(columns="area_km2"), "lacks the column(s) area_km2"),
        (lambda df: pd.concat([df, df.iloc[[0]]]), "repeated Regionalschlüssel"),
        (
            lambda df: df.assign(
                area_km2=df["area_km2"].astype(object).where(df.index != 3, "12,5")
            ),
            "area_km2 holds 1",
        ),
        (
            lambda df: df.assign(
                population_2018=df["population_2018"].astype(object).where(df.index != 5, "x")
            ),
            "population_2018 holds 1",
        ),
    ],
)
def test_bad_population_table_is_refused_and_nothing_written(
    settings: Settings, tmp_path: Path, change: Any, words: str
) -> None:
    from geo.errors import InputError
    from geo.region.build import build

    data = tmp_path / "data"
    data.mkdir()
    (data / "vg250_thueringen_2016.gpkg").symlink_to(
        settings.data_dir / "vg250_thueringen_2016.gpkg"
    )
    change(_pop_csv(settings)).to_csv(data / "population_destatis_thueringen.csv", index=False)
    s = Settings(data_dir=data, raw_dir=settings.raw_dir, processed_dir=tmp_path / "processed")
    with pytest.raises(InputError, match=re.escape(words)):
        build(s)
    assert not (tmp_path / "processed" / "region.gpkg").exists()
    assert (
        not list((tmp_path / "processed").glob("*")) if (tmp_path / "processed").exists() else True
    )


def test_cli_build_with_bad_table_prints_one_line(settings: Settings, tmp_path: Path) -> None:
    import subprocess
    import sys

    data = tmp_path / "data"
    data.mkdir()
    (data / "vg250_thueringen_2016.gpkg").symlink_to(
        settings.data_dir / "vg250_thueringen_2016.gpkg"
    )
    _pop_csv(settings).drop(columns="center_lat").to_csv(
        data / "population_destatis_thueringen.csv", index=False
    )
    env = {
        **os.environ,
        "STADTREGION_DATA_DIR": str(data),
        "STADTREGION_PROCESSED_DIR": str(tmp_path / "processed"),
    }
    exe = Path(sys.executable).parent / "stadtregion"
    r = subprocess.run([str(exe), "build"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert "center_lat" in r.stderr and len(r.stderr.strip().splitlines()) == 1
