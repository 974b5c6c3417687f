"""Server-side sessions of the web app and the throttling of failed logins.

Sessions
    A login starts a session: a random id of 256 bits (:func:`secrets.token_urlsafe`), sent
    to the browser once as the cookie ``sr_session`` and stored only as its SHA-256 (a
    leaked table gives no usable cookie; a fast hash is enough for a secret that cannot
    be guessed, as for the API tokens). A session ends

    * ``session_max_age_h`` after login (absolute expiry, also the cookie's Max-Age),
    * after ``session_idle_min`` without a request (idle timeout),
    * at logout, when its user is disabled or gets a new password, or when the same
      browser logs in again (a new session id every login: no session fixation).

    Every request finds the session by the hash of its cookie and reads the user's role
    and state anew, so disabling a user or changing a role takes effect at once. The time
    of the last request is written at most once a minute.

Throttling
    Failed logins are counted per username and per client (the client's address), both
    only as an HMAC keyed with the server secret (:mod:`geo.access.secret`). When one of
    them reaches ``login_max_failures`` within ``login_window_min``, further attempts for
    it are refused (429) for ``login_lockout_min`` without checking the password, for
    unknown usernames exactly as for known ones. An attempt is counted *before* its
    password is checked and taken back if it succeeds, so parallel guesses cannot slip
    past the limit. A successful login clears the failures of its username (not those
    of its client). The counts live in the database, so every worker process shares them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.access.account_schema import (
    END_REASONS,
    failures_table,
    now_utc,
    sessions_table,
    users_table,
    utc,
)
from geo.access.roles import Role, Viewer
from geo.access.secret import keyed_hash
from geo.settings import Settings

#: Name of the session cookie.
COOKIE = "sr_session"
#: The last request of a session is written at most this often.
TOUCH_EVERY = timedelta(seconds=60)
#: Key of the PostgreSQL advisory lock that serialises the counting of failed logins.
_THROTTLE_LOCK = 7_346_811_207  # its own key: no wait behind history appends


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last and how failed logins are throttled (from the settings)."""

    max_age: timedelta = timedelta(hours=8)
    idle: timedelta = timedelta(minutes=60)
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        """The policy of ``settings`` (``session_*`` and ``login_*``)."""
        return cls(
            max_age=timedelta(hours=settings.session_max_age_h),
            idle=timedelta(minutes=settings.session_idle_min),
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_min),
            lockout=timedelta(minutes=settings.login_lockout_min),
        )


@dataclass(frozen=True)
class SessionInfo:
    """A stored session (without its id, which only the browser holds)."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None


@dataclass(frozen=True)
class SessionViewer:
    """Who a valid session cookie stands for."""

    viewer: Viewer
    session_id: int
    user_id: int
    expires_at: datetime


def hash_session_id(token: str) -> str:
    """The hex SHA-256 of a session id (what the table stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session_id() -> str:
    """A new random session id (256 bits)."""
    return secrets.token_urlsafe(32)


def _session_info(row: sa.Row[Any]) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        user_id=row.user_id,
        created_at=utc(row.created_at) or now_utc(),
        last_seen_at=utc(row.last_seen_at) or now_utc(),
        expires_at=utc(row.expires_at) or now_utc(),
        ended_at=utc(row.ended_at),
        end_reason=row.end_reason,
    )


