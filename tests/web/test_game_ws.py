"""A real server, real WebSocket clients: full games, reconnects, late joiners, bad moves."""

import asyncio
from typing import Any

import pytest

from tests.helpers import Client, ServerProcess, seat


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_full_game_three_players_to_synthesis(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test", selection="all")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        assert fac.you["role"] == "facilitator"
        alice = await seat(server, code, name="Alice")
        bob = await seat(server, code, name="  Bob  ")
        assert bob.you["name"] == "Bob"
        chloe = await seat(server, code, name="Chloé")
        players = [alice, bob, chloe]
        lobby = await fac.until(lambda s: len(s["players"]) == 4)
        assert lobby["phase"] == "lobby"
        assert all(p["connected"] for p in lobby["players"])
        await fac.ok({"type": "start"})
        state = await alice.until(lambda s: s["phase"] == "playing")
        assert state["reader_id"] == alice.you["id"]
        assert state["cards_total"] == 3

        # card 1: a bob vote changed before the reveal; nobody sees values before it
        await alice.ok({"type": "draw", "theme": "organisation"})
        state = await bob.until(lambda s: s["card"] is not None)
        card = state["card"]
        assert card["theme"] == "organisation"
        yes_no = [q for q in card["questions"] if q["kind"] == "yes_no"]
        for p, v in zip(players, ["no", "yes", "no"], strict=True):
            for q in yes_no:
                await p.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": v})
        await bob.ok({"type": "answer", "card_id": card["id"], "question_id": yes_no[0]["id"], "value": "no"})
        state = await chloe.until(
            lambda s: (
                len(s["my_answers"]) == len(yes_no)
                and all(q["answered"] == 3 for q in s["questions"] if q["id"] in s["my_answers"])
            )
        )
        assert "tally" not in state["questions"][0]
        assert state["my_answers"] == {q["id"]: "no" for q in yes_no}
        first_id = yes_no[0]["id"]
        bob_state = await bob.until(lambda s: s["my_answers"].get(first_id) == "no")
        assert bob_state["questions"][0]["answered"] == 3
        await bob.fails({"type": "reveal"}, "not_reader")
        await alice.ok({"type": "reveal"})
        state = await chloe.until(lambda s: s["step"] == "revealed")
        q0 = state["questions"][0]
        assert q0["tally"] == {"yes": 0, "no": 3, "unsure": 0}
        assert q0["group_answer"] == "no"
        assert "votes" not in q0  # anonymous by default
        await alice.fails(
            {"type": "answer", "card_id": card["id"], "question_id": yes_no[0]["id"], "value": "yes"},
            "already_revealed",
        )
        await alice.ok({"type": "consensus", "question_id": yes_no[0]["id"], "value": "yes"})
        await chloe.ok({"type": "note", "text": "On en reparle avec le CSE."})
        state = await fac.until(lambda s: s["notes"] and s["questions"][0]["consensus"] == "yes")
        assert state["questions"][0]["group_answer"] == "yes"
        assert state["notes"][0] == {"text": "On en reparle avec le CSE.", "author": None}
        await alice.ok({"type": "next"})
        state = await fac.until(lambda s: s["cards_done"] == 1)
        assert state["reader_id"] == bob.you["id"]
        assert state["card"] is None

        # the reader rotates; the facilitator acts for the reader
        await fac.ok({"type": "draw"})
        state = await fac.until(lambda s: s["card"] is not None)
        card = state["card"]
        for p in players:
            for q in card["questions"]:
                value = "yes" if q["kind"] == "yes_no" else "texte"
                await p.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value})
        await fac.ok({"type": "reveal"})
        await fac.ok({"type": "next"})
        state = await fac.until(lambda s: s["cards_done"] == 2)
        assert state["reader_id"] == chloe.you["id"]
        await fac.ok({"type": "finish"})
        state = await alice.until(lambda s: s["phase"] == "synthesis")
        synthesis = state["synthesis"]
        assert synthesis["cards_played"] == 2
        levels = {c["criterion"]: c for c in synthesis["criteria"]}
        assert len(levels) == 6
        for p in (*players, fac):
            await p.close()

    run(scenario())


