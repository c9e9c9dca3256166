"""Sessions built directly with the pure core (no server): for unit tests and the benchmark."""

import json
import random
from pathlib import Path
from typing import Any

from server.core import commands as c
from server.core.deck import Deck, parse_deck
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings, RoomState

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CRITERIA = (
    "autonomie",
    "reconnaissance",
    "savoir_faire",
    "surveillance",
    "relations_humaines",
    "responsabilite",
)
NASTY = '=HYPERLINK("http://evil") <script>alert(1)</script> **gras** # titre'


def mini_deck() -> Deck:
    return parse_deck(json.loads((FIXTURES / "mini-deck.json").read_text("utf-8")))


def big_deck(cards: int = 50) -> Deck:
    """A French deck of ``cards`` cards, 4 yes/no questions and 1 open question each."""
    themes = [{"id": f"t{i}", "title": f"Thème {i} — éàç", "color": "#2a6f97"} for i in range(5)]
    data: dict[str, Any] = {
        "format": "exploria-deck/1",
        "id": "bench-deck",
        "title": "Jeu de référence (bench)",
        "language": "fr",
        "version": "2.1",
        "themes": themes,
        "cards": [],
    }
    for i in range(cards):
        questions: list[dict[str, Any]] = [
            {
                "id": f"q{j}",
                "kind": "yes_no",
                "criterion": CRITERIA[(i + j) % 6],
                "risk_answer": "yes" if j % 2 else "no",
                "text": f"Question {j} de la carte {i} : l'outil change-t-il la façon de décider ?",
            }
            for j in range(4)
        ]
        questions.append({"id": "open", "kind": "open", "text": "Qu'en pensez-vous ?"})
        data["cards"].append(
            {
                "id": f"c{i}",
                "theme": f"t{i % 5}",
                "title": f"Carte n° {i} — « IA et travail »",
                "situation": "Une entreprise de 40 salariés déploie un outil d'aide à la décision.",
                "questions": questions,
            }
        )
    return parse_deck(data)


def play(
    deck: Deck,
    *,
    players: int = 3,
    anonymous: bool = True,
    cards: int | None = None,
    finish: bool = True,
    seed: int = 7,
    names: list[str] | None = None,
    note: str = "Note du groupe : à revoir avec le CSE.",
    open_text: str = "Plus de temps pour les clients.",
    language: str | None = None,
    uniform: bool = False,
) -> RoomState:
    """Play ``cards`` cards (all by default) with random votes, a note and open answers."""
    rng = random.Random(seed)
    now = 1_700_000_000.0
    settings = RoomSettings(anonymous=anonymous, language=language, facilitator_name="Fanny Animatrice")
    state = new_room(deck, settings, seed=seed, now=now)
    state = apply(deck, state, None, c.Join("fac", "Fanny Animatrice", Role.FACILITATOR), now)
    names = names or [f"Participant {i}" for i in range(players)]
    for i, name in enumerate(names):
        state = apply(deck, state, None, c.Join(f"p{i}", name), now)
    state = apply(deck, state, "fac", c.Start(), now)
    total = len(state.pile) if cards is None else cards
    for _ in range(total):
        now += 300
        state = apply(deck, state, "fac", c.Draw(), now)
        assert state.current is not None
        card = deck.card(state.current.card_id)
        assert card is not None
        # each question leans one way or is disputed, as in a real group; ``uniform`` votes at
        # random, which makes nearly every question divergent (a worst case for the summary)
        lean = {q.id: 0.5 if uniform else rng.choice((0.1, 0.2, 0.5, 0.8, 0.9)) for q in card.questions}
        for i in range(len(names)):
            for q in card.questions:
                if q.kind == "yes_no":
                    roll = rng.random()
                    value = "unsure" if roll < 0.1 else "yes" if rng.random() < lean[q.id] else "no"
                else:
                    value = f"{open_text} ({i})"
                state = apply(deck, state, f"p{i}", c.Answer(card.id, q.id, value), now)
        state = apply(deck, state, "fac", c.AddNote(note), now)
        state = apply(deck, state, "fac", c.Reveal(), now)
        state = apply(deck, state, "fac", c.Next(), now)
    if finish:
        state = apply(deck, state, "fac", c.Finish(), now + 60)
    return state
