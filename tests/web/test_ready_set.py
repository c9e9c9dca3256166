"""The room's ready set (server/rooms/fanout.py, outbox.py): most connections get a change as
a patch written straight onto their socket, without their outbox. Through random games, with
sockets that are held (a message of theirs being handled), slow (a full write buffer, then
drained by the outbox's sender), closing, resynced, arriving or leaving, every client
applies every patch to the very version it holds, and each one that is free to read ends up
with exactly the room's public view and version, and its own part.

The connections write through the real ``RawSocket`` onto a stand-in transport that decodes
the frames, as a browser would.
"""

import asyncio
import contextlib
import json
from collections import Counter
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State

from server.core.deck import Deck
from server.core.rules import apply
from server.core.views import public_view
from server.errors import GameError
from server.rooms.fanout import Fanout
from server.rooms.live import Connection, LiveRoom
from server.rooms.outbox import Outbox
from server.web import wire
from server.web.direct import MAX_BUFFERED, RawSocket, WatchedProtocol
from server.web.wire import apply_patch
from tests.core import test_view_cache as crowd
from tests.core.test_views import EXPLORIA, MINI
from tests.core.test_views import NOW as T0

# a browser's close frame (masked, code 1000), as websockets reads it off the socket
CLIENT_CLOSE = Frame(Opcode.CLOSE, Close(1000, "").serialize()).serialize(mask=True, extensions=[])


class Client:
    """One browser: the room's view and version as its messages built them."""

    def __init__(self) -> None:
        self.version = -1
        self.view: Any = None
        self.part: tuple[Any, Any] | None = None
        self.patches = 0

    def take(self, text: str) -> None:
        message = json.loads(text)
        kind = message["type"]
        if kind == "welcome":
            self.version, self.view = message["version"], message["state"]
            self.part = (message["you"]["my_answers"], message["you"]["card_tip"])
        elif kind == "state":
            assert message["version"] >= self.version, (message["version"], self.version)  # sync: again
            self.version, self.view = message["version"], message["state"]
        elif kind == "patch":
            assert message["base"] == self.version, (message["base"], self.version)
            self.view = apply_patch(self.view, message["patch"])
            self.version = message["version"]
            self.patches += 1
        elif kind == "you":  # before the state of its change: never older than the view
            assert message["version"] >= self.version, (message["version"], self.version)
            self.part = (message["my_answers"], message["card_tip"])


