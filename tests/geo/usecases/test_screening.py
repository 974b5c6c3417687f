"""geo.usecases.screening: the one screening chain, for the register and for a plot file."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ProfileError,
)
from geo.landpool.io import seed_demo
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.screening.attributes import Layer
from geo.screening.criteria import summary
from geo.screening.io import shipped_profile, shipped_profile_names
from geo.settings import WORK_CRS, Settings
from geo.usecases.screening import (
    ScreeningQuery,
    list_profiles,
    plots_map_inputs,
    save_screening_profile,
    screen_plots,
)

X0, Y0 = 681_000.0, 5_645_000.0  # in Jena, inside the SRTM tile
LANDPOOL = Viewer("landpool", "anna")
PUBLIC = Viewer("public")


@pytest.fixture
def store(settings: Settings, tmp_path: Path) -> Store:
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    st = Store.open(s)
    for i, (pid, confidential) in enumerate([("OPEN-1", False), ("SECRET-1", True)]):
        st.create(
            LANDPOOL,
            {"owner_type": "city", "contamination": "none", "confidential": confidential,
             "notes": "internal note"},
            box(X0 + i * 400, Y0, X0 + i * 400 + 200, Y0 + 100),
            plot_id=pid,
        )  # fmt: skip
    st.publish(LANDPOOL, "OPEN-1", reason="offer")
    return st


def test_register_plots_are_screened_as_the_viewer_sees_them(
    settings: Settings, store: Store
) -> None:
    team = screen_plots(settings, LANDPOOL, ScreeningQuery("housing"), store)
    assert set(team.result["plot_id"]) == {"OPEN-1", "SECRET-1"}
    assert team.profile.name == "housing" and team.from_register
    assert {"score", "rank", "reasons"} <= set(team.result.columns)
    public = screen_plots(settings, PUBLIC, ScreeningQuery("housing"), store)
    assert list(public.result["plot_id"]) == ["OPEN-1"]
    # the public projection: internal attributes are gone, screening columns stay
    assert "notes" not in public.result.columns and "confidential" not in public.result.columns
    assert public.flood is None and "HQ100" not in " ".join(public.attributions)


def test_profile_by_object_saved_name_and_refused_file(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    inline = {"name": "mine", "filters": {"owner_types": ["city"]}}
    done = screen_plots(settings, LANDPOOL, ScreeningQuery(inline), store)
    assert done.profile.name == "mine" and (done.result["outcome"] == "passes").all()
    ready = screen_plots(settings, LANDPOOL, ScreeningQuery(shipped_profile("commerce")), store)
    assert ready.profile.name == "commerce"
    store.save_profile(LANDPOOL, "klein", '{"name": "klein", "filters": {"min_area_ha": 0.1}}')
    saved = screen_plots(settings, LANDPOOL, ScreeningQuery("klein", profile_files=False), store)
    assert saved.profile.name == "klein"
    path = tmp_path / "p.yaml"
    path.write_text("name: file\nfilters: {min_area_ha: 0.1}\n")
    assert screen_plots(settings, LANDPOOL, ScreeningQuery(str(path)), store).profile.name == "file"
    with pytest.raises(InputError, match="neither shipped"):  # a web caller reads no files
        screen_plots(settings, LANDPOOL, ScreeningQuery(str(path), profile_files=False), store)
    with pytest.raises(NotFoundError, match="choose one of"):
        screen_plots(settings, LANDPOOL, ScreeningQuery("villas"), store)
    bad = ScreeningQuery({"name": "x", "filters": {"max_slop_pct": 1}})
    with pytest.raises(ProfileError, match=r"filters\.max_slop_pct"):
        screen_plots(settings, LANDPOOL, bad, store)


def test_plot_file_with_flood_layer_honours_its_confidential_column(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "plots.gpkg"
    gpd.GeoDataFrame(
        {"plot_id": ["A", "B"], "confidential": [False, True]},
        geometry=[box(X0, Y0, X0 + 200, Y0 + 100), box(X0 + 400, Y0, X0 + 600, Y0 + 100)],
        crs=WORK_CRS,
    ).to_file(path)
    flood = Layer(
        gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=WORK_CRS), "hq@1"
    )
    query = ScreeningQuery({"name": "f", "filters": {"max_flood_share": 0.1}}, flood=flood,
                           plots_file=path)  # fmt: skip
    done = screen_plots(settings, PUBLIC, query, None)
    assert list(done.result["plot_id"]) == ["A"] and not done.from_register
    assert done.result["flood_share"].iloc[0] == pytest.approx(0.5, abs=0.01)
    assert done.result["pass_max_flood_share"].iloc[0] == "fail"
    assert done.flood is not None and "HQ100: hq@1" in done.attributions
    team = screen_plots(settings, LANDPOOL, query, None)
    assert set(team.result["plot_id"]) == {"A", "B"}


def test_no_visible_plot_gives_an_empty_result_but_checks_the_profile(
    settings: Settings, tmp_path: Path
) -> None:
    empty = Store.open(settings.model_copy(update={"landpool_gpkg": tmp_path / "e.gpkg"}))
    done = screen_plots(settings, PUBLIC, ScreeningQuery("quick_wins"), empty)
    assert done.result.empty and done.result.attrs["profile"] == "quick_wins"
    with pytest.raises(ProfileError):
        screen_plots(settings, PUBLIC, ScreeningQuery({"name": "x", "filterz": {}}), empty)


def test_plots_map_inputs_are_for_the_land_pool_team_only(settings: Settings, store: Store) -> None:
    with pytest.raises(PermissionDeniedError):
        plots_map_inputs(settings, Viewer("planner"), "housing", store)
    inputs = plots_map_inputs(settings, LANDPOOL, "housing", store)
    assert len(inputs.screening.result) == 2
    assert "16053000" in set(inputs.municipalities["ags"]) and len(inputs.reserves)
    assert any("OpenStreetMap" in a for a in inputs.attributions)


def test_every_shipped_profile_leaves_demo_plots_open_and_says_what_decides_them(
    settings: Settings, tmp_path: Path
) -> None:
    demo = Store.open(settings.model_copy(update={"landpool_gpkg": tmp_path / "demo.gpkg"}))
    n = seed_demo(demo, LANDPOOL, settings.data_dir)
    assert n > 40
    for name in shipped_profile_names():
        done = screen_plots(settings, LANDPOOL, ScreeningQuery(name), demo)
        res = done.result
        counts = summary(res)
        assert counts["passes"] + counts["open"] + counts["fails"] == counts["total"] == n
        opened = res[res["outcome"] == "open"]
        assert len(opened) > 0, name
        # what would decide each open plot, in German by default: no flood layer ships
        assert opened["decide"].str.contains("kein HQ100-Layer geladen").all(), name
        assert (opened["open_criteria"] != "").all() and (opened["failed"] == "").all()
        assert opened["rank"].min() == 1
        assert res[res["outcome"] == "fails"]["rank"].isna().all()
    # housing: an industrial estate in use is no housing reserve
    housing = screen_plots(settings, LANDPOOL, ScreeningQuery("housing", lang="en"), demo).result
    goeschwitz = housing[housing["name"] == "Gewerbegebiet Göschwitz"].iloc[0]
    assert goeschwitz["outcome"] == "fails"
    assert "current use industrial is excluded" in goeschwitz["reasons"]
    assert "owner unknown" not in goeschwitz["reasons"]  # housing does not ask for the owner


def test_profiles_listed_and_saved_with_the_version_lock(store: Store) -> None:
    shipped = [p.name for p in list_profiles(store, LANDPOOL) if p.shipped]
    assert shipped == shipped_profile_names()
    entry = save_screening_profile(store, LANDPOOL, "mine", {"name": "x", "description": "d"})
    assert (entry.name, entry.version, entry.saved_by) == ("mine", 1, "anna")
    saved = {p.name: p for p in list_profiles(store, LANDPOOL) if not p.shipped}
    assert saved["mine"].description == "d" and saved["mine"].saved_by == "anna"
    # who saved it is a staff name: not for the public
    assert [p.saved_by for p in list_profiles(store, PUBLIC) if not p.shipped] == [None]
    # saved under its name (the body's name follows it)
    assert json.loads(store.get_profile("mine").body)["name"] == "mine"
    with pytest.raises(ConflictError, match="already saved"):
        save_screening_profile(store, LANDPOOL, "mine", {"name": "y"}, replace_existing=False)
    again = save_screening_profile(store, LANDPOOL, "mine", {"name": "y"}, expected_version=1)
    assert again.version == 2
    with pytest.raises(ConflictError, match="version 2, not 1"):
        save_screening_profile(store, LANDPOOL, "mine", {"name": "z"}, expected_version=1)
    with pytest.raises(ProfileError, match=r"filters\.max_slop_pct"):
        save_screening_profile(
            store, LANDPOOL, "other", {"name": "o", "filters": {"max_slop_pct": 1}}
        )
    with pytest.raises(PermissionDeniedError):
        save_screening_profile(store, PUBLIC, "other", {"name": "o"})
    assert store.get_profile("mine").version == 2
