"""What a forum contribution is, the checks of what a visitor sends, and the moderation rules.

Pure functions and value objects; the store (:mod:`geo.forum.store`) writes them and the
use case (:mod:`geo.usecases.forum`) resolves a target against the region and the land
pool before they get here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from shapely.geometry import Point

from geo.access.roles import Role
from geo.errors import InputError
from geo.forum.schema import STATUS, TARGET_KINDS

#: Length limits (characters) of what a visitor writes.
TITLE_MIN, TITLE_MAX = 3, 120
TEXT_MIN, TEXT_MAX = 10, 4000
EMAIL_MAX = 254
REASON_MAX = 500
PROJECT_REF_MAX = 64
TOPIC_KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_EMAIL = re.compile(
    r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_PROJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
#: Control characters other than line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

#: Who moderates contributions (and may see a contact e-mail when answering).
MODERATOR_ROLES = frozenset({Role.PLANNER, Role.ADMIN})
#: Statuses the public sees (:mod:`geo.forum.public` decides what of them).
PUBLIC_STATUSES: tuple[str, ...] = ("approved", "rejected", "taken_up")
#: Moderation steps: event -> (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approved": (("pending", "rejected", "hidden", "taken_up"), "approved"),
    "rejected": (("pending", "approved", "hidden", "taken_up"), "rejected"),
    "hidden": (("pending", "approved", "rejected", "taken_up"), "hidden"),
    "taken_up": (("approved", "pending"), "taken_up"),
    "reopened": (("approved", "rejected", "hidden", "taken_up"), "pending"),
}


@dataclass(frozen=True)
class Target:
    """What a contribution is about, resolved: always a point (EPSG:25832) in a municipality."""

    kind: str
    point: Point
    ags: str
    municipality: str
    plot_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise InputError(f"target kind {self.kind!r} is unknown; use one of {TARGET_KINDS}.")


@dataclass(frozen=True)
class Draft:
    """What a visitor sends, checked (:func:`check_draft`)."""

    topic: str
    title: str
    text: str
    email: str | None


@dataclass(frozen=True)
class Contribution:
    """A stored contribution (never with its contact e-mail)."""

    id: str
    target_kind: str
    ags: str
    municipality: str
    plot_id: str | None
    topic: str
    title: str
    text: str
    status: str
    reason: str | None
    project_ref: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    x_m: float
    y_m: float
    client_hash: str | None = None


@dataclass(frozen=True)
class HistoryStep:
    """One step of a contribution's history (no e-mail, no address)."""

    id: int
    contribution_id: str
    at: datetime
    actor: str
    event: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    changes: str | None
    project_ref: str | None


def clean_text(value: str | None) -> str:
    """``value`` in NFC with control and direction-override characters removed, stripped."""
    text = unicodedata.normalize("NFC", value or "")
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _bounded(name: str, value: str | None, lo: int, hi: int) -> str:
    text = clean_text(value)
    if not lo <= len(text) <= hi:
        raise InputError(f"{name} must have {lo}..{hi} characters, got {len(text)}.")
    return text


def check_email(value: str | None) -> str | None:
    """The contact e-mail (lower-case domain), ``None`` when empty; refuse a malformed one."""
    text = clean_text(value)
    if not text:
        return None
    if len(text) > EMAIL_MAX or not _EMAIL.match(text):
        raise InputError("email is not an e-mail address (name@example.org); leave it empty.")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_topic_key(key: str | None, known: set[str]) -> str:
    """``key`` if it is a known topic, else an error naming the topics."""
    value = (key or "").strip()
    if value not in known:
        raise InputError(f"topic {value!r} is unknown; use one of {', '.join(sorted(known))}.")
    return value


def check_draft(
    topic: str | None,
    title: str | None,
    text: str | None,
    email: str | None,
    topics: set[str],
) -> Draft:
    """Check what a visitor sends; :class:`InputError` names the first bad field."""
    return Draft(
        topic=check_topic_key(topic, topics),
        title=_bounded("title", title, TITLE_MIN, TITLE_MAX),
        text=_bounded("text", text, TEXT_MIN, TEXT_MAX),
        email=check_email(email),
    )


def check_reason(value: str | None, *, required: bool) -> str | None:
    """A moderation reason (shown publicly for a rejection)."""
    text = clean_text(value)
    if not text:
        if required:
            raise InputError("a rejection needs a reason (shown publicly as 'abgelehnt: …').")
        return None
    if len(text) > REASON_MAX:
        raise InputError(f"reason must have at most {REASON_MAX} characters, got {len(text)}.")
    return text


def check_project_ref(value: str | None) -> str:
    """A cooperation project's id (free text here; the project register checks it exists)."""
    text = clean_text(value)
    if not _PROJECT.match(text):
        raise InputError(
            f"project must be a project id (letters, digits, . _ : -, at most 64), got {text!r}."
        )
    return text


def transition(event: str, current: str) -> str:
    """The status ``event`` leads to from ``current``; :class:`InputError` if not allowed."""
    if event not in TRANSITIONS:
        raise InputError(f"moderation step {event!r} is unknown; use one of {list(TRANSITIONS)}.")
    sources, target = TRANSITIONS[event]
    if current not in sources:
        raise InputError(
            f"a contribution that is {current!r} cannot be {event!r}; from {current!r}: "
            f"{', '.join(e for e, (s, _) in TRANSITIONS.items() if current in s) or 'nothing'}."
        )
    return target


def check_status(value: str) -> str:
    """``value`` if it is a contribution status."""
    if value not in STATUS:
        raise InputError(f"status {value!r} is unknown; use one of {', '.join(STATUS)}.")
    return value
