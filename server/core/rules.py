"""The rules of a session: ``apply(deck, state, actor_id, command, now) -> state``.

An illegal move raises ``GameError`` with a stable code and leaves nothing changed (the state is
frozen, so there is nothing to roll back). Every legal move returns a new state whose
``version`` is one more than before.
"""

import random
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from server.core import commands as c
from server.core.deck import MAX_TEXT, Deck
from server.core.sectors import suits
from server.core.state import (
    FRAME_FIELDS,
    ClosedCard,
    CurrentCard,
    Note,
    OpenAnswer,
    Phase,
    Player,
    QuestionResult,
    Role,
    RoomSettings,
    RoomState,
    Step,
)
from server.core.tally import count, group_answer, is_divergent, quorum
from server.errors import BadMessage, GameError

MAX_NAME = 40
Handler = Callable[[Deck, RoomState, Player, Any, float], RoomState]
YES_NO_VALUES = ("yes", "no", "unsure")


def deal(deck: Deck, settings: RoomSettings, seed: int) -> tuple[str, ...]:
    """The cards of a session in dealing order, from its settings and a seed.

    With ``settings.sectors``, only cards tagged with one of those sectors, or untagged, are
    dealt (an explicit list of cards is dealt as chosen). Cards marked ``place: "first"`` come
    before the shuffled ones and ``"last"`` after them, in deck order; selecting by themes or
    drawing a number at random never leaves them out (an explicit list keeps only those listed).
    """
    rng = random.Random(seed)
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


def new_room(deck: Deck, settings: RoomSettings, seed: int, now: float) -> RoomState:
    pile = deal(deck, settings, seed)
    if not pile:
        raise GameError("no_cards_left")
    return RoomState(settings=settings, pile=pile, cards_total=len(pile), created_at=now)


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise GameError("name_empty")
    if len(cleaned) > MAX_NAME:
        raise GameError("name_too_long", limit=MAX_NAME)
    return cleaned


