"""The server secret: the key of the HMACs that stand for usernames and client addresses.

Login throttling counts failed logins per username and per client address, but stores
neither in clear: each is replaced by an HMAC-SHA256 keyed with this secret, so the table
of failures names no person and no address, and a copy of the database alone does not
let anyone test guesses of either.

Where the secret comes from, first match wins:

1. the setting ``secret_key`` (``STADTREGION_SECRET_KEY``, at least 32 characters): for
   several hosts that share one PostGIS database (they must count with the same key);
2. the file ``secret_key`` in ``processed_dir`` (``data/processed/secret_key``), made on
   first use with 64 random hex characters and mode 0600. Every worker process of one
   host reads the same file; two processes creating it at once agree on one (the file is
   linked into place atomically, the loser reads the winner's).

Changing the secret forgets the failures counted so far; nothing else depends on it
(sessions and API tokens are random values stored as plain SHA-256).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import threading
from pathlib import Path

from geo.errors import DataSourceError, InputError
from geo.settings import Settings

FILE_NAME = "secret_key"
MIN_LENGTH = 32
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def secret_file(settings: Settings) -> Path:
    """Where the secret file lives (used only without the ``secret_key`` setting)."""
    return Path(settings.processed_dir) / FILE_NAME


def server_secret(settings: Settings) -> bytes:
    """The server secret of ``settings`` (see the module docstring), cached per process.

    Raises
    ------
    InputError
        When the ``secret_key`` setting is shorter than 32 characters.
    DataSourceError
        When the secret file cannot be read or written, or holds too short a secret.
    """
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value().strip()
        if len(value) < MIN_LENGTH:
            raise InputError(
                f"STADTREGION_SECRET_KEY must have at least {MIN_LENGTH} characters "
                f"(it has {len(value)}); e.g. python -c 'import secrets; "
                "print(secrets.token_hex(32))'."
            )
        return value.encode("utf-8")
    path = secret_file(settings)
    key = str(path)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = _read_or_create(path)
    return found


def _read_or_create(path: Path) -> bytes:
    try:
        if not path.exists():
            _create(path)
        value = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise DataSourceError(
            f"cannot read or create the server secret {path} ({exc}); make the folder "
            "writable or set STADTREGION_SECRET_KEY."
        ) from exc
    if len(value) < MIN_LENGTH:
        raise DataSourceError(
            f"the server secret {path} holds {len(value)} characters, fewer than "
            f"{MIN_LENGTH}; delete the file (a new one is made) or set STADTREGION_SECRET_KEY."
        )
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        os.chmod(path, 0o600)  # readable by its owner only, as it was made
    return value.encode("ascii")


def _create(path: Path) -> None:
    """Write a new secret to ``path`` (mode 0600) unless another process was first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        # atomic: fails when the file exists (another worker made it first: use theirs)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def keyed_hash(secret: bytes, scope: str, value: str) -> str:
    """Hex HMAC-SHA256 of ``value`` in ``scope`` (``user`` or ``client``) under ``secret``."""
    return hmac.new(secret, f"{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()


def forget_cached() -> None:
    """Drop the secrets read so far (tests that delete or replace the file)."""
    with _lock:
        _cache.clear()
