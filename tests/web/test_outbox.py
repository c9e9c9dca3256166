"""The outbox keeps the protocol's order when the socket is slow: a state produced while one
of the connection's messages is handled never overtakes that message's ack."""

import asyncio

from server.rooms.outbox import Outbox


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
