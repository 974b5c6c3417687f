"""User accounts of the web app: planners, the land-pool team and admins.

An account has a unique username (lower case), a display name, a role
(:class:`~geo.access.roles.Role` except ``public``, which needs no account), an Argon2id
password hash and its dates: created, password changed, disabled, last login. Passwords
are hashed with argon2-cffi's :class:`~argon2.PasswordHasher` (RFC 9106 low-memory
profile: 64 MiB, 3 passes, 4 lanes; about 0.15 s per check on one core), never stored or
logged in clear.

Password rules (:func:`check_password_rules`): at least :data:`MIN_PASSWORD_LENGTH` (12)
characters, at most 1024, no spaces at either end, not the username. Long pass phrases
are welcome; no composition rules (NIST SP 800-63B).

:meth:`UserStore.verify` takes as long for an unknown username as for a wrong password
(it checks a dummy hash), so its timing does not tell which usernames exist. Disabling a
user or setting a new password ends every session of that user in the same transaction.

The table ``users`` lives in the land-pool database next to the API tokens (migration
``0005_users_sessions``).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine

from geo.access.account_schema import end_sessions_of, now_utc, users_table, utc
from geo.access.roles import Role, Viewer, parse_role
from geo.errors import ConflictError, InputError, NotFoundError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME = 100
#: 2 to 64 characters: lower-case letters, digits and ``. _ - @``, starting with a letter
#: or digit (an e-mail address fits).
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
#: Roles an account may have (the public role needs none).
ACCOUNT_ROLES = (Role.PLANNER, Role.LANDPOOL, Role.ADMIN)

HASHER = PasswordHasher()
#: Hash of a random, forgotten password made with :data:`HASHER`'s parameters: checked
#: for unknown usernames so they take as long as a wrong password (never matches).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$50BoqXy7vVHqnSMdAjGw8Q$"
    "jJhyt2mXwBSVAITwuQWpvtz6h4R6uBTcR8tLzxWBU5s"
)
_dummy: list[str] = []


def dummy_hash() -> str:
    """The dummy hash, made anew once if :data:`HASHER`'s parameters changed."""
    if not _dummy:
        fresh = HASHER.check_needs_rehash(_DUMMY_HASH)
        _dummy.append(HASHER.hash(secrets.token_urlsafe(32)) if fresh else _DUMMY_HASH)
    return _dummy[0]


def normalise_username(value: str) -> str:
    """``value`` stripped and in lower case (how usernames are stored and looked up)."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def parse_username(value: str) -> str:
    """The stored form of a username; :class:`InputError` saying the rules."""
    name = normalise_username(value)
    if not USERNAME_PATTERN.match(name):
        raise InputError(
            f"username {value.strip()!r} is not allowed: use 2 to 64 characters, lower-case "
            "letters a-z, digits and . _ - @, starting with a letter or digit."
        )
    return name


def parse_account_role(value: str | Role) -> Role:
    """A role an account may have; :class:`InputError` for ``public`` or an unknown role."""
    role = parse_role(value)
    if role not in ACCOUNT_ROLES:
        allowed = ", ".join(r.value for r in ACCOUNT_ROLES)
        raise InputError(
            f"role {role.value!r} needs no account (everyone has it); give one of {allowed}."
        )
    return role


def parse_display_name(value: str | None, username: str) -> str:
    """The display name (the username when empty); :class:`InputError` when over-long."""
    name = " ".join((value or "").split())
    if not name:
        return username
    if len(name) > MAX_DISPLAY_NAME:
        raise InputError(
            f"display name has {len(name)} characters; at most {MAX_DISPLAY_NAME} are allowed."
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError("display name contains control characters; use plain text.")
    return name


def check_password_rules(password: str, username: str) -> None:
    """Raise :class:`InputError` naming the rule a new password breaks (never echoing it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password is too short ({len(password)} characters); use at least "
            f"{MIN_PASSWORD_LENGTH}, a pass phrase of several words is easiest."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            f"the password is too long ({len(password)} characters); use at most "
            f"{MAX_PASSWORD_LENGTH}."
        )
    if password != password.strip():
        raise InputError("the password begins or ends with a space; remove it.")
    if normalise_username(password) == normalise_username(username):
        raise InputError("the password is the username; choose another password.")


def generate_password() -> str:
    """A random password of 24 URL-safe characters (144 bits), meeting every rule."""
    return secrets.token_urlsafe(18)


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (a new random salt every time)."""
    return HASHER.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False also for a broken hash)."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class UserInfo:
    """What is known about an account, without its password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None
    last_login_at: datetime | None

    @property
    def state(self) -> str:
        """``active`` or ``disabled``."""
        return "disabled" if self.disabled_at is not None else "active"

    @property
    def viewer(self) -> Viewer:
        """The viewer this account acts as (its name goes into the history of writes)."""
        return Viewer(self.role, self.username)


def _info(row: sa.Row[Any]) -> UserInfo:
    return UserInfo(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        created_at=utc(row.created_at) or now_utc(),
        password_changed_at=utc(row.password_changed_at) or now_utc(),
        disabled_at=utc(row.disabled_at),
        last_login_at=utc(row.last_login_at),
    )


