"""The outbox keeps the protocol's order when the socket is slow: a state produced while one
of the connection's messages is handled never overtakes that message's ack."""

import asyncio

from server.rooms.outbox import Outbox
from server.rooms.sending import MAX_CONTROL


def test_a_held_state_waits_for_the_ack_even_when_the_sender_is_busy() -> None:
    async def scenario() -> list[str]:
        sent: list[str] = []
        writable = asyncio.Event()

        async def slow_socket(text: str) -> None:  # like uvicorn's send on a full buffer
            await writable.wait()
            sent.append(text)

        outbox = Outbox(slow_socket, direct=lambda text: False)  # the direct path refuses
        sender = asyncio.create_task(outbox.run())
        outbox.push("pong-1")
        outbox.push("pong-2")
        await asyncio.sleep(0)  # the sender is now stuck on pong-1
        outbox.hold()  # the next client message is being handled
        outbox.push_state(5, b'{"type":"state","version":5}')
        writable.set()
        await asyncio.sleep(0.01)  # handling awaits (e.g. Redis): the sender may run
        outbox.push('{"type":"ack","id":"7"}')
        outbox.release()
        await asyncio.sleep(0.01)
        outbox.close()
        await asyncio.wait_for(sender, 5)
        return sent

    sent = asyncio.run(scenario())
    assert sent == ["pong-1", "pong-2", '{"type":"ack","id":"7"}', '{"type":"state","version":5}']


def test_direct_writes_keep_the_queue_order() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        direct: list[str] = []
        queued: list[str] = []
        accept = False

        def write(text: str | bytes) -> bool:
            if accept:
                direct.append(text.decode() if isinstance(text, bytes) else text)
            return accept

        async def send(text: str) -> None:
            queued.append(text)

        outbox = Outbox(send, direct=write)
        sender = asyncio.create_task(outbox.run())
        outbox.push("a")  # refused: queued for the sender task
        accept = True
        outbox.push("b")  # the sender has not run yet: "b" must not overtake "a"
        await asyncio.sleep(0.01)
        outbox.push_state(1, b"s1")  # the sender is idle again: straight to the socket
        outbox.close()
        await asyncio.wait_for(sender, 5)
        return queued, direct

    queued, direct = asyncio.run(scenario())
    assert queued + direct == ["a", "b", "s1"]


def test_with_direct_writes_a_sender_task_lives_only_while_there_is_a_backlog() -> None:
    async def scenario() -> None:
        direct: list[str] = []
        queued: list[str] = []
        accept = True
        wakes: list[asyncio.Task[None]] = []

        def write(text: object) -> bool:
            if accept:
                direct.append(text.decode() if isinstance(text, bytes) else str(text))
            return accept

        async def send(text: str) -> None:
            queued.append(text)

        def on_wake() -> None:  # what the session does: one sender task at a time
            if not wakes or wakes[-1].done():
                wakes.append(asyncio.create_task(outbox.run(until_idle=True)))

        outbox = Outbox(send, direct=write, on_wake=on_wake)
        outbox.push("welcome")
        outbox.push_state(1, b"s1")
        outbox.push_you(b"y1")
        assert direct == ["welcome", "s1", "y1"] and not wakes  # idle: no task, no event
        accept = False  # the socket's buffer is full
        outbox.push("ack-1")
        outbox.push_state(2, b"s2")
        assert len(wakes) == 1
        outbox.push("ack-2")  # the sender exists already: no second one
        assert len(wakes) == 1
        await asyncio.wait_for(wakes[0], 5)  # writes the backlog through ``send``, then ends
        assert queued == ["ack-1", "ack-2", "s2"]
        accept = True
        outbox.push_state(3, b"s3")  # straight out again
        assert direct[-1] == "s3" and len(wakes) == 1
        outbox.close(4404)  # a close needs the sender once more (it closes the socket)
        assert len(wakes) == 2
        await asyncio.wait_for(wakes[1], 5)
        assert outbox.closed and outbox.close_code == 4404

    asyncio.run(scenario())


def test_a_state_the_welcome_already_showed_is_not_sent_again() -> None:
    async def scenario() -> list[str]:
        sent: list[str] = []

        def write(text: object) -> bool:
            sent.append(text.decode() if isinstance(text, bytes) else str(text))
            return True

        outbox = Outbox(lambda text: asyncio.sleep(0), direct=write)
        outbox.hold()  # seated in a room, its welcome not yet built
        outbox.push_you(b"you-4")
        outbox.push_state(4, b"state-4")  # a broadcast reached it first
        outbox.seen(5)  # the welcome carries version 5
        outbox.push("welcome-5")
        outbox.release()
        outbox.push_state(6, b"state-6")
        return sent

    assert asyncio.run(scenario()) == ["welcome-5", "state-6"]


