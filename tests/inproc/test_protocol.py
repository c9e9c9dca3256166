"""Protocol and rules through the whole app, in this process: join, answer, reveal, errors,
and the order "the reply before the state it produced"."""

from contextlib import ExitStack
from typing import Any

from starlette.testclient import TestClient

from server.i18n import error_message
from tests.inproc.conftest import Sock, create_room


def seat(client: TestClient, stack: Any, code: str, **join: Any) -> Sock:
    sock = Sock(stack.enter_context(client.websocket_connect(f"/ws/rooms/{code}")))
    sock.join(**join)
    return sock


def test_join_answer_reveal(client: TestClient) -> None:
    room = create_room(client, selection="all")
    with ExitStack() as stack:
        fac = seat(client, stack, room["code"], token=room["facilitator_token"])
        assert fac.you is not None and fac.you["role"] == "facilitator"
        alice = seat(client, stack, room["code"], name="Alice")
        bob = seat(client, stack, room["code"], name="Bob")
        fac.until(lambda s: len(s["players"]) == 3)
        fac.ok({"type": "start"})
        state = alice.until(lambda s: s["phase"] == "playing")
        assert alice.you is not None and state["reader_id"] == alice.you["id"]
        alice.ok({"type": "draw"})
        card = alice.until(lambda s: s["card"] is not None)["card"]
        yes_no = [q["id"] for q in card["questions"] if q["kind"] == "yes_no"]
        for sock, value in ((alice, "no"), (bob, "no")):
            for qid in yes_no:
                sock.ok({"type": "answer", "card_id": card["id"], "question_id": qid, "value": value})
        state = bob.until(lambda s: s["my_answers"] == {q: "no" for q in yes_no})
        assert "tally" not in state["questions"][0]  # nobody sees values before the reveal
        alice.ok({"type": "reveal"})
        state = fac.until(lambda s: s["step"] == "revealed")
        assert state["questions"][0]["tally"] == {"yes": 0, "no": 2, "unsure": 0}
        assert state["questions"][0]["group_answer"] == "no"


def test_an_illegal_move_is_an_error_in_the_players_language(client: TestClient) -> None:
    room = create_room(client, selection="all")
    with ExitStack() as stack:
        seat(client, stack, room["code"], token=room["facilitator_token"])
        bob = seat(client, stack, room["code"], name="Bob")
        reply = bob.call({"type": "start"})
        assert reply["type"] == "error" and reply["code"] == "not_facilitator", reply
        assert reply["message"] == error_message("fr", "not_facilitator", {})
        reply = bob.call({"type": "reveal"})
        assert reply["code"] == "wrong_phase", reply


def test_the_reply_comes_before_the_state_it_produced(client: TestClient) -> None:
    room = create_room(client, selection="all")
    with ExitStack() as stack:
        fac = seat(client, stack, room["code"], token=room["facilitator_token"])
        seat(client, stack, room["code"], name="Alice")
        fac.until(lambda s: len(s["players"]) == 2)
        before = len(fac.seen)
        fac.ok({"type": "start"})
        fac.until(lambda s: s["phase"] == "playing")
        after = fac.seen[before:]
        kinds = [m["type"] for m in after]
        ack = kinds.index("ack")
        playing = next(
            i for i, m in enumerate(after) if m["type"] == "state" and m["state"]["phase"] == "playing"
        )
        assert ack < playing, kinds


def test_a_repeated_message_id_is_applied_once(client: TestClient) -> None:
    room = create_room(client, selection="all")
    with ExitStack() as stack:
        fac = seat(client, stack, room["code"], token=room["facilitator_token"])
        alice = seat(client, stack, room["code"], name="Alice")
        fac.ok({"type": "start"})
        alice.ok({"type": "draw"})
        alice.until(lambda s: s["card"] is not None)
        alice.ws.send_json({"type": "note", "text": "Une fois", "id": "same"})
        alice.ws.send_json({"type": "note", "text": "Une fois", "id": "same"})
        replies = [alice.expect("ack"), alice.expect("ack")]
        assert all(r["id"] == "same" for r in replies)
        alice.ok({"type": "note", "text": "fin"})
        state = alice.until(lambda s: any(n["text"] == "fin" for n in s["notes"]))
        assert [n["text"] for n in state["notes"]] == ["Une fois", "fin"]


def test_unknown_room_is_a_404_in_french(client: TestClient) -> None:
    response = client.get("/api/rooms/ZZZZZZ", headers={"accept-language": "fr"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "room_not_found"
