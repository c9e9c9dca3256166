"""Render a session summary in one of the formats of CONTRACT.md §2."""

import json

from server.core.deck import Deck
from server.core.state import RoomState
from server.summary.model import build_summary

FORMATS = ("json",)


async def render(fmt: str, deck: Deck, state: RoomState, code: str) -> tuple[bytes, str]:
    summary = build_summary(deck, state, code)
    return json.dumps(summary, ensure_ascii=False, indent=2).encode(), "application/json"
