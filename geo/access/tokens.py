"""API tokens: created once, stored only as a hash, revocable, with an optional expiry.

A token is ``sr_`` followed by 43 URL-safe characters from :func:`secrets.token_urlsafe`
(256 bits). Such a secret cannot be guessed, so a fast hash is enough (as GitHub and PyPI
do for API tokens): the table holds the SHA-256 of the token, never the token itself, and
a leaked table gives no usable token. A lookup hashes the presented token, finds the row
by its hash and compares the hashes once more in constant time.

Tokens live in the table ``api_tokens`` of the land-pool database (the GeoPackage
``STADTREGION_LANDPOOL_GPKG``, or PostGIS at ``STADTREGION_DATABASE_URL``), created by the
store's migrations (``geo/landpool/migrations/versions/0002_api_tokens.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.access.roles import Role, Viewer, parse_role
from geo.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from geo.landpool.store_engine import create_engine, migrate
from geo.landpool.store_engine import default_url as store_default_url
from geo.settings import Settings

#: Every token starts with this, so a leaked one is recognisable (secret scanners).
PREFIX = "sr_"
#: Characters of a token shown in listings to tell tokens apart (never enough to use it).
SHOWN_CHARS = 8
MAX_NAME_LENGTH = 100

metadata = sa.MetaData()

#: The table as migration 0002_api_tokens creates it.
tokens_table = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
    sa.Column("shown", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class TokenInfo:
    """What is known about a token, without the token itself."""

    id: int
    name: str
    role: Role
    shown: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``revoked`` or ``expired`` at ``now`` (default: the current time)."""
        now = now or _now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of ``token`` (what the table stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a new random token (256 bits of entropy)."""
    return PREFIX + secrets.token_urlsafe(32)


def default_url(settings: Settings) -> str:
    """The database of the token table: the land-pool database (PostGIS or GeoPackage)."""
    return store_default_url(settings)


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TokenStore:
    """The API tokens in one database.

    Parameters
    ----------
    url
        URL of the land-pool database (``gpkg:///path/landpool.gpkg`` or
        ``postgresql://...``), migrated to the newest schema on opening.
    """

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        migrate(self.engine)

    @classmethod
    def open(cls, settings: Settings) -> TokenStore:
        """The token store of ``settings``."""
        return cls(default_url(settings))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (on a GeoPackage it takes the write lock up front)."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @staticmethod
    def _info(row: sa.Row[Any]) -> TokenInfo:
        return TokenInfo(
            id=row.id,
            name=row.name,
            role=Role(row.role),
            shown=row.shown,
            created_at=_utc(row.created_at) or _now(),
            expires_at=_utc(row.expires_at),
            revoked_at=_utc(row.revoked_at),
        )

    def create(
        self,
        name: str,
        role: str | Role,
        *,
        expires_at: datetime | None = None,
        expires_in: timedelta | None = None,
        now: datetime | None = None,
    ) -> tuple[str, TokenInfo]:
        """Create a token; return it (shown this once) and its stored description.

        Raises
        ------
        InputError
            For an unknown role, an empty or over-long name, or an expiry in the past.
        ConflictError
            When a token of that name exists (names identify tokens in the history).
        """
        role = parse_role(role)
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InputError(f"token name must have 1..{MAX_NAME_LENGTH} characters, got {name!r}.")
        now = now or _now()
        if expires_in is not None:
            expires_at = now + expires_in
        expires_at = _utc(expires_at)
        if expires_at is not None and expires_at <= now:
            raise InputError(f"expiry {expires_at.isoformat()} lies in the past; give a later one.")
        token = new_token()
        values = {
            "name": name,
            "role": role.value,
            "token_sha256": hash_token(token),
            "shown": token[: len(PREFIX) + SHOWN_CHARS] + "…",
            "created_at": now,
            "expires_at": expires_at,
        }
        with self._write() as conn:
            taken = conn.execute(
                sa.select(tokens_table.c.id).where(tokens_table.c.name == name)
            ).first()
            if taken is not None:
                raise ConflictError(f"a token named {name!r} exists; choose another name.")
            new_id = conn.execute(sa.insert(tokens_table).values(**values)).inserted_primary_key
            row = conn.execute(
                sa.select(tokens_table).where(tokens_table.c.id == new_id[0])  # type: ignore[index]
            ).one()
        return token, self._info(row)

    def list(self) -> list[TokenInfo]:
        """Every token (active, expired and revoked), oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(tokens_table).order_by(tokens_table.c.id)).all()
        return [self._info(r) for r in rows]

    def get(self, ref: str | int, *, by: str | None = None) -> TokenInfo:
        """The token with id or name ``ref``; :class:`NotFoundError` when there is none.

        Parameters
        ----------
        by
            ``"id"`` or ``"name"`` to say what ``ref`` is. Without it, an ``int`` is an id
            and a text is looked up as both; a text that is one token's id and another
            token's name is refused as ambiguous (:class:`InputError`).
        """
        if by not in (None, "id", "name"):
            raise InputError(f"by must be 'id' or 'name', not {by!r}.")
        if isinstance(ref, int) and by is None:
            by = "id"
        text = str(ref).strip()
        conds = []
        if by in (None, "name"):
            conds.append(tokens_table.c.name == text)
        if by in (None, "id"):
            if text.isascii() and text.isdigit() and len(text) <= 18:
                conds.append(tokens_table.c.id == int(text))
            elif by == "id":
                raise InputError(f"token id must be a whole number, not {text!r}.")
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(tokens_table).where(sa.or_(*conds)).order_by(tokens_table.c.id)
            ).all()
        if not rows:
            what = {"id": "id", "name": "name"}.get(by or "", "id or name")
            raise NotFoundError(f"no token with {what} {text!r}; see 'stadtregion tokens list'.")
        if len(rows) > 1:
            by_id = next(r for r in rows if str(r.id) == text)
            by_name = next(r for r in rows if r.name == text)
            raise InputError(
                f"token reference {text!r} is ambiguous: it is the id of token {by_id.id} "
                f"'{by_id.name}' and the name of token {by_name.id}; use --id {text} or "
                f"--name {text}."
            )
        return self._info(rows[0])

    def revoke(
        self, ref: str | int, now: datetime | None = None, *, by: str | None = None
    ) -> TokenInfo:
        """Revoke the token with id or name ``ref`` (idempotent); return it.

        ``by`` as for :meth:`get`: an ambiguous reference revokes nothing.
        """
        info = self.get(ref, by=by)
        if info.revoked_at is None:
            with self._write() as conn:
                conn.execute(
                    sa.update(tokens_table)
                    .where(tokens_table.c.id == info.id)
                    .values(revoked_at=now or _now())
                )
            info = self.get(info.id)
        return info

    def authenticate(self, token: str, now: datetime | None = None) -> Viewer:
        """Return the :class:`Viewer` a token stands for.

        Raises
        ------
        AuthenticationError
            When the token is unknown, revoked or expired (the message says which of the
            last two, never anything about other tokens).
        """
        digest = hash_token(token)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(tokens_table).where(tokens_table.c.token_sha256 == digest)
            ).first()
        if row is None or not hmac.compare_digest(row.token_sha256, digest):
            raise AuthenticationError("unknown API token; ask an admin for a valid one.")
        info = self._info(row)
        state = info.state(now)
        if state != "active":
            raise AuthenticationError(f"this API token is {state}; ask an admin for a new one.")
        return Viewer(info.role, info.name)
