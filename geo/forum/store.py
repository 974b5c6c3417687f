"""The forum contributions in the land-pool database (GeoPackage or PostGIS).

Every write is one transaction that takes the forum's write lock first (SQLite: the
``BEGIN IMMEDIATE`` of the store engine; PostgreSQL: an advisory lock), so the rate
counts, the duplicate check and the history chain hold across every worker process.
Reads never join :data:`~geo.forum.schema.contacts_table`: the contact e-mail is read
only by :meth:`ContributionStore.contact` (the moderator answering, recorded in the
history), deleted by :meth:`forget_email`, :meth:`forget_contribution` and, after
``contact_retention_days``, by :meth:`purge` (also run on every submission).

What the public may see of the rows read here is decided by :mod:`geo.forum.public`.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from sqlalchemy.engine import Connection, Engine

from geo.errors import ConflictError, InputError, NotFoundError, TooManyAttemptsError
from geo.forum import clients
from geo.forum.model import (
    PUBLIC_STATUSES,
    TOPIC_KEY,
    Contribution,
    Draft,
    HistoryStep,
    Target,
    clean_text,
)
from geo.forum.schema import (
    CHAIN_FIELDS,
    FORUM_LOCK,
    contacts_table,
    contributions_table,
    history_table,
    submissions_table,
    topics_table,
)
from geo.forum.store_moderation import (
    SYSTEM_ACTOR,
    VISITOR_ACTOR,
    Moderation,
    new_id,
    row_to_contribution,
    row_to_step,
)
from geo.landpool.history_chain import ChainReport
from geo.landpool.store_engine import create_engine, migrate
from geo.landpool.store_history import append_history, history_report
from geo.landpool.store_schema import now_ms, utc

C = contributions_table


@dataclass(frozen=True)
class PublicLinks:
    """What a cooperation project may show of the forum's contributions, read now.

    ``public`` holds the ids of the contributions the public may see; ``taken_up`` the
    public contributions a moderator marked as taken up, by project id (oldest first).
    """

    public: frozenset[str]
    taken_up: dict[str, tuple[str, ...]]


def public_links(engine: Engine) -> PublicLinks:
    """The public contributions and which project took each up (no text, no e-mail)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(C.c.id, C.c.status, C.c.project_ref)
            .where(C.c.status.in_(PUBLIC_STATUSES))
            .order_by(C.c.created_at, C.c.id)
        ).all()
    taken: dict[str, list[str]] = {}
    for cid, status, ref in rows:
        if status == "taken_up" and ref:
            taken.setdefault(str(ref), []).append(str(cid))
    return PublicLinks(frozenset(str(r[0]) for r in rows), {k: tuple(v) for k, v in taken.items()})


@dataclass(frozen=True)
class Topic:
    """A forum topic with its German and English name."""

    key: str
    de: str
    en: str

    def label(self, lang: str) -> str:
        """The topic's name in ``lang``."""
        return self.en if lang == "en" else self.de


@dataclass(frozen=True)
class QueueEntry:
    """A pending contribution in the moderation queue and its client's counts."""

    contribution: Contribution
    client_label: str
    client_pending: int
    has_contact: bool


