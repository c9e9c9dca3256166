"""What each person may see. Raw state is never sent as is.

``public_view`` is the same for everyone in the room; what the server sends is
``public_view_json``, the same view serialised field by field (``public_view_fields``), each
field re-serialised only when a part of the state it is made from changed (tests/core/
test_views.py checks the two agree in every reachable state). ``private_view`` adds what only
one player may see: their own answers. Before the reveal the public view says how many (and
who) have answered each question, never what.
"""

from collections.abc import Iterable
from itertools import chain, compress, repeat
from operator import is_, is_not
from typing import Any

from server.core.deck import Card, Deck
from server.core.state import CurrentCard, Phase, RoomState, Step
from server.core.view_pieces import (
    ALL,
    NOW,
    NOW_READERS,
    PIECES,
    QUESTIONS,
    READERS,
    actions_view,
    answered_entry,
    card_view,
    deck_view,
    dumps,
    follows_view,
    history_view,
    is_revealed,
    json_object,
    notes_view,
    parked_view,
    players_view,
    questions_view,
    settings_view,
    synthesis_view,
    themes_left,
)

__all__ = [
    "ViewCache",
    "ViewFields",
    "json_dumps",
    "json_object",
    "public_view",
    "public_view_fields",
    "public_view_json",
]
json_dumps = dumps  # ``json.dumps(value, ensure_ascii=False)``, for the messages around the view


def public_view(deck: Deck, state: RoomState) -> dict[str, Any]:
    settings = state.settings
    current = state.current
    card = deck.card(current.card_id) if current is not None else None
    return {
        "phase": state.phase.value,
        "deck": deck_view(deck),
        "language": settings.language or deck.language,
        "settings": settings_view(settings),
        "players": players_view(state.players),
        "reader_id": state.reader_id,
        "cards_done": state.cards_done,
        "cards_total": state.cards_total,
        "cards_left": len(state.pile) + len(state.parked),
        "cards_parked": len(state.parked),
        "parked_cards": parked_view(deck, state.parked),
        "themes_left": themes_left(deck, state),
        "card": card_view(card, is_revealed(current)),
        "step": current.step.value if current is not None else None,
        "drawn_at": current.drawn_at if current is not None else None,
        "deadline": current.deadline if current is not None else None,
        "questions": questions_view(deck, state, current, card),
        "notes": notes_view(current.notes) if current is not None else [],
        "history": history_view(deck, state.closed),
        "synthesis": synthesis_view(deck, state.closed) if state.phase is Phase.SYNTHESIS else None,
        "locked": state.locked,
        "actions": actions_view(state.actions),
        "follows": follows_view(state.follows),
    }


def private_view(state: RoomState, player_id: str | None) -> dict[str, Any]:
    """The part of the state only ``player_id`` sees: their own answers to the current card."""
    current = state.current
    if current is None or player_id is None:
        return {}
    return dict(current.answers.get(player_id, {}))


# --- the public view field by field, each re-serialised only when what it reads changed -------


class ViewFields(tuple[tuple[str, str], ...]):
    """``public_view`` as (key, JSON of its value) pairs, in order. ``size``: the length of
    the JSON object they make (``json_object``); ``questions``: before the reveal, the value of
    the ``questions`` field (its entries the very objects of the previous view where they did
    not change), so that a vote's patch is computed without decoding JSON; None after it."""

    size: int
    questions: list[dict[str, Any]] | None


def public_view_fields(deck: Deck, state: RoomState, cache: "ViewCache | None" = None) -> ViewFields:
    """``public_view(deck, state)`` field by field; with a room's ``cache``, a field is
    serialised again only if what it is made from changed since the view it last gave (most
    changes are one vote: only ``questions``, and only the question voted on)."""
    return (cache or ViewCache()).fields(deck, state)


def public_view_json(deck: Deck, state: RoomState, cache: "ViewCache | None" = None) -> str:
    """``json.dumps(public_view(deck, state), ensure_ascii=False)``, from ``public_view_fields``."""
    return json_object(public_view_fields(deck, state, cache))


class _Asked:
    """The ``questions`` field before the reveal, and the card and answers it was made from."""

    __slots__ = ("answers", "card", "entries", "parts", "text")

    def __init__(
        self,
        card: Card,
        answers: dict[str, dict[str, str]],
        entries: list[dict[str, Any]],
        parts: list[str] | None = None,
    ) -> None:
        self.card, self.answers, self.entries = card, answers, entries
        self.parts = parts if parts is not None else [dumps(e) for e in entries]
        self.text = "[" + ", ".join(self.parts) + "]"