class UserStore:
    """The accounts in one database.

    Parameters
    ----------
    engine
        Engine of the land-pool database, migrated (see :class:`geo.access.accounts.Accounts`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> Any:
        return self.engine.connect().execution_options(write=True)

    def _row(self, username: str) -> sa.Row[Any] | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(users_table).where(users_table.c.username == normalise_username(username))
            ).first()

    def create(
        self,
        username: str,
        role: str | Role,
        password: str,
        *,
        display_name: str | None = None,
        now: datetime | None = None,
    ) -> UserInfo:
        """Create an account.

        Raises
        ------
        InputError
            For a username, role, display name or password that breaks a rule.
        ConflictError
            When the username is taken, or an API token has that name (the history of
            writes would not tell the two apart).
        """
        name = parse_username(username)
        account_role = parse_account_role(role)
        shown = parse_display_name(display_name, name)
        check_password_rules(password, name)
        digest = hash_password(password)
        now = now or now_utc()
        with self._write() as conn, conn.begin():
            taken = conn.execute(
                sa.select(users_table.c.id).where(users_table.c.username == name)
            ).first()
            if taken is not None:
                raise ConflictError(f"a user named {name!r} exists; choose another username.")
            token = conn.execute(
                sa.text("SELECT 1 FROM api_tokens WHERE lower(name) = :n"), {"n": name}
            ).first()
            if token is not None:
                raise ConflictError(
                    f"an API token is named {name!r}; the history of changes could not tell "
                    "the two apart, so choose another username."
                )
            new_id = conn.execute(
                sa.insert(users_table).values(
                    username=name,
                    display_name=shown,
                    role=account_role.value,
                    password_hash=digest,
                    created_at=now,
                    password_changed_at=now,
                )
            ).inserted_primary_key
            row = conn.execute(sa.select(users_table).where(users_table.c.id == new_id[0])).one()
        return _info(row)

    def get(self, username: str) -> UserInfo:
        """The account ``username``; :class:`NotFoundError` when there is none."""
        row = self._row(username)
        if row is None:
            raise NotFoundError(
                f"no user named {normalise_username(username)!r}; see 'stadtregion users list'."
            )
        return _info(row)

    def get_by_id(self, user_id: int) -> UserInfo:
        """The account with ``user_id``; :class:`NotFoundError` when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users_table).where(users_table.c.id == user_id)).first()
        if row is None:
            raise NotFoundError(f"no user with id {user_id}.")
        return _info(row)

    def list(self) -> list[UserInfo]:
        """Every account (active and disabled), by username."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users_table).order_by(users_table.c.username)).all()
        return [_info(r) for r in rows]

    def disable(self, username: str, now: datetime | None = None) -> UserInfo:
        """Disable an account and end all its sessions (idempotent); return it."""
        info = self.get(username)
        now = now or now_utc()
        with self._write() as conn, conn.begin():
            if info.disabled_at is None:
                conn.execute(
                    sa.update(users_table)
                    .where(users_table.c.id == info.id)
                    .values(disabled_at=now)
                )
            end_sessions_of(conn, info.id, "disabled", now)
        return self.get_by_id(info.id)

    def enable(self, username: str) -> UserInfo:
        """Enable a disabled account again (idempotent); its old sessions stay ended."""
        info = self.get(username)
        if info.disabled_at is not None:
            with self._write() as conn, conn.begin():
                conn.execute(
                    sa.update(users_table)
                    .where(users_table.c.id == info.id)
                    .values(disabled_at=None)
                )
        return self.get_by_id(info.id)

    def set_password(self, username: str, password: str, now: datetime | None = None) -> UserInfo:
        """Give an account a new password and end all its sessions; return it.

        Raises
        ------
        InputError
            When the password breaks a rule (nothing changes).
        """
        info = self.get(username)
        check_password_rules(password, info.username)
        digest = hash_password(password)
        now = now or now_utc()
        with self._write() as conn, conn.begin():
            conn.execute(
                sa.update(users_table)
                .where(users_table.c.id == info.id)
                .values(password_hash=digest, password_changed_at=now)
            )
            end_sessions_of(conn, info.id, "password_reset", now)
        return self.get_by_id(info.id)

    def verify(self, username: str, password: str) -> UserInfo | None:
        """The account when ``password`` is its password and it is active, else ``None``.

        Takes one Argon2 check whatever the outcome (a dummy hash for an unknown or
        malformed username), so the time taken does not tell whether a username exists.
        A matching hash made with older parameters is replaced by one with the current ones.
        """
        name = normalise_username(username)
        row = self._row(name) if USERNAME_PATTERN.match(name) else None
        stored = row.password_hash if row is not None else dummy_hash()
        ok = password_matches(stored, password)
        if row is None or not ok or row.disabled_at is not None:
            return None
        if HASHER.check_needs_rehash(stored):
            with self._write() as conn, conn.begin():
                conn.execute(
                    sa.update(users_table)
                    .where(users_table.c.id == row.id)
                    .values(password_hash=hash_password(password))
                )
        return _info(row)

    def record_login(self, user_id: int, now: datetime) -> None:
        """Note a successful login (shown to admins as the last login)."""
        with self._write() as conn, conn.begin():
            conn.execute(
                sa.update(users_table).where(users_table.c.id == user_id).values(last_login_at=now)
            )
