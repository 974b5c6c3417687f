"""INKAR joined to municipalities only where key, name and territory prove it (real packs)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.errors import DataSourceError
from geo.region import published
from geo.region.build import load_region
from geo.region.published import INKAR_COLUMNS, INKAR_REASONS, inkar_name_key, join_inkar
from geo.region.published_io import inkar_path, read_inkar
from geo.settings import Settings


@pytest.fixture(scope="module")
def inkar(settings: Settings) -> pd.DataFrame:
    return read_inkar(inkar_path(settings))


@pytest.fixture(scope="module")
def report(settings: Settings) -> pd.DataFrame:
    from geo import sources

    return pd.DataFrame(
        sources.read_layer(settings.processed_dir / "region.gpkg", "inkar_report").drop(
            columns="geometry", errors="ignore"
        )
    )


def _row(model: gpd.GeoDataFrame, name: str) -> pd.Series:
    return model[model["name"] == name].iloc[0]


def test_einheitsgemeinden_matched_with_the_published_values(
    region_model: gpd.GeoDataFrame, inkar: pd.DataFrame
) -> None:
    by_key = inkar.set_index("gv_key")
    for name, key in (("Jena", "16053000"), ("Apolda", "16071001"), ("Kahla", "16074044")):
        r = _row(region_model, name)
        assert r["inkar_match"] == "matched" and r["inkar_key"] == key == r["ags"]
        for src, col in INKAR_COLUMNS.items():
            assert r[col] == pytest.approx(by_key.at[key, src]), (name, col)
        assert "veröffentlicht" in r["inkar_source"] and "2020" in r["inkar_source"]
        assert "Gemeindeverband" in r["inkar_source"] and "BBSR" in r["inkar_source"]
    assert _row(region_model, "Jena")["inkar_car_min_ic_station"] == pytest.approx(1.71)


def test_association_members_get_no_value_but_a_reason(region_model: gpd.GeoDataFrame) -> None:
    # Stadtroda and Dornburg-Camburg lead associations that bear their names in INKAR;
    # the association's value is not the town's, so nothing is joined.
    for name, assoc in (("Stadtroda", "16074950"), ("Dornburg-Camburg", "16074915")):
        r = _row(region_model, name)
        assert r["inkar_match"] == "association_member"
        assert assoc in r["inkar_note"] and r["inkar_key"] == ""
        assert all(pd.isna(r[c]) for c in INKAR_COLUMNS.values())
        assert r["inkar_source"] == ""


def test_changed_or_uncertain_territories_are_not_joined(region_model: gpd.GeoDataFrame) -> None:
    # Ilmenau keeps its AGS and name in 2020, but absorbed Langewiesen and three more
    # (proven by the territorial-change detection): its territory grew, so it is not joined.
    ilmenau = _row(region_model, "Ilmenau")
    assert ilmenau["inkar_match"] == "territory_changed"
    assert "16070032" in ilmenau["inkar_note"]  # Langewiesen named as a predecessor
    assert pd.isna(ilmenau["inkar_car_min_oberzentrum"])
    # Remda-Teichel went into Rudolstadt in 2019
    assert "Remda-Teichel" in _row(region_model, "Rudolstadt")["inkar_note"]
    # the key exists, the name differs: no join
    tabarz = _row(region_model, "Tabarz/Thür. Wald")
    assert tabarz["inkar_match"] == "name_differs" and "Bad Tabarz" in tabarz["inkar_note"]
    langewiesen = _row(region_model, "Langewiesen")
    assert langewiesen["inkar_match"] == "no_key"


def test_every_municipality_listed_and_no_guess(
    region_model: gpd.GeoDataFrame, inkar: pd.DataFrame, report: pd.DataFrame
) -> None:
    assert len(report) == len(region_model) == report["ags"].nunique()
    assert set(report["reason"]) <= set(INKAR_REASONS)
    assert (report["detail"].str.len() > 10).all()
    matched = region_model[region_model["inkar_match"] == "matched"]
    has_value = region_model["inkar_car_min_oberzentrum"].notna()
    assert set(matched.index) == set(region_model.index[has_value])
    assert set(report.loc[report["status"] == "matched", "ags"]) == set(matched["ags"])
    names = inkar.set_index("gv_key")["name"]
    for _, r in matched.iterrows():
        assert r["ags"] in names.index
        assert inkar_name_key(names[r["ags"]]) == inkar_name_key(r["name"])
        assert published.verbandsfrei_2016(pd.Series([r["rs"]])).iloc[0]
        assert not r["missing_years"]
    # Thuringia: 65 Einheitsgemeinden proven, 784 municipalities left unmatched with a reason
    counts = published.inkar_counts(report)
    assert counts["matched"] == 65 and sum(counts.values()) - counts["matched"] == 784


def test_known_territorial_change_blocks_the_join(
    region_model: gpd.GeoDataFrame, inkar: pd.DataFrame
) -> None:
    inkar_cols = [*INKAR_COLUMNS.values(), *published.INKAR_META_COLUMNS]
    base = region_model.drop(columns=inkar_cols)
    kahla = base.index[base["name"] == "Kahla"][0]
    apolda = base.index[base["name"] == "Apolda"][0]
    changed = base.assign(territory_changed=False, predecessors="", successor="")
    changed.loc[kahla, "territory_changed"] = True
    changed.loc[apolda, "predecessors"] = "16071099"
    out, _ = join_inkar(changed, inkar)
    assert out.loc[kahla, "inkar_match"] == "territory_changed"
    assert out.loc[apolda, "inkar_match"] == "territory_changed"
    assert "16071099" in out.loc[apolda, "inkar_note"]
    assert np.isnan(out.loc[kahla, "inkar_car_min_motorway"])
    assert out.loc[base.index[base["name"] == "Jena"][0], "inkar_match"] == "matched"
    # the input is not modified
    assert "inkar_match" not in changed.columns


def test_without_a_table_every_row_says_so(region_model: gpd.GeoDataFrame) -> None:
    out, rep = join_inkar(region_model.drop(columns=list(INKAR_COLUMNS.values())), None)
    assert (out["inkar_match"] == "not_loaded").all()
    assert out[list(INKAR_COLUMNS.values())].isna().all().all()
    assert (rep["status"] == "unmatched").all()


def test_germany_counts(settings: Settings) -> None:
    model, _ = load_region(settings, "germany")
    assert len(model) == 11299
    counts = model["inkar_match"].value_counts()
    assert counts["matched"] == 3009
    assert counts["unincorporated"] == 215
    assert (
        model.loc[model["bez"] == "Gemeindefreies Gebiet", "inkar_match"] == "unincorporated"
    ).all()
    # a gemeindefreies Gebiet whose AGS coincides with an association key is not joined
    assert model.loc[model["ags"] == "08415971", "inkar_match"].iloc[0] == "unincorporated"
    assert model["inkar_car_min_airport"].notna().sum() == 3009


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gv_key,name\n01001000,Flensburg\n", "lacks the column"),
        (
            "gv_key,name,car_min_motorway,car_min_airport,car_min_ic_station,"
            "car_min_oberzentrum,car_min_mittelzentrum,pt_stop_dist_m,pt_stop_within_1km_pct\n"
            "1001000,Flensburg,1,2,3,4,5,6,7\n",
            "not 8 digits",
        ),
        (
            "gv_key,name,car_min_motorway,car_min_airport,car_min_ic_station,"
            "car_min_oberzentrum,car_min_mittelzentrum,pt_stop_dist_m,pt_stop_within_1km_pct\n"
            "01001000,A,1,2,3,4,5,6,7\n01001000,B,1,2,3,4,5,6,7\n",
            "appears twice",
        ),
    ],
)
def test_bad_tables_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "inkar.csv"
    path.write_text(text)
    with pytest.raises(DataSourceError, match=message):
        read_inkar(path)
    with pytest.raises(DataSourceError, match="not found"):
        read_inkar(tmp_path / "missing.csv")


def test_configured_file_missing_is_an_error(settings: Settings, tmp_path: Path) -> None:
    from geo.region.published_io import inkar_input

    s = settings.model_copy(update={"inkar_file": tmp_path / "nope.csv"})
    with pytest.raises(DataSourceError, match="STADTREGION_INKAR_FILE"):
        inkar_input(s)
    absent = settings.model_copy(update={"germany_dir": tmp_path})
    assert inkar_input(absent) is None
