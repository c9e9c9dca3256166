"""No single participant can grow a room without limit: notes per card and per person,
characters per card and per session, and room settings no longer than the deck."""

import asyncio
import json
from pathlib import Path

import pytest

from server.core import commands as c
from server.core.deck import parse_deck
from server.core.rules import (
    MAX_CARD_CHARS,
    MAX_NOTES_PER_CARD,
    MAX_NOTES_PER_PERSON,
    MAX_SESSION_CHARS,
    apply,
    new_room,
)
from server.core.state import Role, RoomSettings
from server.errors import GameError
from tests.helpers import FIXTURES, ServerProcess, seat_room


def test_notes_are_bounded_per_person_and_per_card(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        names = [f"N{i}" for i in range(MAX_NOTES_PER_CARD // MAX_NOTES_PER_PERSON + 1)]
        fac, players = await seat_room(server, room, names)
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        for _ in range(MAX_NOTES_PER_PERSON):
            await players[0].ok({"type": "note", "text": "x"})
        reply = await players[0].fails({"type": "note", "text": "x"}, "notes_per_person")
        assert str(MAX_NOTES_PER_PERSON) in reply["message"]
        written = MAX_NOTES_PER_PERSON
        for p in players[1:]:
            for _ in range(MAX_NOTES_PER_PERSON):
                if written == MAX_NOTES_PER_CARD:
                    await p.fails({"type": "note", "text": "y"}, "notes_full")
                    break
                await p.ok({"type": "note", "text": "y"})
                written += 1
        assert written == MAX_NOTES_PER_CARD
        await fac.fails({"type": "note", "text": "z"}, "notes_full")
        state = await fac.until(lambda s: len(s["notes"]) == MAX_NOTES_PER_CARD)
        assert len(state["notes"]) == MAX_NOTES_PER_CARD
        for cl in (fac, *players):
            await cl.close()

    asyncio.run(scenario())


def test_characters_per_card_are_bounded(server: ServerProcess) -> None:
    room = server.create_room()

    async def scenario() -> None:
        fac, players = await seat_room(server, room, ("L1", "L2", "L3"))
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        long = "é" * 2000
        sent = 0
        for p in players:
            for _ in range(MAX_NOTES_PER_PERSON):
                if sent + 2000 > MAX_CARD_CHARS:
                    reply = await p.fails({"type": "note", "text": long}, "card_text_full")
                    assert reply["message"]
                    break
                await p.ok({"type": "note", "text": long})
                sent += 2000
        assert sent == MAX_CARD_CHARS
        for cl in (fac, *players):
            await cl.close()

    asyncio.run(scenario())


def test_session_text_is_bounded() -> None:
    deck = parse_deck(json.loads((FIXTURES / "mini-deck.json").read_text("utf-8")))
    state = new_room(deck, RoomSettings(), seed=1, now=0)
    state = apply(deck, state, None, c.Join("f", "Fac", Role.FACILITATOR), 0)
    state = apply(deck, state, None, c.Join("a", "Ana"), 0)
    state = apply(deck, state, "f", c.Start(), 0)
    state = apply(deck, state, "f", c.Draw(), 0)
    state = state.model_copy(update={"closed_chars": MAX_SESSION_CHARS - 10})
    state = apply(deck, state, "a", c.AddNote("0123456789"), 0)
    with pytest.raises(GameError) as err:
        apply(deck, state, "a", c.AddNote("x"), 0)
    assert err.value.code == "session_text_full"


def test_room_settings_no_longer_than_the_deck(server: ServerProcess) -> None:
    # the 90,000 repeats that used to be stored and sent in every welcome
    status, body = server.request(
        "POST",
        "/api/rooms",
        {"deck_id": "mini-test", "settings": {"selection": "cards", "cards": ["c1"] * 90_000}},
    )
    assert status == 422, body
    # within the absolute bound, but longer than this deck
    status, body = server.request(
        "POST",
        "/api/rooms",
        {"deck_id": "mini-test", "settings": {"selection": "cards", "cards": ["c1"] * 4}},
        headers={"Accept-Language": "en"},
    )
    assert status == 409 and body["error"]["code"] == "too_many_choices", body
    assert "3" in body["error"]["message"]
    status, body = server.request(
        "POST",
        "/api/rooms",
        {"deck_id": "mini-test", "settings": {"selection": "themes", "themes": ["management"] * 3}},
        headers={"Accept-Language": "fr"},
    )
    assert status == 409 and body["error"]["code"] == "too_many_choices", body
    assert "choix" in body["error"]["message"]


def test_limits_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text("utf-8")
    for value in (MAX_NOTES_PER_CARD, MAX_NOTES_PER_PERSON):
        assert str(value) in doc
