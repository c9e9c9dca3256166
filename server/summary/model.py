"""The summary as data: everything every format shows, built once from the room."""

from typing import Any

from server.core.deck import Deck
from server.core.state import RoomState
from server.core.synthesis import synthesize


def build_summary(deck: Deck, state: RoomState, code: str) -> dict[str, Any]:
    synthesis = synthesize(deck, state.closed)
    return {
        "code": code,
        "deck": {"id": deck.id, "title": deck.title, "version": deck.version},
        "phase": state.phase.value,
        "synthesis": synthesis.model_dump(mode="json"),
    }
