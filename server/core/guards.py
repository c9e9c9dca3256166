"""What every rule checks first: who may act, in which phase, and how long a text may be."""

import unicodedata
from collections.abc import Callable
from typing import Any

from server.core.deck import MAX_TEXT, Deck
from server.core.state import CurrentCard, Phase, Player, Role, RoomState
from server.errors import GameError

MAX_NAME = 40
# control, format (zero-width, bidi), surrogate, private-use and unassigned characters
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # blank-looking letters
# Bounds: no single participant can grow a room without limit (docs/security.md). A note or
# an open answer is at most MAX_TEXT characters.
MAX_NOTES_PER_CARD = 200
MAX_NOTES_PER_PERSON = 30  # per card
MAX_CARD_CHARS = 60_000  # notes and open answers of one card
MAX_SESSION_CHARS = 600_000  # notes and open answers of a whole session
Handler = Callable[[Deck, RoomState, Player, Any, float], RoomState]
YES_NO_VALUES = ("yes", "no", "unsure")


def clean_name(name: str) -> str:
    """NFC, without control or invisible characters (zero-width, bidi overrides, NUL…), with
    runs of spaces made one; empty or too long is refused."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in INVISIBLE and ch not in FILLERS)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise GameError("name_empty")
    if len(cleaned) > MAX_NAME:
        raise GameError("name_too_long", limit=MAX_NAME)
    return cleaned


def clean_text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise GameError("text_too_long", limit=MAX_TEXT)
    return cleaned


def require_phase(state: RoomState, *phases: Phase) -> None:
    if state.phase not in phases:
        raise GameError("wrong_phase", phase=state.phase.value)


def require_facilitator(actor: Player) -> None:
    if actor.role is not Role.FACILITATOR:
        raise GameError("not_facilitator")


def require_reader(state: RoomState, actor: Player) -> None:
    if actor.role is not Role.FACILITATOR and actor.id != state.reader_id:
        raise GameError("not_reader")


def require_card(state: RoomState) -> CurrentCard:
    if state.current is None:
        raise GameError("no_current_card")
    return state.current


# --- turn rotation --------------------------------------------------------------------------