def test_reconnect_by_token_mid_card_keeps_answers(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        alice = await seat(server, code, name="Alice")
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        state = await alice.until(lambda s: s["card"] is not None)
        card = state["card"]
        q = card["questions"][0]
        value = "unsure" if q["kind"] == "yes_no" else "mon idée"
        await alice.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value})
        token = alice.you["token"]
        await alice.close()
        state = await fac.until(
            lambda s: not next(p for p in s["players"] if p["name"] == "Alice")["connected"]
        )
        back = await Client.connect(server, code)
        welcome = await back.join(token=token)
        assert welcome["you"]["id"] == alice.you["id"]
        assert welcome["you"]["name"] == "Alice"
        assert welcome["state"]["card"]["id"] == card["id"]
        assert welcome["state"]["my_answers"] == {q["id"]: value}
        await fac.until(lambda s: next(p for p in s["players"] if p["name"] == "Alice")["connected"])
        # a token of another room is refused
        other = server.create_room("mini-test")
        stranger = await Client.connect(server, other["code"])
        await stranger.send({"type": "join", "token": token})
        err = await stranger.expect("error")
        assert err["code"] == "bad_token"
        for c in (back, fac, stranger):
            await c.close()

    run(scenario())


def test_late_joiner_gets_current_card_and_can_answer(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        alice = await seat(server, code, name="Alice")
        await fac.ok({"type": "start"})
        await alice.ok({"type": "draw"})
        state = await alice.until(lambda s: s["card"] is not None)
        late = await Client.connect(server, code)
        welcome = await late.join(name="Léa")
        assert welcome["state"]["phase"] == "playing"
        assert welcome["state"]["card"]["id"] == state["card"]["id"]
        q = state["card"]["questions"][0]
        value = "yes" if q["kind"] == "yes_no" else "oui"
        await late.ok(
            {"type": "answer", "card_id": state["card"]["id"], "question_id": q["id"], "value": value}
        )
        for c in (alice, fac, late):
            await c.close()

    run(scenario())


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "start"}, "not_facilitator"),
        ({"type": "finish"}, "not_facilitator"),
        ({"type": "skip"}, "not_facilitator"),
        ({"type": "draw"}, "wrong_phase"),
        ({"type": "reveal"}, "wrong_phase"),
        ({"type": "bogus"}, "unknown_type"),
        ({"type": "answer", "card_id": "c1"}, "missing_field"),
        ({"type": "consensus", "question_id": "q1", "value": "maybe"}, "bad_field"),
        ({"type": "join", "name": "Again"}, "already_joined"),
    ],
)
def test_illegal_moves_get_precise_errors(server: ServerProcess, message: dict[str, Any], code: str) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        alice = await seat(server, room["code"], name="Alice")
        before = alice.version
        await alice.fails(message, code)
        await alice.ok({"type": "ping"})
        assert alice.version == before  # nothing changed
        await alice.close()

    run(scenario())