class Transport:
    """uvloop's transport as ``RawSocket`` and the fan-out use it; ``write`` decodes frames."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.buffered = 0  # over MAX_BUFFERED: a slow reader
        self.closing = False
        self.fail = False
        self.outbox: Outbox | None = None
        self.ws = WatchedProtocol(state=State.OPEN)  # websockets' state machine, as direct.py makes it

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def write(self, data: bytes) -> None:
        assert not self.closing and self.buffered <= MAX_BUFFERED, "written past the checks"
        assert self.ws._state is State.OPEN, "written after a close frame"
        assert self.outbox is None or not self.outbox.held, "written while held"
        if self.fail:  # a transport that raises instead of reporting its loss later
            self.fail = False
            raise RuntimeError("write failed")
        while data:
            assert data[0] == 0x81, data[:2]  # FIN + text, unmasked
            size, start = data[1], 2
            if size == 126:
                size, start = int.from_bytes(data[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(data[2:10], "big"), 10
            self.client.take(data[start : start + size].decode())
            data = data[start + size :]


class Socket:
    def __init__(self, room: LiveRoom, fan: Fanout, player_id: str, *, viewer: bool = False) -> None:
        self.client = Client()
        self.transport = Transport(self.client)
        protocol = SimpleNamespace(conn=self.transport.ws)
        raw = RawSocket(protocol, self.transport)

        async def send(text: str) -> None:  # the ASGI path of the sender task
            self.client.take(text)

        outbox = Outbox(send, raw.write, protocol=2, direct_many=raw.write_many, raw=raw)
        self.conn = Connection(outbox, player_id, "fr", viewer=viewer)
        self.transport.outbox = outbox
        outbox.hold()  # as the session does: nothing overtakes the welcome
        room.connections.add(self.conn)
        outbox.push(fan.welcome(room, self.conn, {"id": player_id}))
        outbox.release()

    async def drain(self) -> None:
        """The socket takes everything again: the sender task writes what waited."""
        self.transport.buffered = 0
        await self.conn.outbox.run(until_idle=True)


def expected_part(fan: Fanout, room: LiveRoom, conn: Connection) -> tuple[Any, Any]:
    probe = Connection(Outbox(lambda _t: asyncio.sleep(0)), conn.player_id, "fr", viewer=conn.viewer)
    _, mine, tip = fan._personal(room, probe)
    return json.loads(mine), json.loads(tip)


@settings(max_examples=250, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 21)), min_size=10, max_size=80),
)
def test_every_client_applies_every_patch_to_the_version_it_holds(
    deck: Deck, steps: list[tuple[int, int]]
) -> None:
    async def game() -> None:
        fan = Fanout(lambda: T0, big_room_threshold=1000)
        room = LiveRoom("ROOM01", deck, crowd.room(deck))
        sockets = [Socket(room, fan, p.id) for p in room.state.players]
        held: set[Socket] = set()
        slow: set[Socket] = set()
        lost: set[Socket] = set()
        for i, (choice, event) in enumerate(steps):
            open_ = [s for s in sockets if not s.conn.outbox.closed]
            one = open_[choice % len(open_)] if open_ else None
            if one is not None and event == 0:  # a message of theirs is being handled
                one.conn.outbox.hold()
                held.add(one)
            elif one is not None and event == 1:  # its socket stops taking writes
                one.transport.buffered = MAX_BUFFERED + 1
                slow.add(one)
            elif one is not None and event == 2:  # the connection is lost, and cleaned up
                one.transport.closing = True
                room.connections.discard(one.conn)
                one.conn.outbox.close()
            elif one is not None and event == 8:  # lost, not yet cleaned up (still in the room)
                one.transport.closing = True
                lost.add(one)
            elif one is not None and event == 3:  # ``sync``: held while handled, as in the session
                hold = choice % 2 == 0  # or not (the fan-out's ``resend`` is called either way)
                if hold:
                    one.conn.outbox.hold()
                fan.resend(room, one.conn)
                if hold and one not in held:
                    one.conn.outbox.release()
            elif one is not None and event == 10 and one.transport.ws.state is State.OPEN:
                # a close frame sent or received, the socket still open
                if choice % 2:
                    one.transport.ws.send_close(1000)
                else:
                    one.transport.ws.receive_data(CLIENT_CLOSE)  # websockets' own parser
                assert one.transport.ws.state is State.CLOSING
                assert one.conn not in room.fan.ready  # out at once: the fan-out no longer looks
                lost.add(one)
            elif one is not None and event == 11:  # removed: closed, its socket still open
                room.connections.discard(one.conn)
                one.conn.outbox.close()
            elif one is not None and event == 9:  # a reply (pong, error), maybe queued
                one.conn.outbox.push('{"type":"pong"}')
            elif event == 4:  # someone comes back on a second socket, or opens a read-only screen
                present = [p.id for p in room.state.players]
                sockets.append(Socket(room, fan, present[choice % len(present)], viewer=choice % 3 == 0))
            elif event == 5 and held:  # the message was handled
                for s in list(held)[: 1 + choice % 2]:
                    s.conn.outbox.release()
                    held.discard(s)
            elif event == 6 and slow:
                for s in list(slow)[: 1 + choice % 2]:
                    await s.drain()
                    slow.discard(s)
            elif event == 7 and slow:  # the socket takes writes again, its backlog not yet out
                list(slow)[choice % len(slow)].transport.buffered = 0
            options = crowd.moves(deck, room.state, i)
            actor, cmd = options[choice % len(options)]
            with contextlib.suppress(GameError):
                room.state = apply(deck, room.state, actor, cmd, T0 + i)
            if event >= 18:  # not flushed now: a coalesced room's change waits for the next
                continue
            fan.broadcast(room)
            view = json.loads(json.dumps(public_view(deck, room.state)))
            here = {p.id for p in room.state.players}
            for s in sockets:
                if (
                    s in held
                    or s in slow
                    or s in lost
                    or s.conn.outbox.closed
                    or s.conn.player_id not in here
                ):
                    continue
                assert s.client.version == room.state.version, (i, event)
                assert s.client.view == view, (i, event)
                assert s.client.part == expected_part(fan, room, s.conn), (i, event)
        # the last change out, everyone let go: all end with the room's state
        fan.broadcast(room)
        for s in list(held):
            s.conn.outbox.release()
        for s in list(slow):
            await s.drain()
        view = json.loads(json.dumps(public_view(deck, room.state)))
        for s in sockets:
            if (
                s not in lost
                and not s.conn.outbox.closed
                and s.conn.player_id in {p.id for p in room.state.players}
            ):
                assert (s.client.version, s.client.view) == (room.state.version, view)
        # the set holds only open members of the room
        assert room.fan.ready.keys() <= room.connections
        assert not any(c.outbox.closed for c in room.fan.ready)
        # and it counts each person's connections in it right (whose ``you`` to tell)
        assert room.fan.people == Counter(c.player_id for c in room.fan.ready)

    asyncio.run(game())


def three_in_a_room() -> tuple[Fanout, LiveRoom, list[Socket]]:
    fan = Fanout(lambda: T0, big_room_threshold=1000)
    room = LiveRoom("ROOM01", MINI, crowd.room(MINI))
    return fan, room, [Socket(room, fan, p.id) for p in room.state.players[:3]]


def change(room: LiveRoom, i: int) -> None:
    """The first legal move of step ``i``."""
    for actor, cmd in crowd.moves(MINI, room.state, i):
        with contextlib.suppress(GameError):
            room.state = apply(MINI, room.state, actor, cmd, T0 + i)
            return


def test_a_ready_connection_is_written_without_its_outbox() -> None:
    """A room of three, one vote: the two others get the patch from the ready set (their
    outbox's ``offer`` is never called), the voter's held outbox queues it for its release."""

    async def game() -> None:
        fan, room, sockets = three_in_a_room()
        for i in range(2):  # everyone joins the set through its outbox, then gets a patch from it
            change(room, i)
            fan.broadcast(room)
            assert set(room.fan.ready) == {s.conn for s in sockets}
        voter = sockets[0]
        voter.conn.outbox.hold()
        assert voter.conn not in room.fan.ready  # held: out of the set
        offered: list[Outbox] = []
        offer = Outbox.offer

        def spy(self: Outbox, *args: Any) -> bool:
            offered.append(self)
            return offer(self, *args)

        before = [s.client.version for s in sockets]
        change(room, 2)
        Outbox.offer = spy  # type: ignore[method-assign]
        try:
            fan.broadcast(room)
        finally:
            Outbox.offer = offer  # type: ignore[method-assign]
        assert offered == [voter.conn.outbox]
        assert [s.client.version for s in sockets[1:]] == [room.state.version] * 2
        assert voter.client.version == before[0]  # waits for its release
        patches = voter.client.patches
        voter.conn.outbox.release()
        assert voter.client.version == room.state.version
        assert voter.client.patches == patches + 1  # the patch from the version it held
        fan.broadcast(room)  # nothing new: nothing written, the voter joins the set again
        assert voter.conn in room.fan.ready

    asyncio.run(game())


def test_a_change_sent_whole_takes_everyone_out_of_the_set(monkeypatch: Any) -> None:
    """When a patch would not be smaller than the state, everyone gets the full state through
    their outbox, and joins the set again at that version."""

    async def game() -> None:
        fan, room, sockets = three_in_a_room()
        for i in range(2):
            change(room, i)
            if i == 1:  # a patch as large as a state
                monkeypatch.setattr(wire, "patch", lambda *_a: b"x" * 10_000_000)
            fan.broadcast(room)
        view = json.loads(json.dumps(public_view(MINI, room.state)))
        for s in sockets:
            assert (s.client.version, s.client.view) == (room.state.version, view)
            assert s.client.patches == 0
        assert set(room.fan.ready) == {s.conn for s in sockets}

    asyncio.run(game())


def test_a_socket_whose_write_raises_leaves_the_set_and_the_others_still_get_the_change() -> None:
    async def game() -> None:
        fan, room, sockets = three_in_a_room()
        for i in range(2):
            change(room, i)
            if i == 1:  # the first socket of the set raises once, then writes again
                next(s for s in sockets if s.conn is next(iter(room.fan.ready))).transport.fail = True
            fan.broadcast(room)
        view = json.loads(json.dumps(public_view(MINI, room.state)))
        for s in sockets:  # the failed one got the change through its outbox
            assert (s.client.version, s.client.view) == (room.state.version, view)
        assert set(room.fan.ready) == {s.conn for s in sockets}

    asyncio.run(game())
