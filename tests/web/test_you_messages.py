"""``you`` messages (protocol 2): through random games, what each connection was last told of
its own part — its welcome, then every ``you`` — is always its own answers and the card's tip
for the current state, although the fan-out looks only at the people whose part may have
changed (server/rooms/changes.py, ``changed_people``). People come (a welcome between two
changes), vote, leave, are removed; cards are drawn, revealed and passed on; readers change.
"""

import asyncio
import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.deck import Deck
from server.core.rules import apply
from server.errors import GameError
from server.rooms.fanout import Fanout
from server.rooms.live import Connection, LiveRoom
from server.rooms.outbox import Outbox
from server.web.direct import Frame, Payload
from tests.core import test_view_cache as crowd
from tests.core.test_views import EXPLORIA, MINI
from tests.core.test_views import NOW as T0


class Told:
    """One connection's own part as its messages gave it: (my_answers, card_tip)."""

    def __init__(self) -> None:
        self.part: tuple[Any, Any] | None = None

    def write(self, payload: Payload) -> bool:
        raw = payload.data if isinstance(payload, Frame) else payload
        message = json.loads(raw)
        if message["type"] == "you":
            self.part = (message["my_answers"], message["card_tip"])
        elif message["type"] == "welcome":
            self.part = (message["you"]["my_answers"], message["you"]["card_tip"])
        return True


async def _nowhere(_text: str) -> None:
    return None


def seat(
    fan: Fanout, room: LiveRoom, player_id: str, told: dict[Connection, Told], *, viewer: bool = False
) -> Connection:
    """A socket for ``player_id`` (a second one for someone already here, or a read-only
    screen, too), welcomed."""
    ear = Told()
    conn = Connection(Outbox(_nowhere, ear.write, protocol=2), player_id, "fr", viewer=viewer)
    room.connections.add(conn)
    conn.outbox.push(fan.welcome(room, conn, {"id": player_id}))
    told[conn] = ear
    return conn


def expected(fan: Fanout, room: LiveRoom, conn: Connection) -> tuple[Any, Any]:
    _, mine, tip = fan._personal(room, Connection(Outbox(_nowhere), conn.player_id, "fr", conn.viewer))
    return json.loads(mine), json.loads(tip)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 19)), min_size=10, max_size=80),
)
def test_everyone_was_last_told_their_own_part(deck: Deck, steps: list[tuple[int, int]]) -> None:
    """After every flush. Changes that are not flushed at once stand for a coalesced big room;
    arrivals come welcomed, seated by presence before their welcome (a flush in between), as
    read-only screens; ``sync`` resends."""

    async def game() -> None:
        fan = Fanout(lambda: T0, big_room_threshold=1000)
        room = LiveRoom("ROOM01", deck, crowd.room(deck))
        told: dict[Connection, Told] = {}
        for player in room.state.players:
            seat(fan, room, player.id, told)
        for i, (choice, event) in enumerate(steps):
            options = crowd.moves(deck, room.state, i)
            actor, cmd = options[choice % len(options)]
            with contextlib.suppress(GameError):
                room.state = apply(deck, room.state, actor, cmd, T0 + i)
            present = [p.id for p in room.state.players]
            someone = present[choice % len(present)]
            late: Connection | None = None
            if event == 0:  # someone arrives between two changes: welcomed with this state
                seat(fan, room, someone, told)
            elif event == 1:  # a read-only screen
                seat(fan, room, someone, told, viewer=True)
            elif event == 2:  # seated by presence, welcomed only after the next flush
                ear = Told()
                late = Connection(Outbox(_nowhere, ear.write, protocol=2), someone, "fr")
                room.connections.add(late)
                told[late] = ear
            elif event == 3 and told:  # ``sync``
                fan.resend(room, list(told)[choice % len(told)])
            if event >= 12:  # not flushed now: a coalesced room's change waits for the next
                continue
            fan.broadcast(room)
            if late is not None:
                late.outbox.push(fan.welcome(room, late, {"id": someone}))
            here = {p.id for p in room.state.players}
            for conn, ear in told.items():
                if conn.player_id in here:  # a removed person's socket is closed by the service
                    assert ear.part == expected(fan, room, conn), (i, actor, cmd)

    asyncio.run(game())
