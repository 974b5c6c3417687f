"""Writing and verifying the chained plot history inside a store transaction.

:func:`append_history` gives each new row the next ``id`` and its chain hash
(:mod:`geo.landpool.history_chain`). Appends are serialised: SQLite by the writer's
``BEGIN IMMEDIATE`` lock, PostgreSQL by a transaction-level advisory lock, so two writers
never chain to the same previous row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.landpool.history_chain import CHAIN_FIELDS, GENESIS, ChainReport, row_hash, verify_chain

#: Key of the PostgreSQL advisory lock that serialises history appends.
HISTORY_LOCK = 7_346_811_206
#: Rows read per round trip when verifying.
_CHUNK = 5000


def append_history(
    conn: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    *,
    fields: tuple[str, ...] = CHAIN_FIELDS,
    lock: int = HISTORY_LOCK,
) -> None:
    """Insert ``rows`` (dicts without ``id``/``hash``) at the end of the chain.

    ``fields`` (the members hashed) and ``lock`` (the PostgreSQL advisory lock key)
    default to the plots' history; another chained history names its own.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
    last = conn.execute(
        sa.select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)
    ).first()
    next_id = int(last.id) + 1 if last is not None else 1
    previous = (last.hash or "") if last is not None else GENESIS
    out = []
    for row in rows:
        full = {**row, "id": next_id}
        full["hash"] = previous = row_hash(previous, full, fields)
        out.append(full)
        next_id += 1
    conn.execute(table.insert(), out)


def _rows(
    conn: Connection, table: sa.Table, fields: tuple[str, ...] = CHAIN_FIELDS
) -> Iterator[dict[str, Any]]:
    cols = [table.c[name] for name in (*fields, "hash")]
    after = None
    while True:
        query = sa.select(*cols).order_by(table.c.id).limit(_CHUNK)
        if after is not None:
            query = query.where(table.c.id > after)
        batch = conn.execute(query).all()
        if not batch:
            return
        for r in batch:
            yield dict(r._mapping)
        after = batch[-1].id


def history_report(
    conn: Connection,
    table: sa.Table,
    *,
    fields: tuple[str, ...] = CHAIN_FIELDS,
    subject: str = "plot_id",
) -> ChainReport:
    """Verify the chain of every row of ``table`` (in ``id`` order)."""
    return verify_chain(_rows(conn, table, fields), fields=fields, subject=subject)


__all__ = ["HISTORY_LOCK", "append_history", "history_report"]
