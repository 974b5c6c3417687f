"""Moderation and data-protection writes of :class:`geo.forum.store.ContributionStore`.

Kept apart from the submission and reads so each module stays small. Every method takes
the forum's write lock (:meth:`Moderation._write`) and appends to the chained history in
the same transaction. The history never holds an e-mail or an address; an edit that
removes personal data from the title or text records *which* fields changed and their
new lengths, never the removed words.
"""

from __future__ import annotations

import base64
import builtins
import json
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from sqlalchemy.engine import Connection, Engine

from geo.errors import ConflictError, InputError, NotFoundError
from geo.forum import clients
from geo.forum.model import (
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
    TITLE_MIN,
    Contribution,
    HistoryStep,
    check_email,
    check_project_ref,
    check_reason,
    clean_text,
    transition,
)
from geo.forum.schema import contacts_table, contributions_table, history_table
from geo.landpool.store_schema import now_ms

C = contributions_table
#: Actor of steps no person took (the retention purge).
SYSTEM_ACTOR = "system"
#: Actor of a visitor's own steps (submission, the forget link).
VISITOR_ACTOR = "visitor"


def new_id() -> str:
    """A random public id (13 base-32 characters, 64 bits): not sequential, not guessable."""
    return base64.b32encode(secrets.token_bytes(8)).decode("ascii").lower().rstrip("=")


def row_to_contribution(row: sa.Row[Any]) -> Contribution:
    """A ``contributions`` row as a :class:`Contribution`."""
    d = dict(row._mapping)
    point = to_shape(d.pop("geom"))
    d.pop("fid", None)
    return Contribution(**d, x_m=float(point.x), y_m=float(point.y))


def row_to_step(row: sa.Row[Any]) -> HistoryStep:
    """A history row as a :class:`HistoryStep`."""
    d = dict(row._mapping)
    d.pop("hash", None)
    return HistoryStep(**d)


