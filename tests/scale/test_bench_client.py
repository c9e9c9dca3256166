"""The load generator's own WebSocket client (bench/rawws.py) reads what a real server sends as
that server meant it: checked against the ``websockets`` library's server, an independent
implementation, on loopback. If this client misread a frame, bench/load.py's figures would be
wrong for the app and the floor alike, and nothing else would show it."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve

from bench import rawws

BIG = "é" * 40_000  # 80,000 bytes: the 8-byte length form
MIDDLE = "x" * 300  # the 2-byte length form


async def talker(ws: ServerConnection) -> None:
    """Sends every kind of frame the client must read, then echoes, then closes."""
    await ws.send("hello")
    await ws.send(MIDDLE)
    await ws.send(BIG)
    await ws.send(["frag", "ment", "ed"])  # a text message in three frames
    await ws.send(b"\x00binary")  # dropped by the client
    pong = await ws.ping(b"are you there")
    await asyncio.wait_for(pong, 5)  # the client answered the ping
    await ws.send("after ping")
    async for message in ws:  # what the client sends arrives whole, unmasked by the server
        await ws.send(json.dumps({"echo": message}))
        if message == "bye":
            await ws.close(1000)


@asynccontextmanager
async def talking_server() -> AsyncIterator[str]:
    async with serve(talker, "127.0.0.1", 0, compression=None, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/any?x=1"


def on_server(scenario: Callable[[str], Awaitable[None]]) -> None:
    async def run() -> None:
        async with talking_server() as url:
            await scenario(url)

    asyncio.run(run())


def test_the_generator_client_reads_every_frame_form() -> None:
    on_server(reads_every_frame_form)


async def reads_every_frame_form(url: str) -> None:
    got: list[str] = []
    closed = asyncio.Event()
    conn = await rawws.connect(url, lambda text, _t: got.append(text), closed.set, timeout=5)
    for _ in range(200):
        if "after ping" in got:
            break
        await asyncio.sleep(0.01)
    assert got == ["hello", MIDDLE, BIG, "fragmented", "after ping"]
    assert conn.send_text("día ü")
    assert conn.send_text("y" * 70_000)
    assert conn.send_text("bye")
    await asyncio.wait_for(closed.wait(), 5)
    assert [json.loads(t)["echo"] for t in got[5:]] == ["día ü", "y" * 70_000, "bye"]
    assert not conn.send_text("too late")


def test_frames_split_anywhere_are_put_together() -> None:
    asyncio.run(split_anywhere())


async def split_anywhere() -> None:
    """A read may end in the middle of a header or a payload: byte by byte, the same texts."""
    got: list[str] = []
    conn = rawws.RawWebSocket("h", "/", lambda text, _t: got.append(text), lambda: None)
    conn.opened.set_result(None)
    frames = b"".join(
        rawws.client_frame(1, text.encode()) for text in ("a", MIDDLE, BIG)
    )  # masked frames: the client reads masked ones right too
    for i in range(len(frames)):
        conn.data_received(frames[i : i + 1])
    assert got == ["a", MIDDLE, BIG]


def test_a_refused_handshake_is_an_error() -> None:
    asyncio.run(refused())


async def refused() -> None:
    async def refuse(connection: ServerConnection, request: object) -> object:
        return connection.respond(403, "no\n")

    async with serve(talker, "127.0.0.1", 0, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        with pytest.raises(rawws.HandshakeFailed, match="403"):
            await rawws.connect(f"ws://127.0.0.1:{port}/", lambda *_: None, lambda: None, timeout=5)
