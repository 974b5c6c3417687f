"""Consistency checks of a land-pool store: database file, hash chain, plots against history."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.landpool.store_history import history_report
from geo.landpool.store_schema import history_table, plots_table


def integrity_problems(conn: Connection) -> list[str]:
    """Every consistency problem found (empty list: the store is sound).

    Checks the database file (SQLite ``integrity_check`` and foreign keys), the hash
    chain of the history (:mod:`geo.landpool.history_chain`: any changed, removed, inserted
    or reordered row), that each plot has its creation record and a history that ends at
    its current version and status, and that no history row points at a missing plot.
    """
    problems: list[str] = list(history_report(conn, history_table).problems)
    if conn.dialect.name != "postgresql":
        result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        if result != ["ok"]:
            problems.extend(f"integrity_check: {r}" for r in result)
        fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        problems.extend(f"foreign key: {tuple(r)}" for r in fk)
    h = history_table
    last = (
        sa.select(h.c.plot_id, sa.func.max(h.c.id).label("last_id"))
        .group_by(h.c.plot_id)
        .subquery()
    )
    rows = conn.execute(
        sa.select(
            plots_table.c.plot_id,
            plots_table.c.version,
            plots_table.c.status,
            h.c.version.label("h_version"),
            h.c.to_status,
        )
        .select_from(plots_table)
        .outerjoin(last, last.c.plot_id == plots_table.c.plot_id)
        .outerjoin(h, h.c.id == last.c.last_id)
    ).all()
    for r in rows:
        if r.h_version is None:
            problems.append(f"plot {r.plot_id} has no history")
        elif r.h_version != r.version or r.to_status != r.status:
            problems.append(
                f"plot {r.plot_id}: history ends at version {r.h_version} / "
                f"{r.to_status}, plot is at {r.version} / {r.status}"
            )
    orphans = conn.execute(
        sa.select(sa.func.count())
        .select_from(h)
        .where(~h.c.plot_id.in_(sa.select(plots_table.c.plot_id)))
    ).scalar_one()
    if orphans:
        problems.append(f"{orphans} history rows point at no plot")
    return problems


def has_history_hash(conn: Connection, digest: str) -> bool:
    """Whether a history row carries this hash (an anchored chain head)."""
    h = history_table
    return conn.execute(sa.select(h.c.id).where(h.c.hash == digest).limit(1)).first() is not None


__all__ = ["has_history_hash", "integrity_problems"]
