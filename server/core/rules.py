"""The rules of a session: ``apply(deck, state, actor_id, command, now) -> state``.

An illegal move raises ``GameError`` with a stable code and leaves nothing changed (the state is
frozen, so there is nothing to roll back). Every legal move returns a new state whose
``version`` is one more than before. Here: the deal of a new room, the dispatch, and the
course of a session (start, draw, next, skip, set aside, finish, framing); the card in play
is in ``card_in_play``, who is in the room in ``people``, actions in ``actions``.
"""

from pydantic import ValidationError

from server.core import commands as c
from server.core.actions import HANDLERS as ACTION_HANDLERS
from server.core.actions import unlink
from server.core.card_in_play import HANDLERS as CARD_HANDLERS
from server.core.card_in_play import card_chars, results
from server.core.dealing import deal
from server.core.deck import Deck
from server.core.guards import (
    MAX_CARD_CHARS,
    MAX_NAME,
    MAX_NOTES_PER_CARD,
    MAX_NOTES_PER_PERSON,
    MAX_SESSION_CHARS,
    Handler,
    clean_name,
    clean_text,
    require_card,
    require_facilitator,
    require_phase,
    require_reader,
)
from server.core.people import HANDLERS as PEOPLE_HANDLERS
from server.core.people import join, next_reader
from server.core.state import (
    FRAME_FIELDS,
    ClosedCard,
    CurrentCard,
    Phase,
    Player,
    Role,
    RoomSettings,
    RoomState,
    Step,
)
from server.errors import BadMessage, GameError

# what other modules and tests read from here
__all__ = [
    "MAX_CARD_CHARS",
    "MAX_NAME",
    "MAX_NOTES_PER_CARD",
    "MAX_NOTES_PER_PERSON",
    "MAX_SESSION_CHARS",
    "PARK_RETURN_AFTER",
    "apply",
    "card_chars",
    "clean_name",
    "clean_text",
    "deal",
    "new_room",
    "next_reader",
    "results",
]


def new_room(deck: Deck, settings: RoomSettings, seed: int, now: float) -> RoomState:
    pile = deal(deck, settings, seed)
    if not pile:
        raise GameError("no_cards_left")
    return RoomState(settings=settings, pile=pile, cards_total=len(pile), created_at=now)


def apply(deck: Deck, state: RoomState, actor_id: str | None, cmd: c.Command, now: float) -> RoomState:
    if isinstance(cmd, c.Join):
        new = join(state, cmd)
    elif isinstance(cmd, c.Unlink):  # the server's own, when the earlier session is erased
        new = unlink(state)
    else:
        actor = state.player(actor_id)
        if actor is None:
            raise GameError("not_joined")
        handler: Handler = _HANDLERS[type(cmd)]
        new = handler(deck, state, actor, cmd, now)
    if new is not state and new.version == state.version + 1:
        return new  # a vote's new state, made with its version (card_in_play.answer): one copy less
    return new.replace(version=state.version + 1)


def _start(deck: Deck, state: RoomState, actor: Player, cmd: c.Start, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.LOBBY)
    if not any(p.role is Role.PLAYER for p in state.players):
        raise GameError("no_players")
    return state.model_copy(
        update={"phase": Phase.PLAYING, "started_at": now, "reader_id": next_reader(state.players, None)}
    )


