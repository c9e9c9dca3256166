"""The bare floor: the least a WebSocket room server can do, on the ``websockets`` library.

``bench/load.py`` runs it as its own subprocess and drives it with exactly the load it drives the
app with, so every figure of the app can be printed next to the floor's (app / floor).

What it does, and nothing more:
- ``/ws/rooms/{code}?state_bytes=N``: the room ``code`` exists as soon as someone connects to it;
  its "state" messages are ``N`` bytes long (the load generator measures the app's typical state
  message for the scenario and passes it here);
- every incoming text frame is parsed as JSON (the app must too); the first must be ``join``
  (with ``name`` or ``token``), answered by a ``welcome`` of the same size as a state;
- every message (``join`` included) "changes the room": the room's version grows by one, the
  sender gets ``{"type": "ack", "id": …}`` if the message had an id, then a state message of
  ``N`` bytes carrying the new version is sent to every member (``websockets.broadcast``:
  serialised once, written to every socket);
- rooms above ``--big-room-threshold`` members coalesce their broadcasts every
  ``--coalesce-ms``, like the app, so the big-room figures compare like with like;
- a disconnection changes the room too (the app records presence).

No database, no rules, no per-connection view: the cost of the transport alone.
"""

import argparse
import asyncio
import json
import resource
import secrets
import signal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

DEFAULT_STATE_BYTES = 3000


class Room:
    __slots__ = ("flush_scheduled", "members", "pad", "version")

    def __init__(self, state_bytes: int) -> None:
        self.members: set[ServerConnection] = set()
        self.version = 0
        self.flush_scheduled = False
        self.pad = "x" * state_bytes  # trimmed to the exact size when a message is built

    def state_text(self) -> str:
        head = f'{{"type":"state","version":{self.version},"state":{{"pad":"'
        return head + self.pad[: max(0, len(self.pad) - len(head) - 3)] + '"}}'

    def welcome_text(self, player_id: str, name: str, role: str, token: str) -> str:
        you = json.dumps({"id": player_id, "name": name, "role": role, "token": token})
        head = f'{{"type":"welcome","you":{you},"version":{self.version},"state":{{"pad":"'
        return head + self.pad[: max(0, len(self.pad) - len(head) - 3)] + '"}}'


class Floor:
    def __init__(self, big_room_threshold: int, coalesce_ms: int) -> None:
        self.rooms: dict[str, Room] = {}
        self.tokens: dict[str, tuple[str, str, str, str]] = {}  # token: room, id, name, role
        self.threshold = big_room_threshold
        self.coalesce_s = coalesce_ms / 1000

    def changed(self, room: Room) -> None:
        room.version += 1
        if len(room.members) > self.threshold and self.coalesce_s > 0:
            if not room.flush_scheduled:
                room.flush_scheduled = True
                asyncio.get_running_loop().call_later(self.coalesce_s, self.flush, room)
            return
        self.flush(room)

    def flush(self, room: Room) -> None:
        room.flush_scheduled = False
        if room.members:
            broadcast(room.members, room.state_text())

    async def handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        url = urlsplit(ws.request.path)
        code = url.path.rstrip("/").rsplit("/", 1)[-1]
        size = int(parse_qs(url.query).get("state_bytes", [str(DEFAULT_STATE_BYTES)])[0])
        room = self.rooms.get(code)
        if room is None:
            room = self.rooms[code] = Room(size)
        joined = False
        try:
            async for text in ws:
                msg = json.loads(text)
                msg_id = msg.get("id")
                if not joined:
                    if msg.get("type") != "join":
                        await ws.send(json.dumps({"type": "error", "code": "join_first", "id": msg_id}))
                        continue
                    token = msg.get("token")
                    seat = self.tokens.get(token) if token else None
                    if seat is None:
                        token = secrets.token_urlsafe(24)
                        role = "facilitator" if msg.get("name") is None else "player"
                        seat = (code, "p" + secrets.token_hex(6), msg.get("name") or "Animation", role)
                        self.tokens[token] = seat
                    joined = True
                    room.version += 1  # the joiner gets the new version in its welcome,
                    self.flush(room)  # the others a state (before the joiner is a member)
                    room.members.add(ws)
                    await ws.send(room.welcome_text(seat[1], seat[2], seat[3], token))
                    if msg_id is not None:
                        await ws.send(json.dumps({"type": "ack", "id": msg_id}))
                    continue
                if msg_id is not None:  # the ack is written before the state it precedes
                    await ws.send(json.dumps({"type": "ack", "id": msg_id}))
                self.changed(room)
        except ConnectionClosed:
            pass
        finally:
            if joined:
                room.members.discard(ws)
                self.changed(room)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--big-room-threshold", type=int, default=50)
    parser.add_argument("--coalesce-ms", type=int, default=100)
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the floor listens on loopback only")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    floor = Floor(args.big_room_threshold, args.coalesce_ms)
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(
        floor.handler,
        args.host,
        args.port,
        compression=None,
        max_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
        backlog=4096,
    ):
        await stop


if __name__ == "__main__":
    try:
        import uvloop  # the app runs on uvloop (uvicorn picks it up): so does the floor

        uvloop.run(main())
    except ImportError:  # pragma: no cover
        asyncio.run(main())
