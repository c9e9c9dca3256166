"""A room held in memory, the sockets in it, and the seat a join gives."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from server.core import commands as c
from server.core.deck import Deck
from server.core.rules import apply
from server.core.state import Player, RoomState
from server.rooms.fanout import RoomFan
from server.rooms.outbox import Outbox
from server.rooms.rows import IdsJson
from server.rooms.statejson import StateJson

CLOSE_REMOVED = 4403  # the facilitator removed this participant
CLOSE_SLOW = 4008  # a reader that fell too far behind


@dataclass(eq=False, slots=True)
class Connection:
    """One socket in a room, as the service sees it."""

    outbox: Outbox
    player_id: str
    lang: str
    viewer: bool = False  # a read-only screen (presenter view): no presence, no actions
    buffered: Callable[[], int] | None = None  # bytes waiting in the socket's write buffer
    abort: Callable[[], None] | None = None  # drop the connection at once
    # over the buffer limit at the last slow-reader sweep (Registry.sweep_slow): a reader is cut
    # when it still is at the next one, not for a moment's backlog of a big state
    behind: bool = False


@dataclass(eq=False)
class LiveRoom:
    code: str
    deck: Deck
    state: RoomState
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    connections: set[Connection] = field(default_factory=set)
    applied: set[tuple[str, str]] = field(default_factory=set)
    # player id → ids of their votes on the open card that only their ``open_answers`` row
    # holds (server/rooms/sealed.py): a whole-state write moves them to ``applied_messages``
    row_messages: dict[str, list[str]] = field(default_factory=dict)
    row_ids_json: IdsJson = field(default_factory=IdsJson)  # those lists' JSON, per person
    # the version of the room's row in the database: with one process a vote writes only its
    # own row (server/rooms/rows.py), and the next whole write expects this one
    stored_version: int = 0
    fan: RoomFan = field(default_factory=RoomFan)  # what the fan-out remembers (fanout.py)
    stored_json: StateJson = field(default_factory=StateJson)  # pieces of the stored state
    idle_since: float | None = None  # monotonic time the last connection left
    # anonymous session, open card: its key (see server/rooms/sealing.py) and the message ids
    # stored for it, keyed with it
    card_key: bytes | None = None
    card_key_id: str | None = None
    # the (card id, drawn at) ``card_key_id`` was last checked against: later votes on the
    # same card need no hash (``applied.known_card_key``)
    card_key_of: tuple[str, float] | None = None
    applied_hashed: set[str] = field(default_factory=set)
    # sockets coming back, waiting to be seated together (server/rooms/presence.py)
    arrivals: list[tuple[Connection, "asyncio.Future[None]"]] = field(default_factory=list)
    departures: list[tuple[Connection, "asyncio.Future[None]"]] = field(default_factory=list)
    # a layout of its PDF was asked for since it was loaded: the first is made at once
    # (``RoomService._broadcast``, ``summary.render.prerender_later``)
    laid_out_ahead: bool = False

    @property
    def language(self) -> str:
        return self.state.settings.language or self.deck.language

    def players_here(self) -> set[str]:
        """Players with a socket (not a read-only screen) in this process."""
        return {x.player_id for x in self.connections if not x.viewer}


@dataclass(frozen=True)
class Joined:
    room: LiveRoom
    player: Player
    token: str


@dataclass(frozen=True)
class Together:
    """Several commands (each with its actor) applied as ONE state change: one version, one
    store, one broadcast. Presence uses it for a burst of people coming back at once."""

    moves: tuple[tuple[str | None, c.Command], ...]


def apply_any(
    deck: Deck, state: RoomState, actor_id: str | None, cmd: "c.Command | Together", now: float
) -> RoomState:
    """The rules (``server.core.rules.apply``), also for ``Together``: every move in order,
    the result one version after ``state``."""
    if not isinstance(cmd, Together):
        return apply(deck, state, actor_id, cmd, now)
    new = state
    for actor, move in cmd.moves:
        new = apply(deck, new, actor, move, now)
    return new.replace(version=state.version + 1)


class Commit(Protocol):
    """``RoomService.commit``: under the room lock, apply ``cmd``, store and fan out."""

    def __call__(
        self,
        room: LiveRoom,
        actor_id: str | None,
        cmd: c.Command | Together,
        message_id: str | None,
        new_token: tuple[str, str] | None = None,
    ) -> Awaitable[bool]: ...
