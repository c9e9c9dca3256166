"""Protocol 2 through the real server: every connection of a room gets the very same bytes for
a change (``state`` or ``patch``), what is personal comes in ``you``, a client that applies the
patches holds exactly the state ``sync`` gives, and a protocol 1 client in the same room still
gets ``my_answers`` and ``card_tip`` inside its states."""

import asyncio
import json
from typing import Any

from server.web.wire import apply_patch
from tests.helpers import TIMEOUT, Client, ServerProcess


class V2(Client):
    """Keeps the state by applying patches; keeps the raw frames."""

    def __init__(self, ws: Any) -> None:
        super().__init__(ws)
        self.raw: list[str] = []
        self.mine: dict[str, Any] = {}
        self.tip: str | None = None

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        self.raw.append(text)
        msg: dict[str, Any] = json.loads(text)
        self.seen.append(msg)
        kind = msg["type"]
        # nothing personal in what the whole room gets
        assert kind != "state" or not {"my_answers", "card_tip"} & set(msg["state"]), msg
        assert kind != "patch" or not any(
            op["path"].startswith(("/my_answers", "/card_tip")) for op in msg["patch"]
        ), msg
        if kind in ("state", "welcome"):
            self.state, self.version = msg["state"], msg["version"]
        if kind == "welcome":
            self.you = msg["you"]
            self.mine, self.tip = msg["you"]["my_answers"], msg["you"]["card_tip"]
        if kind == "patch":
            assert msg["base"] == self.version, (msg["base"], self.version)
            self.state = apply_patch(self.state, msg["patch"])
            self.version = msg["version"]
        if kind == "you":
            self.mine, self.tip = msg["my_answers"], msg["card_tip"]
        return msg


async def v2_seat(server: ServerProcess, code: str, **join: Any) -> V2:
    client = await V2.connect(server, code)
    await client.join(protocol=2, **join)
    return client


async def settle(*clients: Client) -> None:
    """Read whatever is still coming (the room is quiet afterwards)."""
    for cl in clients:
        with __import__("contextlib").suppress(TimeoutError):
            while True:
                await cl.recv(0.3)


def test_same_bytes_patches_and_you(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test", anonymous=False)
        code = room["code"]
        fac = await v2_seat(server, code, token=room["facilitator_token"])
        assert "my_answers" in fac.you and fac.tip is None
        ana = await v2_seat(server, code, name="Ana")
        ben = await v2_seat(server, code, name="Ben")
        old = await Client.connect(server, code)  # a protocol 1 client
        await old.join(name="Old")
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        state = await ana.until(lambda s: s["card"] is not None)
        card = state["card"]
        q = card["questions"][0]["id"]
        await ana.ok({"type": "answer", "card_id": card["id"], "question_id": q, "value": "yes"})
        await ben.ok({"type": "answer", "card_id": card["id"], "question_id": q, "value": "no"})
        await old.ok({"type": "answer", "card_id": card["id"], "question_id": q, "value": "unsure"})
        await settle(fac, ana, ben, old)
        assert ana.mine == {q: "yes"} and ben.mine == {q: "no"} and fac.mine == {}
        # the facilitator (and the reader) get the tip in ``you``, others null
        reader = state["reader_id"]
        assert all(cl.tip is None for cl in (ana, ben) if cl.you and cl.you["id"] != reader)
        # the protocol 1 client: personal fields inside its state
        assert old.state is not None and old.state["my_answers"] == {q: "unsure"}
        assert "card_tip" in old.state

        # the same bytes for everyone: every room message ana and ben both got, byte for byte
        def room_frames(cl: V2) -> list[str]:
            return [t for t in cl.raw if t.startswith(('{"type":"patch"', '{"type":"state"'))]

        assert len(room_frames(ben)) >= 5 and set(room_frames(ben)) <= set(room_frames(ana))
        assert any(t.startswith('{"type":"patch"') for t in ben.raw)
        # applied patches give what a full resync gives
        for cl in (fac, ana, ben):
            kept = cl.state
            await cl.send({"type": "sync"})
            you = await cl.expect("you")  # what is yours first, then the change
            full = await cl.expect("state")
            assert json.dumps(full["state"], sort_keys=True) == json.dumps(kept, sort_keys=True)
            assert you["my_answers"] == cl.mine and you["version"] == full["version"]
        # a reconnecting protocol 2 client gets its own answers back in welcome
        again = await v2_seat(server, code, token=ana.you["token"]) if ana.you else None
        assert again is not None and again.mine == {q: "yes"}
        for cl in (fac, ana, ben, old, again):
            await cl.close()

    asyncio.run(asyncio.wait_for(scenario(), 60))
