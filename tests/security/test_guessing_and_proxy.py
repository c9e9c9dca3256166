"""Limits that hold: X-Forwarded-For is believed only from TRUSTED_PROXIES, IPv6 counts per
/64, wrong room codes spend a small budget per address, finished rooms are not joinable by
their code, and a rate-limited WebSocket handshake is closed with 1013 as documented."""

import asyncio
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.helpers import Client, ServerProcess, seat_room


def lookups(proc: ServerProcess, addresses: list[str]) -> list[int]:
    return [proc.request("GET", "/api/rooms/ZZZZZZ", headers={"X-Forwarded-For": a})[0] for a in addresses]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"LOOKUPS_BURST": "5", "LOOKUPS_PER_MINUTE": "1"}).start()
    try:
        statuses = lookups(proc, [f"198.51.100.{i}" for i in range(10)])
        assert 429 in statuses, statuses  # each request chose its own address: all count as one
    finally:
        proc.stop()


def test_trusted_proxy_gives_real_addresses_and_ipv6_counts_per_64(tmp_path: Path) -> None:
    proc = ServerProcess(
        tmp_path, env={"LOOKUPS_BURST": "5", "LOOKUPS_PER_MINUTE": "1", "TRUSTED_PROXIES": "127.0.0.1/32"}
    ).start()
    try:
        assert 429 not in lookups(proc, [f"198.51.100.{i}" for i in range(10)])
        assert 429 in lookups(proc, ["203.0.113.9"] * 10)
        # one subscriber's /64, many addresses: one budget
        assert 429 in lookups(proc, [f"2001:db8:aa:bb::{i:x}" for i in range(1, 11)])
        # a client cannot hide behind an address it prepends: the right-most untrusted counts
        assert 429 in lookups(proc, [f"10.0.0.{i}, 192.0.2.1" for i in range(10)])
    finally:
        proc.stop()


def test_wrong_codes_spend_a_budget_then_every_lookup_waits(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"CODE_MISSES_BURST": "5", "CODE_MISSES_PER_HOUR": "1"}).start()
    try:
        room = proc.create_room()
        statuses = [proc.request("GET", f"/api/rooms/ZZZZZ{c}")[0] for c in "ABCDEFGH"]
        assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}, statuses
        # while the budget is spent an existing code gets the same answer: no oracle
        assert proc.request("GET", f"/api/rooms/{room['code']}")[0] == 429
        assert proc.request("GET", f"/r/{room['code']}")[0] == 429

        async def ws_refused() -> None:
            cl = await Client.connect(proc, room["code"])
            msg = await cl.recv()
            assert msg["type"] == "error" and msg["code"] == "rate_limited"
            with pytest.raises(ConnectionClosed) as closed:
                await cl.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013

        asyncio.run(ws_refused())
    finally:
        proc.stop()


def test_finished_rooms_are_not_joinable_by_code(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac, players = await seat_room(server, room, ("Ana",))
        await fac.ok({"type": "start"})
        await fac.ok({"type": "finish"})
        await fac.until(lambda s: s["phase"] == "synthesis")
        assert server.request("GET", f"/api/rooms/{room['code']}")[0] == 404
        late = await Client.connect(server, room["code"])
        await late.send({"type": "join", "name": "Intrus"})
        msg = await late.expect("error")
        assert msg["code"] == "room_not_found"
        await late.close()
        # people of the session still come back with their token
        back = await Client.connect(server, room["code"])
        welcome = await back.join(token=players[0].you["token"])
        assert welcome["state"]["phase"] == "synthesis"
        for cl in (fac, *players, back):
            await cl.close()

    asyncio.run(scenario())


def test_rate_limited_handshake_closes_with_1013(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, env={"JOINS_BURST": "1", "JOINS_PER_MINUTE": "1"}).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            first = await Client.connect(proc, room["code"])
            ws = await websockets.connect(
                f"{proc.ws_base}/ws/rooms/{room['code']}", open_timeout=10, close_timeout=1
            )
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            await first.close()

        asyncio.run(scenario())
    finally:
        proc.stop()
