"""Room states written straight to the socket (server/web/direct.py): right frames, only when
safe, and the same protocol order as the ASGI path on the real server."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets

from server.web.direct import RawSendProbe, direct_socket, direct_writer
from tests.helpers import ServerProcess, free_port, seat_room

TEXTS = ["ok", "é" * 200, "€" * 30_000]  # 2 bytes, 400 bytes (16-bit length), 90 kB (64-bit)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Probe:
    """A bare ASGI WebSocket app behind RawSendProbe, run by a real uvicorn on loopback."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.after_close: list[bool] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        write = direct_writer(scope)
        if write is None:
            await send({"type": "websocket.send", "text": "no direct path"})
        else:
            self.results = [write(text) for text in TEXTS]
        while (await receive())["type"] != "websocket.disconnect":
            pass
        if write is not None:
            self.after_close.append(write("too late"))


@contextlib.asynccontextmanager
async def serve(app: Probe, **options: Any) -> AsyncIterator[str]:
    port = free_port()
    config = uvicorn.Config(
        RawSendProbe(app),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="auto",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def test_direct_frames_arrive_whole_and_in_order() -> None:
    async def scenario() -> None:
        app = Probe()
        async with serve(app, ws_per_message_deflate=False) as url:
            async with websockets.connect(url, compression=None, max_size=None) as ws:
                got = [await asyncio.wait_for(ws.recv(), 10) for _ in TEXTS]
                assert got == TEXTS
            assert app.results == [True, True, True]
            for _ in range(200):
                if app.after_close:
                    break
                await asyncio.sleep(0.01)
            assert app.after_close == [False]  # never a frame after the close

    run(scenario())


class Watcher:
    """A bare ASGI app that watches the connection's state machine as a room's ready set does
    (server/rooms/outbox.py, ``join_ready``)."""

    def __init__(self) -> None:
        self.watched: bool | None = None
        self.left: list[tuple[str, bool]] = []  # (state, whether the app had seen the disconnect)
        self.disconnected = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        raw = direct_socket(scope)
        assert raw is not None
        self.watched = raw.watched
        raw.ws.on_leaving_open = lambda: self.left.append((raw.ws.state.name, self.disconnected))
        await send({"type": "websocket.send", "text": "watching"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        self.disconnected = True


def test_a_close_frame_takes_the_socket_out_of_direct_writes_as_it_is_read() -> None:
    """The ready set's sockets are written on without reading their state: on a real uvicorn
    connection the state machine says, while the close frame is being read — before the app
    hears of the disconnection — that it left OPEN, and says it once."""

    async def scenario() -> None:
        app = Watcher()
        async with serve(app, ws_per_message_deflate=False) as url:
            async with websockets.connect(url, compression=None) as ws:
                assert await asyncio.wait_for(ws.recv(), 10) == "watching"
                assert app.watched is True
                assert app.left == []
            for _ in range(200):
                if app.disconnected:
                    break
                await asyncio.sleep(0.01)
            assert app.left == [("CLOSING", False)]

    run(scenario())


def test_no_direct_path_when_compression_is_negotiated() -> None:
    async def scenario() -> None:
        async with serve(Probe(), ws_per_message_deflate=True) as url:
            async with websockets.connect(url, compression="deflate") as ws:
                assert await asyncio.wait_for(ws.recv(), 10) == "no direct path"
            # offered by the server but declined by the client: nothing to compress, direct
            async with websockets.connect(url, compression=None, max_size=None) as ws:
                assert await asyncio.wait_for(ws.recv(), 10) == TEXTS[0]

    run(scenario())


VALUES = ("yes", "no", "unsure")


@pytest.mark.parametrize(
    "env",
    [{}, {"WS_DIRECT": "false"}, {"WS_IMPL": "websockets"}],
    ids=["direct", "asgi", "legacy-websockets"],
)
def test_protocol_order_is_the_same_on_every_send_path(tmp_path: Path, env: dict[str, str]) -> None:
    """The actor gets its ack before the state its action produced; versions only grow; every
    client ends on the same state."""
    server = ServerProcess(tmp_path, env=env).start()
    try:

        async def scenario() -> None:
            room = server.create_room("mini-test", selection="all")
            fac, players = await seat_room(server, room, ("Ana", "Bea", "Cyr"))
            await fac.ok({"type": "start"})
            state = await players[0].until(lambda s: s["phase"] == "playing")
            reader = next(p for p in players if p.you and p.you["id"] == state["reader_id"])
            await reader.ok({"type": "draw"})
            card = (await reader.until(lambda s: s["card"] is not None))["card"]
            questions = [q["id"] for q in card["questions"] if q["kind"] == "yes_no"]
            for round_, value in enumerate(VALUES):
                for player in players:
                    for qid in questions:
                        await player.ok(
                            {
                                "type": "answer",
                                "card_id": card["id"],
                                "question_id": qid,
                                "value": value,
                                "id": f"{round_}/{qid}",
                            }
                        )
            await fac.ok({"type": "reveal"})
            tallies = []
            for client in [fac, *players]:
                final = await client.until(lambda s: s["step"] == "revealed")
                tallies.append([q.get("tally") for q in final["questions"]])
                versions = [m["version"] for m in client.seen if m["type"] in ("state", "welcome")]
                assert versions == sorted(versions), versions
                assert client.seen[0]["type"] == "welcome"
            assert tallies[0][0] == {"yes": 0, "no": 0, "unsure": 3}
            assert all(t == tallies[0] for t in tallies)
            for player in players:
                # every state before the ack of (round, question) still shows the old value
                for i, msg in enumerate(player.seen):
                    if msg["type"] != "ack" or "/" not in msg["id"]:
                        continue
                    round_, qid = msg["id"].split("/")
                    value = VALUES[int(round_)]
                    early = [
                        m
                        for m in player.seen[:i]
                        if m["type"] == "state" and m["state"]["my_answers"].get(qid) == value
                    ]
                    assert not early, f"state with {qid}={value} before its ack"
            for client in [fac, *players]:
                await client.close()

        run(scenario())
    finally:
        server.stop()


def test_direct_messages_are_valid_json(tmp_path: Path) -> None:
    """A big state (many notes) crosses the 16-bit frame length and still parses."""
    server = ServerProcess(tmp_path).start()
    try:

        async def scenario() -> None:
            room = server.create_room("mini-test", selection="all")
            fac, (ana, watcher) = await seat_room(server, room, ("Ana", "Bea"))
            await fac.ok({"type": "start"})
            state = await ana.until(lambda s: s["phase"] == "playing")
            reader = ana if state["reader_id"] == ana.you["id"] else watcher
            await reader.ok({"type": "draw"})
            for i in range(40):  # within the bounds: 30 notes a person, 60,000 chars a card
                writer = ana if i % 2 else fac
                await writer.ok({"type": "note", "text": f"{i} " + "é€ " * 480})
            big = await watcher.until(lambda s: len(s["notes"]) == 40)
            assert len(json.dumps(big, ensure_ascii=False).encode()) > 65536
            for client in (fac, ana, watcher):
                await client.close()

        run(scenario())
    finally:
        server.stop()