class Moderation:
    """The moderation writes (mixed into the store, which provides the members below)."""

    engine: Engine
    limits: clients.Limits

    def _write(self) -> AbstractContextManager[Connection]:  # pragma: no cover - the store's
        raise NotImplementedError

    def _append(self, conn: Connection, rows: builtins.list[dict[str, Any]]) -> None:
        raise NotImplementedError  # pragma: no cover - the store's

    def _locked(self, conn: Connection, contribution_id: str) -> Contribution:
        row = conn.execute(sa.select(C).where(C.c.id == str(contribution_id))).first()
        if row is None:
            raise NotFoundError(f"contribution {contribution_id!r} not found.")
        return row_to_contribution(row)

    @staticmethod
    def _check_version(c: Contribution, version: int | None) -> None:
        if version is not None and version != c.version:
            raise ConflictError(
                f"contribution {c.id} was changed meanwhile (version {c.version}, you had "
                f"{version}); reload and decide again."
            )

    def moderate(
        self,
        contribution_id: str,
        event: str,
        actor: str,
        *,
        reason: str | None = None,
        project_ref: str | None = None,
        version: int | None = None,
        now: datetime | None = None,
    ) -> Contribution:
        """Approve, reject (public ``reason`` required), hide (spam), mark taken up (with
        ``project_ref``) or reopen a contribution.

        Raises
        ------
        InputError
            For a step not allowed from the current status, a missing reason or project.
        ConflictError
            When ``version`` is not the stored one (another moderator was first).
        """
        now = now or now_ms()
        why = check_reason(reason, required=event == "rejected")
        ref = check_project_ref(project_ref) if event == "taken_up" else None
        if event != "taken_up" and project_ref:
            raise InputError("a project is given only when marking a contribution taken up.")
        with self._write() as conn:
            c = self._locked(conn, contribution_id)
            self._check_version(c, version)
            to_status = transition(event, c.status)
            values: dict[str, Any] = {
                "status": to_status,
                "updated_at": now,
                "version": c.version + 1,
                # the keyed client hash serves the pending queue only
                "client_hash": c.client_hash if to_status == "pending" else None,
                "reason": why if event in ("rejected", "hidden") else None,
                "project_ref": ref if event == "taken_up" else None,
            }
            conn.execute(sa.update(C).where(C.c.id == c.id).values(**values))
            self._append(
                conn,
                [
                    {
                        "contribution_id": c.id,
                        "at": now,
                        "actor": actor,
                        "event": event,
                        "from_status": c.status,
                        "to_status": to_status,
                        "reason": why,
                        "project_ref": ref,
                    }
                ],
            )
            return self._locked(conn, c.id)

    def edit(
        self,
        contribution_id: str,
        actor: str,
        *,
        title: str | None = None,
        text: str | None = None,
        version: int | None = None,
        now: datetime | None = None,
    ) -> Contribution:
        """Edit personal data out of the title or text (recorded, without the old words)."""
        now = now or now_ms()
        with self._write() as conn:
            c = self._locked(conn, contribution_id)
            self._check_version(c, version)
            changes: dict[str, Any] = {}
            values: dict[str, Any] = {}
            for name, new, lo, hi, old in (
                ("title", title, TITLE_MIN, TITLE_MAX, c.title),
                ("text", text, TEXT_MIN, TEXT_MAX, c.text),
            ):
                if new is None:
                    continue
                value = clean_text(new)
                if not lo <= len(value) <= hi:
                    raise InputError(f"{name} must have {lo}..{hi} characters, got {len(value)}.")
                if value != old:
                    values[name] = value
                    changes[name] = {"chars_before": len(old), "chars_after": len(value)}
            if not values:
                raise InputError("the edit changes nothing; change the title or the text.")
            conn.execute(
                sa.update(C)
                .where(C.c.id == c.id)
                .values(**values, updated_at=now, version=c.version + 1)
            )
            self._append(
                conn,
                [
                    {
                        "contribution_id": c.id,
                        "at": now,
                        "actor": actor,
                        "event": "edited",
                        "from_status": c.status,
                        "to_status": c.status,
                        "reason": "personal data removed",
                        "changes": json.dumps(changes, sort_keys=True),
                    }
                ],
            )
            return self._locked(conn, c.id)

    def contact(self, contribution_id: str, actor: str, now: datetime | None = None) -> str | None:
        """The contact e-mail of a contribution for the moderator ``actor`` answering it.

        The look-up is recorded in the history (who, when; never the address).
        """
        now = now or now_ms()
        with self._write() as conn:
            c = self._locked(conn, contribution_id)
            email = conn.execute(
                sa.select(contacts_table.c.email).where(contacts_table.c.contribution_id == c.id)
            ).scalar()
            if email is not None:
                self._append(
                    conn,
                    [
                        {
                            "contribution_id": c.id,
                            "at": now,
                            "actor": actor,
                            "event": "contact_viewed",
                            "from_status": c.status,
                            "to_status": c.status,
                        }
                    ],
                )
        return str(email) if email is not None else None

    def _delete_contacts(
        self, conn: Connection, ids: builtins.list[str], actor: str, reason: str, now: datetime
    ) -> int:
        if not ids:
            return 0
        conn.execute(sa.delete(contacts_table).where(contacts_table.c.contribution_id.in_(ids)))
        statuses = dict(conn.execute(sa.select(C.c.id, C.c.status).where(C.c.id.in_(ids))).all())
        self._append(
            conn,
            [
                {
                    "contribution_id": cid,
                    "at": now,
                    "actor": actor,
                    "event": "contact_deleted",
                    "from_status": statuses.get(cid),
                    "to_status": statuses.get(cid),
                    "reason": reason,
                }
                for cid in sorted(ids)
            ],
        )
        return len(ids)

    def forget_email(self, email: str, actor: str, now: datetime | None = None) -> int:
        """Delete every stored copy of ``email``; return how many contributions had it."""
        address = check_email(email)
        if address is None:
            raise InputError("give the e-mail address to forget.")
        now = now or now_ms()
        with self._write() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    sa.select(contacts_table.c.contribution_id).where(
                        sa.func.lower(contacts_table.c.email) == address.lower()
                    )
                ).all()
            ]
            return self._delete_contacts(conn, ids, actor, "request", now)

    def forget_contribution(self, contribution_id: str, now: datetime | None = None) -> bool:
        """Delete the contact e-mail of one contribution (the signed forget link)."""
        now = now or now_ms()
        with self._write() as conn:
            found = conn.execute(
                sa.select(contacts_table.c.contribution_id).where(
                    contacts_table.c.contribution_id == str(contribution_id)
                )
            ).first()
            if found is None:
                return False
            return bool(self._delete_contacts(conn, [found[0]], VISITOR_ACTOR, "request", now))

    def _purge(self, conn: Connection, now: datetime) -> int:
        cutoff = now - timedelta(days=self.limits.retention_days)
        ids = [
            r[0]
            for r in conn.execute(
                sa.select(contacts_table.c.contribution_id).where(
                    contacts_table.c.created_at < cutoff
                )
            ).all()
        ]
        return self._delete_contacts(conn, ids, SYSTEM_ACTOR, "retention", now)

    def purge(self, now: datetime | None = None) -> int:
        """Delete contact e-mails older than ``contact_retention_days``; return how many."""
        now = now or now_ms()
        with self._write() as conn:
            return self._purge(conn, now)

    def contact_count(self) -> int:
        """How many contact e-mails are stored (for the CLI and tests; never which)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.count()).select_from(contacts_table)).scalar_one()
            )

    def steps(self) -> Iterator[HistoryStep]:
        """Every history step in order (staff views)."""
        with self.engine.connect() as conn:
            for r in conn.execute(sa.select(history_table).order_by(history_table.c.id)):
                yield row_to_step(r)
