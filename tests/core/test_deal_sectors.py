"""Dealing with sectors and framing cards: ``deal()`` as a pure function, on small decks."""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from server.core.deck import Deck, parse_deck, validate_deck
from server.core.rules import deal, new_room
from server.core.sectors import SECTORS, suits
from server.core.state import RoomSettings
from server.errors import GameError

ROOT = Path(__file__).resolve().parent.parent.parent


def card(card_id: str, theme: str = "t1", **extra: Any) -> dict[str, Any]:
    return {
        "id": card_id,
        "theme": theme,
        "title": card_id,
        "questions": [{"id": "q1", "kind": "open", "text": "Qu'en pensez-vous ?"}],
        **extra,
    }


def make_deck(*cards: dict[str, Any]) -> Deck:
    return parse_deck(
        {
            "format": "exploria-deck/1",
            "id": "deal-test",
            "title": "Test",
            "language": "fr",
            "themes": [{"id": "t1", "title": "Un"}, {"id": "t2", "title": "Deux"}],
            "cards": list(cards),
        }
    )


DECK = make_deck(
    card("intro", place="first"),
    card("bakery", sectors=["artisanat_alimentaire", "commerce"]),
    card("site", "t2", sectors=["btp"]),
    card("any"),
    card("law", "t2", sectors=["juridique_conseil"]),
    card("debrief", place="last"),
)


def test_suits() -> None:
    assert suits(None, ()) and suits(["btp"], ())
    assert suits(None, ("btp",)) and suits([], ("btp",))
    assert suits(["btp", "industrie"], ("industrie",))
    assert not suits(["btp"], ("commerce", "industrie"))


def test_sectors_keep_tagged_and_untagged_cards() -> None:
    for seed in range(20):
        dealt = deal(DECK, RoomSettings(sectors=("btp",)), seed)
        assert set(dealt) == {"intro", "site", "any", "debrief"}
        dealt = deal(DECK, RoomSettings(sectors=("commerce", "juridique_conseil")), seed)
        assert set(dealt) == {"intro", "bakery", "any", "law", "debrief"}
    assert set(deal(DECK, RoomSettings(), 1)) == {c.id for c in DECK.cards}


def test_framing_cards_come_first_and_last_whatever_the_selection() -> None:
    for seed in range(20):
        for settings in (
            RoomSettings(),
            RoomSettings(sectors=("btp",)),
            RoomSettings(selection="random", card_count=2),
            RoomSettings(selection="themes", themes=("t2",)),
        ):
            dealt = deal(DECK, settings, seed)
            assert dealt[0] == "intro" and dealt[-1] == "debrief", (settings, dealt)
            assert "intro" not in dealt[1:] and "debrief" not in dealt[:-1]
    # a random draw counts the situation cards only
    assert len(deal(DECK, RoomSettings(selection="random", card_count=2), 3)) == 4
    assert set(deal(DECK, RoomSettings(selection="themes", themes=("t2",)), 3)) == {
        "intro",
        "site",
        "law",
        "debrief",
    }


def test_an_explicit_list_is_dealt_as_chosen() -> None:
    chosen = RoomSettings(selection="cards", cards=("debrief", "law", "site"), sectors=("btp",))
    for seed in range(10):
        dealt = deal(DECK, chosen, seed)
        assert dealt[-1] == "debrief" and set(dealt) == {"debrief", "law", "site"}


def test_no_situation_left_is_no_session() -> None:
    only_law = make_deck(card("intro", place="first"), card("law", sectors=["juridique_conseil"]))
    assert deal(only_law, RoomSettings(sectors=("btp",)), 1) == ()
    with pytest.raises(GameError) as err:
        new_room(only_law, RoomSettings(sectors=("btp",)), seed=1, now=0.0)
    assert err.value.code == "no_cards_left"


def test_decks_without_the_new_fields_deal_as_before() -> None:
    """Seeded order of a deck that uses neither field is what the old rule gave."""
    import random

    mini = parse_deck(json.loads((ROOT / "tests/fixtures/mini-deck.json").read_text()))
    for seed in range(10):
        ids = [c.id for c in mini.cards]
        random.Random(seed).shuffle(ids)
        assert deal(mini, RoomSettings(), seed) == tuple(ids)


def test_unknown_or_repeated_sectors_are_refused_with_a_path() -> None:
    data = json.loads(DECK.model_dump_json(exclude_none=True))
    data["cards"][1]["sectors"] = ["commerce", "boulangerie", "commerce"]
    data["cards"][2]["place"] = "middle"
    problems = validate_deck(data)
    assert isinstance(problems, list)
    found = {(p.path, p.key) for p in problems}
    assert ("cards[1].sectors[1]", "unknown_sector") in found
    assert ("cards[1].sectors[2]", "duplicate_sector") in found
    assert ("cards[2].place", "not_allowed") in found
    unknown = next(p for p in problems if p.key == "unknown_sector")
    assert unknown.params["expected"] == ", ".join(SECTORS)


def test_room_settings_accept_only_known_sectors() -> None:
    assert RoomSettings.model_validate({"sectors": ["btp", "commerce"]}).sectors == ("btp", "commerce")
    with pytest.raises(ValidationError):
        RoomSettings.model_validate({"sectors": ["boulangerie"]})


def test_every_sector_has_a_label_in_both_languages() -> None:
    for lang in ("fr", "en"):
        catalogue = json.loads((ROOT / f"server/locales/{lang}/core.json").read_text("utf-8"))
        for sector in SECTORS:
            assert catalogue.get(f"sector.{sector}"), (lang, sector)
        assert catalogue.get("deck.problem.unknown_sector")
        assert catalogue.get("deck.problem.duplicate_sector")
