"""Client messages read straight off the socket (server/web/inbound.py) behave as through
ASGI (``WS_DIRECT=false``): in order, also when sent all at once before the session is ready
and past the inbox's limit (reading pauses and resumes); binary frames, bad UTF-8, the join
timeout and a client gone mid-burst are handled as before. With one process the inbox is
eager: a message is handled within the call that brings it until it waits, then a task takes
the rest over (checked here on the inbox itself, with a real event loop)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import websockets

from server.rooms.sending import MAX_CONTROL
from server.web.inbound import INBOX_MAX, Inbox
from tests.helpers import Client, ServerProcess, seat

PATHS = pytest.mark.parametrize("env", [{}, {"WS_DIRECT": "false"}], ids=["direct", "asgi"])


def _on_server(
    tmp_path: Path, env: dict[str, str], scenario: Callable[[ServerProcess], Awaitable[None]]
) -> None:
    server = ServerProcess(tmp_path, env=env).start()
    try:
        asyncio.run(scenario(server))
    finally:
        server.stop()


@PATHS
def test_a_burst_is_handled_in_order_from_the_first_frame(tmp_path: Path, env: dict[str, str]) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        ws = await websockets.connect(f"{server.ws_base}/ws/rooms/{room['code']}", close_timeout=1)
        # past the inbox's limit (reading pauses, then resumes), and replies (ack and pong)
        # past the outbox's limit of waiting messages: this client reads, only later
        count = 4 * INBOX_MAX + MAX_CONTROL
        # all at once, before the server has even found the room for this socket
        burst = [json.dumps({"type": "join", "name": "Ana", "id": "j"})]
        burst += [json.dumps({"type": "ping", "id": f"p{i}"}) for i in range(count)]
        for text in burst:
            await ws.send(text)
        acks: list[str] = []
        kinds: list[str] = []
        while len(acks) < count + 1:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
            kinds.append(msg["type"])
            if msg["type"] == "ack":
                acks.append(msg["id"])
            assert msg["type"] != "error", msg
        assert acks == ["j", *(f"p{i}" for i in range(count))]
        assert kinds[0] == "welcome" and kinds.count("pong") == count
        # still reading after the pause: one more round trip
        await ws.send(json.dumps({"type": "ping", "id": "last"}))
        while (msg := json.loads(await asyncio.wait_for(ws.recv(), 5)))["type"] != "ack":
            pass
        assert msg["id"] == "last"
        await ws.close()

    _on_server(tmp_path, env, scenario)


@PATHS
def test_binary_frames_and_bad_text(tmp_path: Path, env: dict[str, str]) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        ana = await seat(server, room["code"], name="Ana")
        await ana.ws.send(b"\x00\x01")  # a binary frame: an error, the connection stays
        error = await ana.expect("error")
        assert error["code"] == "binary_frame" and error["message"]
        assert (await ana.call({"type": "ping"}))["type"] == "ack"
        await ana.ws.send(b"\xff\xfe not UTF-8", text=True)  # a text frame that is not text
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await ana.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
        await ana.close()

    _on_server(tmp_path, env, scenario)


@PATHS
def test_a_socket_that_never_joins_is_closed(tmp_path: Path, env: dict[str, str]) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        client = await Client.connect(server, room["code"])
        error = await client.expect("error", timeout=5)
        assert error["code"] == "join_timeout"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
        # one that joins in time is not closed when the deadline passes
        ana = await seat(server, room["code"], name="Ana")
        await asyncio.sleep(1.5)
        assert (await ana.call({"type": "ping"}))["type"] == "ack"
        await client.close()
        await ana.close()

    _on_server(tmp_path, {**env, "JOIN_TIMEOUT_S": "1"}, scenario)


@PATHS
def test_a_client_gone_mid_burst_leaves_the_room_whole(tmp_path: Path, env: dict[str, str]) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        fac = await seat(server, room["code"], token=room["facilitator_token"])
        ana = await seat(server, room["code"], name="Ana")
        ana_id = (ana.you or {})["id"]
        await fac.ok({"type": "start"})
        state = await fac.until(lambda s: s["phase"] == "playing")
        reader = fac if state["reader_id"] == (fac.you or {})["id"] else ana
        await reader.ok({"type": "draw"})
        card: dict[str, Any] = (await fac.until(lambda s: s["card"] is not None))["card"]
        question = card["questions"][0]["id"]
        for i in range(3 * INBOX_MAX):
            value = "yes" if i % 2 else "no"
            msg = {"type": "answer", "card_id": card["id"], "question_id": question, "value": value}
            await ana.ws.send(json.dumps({**msg, "id": f"a{i}"}))
        ana.ws.transport.abort()  # gone, with messages still unhandled
        await asyncio.wait_for(ana.ws.wait_closed(), 5)
        left = await fac.until(
            lambda s: not next(p for p in s["players"] if p["id"] == ana_id)["connected"], timeout=10
        )
        assert left["phase"] == "playing"
        again = await seat(server, room["code"], token=(ana.you or {})["token"])
        assert (await again.call({"type": "ping"}))["type"] == "ack"
        await again.close()
        await fac.close()

    _on_server(tmp_path, env, scenario)


class _Reading:
    """What the inbox asks of the connection's protocol: pausing and resuming reading."""

    def __init__(self) -> None:
        self.paused = 0

    def pause_inbound(self) -> None:
        self.paused += 1

    def resume_inbound(self) -> None:
        pass


def test_an_eager_inbox_handles_at_once_and_hands_over_when_it_waits() -> None:
    async def main() -> list[tuple[str, object]]:
        seen: list[tuple[str, object]] = []
        gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        stop: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(item: object) -> None:
            seen.append(("start", item))
            try:
                if item == "wait":
                    seen.append(("got", await gate))
                if item == "stop":
                    await stop
            except asyncio.CancelledError:
                seen.append(("cancelled", item))
                raise
            seen.append(("end", item))

        inbox = Inbox(handle, _Reading(), eager=True)
        inbox.put("a")
        assert seen == [("start", "a"), ("end", "a")]  # within ``put``: no task, no loop turn
        inbox.put("wait")
        inbox.put("b")  # behind the one that waits
        assert seen[-1] == ("start", "wait")
        gate.set_result(7)
        await asyncio.sleep(0.01)
        inbox.put("stop")
        await asyncio.sleep(0.01)
        task = inbox._task
        assert task is not None
        task.cancel()  # passed on into the coroutine started by hand
        await asyncio.wait([task])
        inbox.put("c")  # the inbox goes on after it
        await inbox.finish()
        return seen

    seen = asyncio.run(asyncio.wait_for(main(), 10))
    assert seen[2:] == [
        ("start", "wait"),
        ("got", 7),
        ("end", "wait"),
        ("start", "b"),
        ("end", "b"),
        ("start", "stop"),
        ("cancelled", "stop"),
        ("start", "c"),
        ("end", "c"),
    ]
