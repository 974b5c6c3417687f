"""The project register on both backends: create, edit with version checks, history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from shapely.geometry import LineString

from geo.access.roles import Viewer
from geo.errors import ConflictError, NotFoundError, PermissionDeniedError
from geo.landpool.store import Store
from geo.projects.store import ProjectStore

PLANNER = Viewer("planner", "Erika Planerin")
ADMIN = Viewer("admin", "Anton Admin")
VALUES = {
    "title": "Radweg Saaletal",
    "topic": "traffic",
    "status": "idea",
    "municipalities": ("16053000", "16074044"),
    "description": "Ein Radweg entlang der Saale.",
    "contributions": ("B-1",),
    "plot_ids": (),
    "geometry": LineString([(681000, 5645000), (682000, 5640000)]),
}


@pytest.fixture
def projects(store: Store) -> ProjectStore:
    return ProjectStore(store.engine)


def test_create_read_and_list_on_each_backend(projects: ProjectStore) -> None:
    p = projects.create(PLANNER, "radweg-saaletal", VALUES)
    assert p.version == 1 and p.municipalities == ("16053000", "16074044")
    assert p.geometry is not None and p.geometry.equals_exact(VALUES["geometry"], 0.01)
    projects.create(ADMIN, "wohnen-lobeda", {**VALUES, "topic": "housing", "geometry": None})
    assert [x.id for x in projects.list()] == ["radweg-saaletal", "wohnen-lobeda"]
    assert [x.id for x in projects.list(topic="housing")] == ["wohnen-lobeda"]
    assert projects.list(status="done") == []
    assert len(projects.list(ags="16074044")) == 2 and projects.list(ags="16071001") == []
    assert projects.get("wohnen-lobeda").geometry is None


def test_only_planners_and_admins_write(projects: ProjectStore) -> None:
    for role in ("public", "landpool"):
        with pytest.raises(PermissionDeniedError, match="planner"):
            projects.create(Viewer(role, "x"), "a", VALUES)
    assert projects.list() == []


def test_taken_id_is_a_conflict(projects: ProjectStore) -> None:
    projects.create(PLANNER, "a", VALUES)
    with pytest.raises(ConflictError, match="exists"):
        projects.create(PLANNER, "a", VALUES)


def test_stale_edit_is_refused_and_changes_nothing(projects: ProjectStore) -> None:
    projects.create(PLANNER, "a", VALUES)
    p, changes = projects.update(PLANNER, "a", expected_version=1, values={"status": "agreed"})
    assert p.version == 2 and changes == {"status": ["idea", "agreed"]}
    with pytest.raises(ConflictError, match="version 1, stored is version 2"):
        projects.update(ADMIN, "a", expected_version=1, values={"title": "Überschrieben"})
    assert projects.get("a").title == VALUES["title"]
    assert len(projects.history("a")) == 2


def test_an_edit_that_changes_nothing_makes_no_version(projects: ProjectStore) -> None:
    projects.create(PLANNER, "a", VALUES)
    p, changes = projects.update(PLANNER, "a", expected_version=1, values={"topic": "traffic"})
    assert changes == {} and p.version == 1 and len(projects.history("a")) == 1


def test_history_says_who_when_what(projects: ProjectStore) -> None:
    projects.create(PLANNER, "a", VALUES)
    projects.update(ADMIN, "a", expected_version=1, values={"geometry": None, "plot_ids": ("X",)})
    rows = projects.history("a")
    assert [(r.event, r.actor, r.version) for r in rows] == [
        ("created", "Erika Planerin", 1),
        ("updated", "Anton Admin", 2),
    ]
    assert rows[1].changes == {"geometry": "changed", "plot_ids": [[], ["X"]]}
    assert rows[0].at <= rows[1].at


def test_history_is_append_only_in_the_database(projects: ProjectStore) -> None:
    projects.create(PLANNER, "a", VALUES)
    for sql in ("UPDATE project_history SET actor = 'x'", "DELETE FROM project_history"):
        with pytest.raises(sa.exc.DBAPIError), projects.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert projects.history("a")[0].actor == "Erika Planerin"


def test_unknown_project_is_not_found(projects: ProjectStore) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        projects.get("nope")
    with pytest.raises(NotFoundError):
        projects.update(PLANNER, "nope", expected_version=1, values={"title": "x"})
