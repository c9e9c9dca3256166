"""What each person may see. Raw state is never sent as is.

``public_view`` is the same for everyone in the room; what the server sends is
``public_view_json``, the same view serialised once per change from remembered pieces
(tests/core/test_views.py checks the two agree in every reachable state). ``private_view`` adds
what only one player may see: their own answers. Before the reveal the public view says how
many (and who) have answered each question, never what.
"""

import json
import operator
from collections.abc import Callable, Iterable
from typing import Any

from server.core.deck import Card, Deck
from server.core.followup import Action, Earlier
from server.core.rules import results
from server.core.state import ClosedCard, CurrentCard, Note, Phase, Player, RoomSettings, RoomState, Step
from server.core.synthesis import synthesize


def public_view(deck: Deck, state: RoomState) -> dict[str, Any]:
    settings = state.settings
    current = state.current
    card = deck.card(current.card_id) if current is not None else None
    return {
        "phase": state.phase.value,
        "deck": _deck_view(deck),
        "language": settings.language or deck.language,
        "settings": _settings_view(settings),
        "players": _players_view(state.players),
        "reader_id": state.reader_id,
        "cards_done": state.cards_done,
        "cards_total": state.cards_total,
        "cards_left": len(state.pile) + len(state.parked),
        "cards_parked": len(state.parked),
        "parked_cards": _parked_view(deck, state.parked),
        "themes_left": _themes_left(deck, state),
        "card": _card_view(card, _revealed(current)),
        "step": current.step.value if current is not None else None,
        "drawn_at": current.drawn_at if current is not None else None,
        "deadline": current.deadline if current is not None else None,
        "questions": _questions_view(deck, state, current, card),
        "notes": _notes_view(current.notes) if current is not None else [],
        "history": _history_view(deck, state.closed),
        "synthesis": _synthesis_view(deck, state.closed) if state.phase is Phase.SYNTHESIS else None,
        "locked": state.locked,
        "actions": _actions_view(state.actions),
        "follows": _follows_view(state.follows),
    }


def public_view_fields(
    deck: Deck, state: RoomState, cache: "ViewCache | None" = None
) -> tuple[tuple[str, str], ...]:
    """``public_view(deck, state)`` as (key, JSON of the value) pairs, in order, assembled from
    pieces that are remembered while the objects they come from stay the same: most changes
    are one answer, and the card, the players, the notes and the history do not change with
    it. The fan-out compares them field by field to send only what changed."""
    settings = state.settings
    current = state.current
    card = deck.card(current.card_id) if current is not None else None
    remember = (cache or ViewCache()).get
    return (
        ("phase", _dumps(state.phase.value)),
        ("deck", remember(lambda: _dumps(_deck_view(deck)), "deck", deck)),
        ("language", _dumps(settings.language or deck.language)),
        ("settings", remember(lambda: _dumps(_settings_view(settings)), "settings", settings)),
        ("players", remember(lambda: _dumps(_players_view(state.players)), "players", state.players)),
        ("reader_id", _dumps(state.reader_id)),
        ("cards_done", _dumps(state.cards_done)),
        ("cards_total", _dumps(state.cards_total)),
        ("cards_left", _dumps(len(state.pile) + len(state.parked))),
        ("cards_parked", _dumps(len(state.parked))),
        (
            "parked_cards",
            remember(lambda: _dumps(_parked_view(deck, state.parked)), "parked", deck, state.parked),
        ),
        (
            "themes_left",
            remember(lambda: _dumps(_themes_left(deck, state)), "themes", deck, state.pile, state.parked),
        ),
        (
            "card",
            remember(lambda: _dumps(_card_view(card, _revealed(current))), "card", card, _revealed(current)),
        ),
        ("step", _dumps(current.step.value if current is not None else None)),
        ("drawn_at", _dumps(current.drawn_at if current is not None else None)),
        ("deadline", _dumps(current.deadline if current is not None else None)),
        ("questions", _dumps(_questions_view(deck, state, current, card))),
        (
            "notes",
            remember(lambda: _dumps(_notes_view(current.notes)), "notes", current.notes)
            if current is not None
            else "[]",
        ),
        (
            "history",
            remember(lambda: _dumps(_history_view(deck, state.closed)), "history", deck, state.closed),
        ),
        (
            "synthesis",
            remember(lambda: _dumps(_synthesis_view(deck, state.closed)), "synthesis", deck, state.closed)
            if state.phase is Phase.SYNTHESIS
            else "null",
        ),
        ("locked", _dumps(state.locked)),
        ("actions", remember(lambda: _dumps(_actions_view(state.actions)), "actions", state.actions)),
        ("follows", remember(lambda: _dumps(_follows_view(state.follows)), "follows", state.follows)),
    )


def public_view_json(deck: Deck, state: RoomState, cache: "ViewCache | None" = None) -> str:
    """``json.dumps(public_view(deck, state), ensure_ascii=False)``, from ``public_view_fields``."""
    return json_object(public_view_fields(deck, state, cache))


def json_object(fields: "Iterable[tuple[str, str]]") -> str:
    """A JSON object from serialised values, with the separators of ``json.dumps``."""
    return "{" + ", ".join(f"{_dumps(key)}: {value}" for key, value in fields) + "}"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds an encoder per call
_STRING = json.encoder.encode_basestring  # the C encoder of a str, as ``_ENCODE`` uses it