def test_a_released_reply_and_the_change_it_made_leave_in_one_write() -> None:
    """The voter's ack, their ``you`` and the room's change: one system call, same order; if the
    socket refuses the batch, the messages go one by one as before."""

    async def scenario(accept_batch: bool) -> tuple[list[list[object]], list[object]]:
        batches: list[list[object]] = []
        singles: list[object] = []

        def many(items: list[object]) -> bool:
            if accept_batch:
                batches.append(list(items))
            return accept_batch

        def one(item: object) -> bool:
            singles.append(item)
            return True

        async def never(_text: str) -> None:
            raise AssertionError("the direct path took everything")

        outbox = Outbox(never, direct=one, direct_many=many, protocol=2)  # type: ignore[arg-type]
        outbox.hold()
        outbox.push_you(b'{"type":"you"}')
        outbox.push_state(3, b'{"type":"patch","version":3}')
        outbox.push('{"type":"ack","id":"m1"}')
        outbox.release()
        outbox.push('{"type":"pong"}')  # alone: an ordinary write
        return batches, singles

    batches, singles = asyncio.run(scenario(True))
    assert batches == [['{"type":"ack","id":"m1"}', b'{"type":"you"}', b'{"type":"patch","version":3}']]
    assert singles == ['{"type":"pong"}']
    batches, singles = asyncio.run(scenario(False))
    assert batches == []
    assert singles == [
        '{"type":"ack","id":"m1"}',
        b'{"type":"you"}',
        b'{"type":"patch","version":3}',
        '{"type":"pong"}',
    ]


def test_an_offered_frame_goes_out_at_once_only_when_nothing_waits_before_it() -> None:
    from server.web.direct import Frame

    async def scenario() -> list[bytes]:
        written: list[bytes] = []
        accept = True

        def write(payload: object) -> bool:
            if accept:
                written.append(payload.frame if isinstance(payload, Frame) else str(payload).encode())
            return accept

        async def send(text: str) -> None:
            written.append(text.encode())

        outbox = Outbox(send, direct=write, protocol=2)
        outbox.offer(1, Frame(b"s1"))  # idle: straight out
        outbox.hold()  # a message of this connection is being handled
        outbox.offer(2, Frame(b"s2"))  # held: waits for the reply
        outbox.push('{"type":"ack","id":"m"}')
        outbox.release()
        outbox.offer(2, Frame(b"s2-again"))  # not newer than what it has: nothing
        accept = False
        outbox.offer(3, Frame(b"s3"))  # the socket refuses: kept for the sender task
        assert not outbox.idle and outbox.version == 3
        outbox.close()
        return written

    written = asyncio.run(scenario())
    assert written == [b"\x81\x02s1", b'{"type":"ack","id":"m"}', b"\x81\x02s2"]


def test_a_client_waiting_for_room_goes_on_once_replies_are_written_or_the_outbox_closes() -> None:
    """``room_for_more`` (after each client message): returns at once below half of
    ``MAX_CONTROL``; waits above it until the sender has written the queue down to a quarter;
    and a closed outbox (the socket went away while sending: ``Session.pump`` closes it)
    never leaves it waiting."""

    async def scenario() -> None:
        writable = asyncio.Event()
        sent: list[str] = []

        async def slow_socket(text: str) -> None:
            await writable.wait()
            sent.append(text)

        outbox = Outbox(slow_socket, direct=lambda text: False)
        await asyncio.wait_for(outbox.room_for_more(), 1)  # nothing waiting
        sender = asyncio.create_task(outbox.run())
        for i in range(MAX_CONTROL // 2 + 10):
            outbox.push(f"pong-{i}")
        waiting = asyncio.create_task(outbox.room_for_more())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the socket takes nothing yet
        writable.set()
        await asyncio.wait_for(waiting, 5)
        assert len(sent) >= MAX_CONTROL // 2 + 10 - MAX_CONTROL // 4  # written down to a quarter
        writable.clear()
        for i in range(MAX_CONTROL // 2 + 10):
            outbox.push(f"ping-{i}")
        waiting = asyncio.create_task(outbox.room_for_more())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        outbox.close()  # what the pump does when a send fails
        await asyncio.wait_for(waiting, 5)
        sender.cancel()

    asyncio.run(scenario())
