"""The hash chain of the plot history: every row's SHA-256 covers the row and the row before.

The database refuses UPDATE, DELETE, REPLACE and TRUNCATE on ``plot_history`` (triggers;
on PostgreSQL the application role also lacks those privileges), but anyone holding the
GeoPackage file, or a database superuser, can drop a trigger. The chain makes such
rewrites *detectable*: each row stores

    hash = SHA-256(previous row's hash + "\\n" + canonical(row))

over the rows in ``id`` order (the first row chains to 64 zeros). Changing a row breaks
its own hash, removing or inserting one breaks the next row's, reordering breaks both.
Someone who rewrites the tail *and* recomputes every later hash with this public formula
is caught only by comparing the chain head with one recorded elsewhere:
``stadtregion plots verify-history`` prints the head and ``--expect-head`` checks it.

Format ``v1`` (frozen: a change needs a migration that recomputes the chain).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: The hash the first row chains to.
GENESIS = "0" * 64
#: The members of a row the hash covers, in this order.
CHAIN_FIELDS: tuple[str, ...] = (
    "id",
    "plot_id",
    "at",
    "actor",
    "event",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "version",
    "visibility",
)


def _at_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def canonical(row: Mapping[str, Any], fields: tuple[str, ...] = CHAIN_FIELDS) -> bytes:
    """The row's canonical serialization (``v1``): JSON, keys sorted, no spaces, UTF-8.

    ``at`` is written as UTC to the millisecond (``2026-12-01T09:11:28.123Z``) on every
    backend; ``changes`` is hashed as the stored text. ``fields``: the members covered
    (the plots' :data:`CHAIN_FIELDS` by default; other histories name their own).
    """
    data = {k: row.get(k) for k in fields}
    data["at"] = _at_text(data["at"])
    for k in ("id", "version"):
        value = data.get(k)
        if value is not None:
            data[k] = int(value)
    return json.dumps(
        ["v1", data], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def row_hash(previous: str, row: Mapping[str, Any], fields: tuple[str, ...] = CHAIN_FIELDS) -> str:
    """SHA-256 (hex) of ``row`` (its ``fields``) chained to ``previous``."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(row, fields)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found."""

    rows: int
    head_id: int | None
    head_hash: str
    problems: list[str]


def verify_chain(
    rows: Iterable[Mapping[str, Any]],
    *,
    limit: int = 50,
    fields: tuple[str, ...] = CHAIN_FIELDS,
    subject: str = "plot_id",
) -> ChainReport:
    """Recompute the chain over ``rows`` (in ``id`` order) and list every break.

    Each row is checked against the *stored* hash of the row before it, so a change shows
    at the changed row, a removal or insertion at the row after it. ``fields`` and
    ``subject`` (the column naming what a row is about) default to the plots' history.
    """
    problems: list[str] = []
    previous = GENESIS
    last_id: int | None = None
    n = 0
    for row in rows:
        n += 1
        rid = int(row["id"])
        if last_id is not None and rid <= last_id:
            problems.append(f"history row {rid} comes after row {last_id}: rows reordered")
        stored = row.get("hash") or ""
        expected = row_hash(previous, row, fields)
        if stored != expected:
            what = subject.removesuffix("_id")
            problems.append(
                f"history row {rid} ({what} {row.get(subject)}): hash does not match "
                "(row changed, or a row before it removed, inserted or reordered)"
            )
        previous = stored
        last_id = rid
    if len(problems) > limit:
        problems = [*problems[:limit], f"… and {len(problems) - limit} more chain breaks"]
    return ChainReport(n, last_id, previous, problems)


__all__ = ["CHAIN_FIELDS", "GENESIS", "ChainReport", "canonical", "row_hash", "verify_chain"]
