"""Client frames read without websockets' parser, while they are of the simple kind (issue 15).

websockets parses incoming bytes with a chain of generators (``Protocol.parse`` →
``Frame.parse`` → ``StreamReader.read_exact``) and uvicorn then walks its events: about a fifth
of a vote's Python, and each connection kept the suspended state of its next frame (a
generator, a frame, lists and tuples) alive until its next message. With two thousand
connections voting, the collector's young generation held ~24,000 such objects at each pass,
and passes took 5–20 ms; ~6,750 objects and 1.4 ms on average since (bench/README.md, "Eighth
stop").

Nearly every frame a client sends is one complete, masked text frame under the size limit.
``read_frames`` takes those off the front of a buffer itself and says where it stopped: at an
incomplete frame (wait for more bytes), at a whole control frame (ping, pong, close: handed to
websockets whole, so its parser is never left in the middle of a frame), or at anything else
(binary, fragmented, too big, malformed), after which websockets reads everything, as before.
"""

from typing import Any

from websockets.streams import StreamReader

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - the C extension is built for the usual platforms
    from websockets.utils import apply_mask

WAIT = 0  # the buffer ends (or ends within a frame): wait for more bytes
OTHER = -1  # a frame this reader leaves to websockets, with every byte after it
TEXT = 0x1
CONTROL = (0x8, 0x9, 0xA)  # close, ping, pong
_AT_EOF = StreamReader.at_eof.__code__


def read_frames(buf: bytes, max_size: int) -> tuple[list[bytes], int, int]:
    """The unmasked payloads of the complete text frames (final, masked, no reserved bits, at
    most ``max_size`` bytes) at the start of ``buf``; the offset where reading stopped; and why:
    ``WAIT``, ``OTHER``, or n > 0 for a whole control frame of n bytes at that offset."""
    payloads: list[bytes] = []
    pos = 0
    size = len(buf)
    while size - pos >= 2:
        first, second = buf[pos], buf[pos + 1]
        if first & 0x70 or not second & 0x80:  # reserved bits, or an unmasked client frame
            return payloads, pos, OTHER
        length = second & 0x7F
        head = 6
        if length == 126:
            if size - pos < 4:
                break
            length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
            head = 8
        elif length == 127:  # 64 KiB or more: websockets applies the limit
            return payloads, pos, OTHER
        end = pos + head + length
        opcode = first & 0x0F
        if opcode in CONTROL:
            if not first & 0x80 or length > 125:
                return payloads, pos, OTHER
            return payloads, pos, (end - pos if end <= size else WAIT)
        if opcode != TEXT or not first & 0x80 or length > max_size:
            return payloads, pos, OTHER
        if end > size:
            break
        payloads.append(apply_mask(buf[pos + head : end], buf[pos + head - 4 : pos + head]))
        pos = end
    return payloads, pos, WAIT


def at_frame_boundary(conn: Any) -> bool:
    """websockets' parser holds no byte and waits for a new frame, outside any fragmented
    message: frames may be read around it from here on. False for any other state, and for a
    websockets release whose parser does not look as expected (then it reads, as before)."""
    inner = getattr(conn, "parser", None)  # the server's parse, then the frames' parse, then…
    for _ in range(4):
        deeper = getattr(inner, "gi_yieldfrom", None)
        if deeper is None:
            break
        inner = deeper
    reader = getattr(conn, "reader", None)
    return (
        getattr(inner, "gi_code", None) is _AT_EOF
        and reader is not None
        and not reader.buffer
        and getattr(conn, "current_size", 0) is None
    )


def size_limit(conn: Any) -> int:
    """The largest text frame read here: websockets' own limit (``max_message_size``, or
    ``max_size`` in older releases), or 64 KiB without one (longer ones are left to it)."""
    limit = getattr(conn, "max_message_size", getattr(conn, "max_size", None))
    return min(limit, 0xFFFF) if isinstance(limit, int) else 0xFFFF
