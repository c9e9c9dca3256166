"""The deal: which cards a session plays, in which order, from its settings and a seed."""

import random

from server.core.deck import Deck
from server.core.sectors import suits
from server.core.state import RoomSettings
from server.errors import GameError


def deal(deck: Deck, settings: RoomSettings, seed: int) -> tuple[str, ...]:
    """The cards of a session in dealing order, from its settings and a seed.

    With ``settings.sectors``, only cards tagged with one of those sectors, or untagged, are
    dealt (an explicit list of cards is dealt as chosen). Cards marked ``place: "first"`` come
    before the shuffled ones and ``"last"`` after them, in deck order; selecting by themes or
    drawing a number at random never leaves them out (an explicit list keeps only those listed).
    """
    rng = random.Random(seed)
    if len(settings.cards) > len(deck.cards) or len(settings.themes) > len(deck.themes):
        raise GameError(
            "too_many_choices",
            limit=len(deck.cards) if len(settings.cards) > len(deck.cards) else len(deck.themes),
        )
    suited = [card for card in deck.cards if suits(card.sectors, settings.sectors)]
    if settings.selection == "themes":
        wanted = set(settings.themes)
        unknown = wanted - {t.id for t in deck.themes}
        if unknown or not wanted:
            raise GameError("unknown_theme", theme=", ".join(sorted(unknown)))
        middle = [c.id for c in suited if c.place is None and c.theme in wanted]
    elif settings.selection == "cards":
        unknown_cards = [i for i in settings.cards if deck.card(i) is None]
        if unknown_cards or not settings.cards:
            raise GameError("unknown_card", card=", ".join(unknown_cards))
        chosen = list(dict.fromkeys(settings.cards))
        suited = [card for i in chosen if (card := deck.card(i)) is not None]
        middle = [c.id for c in suited if c.place is None]
    else:
        middle = [c.id for c in suited if c.place is None]
    rng.shuffle(middle)
    if settings.selection == "random" and settings.card_count:
        middle = middle[: settings.card_count]
    if not middle:
        return ()
    first = [c.id for c in suited if c.place == "first"]
    last = [c.id for c in suited if c.place == "last"]
    return (*first, *middle, *last)
