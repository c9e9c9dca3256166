"""The WAL's catch-up pass runs on the event loop (storage/checkpoints.py): votes that come
during a checkpoint are still committed on the loop, none is handed to the writer thread,
and the WAL starts over at the next commit."""

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.core import commands as c
from server.core.state import RoomSettings
from server.storage.checkpoints import (
    CATCH_UP_FRAMES,
    CHECKPOINT_INTERVAL_S,
    CHECKPOINT_TICK_S,
    CHECKPOINT_WRITES,
    checkpoint_due,
    checkpoint_once,
)
from tests.inproc.services import DECK, open_card, quiet_conn, sqlite_service

VOTES = 6


def _wal_frames(path: Path) -> int:
    """How many frames the WAL holds (a passive checkpoint reports it, copying what it can)."""
    with sqlite3.connect(path) as check:
        return int(check.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])


def test_votes_during_a_catch_up_pass_stay_on_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    service, engine = sqlite_service(path)
    assert service.writer.on_loop

    async def scenario() -> None:
        code, _ = await service.create(DECK, RoomSettings())
        room = await service.get(code)
        ana, _ = await service.join(room, name="Ana", token=None, conn_factory=quiet_conn)
        await service.act(room, room.state.players[0].id, c.Start(), None)
        await service.act(room, room.state.reader_id or "", c.Draw(), None)
        card, question = open_card(room)
        # a WAL long enough for the catch-up pass: another connection's pages
        with sqlite3.connect(path, isolation_level=None) as other:
            other.execute("CREATE TABLE filler (x BLOB)")
            other.execute("BEGIN")
            for _ in range(CATCH_UP_FRAMES + 100):
                other.execute("INSERT INTO filler VALUES (zeroblob(4000))")
            other.execute("COMMIT")
        assert _wal_frames(path) >= CATCH_UP_FRAMES
        votes: list[asyncio.Task[bool]] = []

        async def bulk_then_votes(fn: Callable[[], Any]) -> Any:
            """The bulk pass on a thread, as the server's pool runs it; votes arrive right as
            it ends, so they would find the catch-up pass under way if it awaited anything."""
            frames = await asyncio.to_thread(fn)
            for n in range(VOTES):
                vote = c.Answer(card.id, question.id, ("yes", "no")[n % 2])
                votes.append(asyncio.create_task(service.act(room, ana.player.id, vote, f"v{n}")))
            return frames

        await checkpoint_once(service.repo, bulk_then_votes)
        assert all(await asyncio.wait_for(asyncio.gather(*votes), 10))
        assert service.writer.writes_on_thread == 0  # every vote committed on the loop
        # the WAL was wholly copied, and the votes' commits started it again
        assert _wal_frames(path) < 50
        await service.close()

    asyncio.run(scenario())
    engine.dispose()


def test_checkpoints_come_once_a_second_under_steady_votes_and_at_once_when_they_pause() -> None:
    """``checkpoint_due`` (storage/checkpoints.py): four checkpoints a second cost ~1.6 % of
    the server's CPU at 400 votes/s; steady votes get one a second, fast ones one every
    ``CHECKPOINT_WRITES`` states (before the catch-up pass would be needed), and a pause in
    the votes gets one at its first tick."""
    tick = CHECKPOINT_TICK_S
    assert not checkpoint_due(100, 100, tick)  # 400/s, a quarter of a second in
    assert not checkpoint_due(300, 100, 3 * tick)
    assert checkpoint_due(400, 100, 4 * tick)  # a second
    assert checkpoint_due(CHECKPOINT_WRITES, 400, tick)  # 1,600/s: before the second
    assert CHECKPOINT_WRITES < CATCH_UP_FRAMES
    assert checkpoint_due(37, 0, tick)  # the votes paused: copy it all now
    assert not checkpoint_due(0, 0, tick)  # nothing new: wait for the interval
    assert checkpoint_due(0, 0, CHECKPOINT_INTERVAL_S)  # (rooms made, decks: not counted)
