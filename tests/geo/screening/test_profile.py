"""Tests of geo.screening.profile and the profile files of geo.screening.io."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import NotFoundError, ProfileError
from geo.screening.criteria import screen
from geo.screening.io import (
    load_profile,
    read_profile,
    shipped_profile,
    shipped_profile_names,
)
from geo.screening.profile import parse_profile
from tests.geo.screening.common import plots_frame

# -- profiles -----------------------------------------------------------------------------


def test_bad_filter_key_is_named() -> None:
    with pytest.raises(ProfileError, match=r"filters\.max_slop_pct: unknown key"):
        parse_profile({"name": "x", "filters": {"max_slop_pct": 5}})


def test_bad_top_level_key_and_type_are_named() -> None:
    with pytest.raises(ProfileError, match=r"wieghts: unknown key"):
        parse_profile({"name": "x", "wieghts": {}})
    with pytest.raises(ProfileError, match=r"filters\.min_area_ha: .*number"):
        parse_profile({"name": "x", "filters": {"min_area_ha": "big"}})
    with pytest.raises(ProfileError, match=r"filters\.max_flood_share: .*less than or equal to 1"):
        parse_profile({"name": "x", "filters": {"max_flood_share": 50}})
    with pytest.raises(ProfileError, match=r"filters\.owner_types\.0: .*'city'"):
        parse_profile({"name": "x", "filters": {"owner_types": ["stadt"]}})
    with pytest.raises(ProfileError, match=r"filters\.municipalities: .*8-digit AGS"):
        parse_profile({"name": "x", "filters": {"municipalities": ["Jena"]}})
    with pytest.raises(ProfileError, match="name: Field required"):
        parse_profile({"filters": {}})
    with pytest.raises(ProfileError, match="must be a mapping"):
        parse_profile(["housing"])


def test_bad_weights_are_named() -> None:
    with pytest.raises(ProfileError, match=r"weights\.slope: Input should be 'area_ha'"):
        parse_profile({"name": "x", "weights": {"slope": 1}})
    with pytest.raises(ProfileError, match=r"weights\.water_proximity_m: has no default range"):
        parse_profile({"name": "x", "weights": {"water_proximity_m": 1}})
    with pytest.raises(ProfileError, match=r"weights\.owner_type: give"):
        parse_profile({"name": "x", "weights": {"owner_type": 2}})
    with pytest.raises(ProfileError, match=r"weights\.owner_type\.values: unknown categories"):
        parse_profile({"name": "x", "weights": {"owner_type": {"weight": 1, "values": {"x": 1}}}})
    with pytest.raises(ProfileError, match=r"weights\.area_ha: best and worst must differ"):
        parse_profile({"name": "x", "weights": {"area_ha": {"weight": 1, "best": 2, "worst": 2}}})
    with pytest.raises(ProfileError, match=r"min_area_ha is larger than max_area_ha"):
        parse_profile({"name": "x", "filters": {"min_area_ha": 5, "max_area_ha": 1}})


def test_read_profile_from_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "p.yaml"
    y.write_text("name: p\nfilters:\n  min_area_ha: 1\nweights:\n  area_ha: 2\n")
    assert read_profile(y).filters.min_area_ha == 1
    j = tmp_path / "p.json"
    j.write_text(json.dumps({"name": "p", "filters": {"max_flood_share": 0}}))
    assert read_profile(j).filters.max_flood_share == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: p\nfilters: {min_area_ha: 1\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        read_profile(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("name: p\nfilters:\n  max_car_minutes: 10\n")
    with pytest.raises(ProfileError, match=r"typo\.yaml: filters\.max_car_minutes: unknown key"):
        read_profile(typo)
    with pytest.raises(ProfileError, match="not found"):
        read_profile(tmp_path / "missing.yaml")


def test_shipped_profiles_load_and_screen() -> None:
    assert shipped_profile_names() == ["commerce", "housing", "quick_wins"]
    for name in shipped_profile_names():
        profile = shipped_profile(name)
        assert profile.name == name and profile.description
        out = screen(plots_frame(), profile)
        assert out["passed"].iloc[1] == False  # noqa: E712  (b fails every profile)
    assert load_profile("housing").filters.min_area_ha == 0.5
    with pytest.raises(NotFoundError, match="choose one of"):
        shipped_profile("villas")
