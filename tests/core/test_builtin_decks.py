"""Every file in cards/ is a valid deck, and the built-in decks hold the promised figures.

The figures are the ones docs/decks.md promises: in each ExplorIA deck every criterion rests on
12–14 counted (yes/no) questions with both risk polarities, each theme of situations touches at
least four criteria, the French and English twins share their whole structure, and no counted
question is about the story's characters instead of the group's own workplace.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from server.core.criteria import CRITERIA
from server.core.deck import Card, Deck, validate_deck
from server.core.sectors import SECTORS

CARDS = Path(__file__).resolve().parent.parent.parent / "cards"
FILES = sorted(CARDS.glob("*.json"))
SITUATION_THEMES = {"organisation", "management", "engagement", "bien-etre"}


def load(name: str) -> Deck:
    result = validate_deck(json.loads((CARDS / name).read_text("utf-8")))
    assert isinstance(result, Deck), result
    return result


def counted(deck: Deck) -> list[tuple[Card, str, str, str]]:
    """(card, text, criterion, risk_answer) of every yes/no question."""
    out = []
    for card in deck.cards:
        for q in card.questions:
            if q.kind == "yes_no":
                assert q.criterion and q.risk_answer
                out.append((card, q.text, q.criterion, q.risk_answer))
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_card_file_is_valid(path: Path) -> None:
    result = validate_deck(json.loads(path.read_text("utf-8")))
    assert isinstance(result, Deck), result
    assert path.stem == result.id


@pytest.mark.parametrize("name", ["exploria-fr.json", "exploria-en.json"])
def test_exploria_balance(name: str) -> None:
    deck = load(name)
    questions = counted(deck)
    per_criterion: dict[str, Counter[str]] = {k: Counter() for k in CRITERIA}
    for _, _, criterion, risk in questions:
        per_criterion[criterion][risk] += 1
    for criterion, risks in per_criterion.items():
        assert 12 <= sum(risks.values()) <= 14, (criterion, risks)
        assert risks["yes"] > 0 and risks["no"] > 0, (criterion, risks)
    per_theme: dict[str, set[str]] = {}
    for card, _, criterion, _ in questions:
        per_theme.setdefault(card.theme, set()).add(criterion)
    assert set(per_theme) == SITUATION_THEMES
    for theme, criteria in per_theme.items():
        assert len(criteria) >= 4, (theme, criteria)


@pytest.mark.parametrize("name", ["exploria-fr.json", "exploria-en.json"])
def test_exploria_cards(name: str) -> None:
    deck = load(name)
    situations = [c for c in deck.cards if c.place is None]
    assert len(situations) == 40
    assert Counter(c.theme for c in situations) == {t: 10 for t in SITUATION_THEMES}
    for card in situations:
        assert 2 <= len(card.questions) <= 4, card.id
        assert any(q.kind == "yes_no" for q in card.questions), card.id
        assert any(q.kind == "open" for q in card.questions), card.id
        assert card.facilitator_tip, card.id
        assert card.sectors, card.id  # every situation card says where it transposes well
    # an opening card dealt first and a debrief dealt last, with open questions only
    framing = {c.place: c for c in deck.cards if c.place is not None}
    assert set(framing) == {"first", "last"}
    for card in framing.values():
        assert card.questions and all(q.kind == "open" for q in card.questions), card.id
        assert not card.sectors, card.id  # shown in every session, whatever its sectors
    # every sector has enough cards for a session of about an hour
    for sector in SECTORS:
        assert sum(1 for c in situations if c.sectors and sector in c.sectors) >= 8, sector


@pytest.mark.parametrize("name", ["autodiag-fr.json", "autodiag-en.json"])
def test_autodiag_figures(name: str) -> None:
    deck = load(name)
    criteria_of_cards = []
    for card in deck.cards:
        crits = {q.criterion for q in card.questions if q.kind == "yes_no"}
        assert len(crits) == 1, card.id
        criteria_of_cards.append(crits.pop())
        risks = Counter(q.risk_answer for q in card.questions if q.kind == "yes_no")
        assert sum(risks.values()) >= 5, card.id
        assert risks["yes"] and risks["no"], card.id
    assert sorted(criteria_of_cards) == sorted(CRITERIA)


@pytest.mark.parametrize("stem", ["exploria", "autodiag"])
def test_french_and_english_share_ids(stem: str) -> None:
    fr, en = load(f"{stem}-fr.json"), load(f"{stem}-en.json")
    assert fr.language == "fr" and en.language == "en"

    def shape(deck: Deck) -> list[tuple[object, ...]]:
        return [
            (
                c.id,
                c.theme,
                c.place,
                c.sectors,
                [(q.id, q.kind, q.criterion, q.risk_answer) for q in c.questions],
            )
            for c in deck.cards
        ]

    assert shape(fr) == shape(en)
    assert [t.id for t in fr.themes] == [t.id for t in en.themes]


# --- counted questions ask about us, not about the story ------------------------------------
# A counted question must address the group (first or second person plural), and must not name
# a character or the story's own tool: those belong in the situation and in open prompts.
US = {
    "fr": re.compile(r"\b(nous|notre|nos|vous|votre|vos)\b", re.IGNORECASE),
    "en": re.compile(r"\b(we|us|our|here|you|your)\b", re.IGNORECASE),
}
STORY = {
    "fr": re.compile(
        r"\b(boulangers?|patrons?|apprentis?|préparat(eur|rice)s?|exploitants?|contrôleurs?|chauffeurs?"
        r"|soignants?|mécaniciens?|électriciens?|conseill(er|ère)s?|chefs? de chantier|compagnons?"
        r"|développeu(r|se)s?|gérante?s?|recruteurs?|assistantes?|associés?|réceptionnistes?"
        r"|agents?|cheffe|relecteurs?|trieuses?|directeur|techniciens?|régleurs?|vendeu(r|se)s?"
        r"|titulaire|veilleurs?|graphistes?|vétérinaires?|praticiens?|clercs?|notaire|caissi(er|ère)s?"
        r"|livreurs?|aides? à domicile|téléconseill(er|ère)s?|éleveurs?|intérimaires?|candidats?"
        r"|le logiciel|la caméra|les caméras|le chatbot|l'application|le robot|les capteurs"
        r"|cette histoire|cette situation)\b",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(bakers?|owner|apprentices?|pickers?|dispatchers?|inspectors?|drivers?|carers?|nurses?"
        r"|mechanics?|electricians?|advisers?|site managers?|workers on site|developers?|recruiters?"
        r"|assistants|partners|receptionists?|cleaners?|team leader|proofreaders?|sorters?|director"
        r"|technicians?|setters?|sales assistants?|pharmac(ist|y technician)s?|night staff|designers?"
        r"|vets?|clerks?|notary|cashiers?|couriers?|home helps?|call-centre|farmers?|temps|candidates?"
        r"|the software|the camera|the cameras|the chatbot|the app|the robot|the sensors"
        r"|this story|this situation)\b",
        re.IGNORECASE,
    ),
}


@pytest.mark.parametrize(
    "name", ["exploria-fr.json", "exploria-en.json", "autodiag-fr.json", "autodiag-en.json"]
)
def test_counted_questions_ask_about_us(name: str) -> None:
    deck = load(name)
    lang = deck.language
    for card, text, _, _ in counted(deck):
        if name.startswith("exploria"):
            assert US[lang].search(text), (card.id, text)
        assert not STORY[lang].search(text), (card.id, text)
        # ...and about the AI system named for the session or about our own workplace
        system = "système" if lang == "fr" else "system"
        assert system in text or US[lang].search(text), (card.id, text)


def test_the_rule_fails_on_story_questions() -> None:
    """The heuristic catches the kind of question the decks used to ask."""
    for text in (
        "Le boulanger peut-il modifier les quantités proposées sans avoir à se justifier ?",
        "Les exploitants perdent-ils leur connaissance fine du terrain ?",
        "Les apprentis risquent-ils de ne jamais apprendre à estimer la production ?",
    ):
        assert not US["fr"].search(text) or STORY["fr"].search(text), text
    assert STORY["en"].search("Can the baker change the suggested quantities?")
    assert not US["en"].search("Can the baker change the suggested quantities?")


@pytest.mark.parametrize("name", ["exploria-fr.json", "autodiag-fr.json"])
def test_french_wording(name: str) -> None:
    """One thing per question, no leading wording, and the words the guide uses."""
    deck = load(name)
    texts = [q.text for c in deck.cards for q in c.questions]
    for _, text, _, _ in counted(deck):
        assert text.count("?") == 1, text
        assert not re.search(r"risquen?t?-(t-)?(il|elle|ils|elles)\b|\bcertain(e)?s\b", text), text
    everything = " ".join(
        [deck.title, deck.description]
        + [c.title + " " + c.situation + " " + (c.facilitator_tip or "") for c in deck.cards]
        + texts
    )
    assert "délégué du personnel" not in everything
    assert "auto-diagnostic" not in everything.lower()
    # "surveiller" is for monitoring people; a machine is supervised
    assert not re.search(r"\bsurveill(e|es|ent|er|ons|ez|ant)\b", everything), name


@pytest.mark.parametrize(
    "name", ["exploria-fr.json", "exploria-en.json", "autodiag-fr.json", "autodiag-en.json"]
)
def test_descriptions_point_to_the_official_documents(name: str) -> None:
    deck = load(name)
    assert "LaborIA-Explorer-JEU-DE-CARTES-EXPLORIA_Mars-2025.pdf" in deck.description
    assert "LaborIA-Explorer-AUTO-DIAGNOCTIC_Mars-2025-.pdf" in deck.description
    inspired = "inspiré" if deck.language == "fr" else "inspired by"
    assert inspired in deck.title + deck.description
