"""Every file in cards/ is a valid deck, and the built-in decks hold the promised figures."""

import json
from collections import Counter
from pathlib import Path

import pytest

from server.core.criteria import CRITERIA
from server.core.deck import Deck, validate_deck

CARDS = Path(__file__).resolve().parent.parent.parent / "cards"
FILES = sorted(CARDS.glob("*.json"))


def load(name: str) -> Deck:
    result = validate_deck(json.loads((CARDS / name).read_text("utf-8")))
    assert isinstance(result, Deck), result
    return result


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_card_file_is_valid(path: Path) -> None:
    result = validate_deck(json.loads(path.read_text("utf-8")))
    assert isinstance(result, Deck), result
    assert path.stem == result.id.replace("-", "-")


def yes_no_by_criterion(deck: Deck) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {k: Counter() for k in CRITERIA}
    for card in deck.cards:
        for q in card.questions:
            if q.kind == "yes_no":
                assert q.criterion and q.risk_answer
                out[q.criterion][q.risk_answer] += 1
    return out


@pytest.mark.parametrize("name", ["exploria-fr.json", "exploria-en.json"])
def test_exploria_figures(name: str) -> None:
    deck = load(name)
    per_theme = Counter(card.theme for card in deck.cards)
    assert len(deck.cards) >= 32
    assert set(per_theme) == {"organisation", "management", "engagement", "bien-etre"}
    assert all(n >= 8 for n in per_theme.values())
    for card in deck.cards:
        assert 2 <= len(card.questions) <= 4, card.id
        assert any(q.kind == "yes_no" and q.criterion for q in card.questions), card.id
        assert card.facilitator_tip, card.id
    for criterion, risks in yes_no_by_criterion(deck).items():
        assert sum(risks.values()) >= 6, criterion
        assert risks["yes"] > 0 and risks["no"] > 0, criterion


@pytest.mark.parametrize("name", ["autodiag-fr.json", "autodiag-en.json"])
def test_autodiag_figures(name: str) -> None:
    deck = load(name)
    criteria_of_cards = []
    for card in deck.cards:
        crits = {q.criterion for q in card.questions if q.kind == "yes_no"}
        assert len(crits) == 1, card.id
        criteria_of_cards.append(crits.pop())
        assert sum(1 for q in card.questions if q.kind == "yes_no") >= 5, card.id
    assert sorted(criteria_of_cards) == sorted(CRITERIA)


@pytest.mark.parametrize("stem", ["exploria", "autodiag"])
def test_french_and_english_share_ids(stem: str) -> None:
    fr, en = load(f"{stem}-fr.json"), load(f"{stem}-en.json")
    assert fr.language == "fr" and en.language == "en"

    def shape(deck: Deck) -> list[tuple[str, str, list[tuple[str, str, str | None, str | None]]]]:
        return [(c.id, c.theme, [(q.id, q.kind, q.criterion, q.risk_answer) for q in c.questions])
                for c in deck.cards]

    assert shape(fr) == shape(en)
    assert [t.id for t in fr.themes] == [t.id for t in en.themes]
