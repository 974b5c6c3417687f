"""Telling clients apart without storing who they are, and the signed forget links.

Client hash
    A submission is counted against its client, the client's address, but the address is
    never stored: the store keeps ``HMAC(day key, address)``, where the day key is
    ``HMAC(server secret, "forum-client-day" + UTC date)``. The key changes every day, so
    a hash of today cannot be linked to one of yesterday, and without the server secret
    (:mod:`geo.access.secret`) nobody can test guesses of an address. Rate limits look at
    today's and yesterday's hash, so a limit holds across midnight.

Forget link
    The confirmation after a submission with an e-mail carries a link whose token is
    ``contribution id + "." + HMAC(server secret, "forum-forget" + id)``: whoever holds it
    may delete that contribution's contact e-mail, nobody else can make one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from geo.errors import InputError
from geo.settings import Settings

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def _mac(key: bytes, scope: str, value: str) -> str:
    return hmac.new(key, f"{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()


def day_key(secret: bytes, day: date) -> bytes:
    """The key of one UTC day's client hashes."""
    return bytes.fromhex(_mac(secret, "forum-client-day", day.isoformat()))


def client_hash(secret: bytes, address: str, day: date) -> str:
    """The keyed hash of ``address`` on ``day`` (32 hex characters, never the address)."""
    return _mac(day_key(secret, day), "client", address)[:32]


def client_hashes(secret: bytes, address: str, now: datetime) -> tuple[str, str]:
    """Today's and yesterday's hash of ``address`` (a limit holds across midnight)."""
    today = now.date()
    return client_hash(secret, address, today), client_hash(
        secret, address, today - timedelta(days=1)
    )


def forget_token(secret: bytes, contribution_id: str) -> str:
    """The token of the link that deletes the contact e-mail of ``contribution_id``."""
    return f"{contribution_id}.{_mac(secret, 'forum-forget', contribution_id)[:40]}"


def check_forget_token(secret: bytes, token: str | None) -> str:
    """The contribution id a forget token stands for; :class:`InputError` when forged."""
    text = (token or "").strip()
    cid, _, mac = text.partition(".")
    if not cid or len(text) > 120 or not set(cid) <= _ID_CHARS:
        raise InputError("the forget link is incomplete or damaged; use the link as shown.")
    expected = forget_token(secret, cid)
    if not hmac.compare_digest(expected, f"{cid}.{mac}"):
        raise InputError("the forget link is incomplete or damaged; use the link as shown.")
    return cid


@dataclass(frozen=True)
class Limits:
    """The abuse limits of the forum (from the settings)."""

    per_client_hour: int = 10
    global_hour: int = 500
    pending_per_client: int = 10
    retention_days: float = 180.0
    window: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits of ``settings`` (``contributions_*``, ``contact_retention_days``)."""
        return cls(
            per_client_hour=settings.contributions_per_client_hour,
            global_hour=settings.contributions_global_per_hour,
            pending_per_client=settings.contributions_pending_per_client,
            retention_days=settings.contact_retention_days,
        )
