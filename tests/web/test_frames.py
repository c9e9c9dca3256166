"""Client frames read around websockets' parser (server/web/frames.py): simple text frames are
read here, control frames go to websockets whole, anything else (and everything after it) to
websockets — whatever the way the bytes are cut into reads."""

import asyncio
import json
import os
import random
from pathlib import Path

import pytest
import websockets

from server.web.frames import OTHER, WAIT, read_frames
from tests.helpers import ServerProcess, seat

pytestmark = pytest.mark.timeout(120)


def frame(payload: bytes, opcode: int = 0x1, *, fin: bool = True, masked: bool = True, rsv: int = 0) -> bytes:
    """A client frame, as a browser sends it (RFC 6455 §5.2)."""
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    mask_bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 1 << 16:
        head += bytes([mask_bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([mask_bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_all(chunks: list[bytes], limit: int = 65536) -> tuple[list[bytes], list[bytes], bytes | None]:
    """What the protocol does with ``read_frames`` (inbound.py): text payloads, whole control
    frames, and the bytes handed to websockets at the first other frame (None if none)."""
    texts: list[bytes] = []
    controls: list[bytes] = []
    buf = b""
    for n, chunk in enumerate(chunks):
        buf += chunk
        while True:
            payloads, pos, stop = read_frames(buf, limit)
            texts += payloads
            if stop == WAIT:
                buf = buf[pos:]
                break
            if stop == OTHER:
                return texts, controls, buf[pos:] + b"".join(chunks[n + 1 :])
            controls.append(buf[pos : pos + stop])
            buf = buf[pos + stop :]
    return texts, controls, None


def cuts(data: bytes, rng: random.Random) -> list[bytes]:
    points = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(0, 12))))
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def test_text_and_control_frames_come_out_whole_however_the_bytes_are_cut() -> None:
    rng = random.Random(7)
    for _ in range(300):
        texts, stream, controls = [], b"", []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.2:
                ping = frame(os.urandom(rng.randint(0, 125)), rng.choice((0x8, 0x9, 0xA)))
                controls.append(ping)
                stream += ping
            else:
                text = "é" * rng.choice((0, 1, 60, 62, 63, 200, 30_000))  # 1 to 3 length bytes
                texts.append(text.encode())
                stream += frame(text.encode())
        got, got_controls, rest = read_all(cuts(stream, rng))
        assert (got, got_controls, rest) == (texts, controls, None)


@pytest.mark.parametrize(
    "odd",
    [
        frame(b"\x00\x01", 0x2),  # binary
        frame(b'{"type":', fin=False),  # the first part of a fragmented message
        frame(b"ping", 0x0),  # a continuation
        frame(b"x" * 200, masked=False),  # unmasked: websockets refuses it
        frame(b"x", rsv=0x40),  # a reserved bit (no extension was agreed)
        frame(b"x" * 70_000),  # 64 KiB or more: websockets applies its limit
        frame(b"x" * 101),  # over this reader's limit (100 below)
        frame(b"x", 0x9, fin=False),  # a fragmented control frame
        frame(b"x", 0x3),  # a reserved opcode
    ],
    ids=["binary", "fragment", "continuation", "unmasked", "rsv", "huge", "over", "ctl-frag", "opcode"],
)
def test_any_other_frame_hands_it_and_all_after_it_to_websockets(odd: bytes) -> None:
    before, after = frame(b'{"a":1}'), frame(b'{"b":2}')
    for cut in (1, 2, len(before) + 1, len(before) + len(odd) - 1):
        stream = before + odd + after
        texts, controls, rest = read_all([stream[:cut], stream[cut:]], limit=100)
        assert texts == [b'{"a":1}'] and controls == [] and rest == odd + after


def _on_server(tmp_path: Path, scenario: object) -> None:
    server = ServerProcess(tmp_path).start()
    try:
        asyncio.run(scenario(server))  # type: ignore[operator]
    finally:
        server.stop()


def test_messages_cut_anywhere_with_pings_between_are_all_answered(tmp_path: Path) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        ana = await seat(server, room["code"], name="Ana")
        transport = ana.ws.transport
        acks: list[str] = []

        async def read() -> None:  # read all along: a client that does not stops reading pongs
            while True:
                msg = json.loads(await ana.ws.recv())
                if msg["type"] == "ack":
                    acks.append(msg["id"])

        reader = asyncio.create_task(read())
        messages = [json.dumps({"type": "ping", "id": f"m{i}", "pad": "é" * (i * 37)}) for i in range(12)]
        for i, text in enumerate(messages):
            data = frame(text.encode())
            if i % 3 == 0:  # a ping just before, read together with the start of the message
                data = frame(f"raw{i}".encode(), 0x9) + data
            for at in range(0, len(data), 7):  # 7 bytes a write: cut mid-header, mid-payload
                transport.write(data[at : at + 7])
                await asyncio.sleep(0)
            if i % 4 == 0:  # and one of the library's, answered in turn
                await asyncio.wait_for(await ana.ws.ping(f"lib{i}"), 5)
        for _ in range(100):
            if len(acks) == len(messages):
                break
            await asyncio.sleep(0.05)
        assert acks == [f"m{i}" for i in range(12)]
        # a fragmented message: websockets reads it, and every frame after it
        transport.write(frame(b'{"type":"ping",', fin=False) + frame(b'"id":"frag"}', 0x0))
        transport.write(frame(b'{"type":"ping","id":"after"}'))
        for _ in range(100):
            if len(acks) == len(messages) + 2:
                break
            await asyncio.sleep(0.05)
        assert acks[len(messages) :] == ["frag", "after"]
        reader.cancel()
        await ana.close()

    _on_server(tmp_path, scenario)


def test_a_text_frame_that_is_not_utf8_closes_with_1007(tmp_path: Path) -> None:
    async def scenario(server: ServerProcess) -> None:
        room = server.create_room("mini-test", selection="all")
        ana = await seat(server, room["code"], name="Ana")
        ana.ws.transport.write(frame(b'{"type":"ping","id":"ok"}') + frame(b"\xff\xfe not UTF-8"))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await ana.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007

    _on_server(tmp_path, scenario)
