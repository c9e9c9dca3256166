"""A graceful restart: sockets are closed with 1012 and clients come back with their tokens."""

import asyncio
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.helpers import Client, ServerProcess, seat_room


def test_graceful_shutdown_closes_with_1012_and_clients_come_back(tmp_path: Path) -> None:
    first = ServerProcess(tmp_path).start()
    room = first.create_room()

    async def before() -> tuple[str, str]:
        fac, (ana,) = await seat_room(first, room, ["Ana"])
        await fac.ok({"type": "start"})
        await ana.ok({"type": "draw"})
        await ana.ok({"type": "note", "text": "avant le redémarrage"})
        stop = asyncio.get_running_loop().run_in_executor(None, first.stop)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ana.ws.recv(), 10)
        await stop
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        await fac.ws.close()
        return ana.you["token"], room["facilitator_token"]

    token, _ = asyncio.run(before())
    second = ServerProcess(tmp_path, database_url=first.database_url).start()
    try:

        async def after() -> None:
            ana = await Client.connect(second, room["code"])
            welcome = await ana.join(token=token)
            assert welcome["you"]["name"] == "Ana"
            assert [n["text"] for n in welcome["state"]["notes"]] == ["avant le redémarrage"]
            await ana.close()

        asyncio.run(after())
    finally:
        second.stop()
