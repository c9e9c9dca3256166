"""Presence survives a Redis that stops answering for a moment: the leave that could not be
recorded in Redis is repaired at the next presence round, instead of leaving a ghost that the
process's own heartbeat would keep "connected" for as long as it lives."""

import asyncio
import json
from pathlib import Path

import pytest
import redis

from server.core.deck import parse_deck
from server.core.state import RoomSettings
from server.rooms.bus import RedisBus
from server.rooms.outbox import Outbox
from server.rooms.service import Connection, LiveRoom, RoomService
from server.storage.engine import make_engine
from server.storage.migrate import upgrade
from server.storage.repository import Repository
from tests.infra import have_redis, redis_server

ROOT = Path(__file__).parent.parent.parent


def connected(room: LiveRoom, player_id: str) -> bool:
    player = room.state.player(player_id)
    assert player is not None
    return player.connected


def test_a_leave_lost_by_redis_is_repaired(tmp_path: Path) -> None:
    if not have_redis():
        pytest.fail("redis-server is not installed: .ci/run installs it")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    deck = parse_deck(json.loads((ROOT / "cards/exploria-fr.json").read_text()))

    async def scenario(redis_url: str) -> list[bool]:
        engine = make_engine(url)
        bus = RedisBus(redis_url, presence_ttl_s=2)
        rooms = RoomService(Repository(engine), bus=bus)
        await bus.start(rooms.on_bus_event)
        try:
            code, _ = await rooms.create(deck, RoomSettings())
            room = await rooms.get(code)

            async def nowhere(text: str) -> None:
                return None

            joined, conn = await rooms.join(
                room, name="Ana", token=None, conn_factory=lambda pid: Connection(Outbox(nowhere), pid, "fr")
            )
            ana = joined.player.id
            seen = [connected(room, ana)]
            admin = redis.Redis.from_url(redis_url)
            admin.execute_command("CLIENT", "PAUSE", "2500", "WRITE")  # Redis stops writing
            await rooms.leave(room, conn)  # the SREM times out
            seen.append(connected(room, ana))
            # wait for the end of the pause: a write returns only once Redis writes again
            await asyncio.to_thread(admin.set, "exploria:test:probe", "1")
            for _ in range(2):
                await rooms.reconcile_presence()
            seen.append(connected(room, ana))
            members = {m.decode() for m in admin.smembers("exploria:presence:" + code)}
            seen.append(not any(m.startswith(ana + "|") for m in members))
            admin.close()
            return seen
        finally:
            await bus.close()
            await rooms.close()
            engine.dispose()

    with redis_server() as redis_url:
        seen = asyncio.run(scenario(redis_url))
    # connected, then shown disconnected at once, still disconnected after the repair rounds,
    # and no member of hers left in Redis
    assert seen == [True, False, False, True]
