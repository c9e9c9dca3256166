"""A command holds its connection's outbox once it has the room's lock, not while it waits for
it (server/rooms/service.py, ``act``): a vote queued behind another of its room still gets
that other change as it happens — a patch, not a full state later — and its own reply still
comes before the state its vote produced."""

import asyncio
import json
import sqlite3
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
        code, _ = await service.create(DECK, RoomSettings())
        room = await service.get(code)
        people = []
        for name in ("Ana", "Bea"):
            joined, conn = await service.join(room, name=name, token=None, conn_factory=factory)
            conn.outbox.push(service.fan.welcome(room, conn, {"id": joined.player.id}))
            conn.outbox.release()
            people.append(conn)
        await service.act(room, room.state.players[0].id, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card = DECK.card(room.state.current.card_id)  # type: ignore[union-attr]
        assert card is not None
        question = next(q for q in card.questions if q.kind == "yes_no")
        answer = c.Answer(card.id, question.id, "yes")
        ana, bea = people
        for ear in ears.values():
            ear.heard.clear()
        before = room.state.version
        # someone else holds the database (a checkpoint's catch-up, a deck upload): Ana's vote
        # waits for its commit on the writer thread, holding her room's lock; Bea's waits for
        # that lock
        other = sqlite3.connect(tmp_path / "queue.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            tasks = [
                asyncio.create_task(vote(room, ana, answer, "a1")),
                asyncio.create_task(vote(room, bea, answer, "b1")),
            ]
            for _ in range(5):
                await asyncio.sleep(0.01)
            assert not any(t.done() for t in tasks)  # nothing acknowledged before it is stored
        finally:
            other.execute("COMMIT")
            other.close()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
        assert room.state.version == before + 2
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
