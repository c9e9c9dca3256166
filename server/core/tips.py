"""The facilitator's tip of the card in play: who may see it (the facilitator and the reader),
and its text. Never part of the public view (docs/protocol.md, ``card_tip``)."""

from server.core.deck import Deck
from server.core.state import Role, RoomState


def card_tip(deck: Deck, state: RoomState, player_id: str | None) -> str | None:
    """The facilitator's tip of the card in play, for the facilitator and the reader only."""
    current = state.current
    if current is None or player_id is None:
        return None
    player = state.player(player_id)
    if player is None or (player.role is not Role.FACILITATOR and player_id != state.reader_id):
        return None
    card = deck.card(current.card_id)
    return card.facilitator_tip if card is not None else None


def tip_recipients(state: RoomState) -> frozenset[str]:
    """Who gets ``card_tip`` (see ``card_tip``): the facilitator and the reader."""
    ids = {p.id for p in state.players if p.role is Role.FACILITATOR}
    if state.reader_id is not None and state.player(state.reader_id) is not None:
        ids.add(state.reader_id)
    return frozenset(ids)


def current_tip(deck: Deck, state: RoomState) -> str | None:
    """The facilitator's tip of the card in play, whoever may see it."""
    if state.current is None:
        return None
    card = deck.card(state.current.card_id)
    return card.facilitator_tip if card is not None else None
