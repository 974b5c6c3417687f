"""What a map builder is asked for: :class:`MapRequest` (its own module, so the registry
and the builders both import it without importing each other)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.access.roles import PUBLIC, Viewer
from geo.landpool.store import Store
from geo.settings import Settings


@dataclass(frozen=True)
class MapRequest:
    """Everything a map may use.

    Attributes
    ----------
    settings
        Data folders, asset URLs, tile source.
    lang
        ``de`` (default) or ``en``.
    tiles
        ``"none"`` switches the base map off.
    viewer
        Who asks; maps of land-pool plots pass it to the store.
    options
        The map's own options (e.g. ``by`` and ``profile`` of the plots map).
    store
        Returns the land-pool store (the API passes its shared one; the CLI opens one).
    """

    settings: Settings
    lang: str = "de"
    tiles: str | None = None
    viewer: Viewer = PUBLIC
    options: Mapping[str, Any] = field(default_factory=dict)
    store: Callable[[], Store] | None = None

    def open_store(self) -> Store:
        """The land-pool store for this request."""
        return self.store() if self.store is not None else Store.open(self.settings)
