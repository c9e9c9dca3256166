"""People coming back at once (a classroom's Wi-Fi returns): each is welcomed with a state that
shows them connected, everyone ends up seeing all of them connected, and the room records
their return in groups — a few state changes, not one per person (server/rooms/presence.py).
The same for people gone at once."""

import asyncio
import json
from pathlib import Path
from typing import Any

import websockets

from tests.helpers import Client, ServerProcess, seat_room

PLAYERS = 20


def connected(state: dict[str, Any]) -> set[str]:
    return {p["id"] for p in state["players"] if p["connected"]}


def all_gone(ids: set[str]) -> Any:
    return lambda s: ids <= {p["id"] for p in s["players"]} and not connected(s) & ids


async def come_back_at_once(proc: ServerProcess, code: str, tokens: list[str], protocol: int) -> list[Client]:
    """Every socket open first, then every ``join`` sent in the same instant."""
    sockets = await asyncio.gather(*(Client.connect(proc, code) for _ in tokens))
    joins = [{"type": "join", "token": t, "protocol": protocol} for t in tokens]
    await asyncio.gather(*(cl.send(j) for cl, j in zip(sockets, joins, strict=True)))
    return list(sockets)


async def burst(proc: ServerProcess, protocol: int) -> None:
    room = proc.create_room()
    fac, players = await seat_room(proc, room, [f"P{i}" for i in range(PLAYERS)])
    ids = {p.you["id"] for p in players if p.you}
    tokens = [p.you["token"] for p in players if p.you]
    assert len(ids) == PLAYERS
    for p in players:
        await p.close()
    await fac.until(all_gone(ids))
    before = fac.version

    back = await come_back_at_once(proc, room["code"], tokens, protocol)
    for cl, player_id in zip(back, [p.you["id"] for p in players if p.you], strict=True):
        welcome = await cl.expect("welcome")
        assert welcome["you"]["id"] == player_id
        # the welcome already shows its person connected, also where broadcasts are coalesced
        assert player_id in connected(welcome["state"]), welcome["state"]["players"]
    # everyone, the facilitator who stayed and each who came back, sees them all connected
    await fac.until(lambda s: ids <= connected(s))
    for cl in back:
        if protocol == 1:
            await cl.until(lambda s: ids <= connected(s))
        else:  # changes come as patches: ask for the full state
            await cl.send({"type": "sync"})
            assert ids <= connected((await cl.expect("state"))["state"])
    changes = fac.version - before
    # one change per person before the grouping: 20
    assert 1 <= changes < PLAYERS // 2, f"{changes} state changes for {PLAYERS} people coming back"
    for cl in (fac, *back):
        await cl.close()


def test_a_burst_of_reconnections_is_recorded_in_a_few_changes(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:
        asyncio.run(burst(proc, protocol=1))
    finally:
        proc.stop()


def test_in_a_coalesced_room_every_welcome_shows_its_person_connected(tmp_path: Path) -> None:
    # above 5 connections states are coalesced: the welcome must not reuse an older view
    proc = ServerProcess(tmp_path, env={"BIG_ROOM_THRESHOLD": "5", "COALESCE_MS": "300"}).start()
    try:
        asyncio.run(burst(proc, protocol=2))
    finally:
        proc.stop()


def test_in_a_coalesced_room_a_newcomer_s_welcome_shows_them(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"BIG_ROOM_THRESHOLD": "5", "COALESCE_MS": "300"}).start()
    try:

        async def scenario() -> None:
            room = proc.create_room()
            fac, seated = await seat_room(proc, room, [f"P{i}" for i in range(8)])
            newcomers = await asyncio.gather(*(Client.connect(proc, room["code"]) for _ in range(10)))
            await asyncio.gather(
                *(cl.send({"type": "join", "name": f"N{i}", "protocol": 2}) for i, cl in enumerate(newcomers))
            )
            for cl in newcomers:
                welcome = await cl.expect("welcome")
                assert welcome["you"]["id"] in connected(welcome["state"]), welcome["state"]["players"]
            for cl in (fac, *seated, *newcomers):
                await cl.close()

        asyncio.run(scenario())
    finally:
        proc.stop()


def test_people_gone_at_once_are_recorded_in_a_few_changes(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:

        async def scenario() -> None:
            room = proc.create_room()
            fac, players = await seat_room(proc, room, [f"P{i}" for i in range(PLAYERS)])
            ids = {p.you["id"] for p in players if p.you}
            await fac.until(lambda s: ids <= connected(s))
            before = fac.version
            for p in players:  # the Wi-Fi drops: every socket goes in the same instant
                p.ws.transport.abort()
            await fac.until(all_gone(ids))
            changes = fac.version - before
            # one change per person before the grouping: 20
            assert 1 <= changes < PLAYERS // 2, f"{changes} state changes for {PLAYERS} people gone"
            for cl in (fac, *players):  # an aborted socket is closed too, not left to the GC
                await cl.close()

        asyncio.run(scenario())
    finally:
        proc.stop()


def test_a_socket_gone_while_its_group_is_seated_leaves_its_person_disconnected(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:

        async def scenario() -> None:
            room = proc.create_room()
            fac, (ana, bob) = await seat_room(proc, room, ["Ana", "Bob"])
            assert ana.you and bob.you
            await ana.close()
            await bob.close()
            await fac.until(all_gone({ana.you["id"], bob.you["id"]}))
            # Ana's socket sends its join and goes at once; Bob stays
            gone = await websockets.connect(f"{proc.ws_base}/ws/rooms/{room['code']}", close_timeout=1)
            stays = await Client.connect(proc, room["code"])
            await gone.send(json.dumps({"type": "join", "token": ana.you["token"]}))
            await stays.send({"type": "join", "token": bob.you["token"]})
            gone.transport.abort()
            await stays.expect("welcome")
            await fac.until(lambda s: bob.you["id"] in connected(s) and ana.you["id"] not in connected(s))
            for cl in (fac, stays):
                await cl.close()
            await gone.close()

        asyncio.run(scenario())
    finally:
        proc.stop()