def test_errors_in_play_change_nothing(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        alice = await seat(server, code, name="Alice")
        bob = await seat(server, code, name="Bob")
        await fac.ok({"type": "start"})
        await bob.fails({"type": "draw"}, "not_reader")
        await alice.ok({"type": "draw"})
        state = await alice.until(lambda s: s["card"] is not None)
        card = state["card"]
        version = alice.version
        await alice.fails({"type": "draw"}, "card_in_play")
        await alice.fails(
            {"type": "answer", "card_id": "nope", "question_id": "q1", "value": "yes"}, "wrong_card"
        )
        await alice.fails(
            {"type": "answer", "card_id": card["id"], "question_id": "zz", "value": "yes"}, "unknown_question"
        )
        yes_no = next(q for q in card["questions"] if q["kind"] == "yes_no")
        await alice.fails(
            {"type": "answer", "card_id": card["id"], "question_id": yes_no["id"], "value": "peut-être"},
            "bad_vote",
        )
        await fac.fails(
            {"type": "answer", "card_id": card["id"], "question_id": yes_no["id"], "value": "yes"},
            "facilitator_cannot_answer",
        )
        await alice.fails({"type": "next"}, "not_revealed")
        await alice.fails({"type": "consensus", "question_id": yes_no["id"], "value": "yes"}, "not_revealed")
        await alice.fails({"type": "note", "text": "   "}, "text_empty")
        await alice.fails({"type": "note", "text": "x" * 2001}, "text_too_long")
        await alice.ok({"type": "sync"})
        assert alice.version == version
        for c in (alice, bob, fac):
            await c.close()

    run(scenario())


def test_bad_frames_and_joins(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        c = await Client.connect(server, room["code"])
        await c.send({"type": "start"})
        assert (await c.expect("error"))["code"] == "join_first"
        await c.ws.send("{not json")
        assert (await c.expect("error"))["code"] == "bad_json"
        await c.ws.send("[1, 2]")
        assert (await c.expect("error"))["code"] == "not_object"
        for name, code in (("", "name_empty"), ("   ", "name_empty"), ("x" * 41, "name_too_long")):
            await c.send({"type": "join", "name": name})
            assert (await c.expect("error"))["code"] == code
        await c.send({"type": "join"})
        assert (await c.expect("error"))["code"] == "join_needs_name"
        welcome = await c.join(name="Enfin")  # the connection survived all of it
        assert welcome["you"]["name"] == "Enfin"
        await c.close()
        gone = await Client.connect(server, "ZZZZZZ")
        err = await gone.expect("error")
        assert err["code"] == "room_not_found"
        assert "ZZZZZZ" in err["message"]
        await gone.close()

    run(scenario())


def test_errors_are_in_the_session_language(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")  # a French deck
        c = await seat(server, room["code"], name="Alice")
        err = await c.fails({"type": "start"}, "not_facilitator")
        assert "anime" in err["message"]
        await c.close()
        en = await seat(server, room["code"], name="Ann", lang="en")
        err = await en.fails({"type": "start"}, "not_facilitator")
        assert err["message"] == "Only the facilitator can do that."
        await en.close()

    run(scenario())


def test_repeated_ids_are_applied_once(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        alice = await seat(server, code, name="Alice")
        await fac.ok({"type": "start"})
        await alice.ok({"type": "draw"})
        await alice.until(lambda s: s["card"] is not None)
        for _ in range(3):
            reply = await alice.call({"type": "note", "text": "une seule fois", "id": "n-1"})
            assert reply == {"type": "ack", "id": "n-1"}
        await fac.ok({"type": "sync"})
        state = await fac.until(lambda s: len(s["notes"]) >= 1)
        assert [n["text"] for n in state["notes"]] == ["une seule fois"]
        for c in (alice, fac):
            await c.close()

    run(scenario())


def test_skip_and_park(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        code = room["code"]
        fac = await seat(server, code, token=room["facilitator_token"])
        alice = await seat(server, code, name="Alice")
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        first = (await fac.until(lambda s: s["card"] is not None))["card"]["id"]
        await alice.ok({"type": "note", "text": "à reprendre"})
        await alice.fails({"type": "park"}, "not_facilitator")
        await fac.ok({"type": "park"})
        state = await fac.until(lambda s: s["card"] is None)
        assert state["cards_parked"] == 1 and state["cards_done"] == 0
        await fac.ok({"type": "draw"})
        state = await fac.until(lambda s: s["card"] is not None)
        await fac.ok({"type": "skip"})
        state = await fac.until(lambda s: s["cards_done"] == 1)
        assert state["history"][0]["outcome"] == "skipped"
        await fac.ok({"type": "draw"})
        await fac.ok({"type": "skip"})
        await fac.ok({"type": "draw"})  # only the parked card is left, with its note
        state = await fac.until(lambda s: s["card"] is not None and s["cards_done"] == 2)
        assert state["card"]["id"] == first
        assert state["notes"][0]["text"] == "à reprendre"
        await fac.ok({"type": "reveal"})
        await fac.ok({"type": "next"})
        await fac.fails({"type": "draw"}, "no_cards_left")
        for c in (alice, fac):
            await c.close()

    run(scenario())


def test_a_retried_join_with_a_client_token_keeps_one_seat(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        token = "client-chosen-token-0123456789abcdef"
        first = await seat(server, room["code"], name="Ana", token=token)
        again = await seat(server, room["code"], name="Ana", token=token)  # the retry
        assert again.you["id"] == first.you["id"] and again.you["token"] == token
        players = [p for p in again.state["players"] if p["role"] == "player"]
        assert len(players) == 1
        short = await Client.connect(server, room["code"])
        await short.send({"type": "join", "name": "Ben", "token": "short"})
        assert (await short.expect("error"))["code"] == "token_too_short"
        for c in (first, again, short):
            await c.close()

    run(scenario())


def test_a_viewer_screen_is_read_only_and_not_a_presence(server: ServerProcess) -> None:
    async def scenario() -> None:
        room = server.create_room("mini-test")
        screen = await seat(server, room["code"], token=room["facilitator_token"], role="viewer")
        assert screen.you["role"] == "viewer"
        facilitator = next(p for p in screen.state["players"] if p["role"] == "facilitator")
        assert facilitator["connected"] is False
        assert [t["id"] for t in screen.state["deck"]["themes"]] == ["organisation", "management"]
        await screen.fails({"type": "start"}, "viewer_read_only")
        await screen.ok({"type": "sync"})
        share = await Client.connect(server, room["code"])
        ana = await seat(server, room["code"], name="Ana")
        await screen.until(lambda s: len(s["players"]) == 2)
        for c in (screen, share, ana):
            await c.close()

    run(scenario())
