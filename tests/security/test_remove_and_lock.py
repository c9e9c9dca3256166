"""The facilitator can remove a participant (their sockets are closed with 4403 and their
token no longer joins) and lock the room (newcomers are refused, seats come back)."""

import asyncio

import pytest
from websockets.exceptions import ConnectionClosed

from tests.helpers import Client, ServerProcess, seat_room


def test_facilitator_removes_a_participant(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac, (ana, ben) = await seat_room(server, room, ("Ana", "Ben"))
        ben_id, ben_token = ben.you["id"], ben.you["token"]
        await ana.fails({"type": "remove", "player_id": ben_id}, "not_facilitator")
        await fac.fails({"type": "remove", "player_id": "p000000000000"}, "unknown_player")
        await fac.fails({"type": "remove", "player_id": fac.you["id"]}, "unknown_player")
        await fac.ok({"type": "start"})
        await fac.ok({"type": "remove", "player_id": ben_id})
        msg = await ben.expect("error")
        assert msg["code"] == "removed" and msg["message"]
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ben.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        state = await fac.until(lambda s: all(p["id"] != ben_id for p in s["players"]))
        assert state["reader_id"] != ben_id
        again = await Client.connect(server, room["code"])
        await again.send({"type": "join", "token": ben_token})
        assert (await again.expect("error"))["code"] == "removed"
        # a removed token cannot be reused to choose a new seat either
        await again.send({"type": "join", "token": ben_token, "name": "Ben encore"})
        assert (await again.expect("error"))["code"] == "removed"
        for cl in (fac, ana, again):
            await cl.close()

    asyncio.run(scenario())


def test_facilitator_locks_the_room(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac, (ana,) = await seat_room(server, room, ("Ana",))
        await ana.fails({"type": "lock", "locked": True}, "not_facilitator")
        await fac.ok({"type": "lock", "locked": True})
        await ana.until(lambda s: s["locked"] is True)
        newcomer = await Client.connect(server, room["code"])
        await newcomer.send({"type": "join", "name": "Zoé"})
        err = await newcomer.expect("error")
        assert err["code"] == "room_locked" and err["message"]
        await newcomer.close()
        token = ana.you["token"]
        await ana.close()
        back = await Client.connect(server, room["code"])
        assert (await back.join(token=token))["you"]["name"] == "Ana"
        await fac.ok({"type": "lock", "locked": False})
        late = await Client.connect(server, room["code"])
        await late.join(name="Zoé")
        for cl in (fac, back, late):
            await cl.close()

    asyncio.run(scenario())