class SessionStore:
    """The sessions in one database (the engine is shared with :class:`UserStore`)."""

    def __init__(self, engine: Engine, policy: SessionPolicy) -> None:
        self.engine = engine
        self.policy = policy

    def start(self, user_id: int, now: datetime | None = None) -> tuple[str, SessionInfo]:
        """Start a session for ``user_id``; return its id (for the cookie) and the row."""
        now = now or now_utc()
        token = new_session_id()
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            new_id = conn.execute(
                sa.insert(sessions_table).values(
                    token_sha256=hash_session_id(token),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.policy.max_age,
                )
            ).inserted_primary_key
            # sessions ended or expired a day ago are of no use to anyone: pruned here
            stale = now - timedelta(days=1)
            conn.execute(
                sa.delete(sessions_table).where(
                    sa.or_(sessions_table.c.expires_at < stale, sessions_table.c.ended_at < stale)
                )
            )
            row = conn.execute(
                sa.select(sessions_table).where(sessions_table.c.id == new_id[0])  # type: ignore[index]
            ).one()
        return token, _session_info(row)

    def authenticate(self, token: str, now: datetime | None = None) -> SessionViewer | None:
        """Who the session id ``token`` stands for; ``None`` when it is unknown, ended,
        expired, idle too long or its user is disabled."""
        if not token or len(token) > 200:
            return None
        now = now or now_utc()
        digest = hash_session_id(token)
        s, u = sessions_table, users_table
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    s.c.id,
                    s.c.token_sha256,
                    s.c.user_id,
                    s.c.last_seen_at,
                    s.c.expires_at,
                    s.c.ended_at,
                    u.c.username,
                    u.c.role,
                    u.c.disabled_at,
                )
                .join(u, u.c.id == s.c.user_id)
                .where(s.c.token_sha256 == digest)
            ).first()
        if row is None or not hmac.compare_digest(row.token_sha256, digest):
            return None
        last_seen = utc(row.last_seen_at) or now
        expires_at = utc(row.expires_at) or now
        if (
            row.ended_at is not None
            or row.disabled_at is not None
            or expires_at <= now
            or last_seen + self.policy.idle <= now
        ):
            return None
        if now - last_seen >= TOUCH_EVERY:
            with self.engine.connect().execution_options(write=True) as conn, conn.begin():
                conn.execute(
                    sa.update(s)
                    .where(s.c.id == row.id, s.c.ended_at.is_(None))
                    .values(last_seen_at=now)
                )
        return SessionViewer(
            viewer=Viewer(Role(row.role), row.username),
            session_id=row.id,
            user_id=row.user_id,
            expires_at=expires_at,
        )

    def end(self, token: str, reason: str = "logout", now: datetime | None = None) -> bool:
        """End the session ``token`` (idempotent); whether an open session was ended."""
        if reason not in END_REASONS:
            raise ValueError(f"unknown end reason {reason!r}")
        if not token or len(token) > 200:
            return False
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            result = conn.execute(
                sa.update(sessions_table)
                .where(
                    sessions_table.c.token_sha256 == hash_session_id(token),
                    sessions_table.c.ended_at.is_(None),
                )
                .values(ended_at=now or now_utc(), end_reason=reason)
            )
        return bool(result.rowcount)

    def get(self, session_id: int) -> SessionInfo | None:
        """The stored session with ``session_id`` (ended ones too), if still kept."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(sessions_table).where(sessions_table.c.id == session_id)
            ).first()
        return _session_info(row) if row is not None else None

    def open_counts(self, now: datetime | None = None) -> dict[int, int]:
        """Open (not ended, not expired) sessions per user id."""
        now = now or now_utc()
        s = sessions_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(s.c.user_id, sa.func.count())
                .where(
                    s.c.ended_at.is_(None),
                    s.c.expires_at > now,
                    s.c.last_seen_at > now - self.policy.idle,
                )
                .group_by(s.c.user_id)
            ).all()
        return {int(r[0]): int(r[1]) for r in rows}


@dataclass(frozen=True)
class Attempt:
    """A login attempt counted before its password is checked (see :class:`LoginThrottle`)."""

    keys: tuple[tuple[str, str], ...]
    row_ids: tuple[int, ...]
    at: datetime


class LoginThrottle:
    """Counting failed logins per username and per client (module docstring)."""

    def __init__(self, engine: Engine, policy: SessionPolicy, secret: bytes) -> None:
        self.engine = engine
        self.policy = policy
        self._secret = secret

    def keys(self, username: str, client: str) -> tuple[tuple[str, str], ...]:
        """The (scope, HMAC) pairs an attempt counts against."""
        return (
            ("user", keyed_hash(self._secret, "user", username)),
            ("client", keyed_hash(self._secret, "client", client)),
        )

    def _locked_until(self, conn: Connection, scope: str, key: str, now: datetime) -> datetime:
        """Until when ``key`` is locked (``now`` or earlier: not locked)."""
        f = failures_table
        where = (f.c.scope == scope, f.c.key_hmac == key)
        lock = conn.execute(
            sa.select(sa.func.max(f.c.locks_until)).where(*where, f.c.locks_until > now)
        ).scalar()
        until = utc(lock) or now
        recent = conn.execute(
            sa.select(f.c.at)
            .where(*where, f.c.at > now - self.policy.window)
            .order_by(f.c.at.desc())
            .limit(self.policy.max_failures)
        ).all()
        if len(recent) >= self.policy.max_failures:
            # locked until the oldest of the last N failures leaves the window
            oldest = utc(recent[-1][0]) or now
            until = max(until, oldest + self.policy.window)
        return until

    def _serialise(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":  # SQLite: the write lock of BEGIN IMMEDIATE
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _THROTTLE_LOCK})

    def locked_until(self, username: str, client: str, now: datetime | None = None) -> datetime:
        """Until when logins for ``username`` or from ``client`` are refused (<= now: not)."""
        now = now or now_utc()
        with self.engine.connect() as conn:
            return max(self._locked_until(conn, s, k, now) for s, k in self.keys(username, client))

    def begin(self, username: str, client: str, now: datetime | None = None) -> Attempt | datetime:
        """Count an attempt before its password is checked.

        Returns
        -------
        Attempt | datetime
            The counted attempt, or (refused) until when attempts are refused.
        """
        now = now or now_utc()
        keys = self.keys(username, client)
        f = failures_table
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            self._serialise(conn)
            until = max(self._locked_until(conn, s, k, now) for s, k in keys)
            if until > now:
                return until
            ids = []
            for scope, key in keys:
                result = conn.execute(
                    sa.insert(f).values(scope=scope, key_hmac=key, at=now, locks_until=None)
                )
                ids.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
            keep = max(self.policy.window, self.policy.lockout)
            conn.execute(
                sa.delete(f).where(
                    f.c.at < now - keep,
                    sa.or_(f.c.locks_until.is_(None), f.c.locks_until < now),
                )
            )
        return Attempt(keys, tuple(ids), now)

    def failed(self, attempt: Attempt) -> datetime | None:
        """The attempt failed: it stays counted; return until when it locks (if it does)."""
        f = failures_table
        now = attempt.at
        locks: datetime | None = None
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            self._serialise(conn)
            for (scope, key), row_id in zip(attempt.keys, attempt.row_ids, strict=True):
                n = conn.execute(
                    sa.select(sa.func.count()).where(
                        f.c.scope == scope,
                        f.c.key_hmac == key,
                        f.c.at > now - self.policy.window,
                    )
                ).scalar_one()
                if n >= self.policy.max_failures:
                    locks = now + self.policy.lockout
                    conn.execute(sa.update(f).where(f.c.id == row_id).values(locks_until=locks))
        return locks

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt succeeded: take it back and clear its username's failures."""
        f = failures_table
        user_scope = [(s, k) for s, k in attempt.keys if s == "user"]
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            conn.execute(sa.delete(f).where(f.c.id.in_(attempt.row_ids)))
            for scope, key in user_scope:
                conn.execute(sa.delete(f).where(f.c.scope == scope, f.c.key_hmac == key))
