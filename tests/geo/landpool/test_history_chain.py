"""The hash chain of the plot history (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geo.landpool.history_chain import GENESIS, canonical, row_hash, verify_chain


def _chain(n: int) -> list[dict[str, Any]]:
    rows, previous = [], GENESIS
    for i in range(1, n + 1):
        row = {
            "id": i,
            "plot_id": f"P-{i % 2}",
            "at": datetime(2026, 12, 1, 9, i, tzinfo=UTC),
            "actor": "anna",
            "event": "created" if i < 3 else "updated",
            "from_status": None,
            "to_status": "identified",
            "reason": None,
            "changes": '{"notes": ["a", "b"]}' if i == 3 else None,
            "version": 1,
            "visibility": "internal",
        }
        row["hash"] = previous = row_hash(previous, row)
        rows.append(row)
    return rows


def test_canonical_form_is_stable_across_backends() -> None:
    row = _chain(1)[0]
    as_text = {**row, "at": "2026-12-01T09:01:00.000Z", "id": "1"}  # SQLite gives text
    assert canonical(row) == canonical(as_text)
    assert b'"at":"2026-12-01T09:01:00.000Z"' in canonical(row)
    assert canonical({**row, "actor": "mallory"}) != canonical(row)


def test_intact_chain_has_no_problems_and_reports_its_head() -> None:
    rows = _chain(5)
    report = verify_chain(rows)
    assert report.problems == [] and report.rows == 5
    assert report.head_id == 5 and report.head_hash == rows[-1]["hash"]


def test_every_kind_of_rewrite_is_found() -> None:
    rows = _chain(5)
    changed = [dict(r) for r in rows]
    changed[2]["changes"] = '{"notes": ["a", "c"]}'
    removed = rows[:2] + rows[3:]
    inserted = rows[:2] + [{**rows[1], "id": 3}] + [{**r, "id": r["id"] + 1} for r in rows[2:]]
    swapped = [rows[0], {**rows[2], "id": 2}, {**rows[1], "id": 3}, *rows[3:]]
    for name, tampered, first_bad in (
        ("changed", changed, 3),
        ("removed", removed, 4),
        ("inserted", inserted, 3),
        ("reordered", swapped, 2),
    ):
        problems = verify_chain(tampered).problems
        assert problems, name
        assert problems[0].startswith(f"history row {first_bad} "), (name, problems)
