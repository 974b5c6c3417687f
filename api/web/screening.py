"""The screening page (placeholder while it is built)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