def clean_text(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        raise GameError("text_too_long", limit=MAX_TEXT)
    return cleaned


def apply(deck: Deck, state: RoomState, actor_id: str | None, cmd: c.Command, now: float) -> RoomState:
    if isinstance(cmd, c.Join):
        new = _join(state, cmd)
    else:
        actor = state.player(actor_id)
        if actor is None:
            raise GameError("not_joined")
        handler: Handler = _HANDLERS[type(cmd)]
        new = handler(deck, state, actor, cmd, now)
    return new.model_copy(update={"version": state.version + 1})


# --- who may -------------------------------------------------------------------------------


def _require_phase(state: RoomState, *phases: Phase) -> None:
    if state.phase not in phases:
        raise GameError("wrong_phase", phase=state.phase.value)


def _require_facilitator(actor: Player) -> None:
    if actor.role is not Role.FACILITATOR:
        raise GameError("not_facilitator")


def _require_reader(state: RoomState, actor: Player) -> None:
    if actor.role is not Role.FACILITATOR and actor.id != state.reader_id:
        raise GameError("not_reader")


def _require_card(state: RoomState) -> CurrentCard:
    if state.current is None:
        raise GameError("no_current_card")
    return state.current


# --- turn rotation --------------------------------------------------------------------------


def next_reader(players: Sequence[Player], current_id: str | None) -> str | None:
    """The next player after ``current_id`` in join order, preferring connected players."""
    seats = [p for p in players if p.role is Role.PLAYER]
    if not seats:
        return None
    candidates = [p for p in seats if p.connected] or seats
    ids = [p.id for p in seats]
    start = ids.index(current_id) + 1 if current_id in ids else 0
    for offset in range(len(seats)):
        seat = seats[(start + offset) % len(seats)]
        if seat in candidates:
            return seat.id
    return None  # pragma: no cover - candidates is never empty here


# --- handlers -------------------------------------------------------------------------------


def _join(state: RoomState, cmd: c.Join) -> RoomState:
    name = clean_name(cmd.name)
    if state.player(cmd.player_id) is not None:
        raise GameError("already_joined")
    if state.phase is Phase.SYNTHESIS and cmd.role is Role.PLAYER:
        raise GameError("wrong_phase", phase=state.phase.value)
    seated = sum(1 for p in state.players if p.role is Role.PLAYER)
    if cmd.role is Role.PLAYER and seated >= state.settings.max_players:
        raise GameError("room_full", limit=state.settings.max_players)
    # joining is connecting, except for the facilitator seat made when the room is created
    player = Player(id=cmd.player_id, name=name, role=cmd.role, connected=cmd.connected)
    players = (*state.players, player)
    update: dict[str, object] = {"players": players}
    if state.phase is Phase.PLAYING and state.reader_id is None and cmd.role is Role.PLAYER:
        update["reader_id"] = player.id
    return state.model_copy(update=update)


def _set_connected(state: RoomState, actor: Player, connected: bool) -> RoomState:
    players = tuple(
        p.model_copy(update={"connected": connected}) if p.id == actor.id else p
        for p in state.players
    )
    update: dict[str, object] = {"players": players}
    if connected and state.phase is Phase.PLAYING and state.reader_id is None:
        update["reader_id"] = next_reader(players, None)
    return state.model_copy(update=update)


def _connect(deck: Deck, state: RoomState, actor: Player, cmd: c.Connect, now: float) -> RoomState:
    return _set_connected(state, actor, True)


def _disconnect(
    deck: Deck, state: RoomState, actor: Player, cmd: c.Disconnect, now: float
) -> RoomState:
    return _set_connected(state, actor, False)


def _start(deck: Deck, state: RoomState, actor: Player, cmd: c.Start, now: float) -> RoomState:
    _require_facilitator(actor)
    _require_phase(state, Phase.LOBBY)
    if not any(p.role is Role.PLAYER for p in state.players):
        raise GameError("no_players")
    return state.model_copy(
        update={
            "phase": Phase.PLAYING,
            "started_at": now,
            "reader_id": next_reader(state.players, None),
        }
    )


def _draw(deck: Deck, state: RoomState, actor: Player, cmd: c.Draw, now: float) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    _require_reader(state, actor)
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
        source = next(
            (s for s in (pile, parked) if any(_theme_of(deck, i) == cmd.theme for i in s)), []
        )
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


def _next_card(deck: Deck, state: RoomState, pile: list[str],
               parked: list[str]) -> tuple[list[str], str]:
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


def _answer(deck: Deck, state: RoomState, actor: Player, cmd: c.Answer, now: float) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    if actor.role is not Role.PLAYER:
        raise GameError("facilitator_cannot_answer")
    current = _require_card(state)
    if cmd.card_id != current.card_id:
        raise GameError("wrong_card")
    if current.step is not Step.ANSWERING:
        raise GameError("already_revealed")
    card = deck.card(current.card_id)
    question = card.question(cmd.question_id) if card else None
    if question is None:
        raise GameError("unknown_question", question=cmd.question_id)
    value = cmd.value
    if question.kind == "yes_no":
        if value not in YES_NO_VALUES:
            raise GameError("bad_vote")
    else:
        value = clean_text(value)
    mine = dict(current.answers.get(actor.id, {}))
    if value == "":
        mine.pop(question.id, None)  # an emptied text box withdraws the answer
    else:
        mine[question.id] = value
    answers = {**current.answers, actor.id: mine}
    return state.model_copy(update={"current": current.model_copy(update={"answers": answers})})


def _reveal(deck: Deck, state: RoomState, actor: Player, cmd: c.Reveal, now: float) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    _require_reader(state, actor)
    current = _require_card(state)
    if current.step is Step.REVEALED:
        raise GameError("already_revealed")
    present = sum(1 for p in state.players if p.role is Role.PLAYER and p.connected)
    return state.model_copy(
        update={"current": current.model_copy(update={"step": Step.REVEALED,
                                                       "present": present})}
    )


def _consensus(
    deck: Deck, state: RoomState, actor: Player, cmd: c.Consensus, now: float
) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    _require_reader(state, actor)
    current = _require_card(state)
    if current.step is not Step.REVEALED:
        raise GameError("not_revealed")
    card = deck.card(current.card_id)
    question = card.question(cmd.question_id) if card else None
    if question is None:
        raise GameError("unknown_question", question=cmd.question_id)
    if question.kind != "yes_no":
        raise GameError("not_yes_no")
    consensus = dict(current.consensus)
    if cmd.value is None:
        consensus.pop(question.id, None)
    else:
        consensus[question.id] = cmd.value
    return state.model_copy(
        update={"current": current.model_copy(update={"consensus": consensus})}
    )


def _note(deck: Deck, state: RoomState, actor: Player, cmd: c.AddNote, now: float) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    current = _require_card(state)
    text = clean_text(cmd.text)
    if not text:
        raise GameError("text_empty")
    author = None if state.settings.anonymous else actor.name
    notes = (*current.notes, Note(text=text, author=author))
    return state.model_copy(update={"current": current.model_copy(update={"notes": notes})})


def results(deck: Deck, state: RoomState, current: CurrentCard) -> tuple[QuestionResult, ...]:
    """Fold a card's answers into per-question results, dropping who said what if anonymous."""
    card = deck.card(current.card_id)
    if card is None:  # pragma: no cover - a room's deck always holds its cards
        return ()
    names = {p.id: p.name for p in state.players}
    settings = state.settings
    anonymous = settings.anonymous
    present = current.present
    if present is None:  # a card revealed before presence was recorded: who is here now
        present = sum(1 for p in state.players if p.role is Role.PLAYER and p.connected)
    needed = quorum(present, settings.quorum_percent, settings.quorum_min)
    out = []
    for q in card.questions:
        given = [(pid, a[q.id]) for pid, a in current.answers.items() if q.id in a]
        tally = count(v for _, v in given)
        if q.kind == "yes_no":
            consensus = current.consensus.get(q.id)
            out.append(
                QuestionResult(
                    question_id=q.id,
                    tally=tally,
                    group_answer=group_answer(tally, consensus, needed),
                    consensus=consensus,
                    divergent=is_divergent(tally),
                    present=present,
                    quorum=needed,
                    votes={} if anonymous else {names.get(p, "?"): v for p, v in given},
                )
            )
        else:
            texts = [
                OpenAnswer(text=v, author=None if anonymous else names.get(p))
                for p, v in given
            ]
            if anonymous:  # join order would hint at who wrote what
                texts.sort(key=lambda a: a.text.casefold())
            out.append(
                QuestionResult(
                    question_id=q.id, tally=tally, group_answer=None, open_answers=tuple(texts),
                    present=present, quorum=needed,
                )
            )
    return tuple(out)


def _close(
    deck: Deck, state: RoomState, current: CurrentCard, outcome: str, now: float
) -> RoomState:
    reader = state.player(state.reader_id)
    closed = ClosedCard(
        card_id=current.card_id,
        outcome="played" if outcome == "played" else "skipped",
        results=results(deck, state, current) if outcome == "played" else (),
        notes=current.notes,
        reader_name=reader.name if reader else None,
        closed_at=now,
    )
    return state.model_copy(
        update={
            "current": None,
            "closed": (*state.closed, closed),
            "reader_id": next_reader(state.players, state.reader_id),
        }
    )


def _next(deck: Deck, state: RoomState, actor: Player, cmd: c.Next, now: float) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    _require_reader(state, actor)
    current = _require_card(state)
    if current.step is not Step.REVEALED:
        raise GameError("not_revealed")
    return _close(deck, state, current, "played", now)


def _skip(deck: Deck, state: RoomState, actor: Player, cmd: c.Skip, now: float) -> RoomState:
    _require_facilitator(actor)
    _require_phase(state, Phase.PLAYING)
    current = _require_card(state)
    return _close(deck, state, current, "skipped", now)


def _park(deck: Deck, state: RoomState, actor: Player, cmd: c.Park, now: float) -> RoomState:
    _require_facilitator(actor)
    _require_phase(state, Phase.PLAYING)
    current = _require_card(state)
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


def _pass_turn(
    deck: Deck, state: RoomState, actor: Player, cmd: c.PassTurn, now: float
) -> RoomState:
    _require_phase(state, Phase.PLAYING)
    _require_reader(state, actor)
    return state.model_copy(update={"reader_id": next_reader(state.players, state.reader_id)})


def _finish(deck: Deck, state: RoomState, actor: Player, cmd: c.Finish, now: float) -> RoomState:
    _require_facilitator(actor)
    _require_phase(state, Phase.LOBBY, Phase.PLAYING)
    current = state.current
    if current is not None and current.step is Step.REVEALED:
        # a revealed card has been discussed: it counts, as if "next" had been pressed
        state = _close(deck, state, current, "played", now)
    return state.model_copy(
        update={"phase": Phase.SYNTHESIS, "current": None, "finished_at": now}
    )


def _frame(deck: Deck, state: RoomState, actor: Player, cmd: c.Frame, now: float) -> RoomState:
    """The facilitator names or renames the session, its organisation, the AI system under
    discussion and the company's size, in the lobby or during the game."""
    _require_facilitator(actor)
    _require_phase(state, Phase.LOBBY, Phase.PLAYING)
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
    c.Connect: _connect,
    c.Disconnect: _disconnect,
    c.Start: _start,
    c.Draw: _draw,
    c.Answer: _answer,
    c.Reveal: _reveal,
    c.Consensus: _consensus,
    c.AddNote: _note,
    c.Next: _next,
    c.Skip: _skip,
    c.Park: _park,
    c.PassTurn: _pass_turn,
    c.Finish: _finish,
}
