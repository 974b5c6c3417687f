"""The data version of the land-pool store: changes with every write, cheap to read.

Every write of the store appends to the append-only ``plot_history`` (create, import,
edit, status change, publish and unpublish), so the id of its last row moves on with
every change of a plot (and ``contribution_history`` with every forum contribution
step); saved screening profiles are counted with their versions, and the last row of the
cooperation projects' ``project_history`` is added. The
API's answer cache (:mod:`api.cache`) keys every cached page by this value, so an
edit in any worker process invalidates the pages of all of them (each reads the
version from the database, not from memory). Reading it is two index lookups and a sum
over the (few) saved profiles.
"""

from __future__ import annotations

import sqlalchemy as sa

from geo.forum.schema import history_table as contribution_history
from geo.landpool.store import Store
from geo.landpool.store_schema import history_table, profiles_table
from geo.projects.schema import project_history_table


def data_version(store: Store) -> str:
    """A text that differs after any write to ``store`` (plots, history, profiles)."""
    query = sa.select(
        sa.select(sa.func.max(history_table.c.id)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(profiles_table).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(profiles_table.c.version), 0)).scalar_subquery(),
        sa.select(sa.func.max(project_history_table.c.id)).scalar_subquery(),
        sa.select(sa.func.max(contribution_history.c.id)).scalar_subquery(),
    )
    with store.engine.connect() as conn:
        last, profiles, profile_versions, projects, forum = conn.execute(query).one()
    # projects and forum contributions (same database): every step appends a history row
    return f"h{last or 0}.p{profiles}.{profile_versions}.j{projects or 0}.c{forum or 0}"
