"""The memory bus: two room services over one hub behave as two processes over one Redis, so
cross-process presence and conflict retries are tested without Redis."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.deck import parse_deck
from server.core.state import RoomSettings
from server.rooms.bus import MemoryBus, MemoryHub, bus_from_url
from server.rooms.outbox import Outbox
from server.rooms.service import Connection, LiveRoom, RoomService
from server.storage.engine import make_engine
from server.storage.migrate import upgrade
from server.storage.repository import Repository
from tests.helpers import FIXTURES

DECK = parse_deck(json.loads((FIXTURES / "mini-deck.json").read_text()))


async def nowhere(text: str) -> None:
    return None


def conn_for(player_id: str) -> Connection:
    return Connection(Outbox(nowhere), player_id, "fr")


def connected(room: LiveRoom, player_id: str) -> bool:
    player = room.state.player(player_id)
    assert player is not None
    return player.connected


@asynccontextmanager
async def processes(tmp_path: Path, n: int, *, listen: bool = True) -> AsyncIterator[list[RoomService]]:
    """``n`` services on one database and one hub, as ``n`` processes on one Redis."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    hub = MemoryHub()
    services = [RoomService(Repository(engine), bus=MemoryBus(hub)) for _ in range(n)]
    if listen:
        for service in services:
            await service.bus.start(service.on_bus_event)
    try:
        yield services
    finally:
        for service in services:
            await service.bus.close()
            await service.close()
        engine.dispose()


async def settled(room: LiveRoom, version: int) -> None:
    """Until the room (fed by the bus) reaches ``version``: the event, not a delay."""
    async with asyncio.timeout(5):
        while room.state.version < version:
            await asyncio.sleep(0.01)


def test_bus_backends_are_chosen_by_url() -> None:
    assert isinstance(bus_from_url("memory://"), MemoryBus)
    assert isinstance(bus_from_url(""), MemoryBus)
    assert not bus_from_url("memory://").shared  # alone: nothing to publish
    with pytest.raises(ValueError, match="no bus for"):
        bus_from_url("kafka://somewhere")


def test_a_write_refused_for_a_stale_version_is_retried(tmp_path: Path) -> None:
    async def scenario() -> None:
        # the second "process" does not listen: it acts on a state it does not know is stale
        async with processes(tmp_path, 2, listen=False) as (one, two):
            code, _ = await one.create(DECK, RoomSettings(selection="all"))
            room_one, room_two = await one.get(code), await two.get(code)
            joined, _ = await one.join(room_one, name="Ana", token=None, conn_factory=conn_for)
            ana = joined.player.id
            assert room_two.state.version < room_one.state.version
            # the database refuses two's write (version conflict): two reloads, applies again
            facilitator = room_two.state.players[0].id
            assert await two.act(room_two, facilitator, c.Lock(True), "m1")
            assert room_two.state.locked
            assert room_two.state.player(ana) is not None  # the join it had missed is kept
            assert room_two.state.version == room_one.state.version + 1
            # the same message id again is recognised, also after the reload
            assert not await two.act(room_two, facilitator, c.Lock(True), "m1")

    asyncio.run(scenario())


def test_states_travel_between_processes(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with processes(tmp_path, 2) as (one, two):
            code, _ = await one.create(DECK, RoomSettings(selection="all"))
            room_one, room_two = await one.get(code), await two.get(code)
            await one.join(room_one, name="Ana", token=None, conn_factory=conn_for)
            await settled(room_two, room_one.state.version)
            assert [p.name for p in room_two.state.players][-1] == "Ana"

    asyncio.run(scenario())


def test_a_stopped_process_releases_its_people(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with processes(tmp_path, 2) as (one, two):
            code, _ = await one.create(DECK, RoomSettings(selection="all"))
            room_one, room_two = await one.get(code), await two.get(code)
            joined, _ = await one.join(room_one, name="Ana", token=None, conn_factory=conn_for)
            ana = joined.player.id
            await settled(room_two, room_one.state.version)
            assert connected(room_two, ana)
            assert await two.reconcile_presence() == 0  # one still holds her socket
            await one.bus.close()  # process one stops (its heartbeat with it)
            assert await two.reconcile_presence() == 1
            assert not connected(room_two, ana)

    asyncio.run(scenario())


def test_leaving_one_process_while_connected_to_another_keeps_presence(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with processes(tmp_path, 2) as (one, two):
            code, _ = await one.create(DECK, RoomSettings(selection="all"))
            room_one, room_two = await one.get(code), await two.get(code)
            joined, conn_one = await one.join(room_one, name="Ana", token=None, conn_factory=conn_for)
            ana, token = joined.player.id, joined.token
            await settled(room_two, room_one.state.version)
            await two.join(room_two, name=None, token=token, conn_factory=conn_for)  # 2nd tab
            await one.leave(room_one, conn_one)
            assert connected(room_one, ana)  # still present through process two
            assert await two.reconcile_presence() == 0

    asyncio.run(scenario())