def _dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)``; the scalars of every change (counters, ids,
    the phase) without the encoder's machinery."""
    kind = type(value)
    if kind is str:
        return _STRING(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return _ENCODE(value)


class ViewCache:
    """One room's last serialised piece of each kind, with the objects it came from: reused
    while the very same objects come back (compared by identity; they are held, so an identity
    cannot be reused meanwhile). One entry per kind, so it stays as small as the room."""

    def __init__(self) -> None:
        self._pieces: dict[str, tuple[tuple[object, ...], str]] = {}

    def get(self, compute: Callable[[], str], kind: str, *sources: object) -> str:
        hit = self._pieces.get(kind)
        if hit is not None and len(hit[0]) == len(sources) and all(map(operator.is_, hit[0], sources)):
            return hit[1]
        value = compute()
        self._pieces[kind] = (sources, value)
        return value


def _deck_view(deck: Deck) -> dict[str, Any]:
    return {
        "id": deck.id,
        "title": deck.title,
        "language": deck.language,
        "themes": [{"id": t.id, "title": t.title, "color": t.color} for t in deck.themes],
    }


def _settings_view(settings: RoomSettings) -> dict[str, Any]:
    return settings.model_dump(mode="json", exclude={"facilitator_name"})


def _players_view(players: tuple[Player, ...]) -> list[dict[str, Any]]:
    return [{"id": p.id, "name": p.name, "role": p.role.value, "connected": p.connected} for p in players]


def _revealed(current: CurrentCard | None) -> bool:
    return current is not None and current.step is Step.REVEALED


def _card_view(card: Card | None, revealed: bool = False) -> dict[str, Any] | None:
    """The card as everyone sees it: never the facilitator's tip (see ``card_tip``), and the
    answer that signals a risk only once the answers are revealed."""
    if card is None:
        return None
    view = card.model_dump(mode="json", exclude_none=True, exclude={"facilitator_tip"})
    if not revealed:
        for q in view.get("questions", []):
            q.pop("risk_answer", None)
    return view


def _notes_view(notes: tuple[Note, ...]) -> list[dict[str, Any]]:
    return [n.model_dump(mode="json") for n in notes]


def _parked_view(deck: Deck, parked: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"card_id": i, "title": _title(deck, i), "theme": _theme_id(deck, i)} for i in parked]


def _theme_id(deck: Deck, card_id: str) -> str | None:
    card = deck.card(card_id)
    return card.theme if card else None


def _history_view(deck: Deck, closed: tuple[ClosedCard, ...]) -> list[dict[str, Any]]:
    return [
        {"card_id": cc.card_id, "title": _title(deck, cc.card_id), "outcome": cc.outcome} for cc in closed
    ]


def _synthesis_view(deck: Deck, closed: tuple[ClosedCard, ...]) -> dict[str, Any]:
    return synthesize(deck, closed).model_dump(mode="json")


def _actions_view(actions: tuple[Action, ...]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", exclude={"created_at"}) for a in actions]


def _follows_view(earlier: Earlier | None) -> dict[str, Any] | None:
    """The earlier session a follow-up compares with: enough to set its actions' statuses and
    to show its levels; its questions' answers stay for the summary."""
    if earlier is None:
        return None
    return {
        "source": earlier.source,
        "code": earlier.code,
        "title": earlier.title,
        "date": earlier.date,
        "criteria": [c.model_dump(mode="json") for c in earlier.criteria],
        "actions": [
            {**a.model_dump(mode="json"), "status": earlier.statuses.get(a.id)} for a in earlier.actions
        ],
    }


def _questions_view(
    deck: Deck, state: RoomState, current: CurrentCard | None, card: Card | None
) -> list[dict[str, Any]]:
    if current is None or card is None:
        return []
    revealed = (
        {r.question_id: r for r in results(deck, state, current)} if current.step is Step.REVEALED else {}
    )
    questions = []
    for q in card.questions:
        answered_by = [pid for pid, a in current.answers.items() if q.id in a]
        entry: dict[str, Any] = {"id": q.id, "answered": len(answered_by), "answered_by": answered_by}
        result = revealed.get(q.id)
        if result is not None:
            entry["tally"] = {"yes": result.tally.yes, "no": result.tally.no, "unsure": result.tally.unsure}
            entry["group_answer"] = result.group_answer
            entry["consensus"] = result.consensus
            entry["divergent"] = result.divergent
            # turnout: votes cast (answers given, for open questions) of those present
            entry["present"] = result.present
            entry["quorum"] = result.quorum
            entry["voted"] = result.tally.voted if q.kind == "yes_no" else result.tally.answered
            if q.kind == "open":
                entry["open_answers"] = [a.model_dump(mode="json") for a in result.open_answers]
            if result.votes:  # named sessions: keyed by player id (names can repeat)
                entry["votes"] = {pid: a[q.id] for pid, a in current.answers.items() if q.id in a}
        questions.append(entry)
    return questions


def private_view(state: RoomState, player_id: str | None) -> dict[str, Any]:
    """The part of the state only ``player_id`` sees: their own answers to the current card."""
    current = state.current
    if current is None or player_id is None:
        return {}
    return dict(current.answers.get(player_id, {}))


def _themes_left(deck: Deck, state: RoomState) -> dict[str, int]:
    counts: dict[str, int] = {t.id: 0 for t in deck.themes}
    for card_id in (*state.pile, *state.parked):
        card = deck.card(card_id)
        if card is not None:
            counts[card.theme] = counts.get(card.theme, 0) + 1
    return counts


def _title(deck: Deck, card_id: str) -> str:
    card = deck.card(card_id)
    return card.title if card else card_id
