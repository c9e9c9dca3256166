"""A command holds its connection's outbox once it has the room's lock, not while it waits for
it (server/rooms/service.py, ``act``): a vote queued behind another of its room still gets
that other change as it happens — a patch, not a full state later — and its own reply still
comes before the state its vote produced."""

import asyncio
import json
from pathlib import Path
from typing import Any

from server.core import commands as c
from server.core.deck import parse_deck
from server.core.state import RoomSettings
from server.rooms.live import Connection
from server.rooms.outbox import Outbox
from server.rooms.service import RoomService
from server.storage.engine import make_engine
from server.storage.repository import Repository
from server.storage.tables import Base
from server.web import wire
from server.web.direct import Frame, Payload

ROOT = Path(__file__).resolve().parent.parent.parent
DECK = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))


class Ear:
    """One connection's socket: every message, decoded, in order."""

    def __init__(self) -> None:
        self.heard: list[dict[str, Any]] = []

    def write(self, payload: Payload) -> bool:
        data = payload.data if isinstance(payload, Frame) else payload
        self.heard.append(json.loads(data))
        return True

    def write_many(self, payloads: list[Payload]) -> bool:
        return all(self.write(p) for p in payloads)


async def _nowhere(_text: str) -> None:
    return None


def test_a_vote_waiting_for_its_room_gets_the_change_before_it_and_its_ack_before_its_own(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    Base.metadata.create_all(engine)
    service = RoomService(Repository(engine))
    ears: dict[str, Ear] = {}

    def factory(player_id: str) -> Connection:
        ear = ears.setdefault(player_id, Ear())
        outbox = Outbox(_nowhere, ear.write, protocol=2, direct_many=ear.write_many)
        return Connection(outbox, player_id, "fr")

    async def vote(room: Any, conn: Connection, cmd: c.Command, msg_id: str) -> None:
        """As the session does: act (holding once the room is ours), then the ack, release."""
        try:
            await service.act(room, conn.player_id, cmd, msg_id, hold=conn.outbox.hold)
            conn.outbox.push(wire.ack(msg_id))
        finally:
            conn.outbox.release()

    async def scenario() -> None:
        rooms, people = [], []
        for _ in range(2):
            code, _ = await service.create(DECK, RoomSettings())
            room = await service.get(code)
            here = []
            for name in ("Ana", "Bea"):
                joined, conn = await service.join(room, name=name, token=None, conn_factory=factory)
                conn.outbox.push(service.fan.welcome(room, conn, {"id": joined.player.id}))
                conn.outbox.release()
                here.append(conn)
            await service.act(room, room.state.players[0].id, c.Start(), None)
            await service.act(room, room.state.reader_id or "", c.Draw(), None)
            rooms.append(room)
            people.append(here)
        card = DECK.card(rooms[0].state.current.card_id)  # type: ignore[union-attr]
        assert card is not None
        question = next(q for q in card.questions if q.kind == "yes_no")
        answer = c.Answer(card.id, question.id, "yes")
        other_card = DECK.card(rooms[1].state.current.card_id)  # type: ignore[union-attr]
        assert other_card is not None
        other_q = next(q for q in other_card.questions if q.kind == "yes_no")
        (ana, bea), (elsewhere, _) = people
        for ear in ears.values():
            ear.heard.clear()
        before = rooms[0].state.version
        await asyncio.sleep(0.01)  # a new turn of the loop
        # in one turn: a vote of another room is the turn's first write (committed at once);
        # Ana's then waits for the turn's commit holding her room's lock; Bea's waits for it
        tasks = [
            asyncio.create_task(vote(rooms[1], elsewhere, c.Answer(other_card.id, other_q.id, "no"), "x1")),
            asyncio.create_task(vote(rooms[0], ana, answer, "a1")),
            asyncio.create_task(vote(rooms[0], bea, answer, "b1")),
        ]
        await asyncio.sleep(0)
        assert [t.done() for t in tasks] == [True, False, False]
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert rooms[0].state.version == before + 2
        heard = [m for m in ears[bea.player_id].heard if m["type"] in ("state", "patch", "ack")]
        # Bea: Ana's change as a patch while she waited, then her ack, then her own change
        assert [(m["type"], m.get("version"), m.get("id")) for m in heard] == [
            ("patch", before + 1, None),
            ("ack", None, "b1"),
            ("patch", before + 2, None),
        ], heard
        assert not any(m["type"] == "state" for m in ears[ana.player_id].heard)
        await service.close()

    asyncio.run(scenario())
    engine.dispose()
