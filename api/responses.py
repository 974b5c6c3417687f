"""Response classes of the API."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class GeoJSONResponse(JSONResponse):
    """GeoJSON served as ``application/geo+json`` (RFC 7946)."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        """Serialise without ASCII escaping (German names stay readable)."""
        return json.dumps(content, ensure_ascii=False, allow_nan=False).encode("utf-8")
