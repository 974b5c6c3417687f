"""Accounts, sessions and login throttling on one engine: what the web app logs in with.

:class:`Accounts` opens the land-pool database (migrated to the newest schema) once and
holds a :class:`~geo.access.users.UserStore`, a :class:`~geo.access.sessions.SessionStore`
and a :class:`~geo.access.sessions.LoginThrottle` on it. :meth:`Accounts.login` is the
whole login: throttle check, password check (same time and message for an unknown user,
a wrong password and a disabled account), counting the failure or starting a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from geo.access.account_schema import now_utc
from geo.access.secret import server_secret
from geo.access.sessions import (
    Attempt,
    LoginThrottle,
    SessionInfo,
    SessionPolicy,
    SessionStore,
    SessionViewer,
)
from geo.access.users import UserInfo, UserStore, normalise_username
from geo.errors import AuthenticationError, TooManyAttemptsError
from geo.landpool.store_engine import create_engine, default_url, migrate
from geo.settings import Settings

#: The one message of a refused login: it never says which part was wrong.
LOGIN_REFUSED = "username or password is wrong (or the account is disabled)."


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the session id for the cookie (shown once), the session, the user."""

    token: str
    session: SessionInfo
    user: UserInfo


def _retry_after_s(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


def throttled(until: datetime, now: datetime) -> TooManyAttemptsError:
    """The error of a refused attempt: when to try again (never whether the user exists)."""
    seconds = _retry_after_s(until, now)
    return TooManyAttemptsError(
        f"too many failed logins; try again in {(seconds + 59) // 60} minute(s), at "
        f"{until.isoformat(timespec='seconds')}.",
        until,
        seconds,
    )


class Accounts:
    """The accounts, sessions and failed logins of one land-pool database.

    Parameters
    ----------
    url
        URL of the land-pool database (``gpkg:///…`` or ``postgresql://…``).
    policy
        Session lifetimes and throttling limits.
    secret
        The server secret keying the HMACs of usernames and clients.
    """

    def __init__(self, url: str, policy: SessionPolicy, secret: bytes) -> None:
        self.engine: Engine = create_engine(url)
        migrate(self.engine)
        self.policy = policy
        self.users = UserStore(self.engine)
        self.sessions = SessionStore(self.engine, policy)
        self.throttle = LoginThrottle(self.engine, policy, secret)

    @classmethod
    def open(cls, settings: Settings) -> Accounts:
        """The accounts of ``settings`` (land-pool database, session settings, secret)."""
        return cls(
            default_url(settings), SessionPolicy.from_settings(settings), server_secret(settings)
        )

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def login(
        self, username: str, password: str, client: str, now: datetime | None = None
    ) -> LoginResult:
        """Check a login and start a session.

        Parameters
        ----------
        client
            The client's address (only its HMAC is stored).

        Raises
        ------
        TooManyAttemptsError
            When the username or the client is locked out (the password is not checked).
        AuthenticationError
            For an unknown username, a wrong password or a disabled account, with one
            message (:data:`LOGIN_REFUSED`) and the same work done in each case.
        """
        now = now or now_utc()
        name = normalise_username(username)
        attempt = self.throttle.begin(name, client, now)
        if not isinstance(attempt, Attempt):
            raise throttled(attempt, now)
        user = self.users.verify(name, password)
        if user is None:
            self.throttle.failed(attempt)
            raise AuthenticationError(LOGIN_REFUSED)
        self.throttle.succeeded(attempt)
        token, session = self.sessions.start(user.id, now)
        self.users.record_login(user.id, now)
        return LoginResult(token, session, self.users.get_by_id(user.id))

    def authenticate(self, token: str, now: datetime | None = None) -> SessionViewer | None:
        """Who a session cookie stands for (``None``: unknown, ended or expired)."""
        return self.sessions.authenticate(token, now)

    def logout(self, token: str, now: datetime | None = None) -> bool:
        """End the session ``token``; whether one was open."""
        return self.sessions.end(token, "logout", now)
