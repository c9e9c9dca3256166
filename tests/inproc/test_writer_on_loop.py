"""With SQLite, states are committed on the event loop (storage/writer.py) — but never while
another connection holds the database: then the batch waits on the writer thread, and the
event loop keeps serving everyone else. Nothing is acknowledged before it is stored."""

import asyncio
import sqlite3
import time
from pathlib import Path

from server.core import commands as c
from server.core.state import RoomSettings, RoomState
from tests.inproc.services import DECK, open_card, quiet_conn, sqlite_service


def test_a_locked_database_makes_the_write_wait_but_not_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    service, engine = sqlite_service(path)
    assert service.writer.on_loop

    async def scenario() -> None:
        code, _ = await service.create(DECK, RoomSettings())
        room = await service.get(code)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # someone else writes (a deck upload, a checkpoint)
        try:
            joining = asyncio.create_task(service.join(room, name="Ana", token=None, conn_factory=quiet_conn))
            started = time.monotonic()
            for _ in range(20):  # the loop turns while the write waits for the lock
                await asyncio.sleep(0.01)
            assert time.monotonic() - started < 2.0
            assert not joining.done()  # not acknowledged: not stored yet
        finally:
            other.execute("COMMIT")
            other.close()
        joined, _ = await asyncio.wait_for(joining, 10)
        assert joined.player.name == "Ana"
        # and afterwards the votes of the room go through the event loop's commits again
        fac = room.state.players[0].id
        await service.act(room, fac, c.Start(), "m1")
        stored = service.repo.load_room(code)
        assert stored is not None
        state = RoomState.model_validate_json(stored.state)
        assert [p.name for p in state.players][1:] == ["Ana"]
        assert state.phase.value == "playing" and stored.version == room.state.version
        await service.close()

    asyncio.run(scenario())
    engine.dispose()


def test_a_lone_vote_waits_for_a_locked_database_too(tmp_path: Path) -> None:
    """A vote alone in its turn is one statement, committed without BEGIN/COMMIT of ours
    (statewrites.py): it also goes to the writer thread when the database is held."""
    path = tmp_path / "vote.db"
    service, engine = sqlite_service(path)

    async def scenario() -> None:
        code, _ = await service.create(DECK, RoomSettings())
        room = await service.get(code)
        joined, _ = await service.join(room, name="Ana", token=None, conn_factory=quiet_conn)
        await service.act(room, room.state.players[0].id, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card, question = open_card(room)
        value = "yes"
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            vote = c.Answer(card.id, question.id, value)
            voting = asyncio.create_task(service.act(room, joined.player.id, vote, "v1"))
            for _ in range(20):
                await asyncio.sleep(0.01)
            assert not voting.done()  # not acknowledged: not stored yet
        finally:
            other.execute("COMMIT")
            other.close()
        assert await asyncio.wait_for(voting, 10) is True
        with sqlite3.connect(path) as check:
            rows = check.execute("SELECT player_id FROM open_answers").fetchall()
        assert rows == [(joined.player.id,)]
        await service.close()

    asyncio.run(scenario())
    engine.dispose()


def test_every_write_of_a_turn_is_committed_within_its_save(tmp_path: Path) -> None:
    """storage/writer.py: with SQLite each state is committed before its ``save`` returns, on
    the event loop's connection: three rooms' changes started in one turn are all stored,
    without a future or a second turn (writes of one turn used to wait for the turn's end)."""
    service, engine = sqlite_service(tmp_path / "turns.db")

    async def scenario() -> None:
        rooms = []
        for _ in range(3):
            code, _ = await service.create(DECK, RoomSettings())
            room = await service.get(code)
            await service.join(room, name="Ana", token=None, conn_factory=quiet_conn)
            rooms.append(room)
        await asyncio.sleep(0.01)  # a new turn
        starts = [
            asyncio.create_task(service.act(room, room.state.players[0].id, c.Start(), f"s{i}"))
            for i, room in enumerate(rooms)
        ]
        await asyncio.sleep(0)  # one turn: each task ran until its write
        assert [t.done() for t in starts] == [True, True, True]
        assert all(await asyncio.wait_for(asyncio.gather(*starts), 5))
        for room in rooms:
            stored = service.repo.load_room(room.code)
            assert stored is not None and stored.version == room.state.version
            assert RoomState.model_validate_json(stored.state).phase.value == "playing"
        await service.close()

    asyncio.run(scenario())
    engine.dispose()