def _draw(deck: Deck, state: RoomState, actor: Player, cmd: c.Draw, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    require_reader(state, actor)
    if state.current is not None:
        raise GameError("card_in_play")
    pile, parked = list(state.pile), list(state.parked)
    source = pile if pile else parked
    if not source:
        raise GameError("no_cards_left")
    if cmd.card_id is not None:
        if cmd.card_id not in parked:
            raise GameError("card_not_parked")
        source, card_id = parked, cmd.card_id
    elif cmd.theme is not None:
        if deck.theme(cmd.theme) is None:
            raise GameError("unknown_theme", theme=cmd.theme)
        # the theme's cards still in the pile, else parked ones
        source = next((s for s in (pile, parked) if any(_theme_of(deck, i) == cmd.theme for i in s)), [])
        if not source:
            raise GameError("theme_empty", theme=cmd.theme)
        card_id = next(i for i in source if _theme_of(deck, i) == cmd.theme)
    else:
        source, card_id = _next_card(deck, state, pile, parked)
    source.remove(card_id)
    timer = state.settings.timer_minutes
    current = CurrentCard(
        card_id=card_id,
        drawn_at=now,
        deadline=now + 60 * timer if timer else None,
        notes=state.parked_notes.get(card_id, ()),
    )
    parked_notes = {k: v for k, v in state.parked_notes.items() if k != card_id}
    parked_at = {k: v for k, v in state.parked_at.items() if k != card_id}
    return state.model_copy(
        update={
            "pile": tuple(pile),
            "parked": tuple(parked),
            "current": current,
            "parked_notes": parked_notes,
            "parked_at": parked_at,
        }
    )


PARK_RETURN_AFTER = 2


def _next_card(deck: Deck, state: RoomState, pile: list[str], parked: list[str]) -> tuple[list[str], str]:
    """The card a plain ``draw`` takes: a set-aside card once PARK_RETURN_AFTER cards have been
    closed since it was set aside (so it comes back while people still remember it), else the
    pile's next card; set-aside cards also come before the closing cards (``place: last``), so
    nothing is left for after the debrief."""
    for card_id in parked:
        if state.cards_done - state.parked_at.get(card_id, 0) >= PARK_RETURN_AFTER:
            return parked, card_id
    if pile and (not parked or _place_of(deck, pile[0]) != "last"):
        return pile, pile[0]
    return (parked, parked[0]) if parked else (pile, pile[0])


def _place_of(deck: Deck, card_id: str) -> str | None:
    card = deck.card(card_id)
    return card.place if card else None


def _theme_of(deck: Deck, card_id: str) -> str | None:
    card = deck.card(card_id)
    return card.theme if card else None


def _close(deck: Deck, state: RoomState, current: CurrentCard, outcome: str, now: float) -> RoomState:
    reader = state.player(state.reader_id)
    closed = ClosedCard(
        card_id=current.card_id,
        outcome="played" if outcome == "played" else "skipped",
        results=results(deck, state, current) if outcome == "played" else (),
        notes=current.notes,
        reader_name=reader.name if reader else None,
        closed_at=now,
    )
    kept = sum(len(n.text) for n in closed.notes) + sum(
        len(a.text) for r in closed.results for a in r.open_answers
    )
    return state.model_copy(
        update={
            "current": None,
            "closed": (*state.closed, closed),
            "reader_id": next_reader(state.players, state.reader_id),
            "closed_chars": state.closed_chars + kept,
        }
    )


def _next(deck: Deck, state: RoomState, actor: Player, cmd: c.Next, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    require_reader(state, actor)
    current = require_card(state)
    if current.step is not Step.REVEALED:
        raise GameError("not_revealed")
    return _close(deck, state, current, "played", now)


def _skip(deck: Deck, state: RoomState, actor: Player, cmd: c.Skip, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.PLAYING)
    current = require_card(state)
    return _close(deck, state, current, "skipped", now)


def _park(deck: Deck, state: RoomState, actor: Player, cmd: c.Park, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.PLAYING)
    current = require_card(state)
    parked_notes = dict(state.parked_notes)
    if current.notes:
        parked_notes[current.card_id] = current.notes
    return state.model_copy(
        update={
            "current": None,
            "parked": (*state.parked, current.card_id),
            "parked_notes": parked_notes,
            "parked_at": {**state.parked_at, current.card_id: state.cards_done},
            "reader_id": next_reader(state.players, state.reader_id),
        }
    )


def _pass_turn(deck: Deck, state: RoomState, actor: Player, cmd: c.PassTurn, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING)
    require_reader(state, actor)
    return state.model_copy(update={"reader_id": next_reader(state.players, state.reader_id)})


def _finish(deck: Deck, state: RoomState, actor: Player, cmd: c.Finish, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.LOBBY, Phase.PLAYING)
    current = state.current
    if current is not None and current.step is Step.REVEALED:
        # a revealed card has been discussed: it counts, as if "next" had been pressed
        state = _close(deck, state, current, "played", now)
    return state.model_copy(update={"phase": Phase.SYNTHESIS, "current": None, "finished_at": now})


def _frame(deck: Deck, state: RoomState, actor: Player, cmd: c.Frame, now: float) -> RoomState:
    """The facilitator names or renames the session, its organisation, the AI system under
    discussion and the company's size, in the lobby or during the game."""
    require_facilitator(actor)
    require_phase(state, Phase.LOBBY, Phase.PLAYING)
    changes = {k: v for k, v in cmd.changes if k in FRAME_FIELDS}
    if not changes:
        return state
    # validate again through the settings' own types (the transport already did)
    data = {**state.settings.model_dump(), **changes}
    try:
        settings = RoomSettings.model_validate(data)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors(include_url=False)[0]["loc"])
        raise BadMessage("bad_field", field=where[:80]) from None
    return state.model_copy(update={"settings": settings})


_HANDLERS: dict[type, Handler] = {
    c.Frame: _frame,
    **PEOPLE_HANDLERS,
    c.Start: _start,
    c.Draw: _draw,
    **CARD_HANDLERS,
    c.Next: _next,
    c.Skip: _skip,
    c.Park: _park,
    c.PassTurn: _pass_turn,
    c.Finish: _finish,
    **ACTION_HANDLERS,
}
