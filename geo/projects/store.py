"""The register of cooperation projects in the land-pool database (GeoPackage or PostGIS).

:class:`ProjectStore` works on the land-pool store's engine (the tables come from
migration ``0007_cooperation_projects``, run when the store is opened). Every write is one
transaction and appends one history row (who, when, the new version, ``field: [old,
new]``). An edit names the version it was read at: a stored project that has moved on
raises :class:`ConflictError` and nothing changes (optimistic locking). Writes need the
planner or admin role. Reads take no viewer: projects are public by design; what of the
history a role sees is :mod:`geo.projects.public`.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy.engine import Connection, Engine

from geo.access.roles import Role, Viewer
from geo.errors import ConflictError, InputError, NotFoundError
from geo.landpool.store_schema import now_ms
from geo.projects.model import HistoryRow, Project, check_id
from geo.projects.schema import project_history_table as history_t
from geo.projects.schema import projects_table as projects_t

#: Roles that may create and edit cooperation projects.
PROJECT_WRITE_ROLES = frozenset({Role.PLANNER, Role.ADMIN})
_LIST_FIELDS = ("municipalities", "contributions", "plot_ids")


def require_project_write(viewer: Viewer) -> None:
    """Raise :class:`PermissionDeniedError` unless ``viewer`` is a planner or an admin."""
    viewer.require_role(PROJECT_WRITE_ROLES, "change cooperation projects")


def _project(row: sa.Row[Any]) -> Project:
    data = dict(row._mapping)
    geom = data.pop("geom")
    return Project(
        id=data["project_id"],
        title=data["title"],
        topic=data["topic"],
        status=data["status"],
        municipalities=tuple(json.loads(data["municipalities"])),
        description=data["description"],
        contributions=tuple(json.loads(data["contributions"])),
        plot_ids=tuple(json.loads(data["plot_ids"])),
        geometry=None if geom is None else to_shape(geom),
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        version=int(data["version"]),
    )


def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in _LIST_FIELDS:
            out[key] = json.dumps(list(value), ensure_ascii=False)
        elif key == "geometry":
            out["geom"] = None if value is None else from_shape(value, srid=25832)
        else:
            out[key] = value
    return out


def _plain(key: str, value: Any) -> Any:
    """A value as the history records it (lists as lists, geometry as 'changed')."""
    if key in _LIST_FIELDS:
        return list(value)
    return value


class ProjectStore:
    """The cooperation projects of one land-pool database.

    Parameters
    ----------
    engine
        The engine of an opened (migrated) land-pool :class:`~geo.landpool.store.Store`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    # -- reads ------------------------------------------------------------------------
    def list(
        self,
        *,
        topic: str | None = None,
        status: str | None = None,
        ags: str | None = None,
    ) -> builtins.list[Project]:
        """Every project (optionally of a topic, a status, a municipality), by id."""
        query = sa.select(projects_t).order_by(projects_t.c.project_id)
        if topic:
            query = query.where(projects_t.c.topic == topic)
        if status:
            query = query.where(projects_t.c.status == status)
        with self._read() as conn:
            rows = [_project(r) for r in conn.execute(query)]
        return [p for p in rows if ags is None or ags in p.municipalities]

    def get(self, project_id: str) -> Project:
        """One project (:class:`NotFoundError` when there is none)."""
        with self._read() as conn:
            return self._get(conn, project_id)

    @staticmethod
    def _get(conn: Connection, project_id: str) -> Project:
        row = conn.execute(
            sa.select(projects_t).where(projects_t.c.project_id == str(project_id))
        ).first()
        if row is None:
            raise NotFoundError(f"no cooperation project {project_id!r}.")
        return _project(row)

    def history(self, project_id: str) -> builtins.list[HistoryRow]:
        """The edits of one project, oldest first (NotFoundError as :meth:`get`)."""
        with self._read() as conn:
            self._get(conn, project_id)
            rows = conn.execute(
                sa.select(history_t)
                .where(history_t.c.project_id == project_id)
                .order_by(history_t.c.id)
            ).all()
        return [
            HistoryRow(r.project_id, r.at, r.actor, r.event, r.version, json.loads(r.changes))
            for r in rows
        ]

    # -- writes -----------------------------------------------------------------------
    def create(self, viewer: Viewer, project_id: str, values: Mapping[str, Any]) -> Project:
        """Store a new project from checked values (:func:`geo.projects.model.parse_fields`).

        Raises
        ------
        PermissionDeniedError
            Unless ``viewer`` is a planner or an admin.
        ConflictError
            When the id is taken.
        """
        require_project_write(viewer)
        pid = check_id(project_id)
        now = now_ms()
        changes: dict[str, Any] = {
            k: [None, _plain(k, v)] for k, v in values.items() if k != "geometry"
        }
        if values.get("geometry") is not None:
            changes["geometry"] = "changed"
        with self._write() as conn:
            taken = conn.execute(
                sa.select(projects_t.c.fid).where(projects_t.c.project_id == pid)
            ).first()
            if taken is not None:
                raise ConflictError(f"a cooperation project {pid!r} exists; choose another id.")
            conn.execute(
                sa.insert(projects_t).values(
                    project_id=pid, created_at=now, updated_at=now, version=1, **_columns(values)
                )
            )
            self._log(conn, pid, viewer, "created", 1, changes, now)
        return self.get(pid)

    def update(
        self,
        viewer: Viewer,
        project_id: str,
        *,
        expected_version: int,
        values: Mapping[str, Any],
    ) -> tuple[Project, dict[str, Any]]:
        """Change checked fields of the project at ``expected_version``.

        Returns the project after the edit and what changed (``field: [old, new]``, empty
        when nothing differed: then no new version and no history row).

        Raises
        ------
        PermissionDeniedError, NotFoundError
        ConflictError
            When the stored project is no longer at ``expected_version``; nothing changes.
        """
        require_project_write(viewer)
        if not isinstance(expected_version, int) or expected_version < 1:
            raise InputError(f"version must be a whole number ≥ 1, not {expected_version!r}.")
        now = now_ms()
        with self._write() as conn:
            before = self._get(conn, project_id)
            if before.version != expected_version:
                raise ConflictError(
                    f"project {project_id!r} was changed meanwhile: you edited version "
                    f"{expected_version}, stored is version {before.version}; nothing was "
                    "saved. Reload it and apply your edit again."
                )
            changes: dict[str, Any] = {}
            for key, new in values.items():
                old = getattr(before, key)
                if key == "geometry":
                    same = (old is None and new is None) or (
                        old is not None and new is not None and old.equals_exact(new, 0.01)
                    )
                    if not same:
                        changes[key] = "changed"
                elif _plain(key, old) != _plain(key, new):
                    changes[key] = [_plain(key, old), _plain(key, new)]
            if not changes:
                return before, {}
            version = before.version + 1
            updated = (
                sa.update(projects_t)
                .where(projects_t.c.project_id == before.id)
                .where(projects_t.c.version == expected_version)
                .values(
                    updated_at=now,
                    version=version,
                    **_columns({k: values[k] for k in changes}),
                )
            )
            if conn.execute(updated).rowcount != 1:
                raise ConflictError(f"project {project_id!r} was changed meanwhile; reload it.")
            self._log(conn, before.id, viewer, "updated", version, changes, now)
        return self.get(before.id), changes

    @staticmethod
    def _log(
        conn: Connection,
        project_id: str,
        viewer: Viewer,
        event: str,
        version: int,
        changes: Mapping[str, Any],
        now: Any,
    ) -> None:
        conn.execute(
            sa.insert(history_t).values(
                project_id=project_id,
                at=now,
                actor=viewer.name,
                event=event,
                version=version,
                changes=json.dumps(changes, ensure_ascii=False, default=str),
            )
        )


def last_history_id(engine: Engine) -> int:
    """The id of the newest history row (0 when none): moves with every write."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(sa.func.max(history_t.c.id))).scalar()
    return int(value or 0)


__all__ = ["PROJECT_WRITE_ROLES", "ProjectStore", "last_history_id", "require_project_write"]