class ViewCache:
    """One room's last view, with the deck and state it was made from. The next state is
    compared with that one attribute by attribute, by identity (a command replaces what it
    changes and keeps the rest): the deck and state are held, so no identity can be reused
    by another object meanwhile, and a value equal but not identical only costs a redo."""

    def __init__(self) -> None:
        self._deck: Deck | None = None
        self._state: RoomState | None = None
        self._fields: ViewFields | None = None
        self._asked: _Asked | None = None  # holds its card and answers, as above

    def fields(self, deck: Deck, state: RoomState) -> ViewFields:
        before, last = self._state, self._fields
        if last is not None and before is state and self._deck is deck:
            return last
        todo = ALL if last is None or before is None or self._deck is not deck else _changed(before, state)
        current = state.current
        card = deck.card(current.card_id) if current is not None else None
        pairs = list(last) if last is not None else [("", "")] * len(PIECES)
        size = last.size if last is not None else 0
        questions = last.questions if last is not None else None
        if current is not None and current.step is Step.REVEALED:
            todo = todo | {QUESTIONS}  # results read much of the state: never kept after the reveal
        for i in todo:
            key, piece, _ = PIECES[i]
            if i == QUESTIONS:
                value, questions = self._questions(deck, state, current, card)
            else:
                value = piece(deck, state, current, card)
            old = pairs[i][1]
            if value != old or last is None:
                size += len(value) - len(old) + (len(key) + 6 if last is None else 0)
                pairs[i] = (key, value)
        fields = ViewFields(pairs)
        fields.size, fields.questions = size, questions
        self._deck, self._state, self._fields = deck, state, fields
        return fields

    def _questions(
        self, deck: Deck, state: RoomState, current: CurrentCard | None, card: Card | None
    ) -> tuple[str, list[dict[str, Any]] | None]:
        if current is None or card is None:
            self._asked = None
            return "[]", []
        if current.step is Step.REVEALED:
            self._asked = None
            return dumps(questions_view(deck, state, current, card)), None
        answers, asked = current.answers, self._asked
        if asked is None or asked.card is not card:
            asked = _Asked(card, answers, [answered_entry(q.id, answers) for q in card.questions])
        elif asked.answers is not answers:
            touched = _touched(card, asked.answers, answers)
            if touched is None:
                asked = _Asked(card, answers, [answered_entry(q.id, answers) for q in card.questions])
            elif not touched:
                asked.answers = answers  # same people on the same questions: same JSON
            else:
                entries, parts = list(asked.entries), list(asked.parts)
                for i in touched:
                    entries[i] = answered_entry(card.questions[i].id, answers)
                    parts[i] = dumps(entries[i])
                asked = _Asked(card, answers, entries, parts)
        self._asked = asked
        return asked.text, asked.entries


def _changed(before: RoomState, state: RoomState) -> frozenset[int]:
    """The fields made from an attribute of ``state`` that is not the very one of ``before``
    (an attribute no field is known to read, a new one, redoes everything)."""
    names = tuple(_replaced(before.__dict__, state.__dict__))
    subs: tuple[str, ...] = ()
    if "current" in names:
        was, now = before.current, state.current
        subs = ("*",) if was is None or now is None else tuple(_replaced(was.__dict__, now.__dict__))
    todo = _SEEN.get((names, subs))
    if todo is None:  # a combination not met yet (a vote is always the same one)
        todo = frozenset[int]().union(*(READERS.get(n, ALL) for n in names if n != "current"))
        if subs == ("*",):
            todo |= NOW_READERS
        else:
            todo = todo.union(*(READERS.get(NOW + n, ALL) for n in subs))
        if len(_SEEN) < 4096:  # changes come in few kinds; bounded all the same
            _SEEN[names, subs] = todo
    return todo


_SEEN: dict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[int]] = {}


def _replaced(old: dict[str, Any], new: dict[str, Any]) -> Iterable[str]:
    """The attributes of a model whose value is not the very object of ``old``'s (``old`` and
    ``new`` are ``__dict__`` of the same model: the same names in the same order)."""
    if len(old) != len(new) or not all(map(is_, old, new)):  # pragma: no cover - pydantic
        return ["?"]  # keeps a model's fields in order; else no field reads "?": all are redone
    return compress(new, map(is_not, old.values(), new.values()))


def _touched(card: Card, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> set[int] | None:
    """The card's questions whose ``answered_by`` differs from ``old`` to ``new`` answers, or
    None when someone's answers went or moved (then every list is made again). Each list is in
    the order of the answers, so people who only changed their answers or came after the others
    touch only the questions they began or stopped answering."""
    if len(new) < len(old) or not all(map(is_, old, new)):  # keys are kept by ``{**old, …}``
        return None
    # by position, in C: whose answers are other objects (and everyone who came after)
    replaced = chain(map(is_not, old.values(), new.values()), repeat(True))
    questions, touched = card.questions, set()
    for pid, mine in compress(new.items(), replaced):
        was = old.get(pid)
        for i, q in enumerate(questions):
            if (q.id in mine) != (was is not None and q.id in was):
                touched.add(i)
    return touched