class ContributionStore(Moderation):
    """The contributions of one land-pool database.

    Parameters
    ----------
    url
        ``gpkg:///path/landpool.gpkg`` or ``postgresql://...`` (migrated on opening).
    secret
        The server secret (client hashes, forget links).
    limits
        Rate limits and retention.
    """

    def __init__(self, url: str, secret: bytes, limits: clients.Limits) -> None:
        self.engine: Engine = create_engine(url)
        migrate(self.engine)
        self._secret = secret
        self.limits = limits

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> ContributionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": FORUM_LOCK})
            yield conn

    def _append(self, conn: Connection, rows: builtins.list[dict[str, Any]]) -> None:
        full = [{k: r.get(k) for k in CHAIN_FIELDS if k != "id"} for r in rows]
        append_history(conn, history_table, full, fields=CHAIN_FIELDS, lock=FORUM_LOCK)

    # -- topics ---------------------------------------------------------------------------
    def topics(self) -> builtins.list[Topic]:
        """The forum's topics, the built-in five first, then the added ones by key."""
        order = ("traffic", "housing", "commerce", "landscape", "other")
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(topics_table)).all()
        found = [Topic(r.key, r.label_de, r.label_en) for r in rows]
        rank = {k: i for i, k in enumerate(order)}
        return sorted(found, key=lambda t: (rank.get(t.key, len(order)), t.key))

    def topic_keys(self) -> set[str]:
        """The keys of :meth:`topics`."""
        return {t.key for t in self.topics()}

    def add_topic(self, key: str, de: str, en: str, now: datetime | None = None) -> Topic:
        """Add a topic (admins); :class:`ConflictError` if the key exists."""
        key = (key or "").strip()
        if not TOPIC_KEY.match(key):
            raise InputError(
                f"topic key {key!r} must be 2..32 lower-case letters, digits or _ "
                "starting with a letter (e.g. 'energy')."
            )
        labels = [clean_text(de), clean_text(en)]
        if not all(1 <= len(v) <= 60 for v in labels):
            raise InputError("--de and --en must each have 1..60 characters.")
        with self._write() as conn:
            if conn.execute(sa.select(topics_table.c.key).where(topics_table.c.key == key)).first():
                raise ConflictError(
                    f"topic {key!r} exists; see 'stadtregion contributions topics'."
                )
            conn.execute(
                topics_table.insert().values(
                    key=key, label_de=labels[0], label_en=labels[1], created_at=now or now_ms()
                )
            )
        return Topic(key, labels[0], labels[1])

    # -- submitting -----------------------------------------------------------------------
    def _check_limits(self, conn: Connection, hashes: tuple[str, str], now: datetime) -> None:
        s = submissions_table
        since = now - self.limits.window
        conn.execute(sa.delete(s).where(s.c.at < since))
        total = conn.execute(sa.select(sa.func.count()).select_from(s)).scalar_one()
        if total >= self.limits.global_hour:
            oldest = conn.execute(sa.select(sa.func.min(s.c.at))).scalar_one()
            raise self._throttled(oldest, now, "the forum takes no more contributions right now")
        mine = conn.execute(
            sa.select(s.c.at).where(s.c.client_hash.in_(hashes)).order_by(s.c.at)
        ).all()
        if len(mine) >= self.limits.per_client_hour:
            raise self._throttled(mine[0][0], now, "too many contributions from your connection")
        pending = conn.execute(
            sa.select(sa.func.count())
            .select_from(C)
            .where(C.c.status == "pending", C.c.client_hash.in_(hashes))
        ).scalar_one()
        if pending >= self.limits.pending_per_client:
            raise TooManyAttemptsError(
                f"{pending} contributions from your connection wait for moderation; "
                "please wait until they are moderated.",
                now + self.limits.window,
                int(self.limits.window.total_seconds()),
            )

    def _throttled(self, oldest: Any, now: datetime, what: str) -> TooManyAttemptsError:
        until = utc(oldest) + self.limits.window if oldest is not None else now
        until = max(until, now + timedelta(seconds=1))
        seconds = max(1, int((until - now).total_seconds() + 0.999))
        return TooManyAttemptsError(
            f"{what}; try again in {(seconds + 59) // 60} minute(s).", until, seconds
        )

    def submit(
        self, target: Target, draft: Draft, client: str, now: datetime | None = None
    ) -> Contribution:
        """Store a visitor's contribution as ``pending``; its e-mail apart.

        A second submission of the same title and text from the same client within the
        counting window returns the first one (a double click stores nothing twice).

        Raises
        ------
        TooManyAttemptsError
            When the client or the forum has reached a limit (nothing stored).
        """
        now = now or now_ms()
        hashes = clients.client_hashes(self._secret, client, now)
        with self._write() as conn:
            same = conn.execute(
                sa.select(C).where(
                    C.c.client_hash.in_(hashes),
                    C.c.title == draft.title,
                    C.c.text == draft.text,
                    C.c.created_at >= now - self.limits.window,
                )
            ).first()
            if same is not None:
                return row_to_contribution(same)
            self._check_limits(conn, hashes, now)
            self._purge(conn, now)
            cid = new_id()
            conn.execute(submissions_table.insert().values(client_hash=hashes[0], at=now))
            conn.execute(
                C.insert().values(
                    id=cid,
                    target_kind=target.kind,
                    ags=target.ags,
                    municipality=target.municipality,
                    plot_id=target.plot_id,
                    topic=draft.topic,
                    title=draft.title,
                    text=draft.text,
                    status="pending",
                    client_hash=hashes[0],
                    created_at=now,
                    updated_at=now,
                    version=1,
                    geom=from_shape(target.point, srid=25832),
                )
            )
            if draft.email:
                conn.execute(
                    contacts_table.insert().values(
                        contribution_id=cid, email=draft.email, created_at=now
                    )
                )
            self._append(
                conn,
                [
                    {
                        "contribution_id": cid,
                        "at": now,
                        "actor": VISITOR_ACTOR,
                        "event": "submitted",
                        "to_status": "pending",
                        "changes": json.dumps({"target": target.kind, "topic": draft.topic}),
                    }
                ],
            )
            row = conn.execute(sa.select(C).where(C.c.id == cid)).one()
        return row_to_contribution(row)

    def count_decoy(self, client: str, now: datetime | None = None) -> None:
        """Count a honeypot hit against its client's limit (nothing else is stored).

        Raises :class:`TooManyAttemptsError` like :meth:`submit` when over the limit.
        """
        now = now or now_ms()
        hashes = clients.client_hashes(self._secret, client, now)
        with self._write() as conn:
            self._check_limits(conn, hashes, now)
            conn.execute(submissions_table.insert().values(client_hash=hashes[0], at=now))

    def forget_link(self, contribution_id: str) -> str:
        """The token of the forget link of ``contribution_id``."""
        return clients.forget_token(self._secret, contribution_id)

    # -- reading --------------------------------------------------------------------------
    def get(self, contribution_id: str) -> Contribution:
        """The contribution ``contribution_id`` in any status (callers project it)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(C).where(C.c.id == str(contribution_id))).first()
        if row is None:
            raise NotFoundError(f"contribution {contribution_id!r} not found.")
        return row_to_contribution(row)

    def list(
        self,
        *,
        statuses: tuple[str, ...],
        topic: str | None = None,
        ags: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Contribution]:
        """Contributions in ``statuses`` (newest first), filtered."""
        query = sa.select(C).where(C.c.status.in_(statuses))
        if topic:
            query = query.where(C.c.topic == topic)
        if ags:
            query = query.where(C.c.ags == ags)
        if since is not None:
            query = query.where(C.c.created_at >= since)
        if until is not None:
            query = query.where(C.c.created_at < until)
        query = query.order_by(C.c.created_at.desc(), C.c.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [row_to_contribution(r) for r in conn.execute(query).all()]

    def count(
        self, *, statuses: tuple[str, ...], topic: str | None = None, ags: str | None = None
    ) -> int:
        """How many contributions :meth:`list` would give without paging."""
        query = sa.select(sa.func.count()).select_from(C).where(C.c.status.in_(statuses))
        if topic:
            query = query.where(C.c.topic == topic)
        if ags:
            query = query.where(C.c.ags == ags)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def queue(self, limit: int = 50, offset: int = 0) -> builtins.list[QueueEntry]:
        """The pending contributions, fair across clients, ``limit`` from ``offset``.

        Round-robin by client hash: the oldest of every client first, then every client's
        second, and so on; a flood from one client therefore never pushes another
        client's contribution off the first page, and every pending one is on some page.
        Each entry names its client by a short label of the keyed hash and that client's
        pending count.
        """
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(C).where(C.c.status == "pending").order_by(C.c.created_at, C.c.id)
            ).all()
            with_contact = {
                r[0]
                for r in conn.execute(
                    sa.select(contacts_table.c.contribution_id).where(
                        contacts_table.c.contribution_id.in_(
                            sa.select(C.c.id).where(C.c.status == "pending")
                        )
                    )
                ).all()
            }
        per: dict[str, builtins.list[Contribution]] = {}
        for r in rows:
            c = row_to_contribution(r)
            per.setdefault(c.client_hash or c.id, []).append(c)
        ranked: builtins.list[tuple[int, datetime, str, Contribution]] = []
        for key, items in per.items():
            for i, c in enumerate(items):
                ranked.append((i, c.created_at, key, c))
        ranked.sort(key=lambda t: (t[0], t[1], t[3].id))
        return [
            QueueEntry(c, key[:8], len(per[key]), c.id in with_contact)
            for _, _, key, c in ranked[offset : offset + limit]
        ]

    def history(self, contribution_id: str) -> builtins.list[HistoryStep]:
        """Every step of ``contribution_id`` (callers project it)."""
        h = history_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*[h.c[n] for n in CHAIN_FIELDS])
                .where(h.c.contribution_id == str(contribution_id))
                .order_by(h.c.id)
            ).all()
        return [row_to_step(r) for r in rows]

    def verify_history(self) -> ChainReport:
        """Recompute the history's hash chain and list every break."""
        with self.engine.connect() as conn:
            return history_report(
                conn, history_table, fields=CHAIN_FIELDS, subject="contribution_id"
            )


__all__ = ["SYSTEM_ACTOR", "VISITOR_ACTOR", "ContributionStore", "QueueEntry", "Topic", "new_id"]
