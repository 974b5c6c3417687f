"""``stadtregion projects …``: list, show, create, edit, with one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from shapely.geometry import box

from api.cli import main
from geo.access.roles import Viewer
from geo.landpool.io import open_store
from geo.settings import Settings, get_settings

Run = Callable[..., subprocess.CompletedProcess[str]]
LANDPOOL = Viewer("landpool", "Lena Landpool")


@pytest.fixture
def env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "STADTREGION_PROCESSED_DIR": str(settings.processed_dir),
        "STADTREGION_LANDPOOL_GPKG": str(tmp_path / "lp.gpkg"),
        "STADTREGION_DATABASE_URL": "",
        "STADTREGION_ROLE": "public",
    }


@pytest.fixture
def cli(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    """``api.cli.main`` in this process (the script's code path)."""
    for key, value in env.items():
        if key.startswith("STADTREGION_"):
            monkeypatch.setenv(key, value)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", "projects", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    yield call
    get_settings.cache_clear()


@pytest.fixture
def published(env: dict[str, str], cli: Run) -> str:
    """One published plot in the private store."""
    get_settings.cache_clear()
    with open_store(get_settings()) as store:
        store.create(
            LANDPOOL, {"name": "Brache"}, box(681000, 5645000, 681100, 5645200), plot_id="P-1"
        )
        store.publish(LANDPOOL, "P-1", reason="offen")
        store.create(
            LANDPOOL, {"name": "Intern"}, box(682000, 5645000, 682100, 5645200), plot_id="P-2"
        )
    return "P-1"


def one_line_error(r: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert r.returncode == code, (r.stdout, r.stderr)
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


def test_create_list_show_edit(cli: Run, published: str) -> None:
    r = cli(
        "create", "bus-saale", "--role", "planner", "--user", "Erika",
        "--title", "Buslinie Saaletal", "--topic", "Verkehr",
        "--municipalities", "Jena, Kahla", "--plots", published,
        "--geometry", '{"type": "Point", "coordinates": [11.58, 50.92]}',
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "bus-saale: created (version 1)"
    r = cli("list")
    assert "bus-saale\tidea\ttraffic\tJena, Kahla\tBuslinie Saaletal" in r.stdout
    assert r.stdout.strip().endswith("1 projects")
    assert "0 projects" in cli("list", "--topic", "housing").stdout
    shown = json.loads(cli("show", "bus-saale").stdout)
    assert shown["properties"]["plot_ids"] == ["P-1"] and "actor" not in shown["history"][0]
    staff = json.loads(cli("show", "bus-saale", "--role", "planner").stdout)
    assert staff["history"][0]["actor"] == "Erika"
    r = cli("edit", "bus-saale", "--role", "admin", "--status", "agreed", "--version", "1")
    assert r.returncode == 0 and "status: 'idea' → 'agreed'" in r.stdout and "version 2" in r.stdout
    r = cli("edit", "bus-saale", "--role", "admin", "--status", "agreed")
    assert "nothing changed (version 2)" in r.stdout


def test_errors_are_one_line(cli: Run, published: str) -> None:
    one_line_error(cli("create", "a", "--title", "T", "--topic", "other"), 1, "planner")
    one_line_error(
        cli("create", "a", "--role", "landpool", "--title", "T", "--topic", "other"), 1, "planner"
    )
    base = ("create", "a", "--role", "planner", "--title", "T", "--topic", "other")
    one_line_error(cli(*base, "--municipalities", "16999999"), 2, "16999999")
    one_line_error(cli(*base, "--plots", "P-2"), 2, "'P-2' is not a published plot")
    one_line_error(cli(*base, "--topic", "Sport"), 2, "Sport")
    one_line_error(cli(*base, "--geometry", "@/nope.geojson"), 2, "nope.geojson")
    one_line_error(cli("create", "Bad Id", "--role", "planner", "--title", "T"), 2, "slug")
    one_line_error(cli("show", "nope"), 2, "nope")
    assert cli(*base).returncode == 0
    one_line_error(cli(*base), 1, "exists")
    cli("edit", "a", "--role", "planner", "--status", "agreed")
    one_line_error(
        cli("edit", "a", "--role", "planner", "--status", "done", "--version", "1"),
        1,
        "stored is version 2",
    )
    one_line_error(cli("edit", "a", "--role", "planner"), 2, "nothing to change")
    one_line_error(cli("list", "--status", "begun"), 2, "begun")
