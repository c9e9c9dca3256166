"""Property-based fuzzing of the WebSocket protocol against a live server.

Valid, mutated and random messages, before and after joining, in every phase: the server only
ever answers with documented errors, the connection and the room keep working, and the server
logs no exception.
"""

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Client, ServerProcess

ROOT = Path(__file__).resolve().parent.parent.parent
DOCUMENTED = {
    k.removeprefix("error.")
    for k in json.loads((ROOT / "server/locales/en/core.json").read_text())
    if k.startswith("error.")
}
TYPES = [
    "join",
    "start",
    "draw",
    "answer",
    "reveal",
    "consensus",
    "note",
    "next",
    "skip",
    "park",
    "pass_turn",
    "finish",
    "sync",
    "ping",
]

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=False), st.text(max_size=50)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
field_value = st.one_of(
    json_value,
    st.sampled_from(
        ["c1", "c2", "c3", "q1", "q2", "q3", "yes", "no", "unsure", "organisation", "x" * 3000, ""]
    ),
)
valid_like = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={
        "id": st.one_of(st.text(max_size=80), json_leaf),
        "card_id": field_value,
        "question_id": field_value,
        "value": field_value,
        "text": field_value,
        "theme": field_value,
        "name": field_value,
        "token": field_value,
    },
)
random_object = st.dictionaries(st.text(max_size=12), json_value, max_size=6)
raw_text = st.one_of(st.text(max_size=200), st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
message = st.one_of(
    valid_like.map(json.dumps),
    random_object.map(json.dumps),
    json_value.map(json.dumps),
    raw_text,
    valid_like.map(lambda m: json.dumps(m)[:-1]),  # truncated
)

TRIED: dict[str, int] = {"valid_like": 0, "total": 0}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    before=st.lists(message, max_size=5),
    after=st.lists(message, min_size=1, max_size=25),
    phase=st.sampled_from(["lobby", "playing", "revealed"]),
)
def test_fuzzed_messages_get_documented_errors_only(
    server: ServerProcess, before: list[str], after: list[str], phase: str
) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac = await Client.connect(server, room["code"])
        await fac.join(token=room["facilitator_token"])
        fuzz = await Client.connect(server, room["code"])
        replies: list[dict[str, Any]] = []
        for text in before:  # before join: nothing but errors (or a welcome if it was a join)
            await fuzz.ws.send(text)
        await fuzz.ws.send(json.dumps({"type": "join", "name": "Fuzz"}))
        while fuzz.you is None:
            replies.append(await fuzz.recv())
        if phase != "lobby":
            await fac.ok({"type": "start"})
            await fac.ok({"type": "draw"})
        if phase == "revealed":
            await fac.ok({"type": "reveal"})
        for text in after:
            await fuzz.ws.send(text)
        await fuzz.ws.send(json.dumps({"type": "ping", "id": "last"}))
        while True:
            msg = await fuzz.recv()
            replies.append(msg)
            if msg.get("id") == "last" and msg["type"] == "ack":
                break
        for msg in replies:
            assert msg["type"] in {"welcome", "state", "ack", "error", "pong"}, msg
            if msg["type"] == "error":
                assert msg["code"] in DOCUMENTED, msg
                assert isinstance(msg["message"], str) and msg["message"]
        # the room still works for everybody
        assert (await fac.call({"type": "ping"}))["type"] == "ack"
        await fac.close()
        await fuzz.close()

    asyncio.run(scenario())
    TRIED["total"] += len(before) + len(after)


def test_server_logged_no_exception_while_fuzzed(server: ServerProcess) -> None:
    log = server.log.read_text()
    assert "Traceback" not in log and "Exception" not in log, log[-3000:]
    print(f"fuzz: {TRIED['total']} messages sent")
