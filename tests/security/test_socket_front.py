"""WebSockets do not pass through the HTTP middlewares (server/web/sockets.py, ``RoomSockets``):
what of them concerns a WebSocket still holds — the client's address from a trusted proxy,
the per-address handshake limit (1013) — and a socket to any other path is refused."""

import asyncio
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.helpers import ServerProcess


async def handshake_closed_with(proc: ServerProcess, code: str, forwarded_for: str) -> int | None:
    """The close code the server sends right after the handshake, or None if it stays open."""
    ws = await websockets.connect(
        f"{proc.ws_base}/ws/rooms/{code}",
        open_timeout=10,
        close_timeout=1,
        additional_headers={"X-Forwarded-For": forwarded_for},
    )
    try:
        await asyncio.wait_for(ws.recv(), 0.5)
    except TimeoutError:
        return None  # still open, waiting for a join
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    finally:
        await ws.close()
    return None


def test_the_join_limit_counts_per_forwarded_address_behind_a_trusted_proxy(tmp_path: Path) -> None:
    proc = ServerProcess(
        tmp_path, env={"JOINS_BURST": "2", "JOINS_PER_MINUTE": "1", "TRUSTED_PROXIES": "127.0.0.1/32"}
    ).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            # five people behind the proxy: five budgets
            for i in range(5):
                assert await handshake_closed_with(proc, room["code"], f"198.51.100.{i}") is None
            # one of them, again and again: its own budget runs out
            codes = [await handshake_closed_with(proc, room["code"], "203.0.113.7") for _ in range(4)]
            assert codes[:2] == [None, None] and 1013 in codes[2:], codes

        asyncio.run(scenario())
    finally:
        proc.stop()


def test_a_websocket_to_another_path_is_refused(server: ServerProcess) -> None:
    async def scenario() -> None:
        for path in ("/ws/nothing", "/ws/rooms/", "/ws/rooms/ABC/more", "/api/rooms"):
            with pytest.raises(InvalidStatus) as refused:
                await websockets.connect(f"{server.ws_base}{path}", open_timeout=10)
            assert refused.value.response.status_code == 403, path

    asyncio.run(scenario())
