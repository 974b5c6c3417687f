"""``stadtregion contributions``: moderation, forget, purge, verify-history, topics, report."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.cli import main
from geo.settings import Settings, get_settings
from geo.usecases import forum as forum_uc
from geo.usecases.forum import open_contributions

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})


@pytest.fixture
def cli(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Run]:
    monkeypatch.setenv("STADTREGION_LANDPOOL_GPKG", str(app_settings.landpool_gpkg))
    monkeypatch.setenv("STADTREGION_PROCESSED_DIR", str(app_settings.processed_dir))
    monkeypatch.delenv("STADTREGION_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        get_settings.cache_clear()
        monkeypatch.setattr(sys, "argv", ["stadtregion", "contributions", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    get_settings.cache_clear()


def _submit(
    s: Settings,
    title: str,
    ags: str,
    topic: str = "traffic",
    email: str | None = None,
    ip: str = "192.0.2.1",
) -> str:
    from geo.landpool.io import open_store

    with open_contributions(s) as store, open_store(s) as land:
        form = {
            "topic": topic,
            "ags": ags,
            "title": title,
            "text": f"{title}: bitte prüfen.",
            "email": email,
        }
        return forum_uc.submit(s, store, land, form, ip).id


def test_moderate_list_forget_purge_and_verify(cli: Run, app_settings: Settings) -> None:
    cid = _submit(app_settings, "Radweg Burgau", "16053000", email="c@example.org")
    code, out, _ = cli("list")
    assert code == 0 and cid in out and "c@example.org" not in out
    assert cli("approve", cid, "--by", "pia")[0] == 0
    code, out, _ = cli("list", "--status", "approved")
    assert cid in out
    code, _, err = cli("reject", cid, "--by", "pia", "--reason", "")
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    code, out, _ = cli("forget", "C@example.org")
    assert code == 0 and "1 contribution" in out
    assert cli("forget", "C@example.org")[1].startswith("deleted the e-mail of 0")
    assert cli("purge")[0] == 0
    code, out, _ = cli("verify-history")
    assert code == 0 and "history intact" in out
    code, _, err = cli("approve", "nosuchid", "--by", "pia")
    assert code == 2 and "not found" in err
    code, _, err = cli("list", "--status", "secret")
    assert code == 2 and "--status" in err


def test_verify_history_fails_after_a_rewrite(cli: Run, app_settings: Settings) -> None:
    cid = _submit(app_settings, "Ampel Lobeda", "16053000")
    assert cli("reject", cid, "--by", "pia", "--reason", "Schon geplant")[0] == 0
    db = sqlite3.connect(app_settings.landpool_gpkg)
    db.execute("DROP TRIGGER contribution_history_no_delete")
    db.execute("DELETE FROM contribution_history WHERE event = 'submitted'")
    db.commit()
    db.close()
    code, out, err = cli("verify-history")
    assert code == 1 and "broken" in err, out + err


def test_topics_add_and_list(cli: Run) -> None:
    assert cli("topics", "add", "energy", "--de", "Energie", "--en", "Energy")[0] == 0
    code, out, _ = cli("topics")
    assert code == 0 and "Energie" in out and "Verkehr" in out
    code, _, err = cli("topics", "add", "energy", "--de", "Energie", "--en", "Energy")
    assert code == 1 and "exists" in err


def test_report_html_and_csv(cli: Run, app_settings: Settings, tmp_path: Path) -> None:
    a = _submit(app_settings, "Takt Stadtroda", "16074077", ip="192.0.2.2")
    b = _submit(app_settings, "Radweg Saale", "16053000", ip="192.0.2.3")
    _submit(app_settings, "Wohnungen Lobeda", "16053000", topic="housing", ip="192.0.2.4")
    pending = _submit(app_settings, "Noch nicht freigegeben", "16053000", ip="192.0.2.5")
    for cid in (a, b):
        cli("approve", cid, "--by", "pia")
    with open_contributions(app_settings) as store:
        store.moderate(a, "taken_up", "pia", project_ref="KP-3")
        store.moderate(
            _submit(app_settings, "Seilbahn", "16053000", ip="192.0.2.6"),
            "rejected",
            "pia",
            reason="Nein",
        )
    out_file = tmp_path / "report.html"
    code, _, err = cli(
        "report", "--topic", "Verkehr", "--since", "2026-01-01", "--out", str(out_file)
    )
    assert code == 0, err
    html = out_file.read_text(encoding="utf-8")
    assert "Takt Stadtroda" in html and "Radweg Saale" in html
    assert "Wohnungen Lobeda" not in html and "Noch nicht freigegeben" not in html
    assert "Seilbahn" not in html and pending not in html
    assert "Projekt KP-3" in html and "Einwohner" in html and "Bahn ab Jena" in html
    code, out, _ = cli("report", "--topic", "traffic", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("topic,ags,municipality,id") and len(lines) == 3
    assert ",111407," in out or "Jena" in out
    for bad in (
        ["--format", "pdf"],
        ["--since", "gestern"],
        ["--topic", "Wetter"],
        ["--since", "2026-02-01", "--until", "2026-01-01"],
    ):
        code, _, err = cli("report", *bad)
        assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1


def test_hide_take_up_and_reopen(cli: Run, app_settings: Settings) -> None:
    from geo.access.roles import Role, Viewer
    from geo.landpool.io import open_store
    from geo.usecases.projects import create_project

    spam = _submit(app_settings, "Billige Uhren", "16053000", ip="192.0.2.7")
    assert cli("hide", spam, "--by", "pia") == (0, f"{spam} hidden\n", "")
    good = _submit(app_settings, "Busspur Winzerla", "16053000", ip="192.0.2.8")
    assert cli("approve", good, "--by", "pia")[0] == 0
    code, _, err = cli("take-up", good, "--project", "busspur", "--by", "pia")
    assert (code, err) == (
        2,
        "error: project 'busspur' is no cooperation project of the register; "
        "create the project first.\n",
    )
    with open_store(app_settings) as land:
        values = {
            "title": "Busspuren",
            "topic": "traffic",
            "status": "idea",
            "municipalities": "16053000",
        }
        create_project(app_settings, land, Viewer(Role.PLANNER, "pia"), "busspur", values)
    code, _, err = cli("take-up", good, "--project", "gibts-nicht", "--by", "pia")
    assert code == 2 and "choose one of busspur." in err
    assert cli("take-up", good, "--project", "busspur", "--by", "pia") == (
        0,
        f"{good} taken up by project busspur\n",
        "",
    )
    code, _, err = cli("take-up", spam, "--project", "busspur", "--by", "pia")
    assert code == 2 and "hidden" in err  # spam is not taken up
    assert cli("reopen", spam, "--by", "pia") == (0, f"{spam} back in the queue (pending)\n", "")
    with open_contributions(app_settings) as store:
        events = [s.event for s in store.history(good)]
    assert events == ["submitted", "approved", "taken_up"]
