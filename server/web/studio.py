"""HTML pages: studio (filled in by its issue)."""

from fastapi import APIRouter

router = APIRouter()
