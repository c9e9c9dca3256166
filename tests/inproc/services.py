"""The room service on its own (no web layer), on a SQLite file: what the in-process tests of
storage and the vote path share."""

import json
from pathlib import Path

from sqlalchemy import Engine

from server.core.deck import Card, Question, parse_deck
from server.rooms.live import Connection, LiveRoom
from server.rooms.outbox import Outbox
from server.rooms.service import RoomService
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.storage.tables import Base

ROOT = Path(__file__).resolve().parent.parent.parent
DECK = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))


async def nowhere(_text: str) -> None:
    return None


def quiet_conn(player_id: str) -> Connection:
    """A protocol 2 connection whose messages go nowhere."""
    return Connection(Outbox(nowhere, protocol=2), player_id, "fr")


def sqlite_service(path: Path) -> tuple[RoomService, Engine]:
    """A ``RoomService`` on a new SQLite database at ``path`` (dispose of the engine after)."""
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return RoomService(Repository(engine)), engine


def open_card(room: LiveRoom) -> tuple[Card, Question]:
    """The card in play and its first yes/no question."""
    assert room.state.current is not None
    card = DECK.card(room.state.current.card_id)
    assert card is not None
    return card, next(q for q in card.questions if q.kind == "yes_no")
