"""The pieces of the public view (``server.core.views``), each a plain function of the state
objects it reads, and the JSON helpers that serialise them exactly as ``json.dumps`` would."""

import json
from collections.abc import Callable, Iterable
from typing import Any

from server.core.deck import Card, Deck
from server.core.followup import Action, Earlier
from server.core.rules import results
from server.core.state import ClosedCard, CurrentCard, Note, Phase, Player, RoomSettings, RoomState, Step
from server.core.synthesis import synthesize


def json_object(fields: "Iterable[tuple[str, str]]") -> str:
    """A JSON object from serialised values, with the separators of ``json.dumps``."""
    return "{" + ", ".join(f"{dumps(key)}: {value}" for key, value in fields) + "}"


_STRING = json.encoder.encode_basestring  # the C encoder of a str, as json.dumps uses it
# json.dumps (and JSONEncoder.encode) makes a C encoder for every value: it is made once here,
# with the same settings, but without the check for circular values (a view holds none)
_C_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (
    _C_ENCODER(None, json.JSONEncoder().default, _STRING, None, ": ", ", ", False, False, True)
    if _C_ENCODER is not None
    else None
)
_PY_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _encode(value: Any) -> str:
    if _C_ENCODE is None:  # pragma: no cover - CPython has the C encoder
        return _PY_ENCODE(value)
    return "".join(_C_ENCODE(value, 0))


def dumps(value: Any) -> str:
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
    return _encode(value)


def deck_view(deck: Deck) -> dict[str, Any]:
    return {
        "id": deck.id,
        "title": deck.title,
        "language": deck.language,
        "themes": [{"id": t.id, "title": t.title, "color": t.color} for t in deck.themes],
    }


def settings_view(settings: RoomSettings) -> dict[str, Any]:
    return settings.model_dump(mode="json", exclude={"facilitator_name"})


def players_view(players: tuple[Player, ...]) -> list[dict[str, Any]]:
    return [{"id": p.id, "name": p.name, "role": p.role.value, "connected": p.connected} for p in players]


def is_revealed(current: CurrentCard | None) -> bool:
    return current is not None and current.step is Step.REVEALED


def card_view(card: Card | None, revealed: bool = False) -> dict[str, Any] | None:
    """The card as everyone sees it: never the facilitator's tip (see ``card_tip``), and the
    answer that signals a risk only once the answers are revealed."""
    if card is None:
        return None
    view = card.model_dump(mode="json", exclude_none=True, exclude={"facilitator_tip"})
    if not revealed:
        for q in view.get("questions", []):
            q.pop("risk_answer", None)
    return view


def notes_view(notes: tuple[Note, ...]) -> list[dict[str, Any]]:
    return [n.model_dump(mode="json") for n in notes]


def parked_view(deck: Deck, parked: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"card_id": i, "title": title(deck, i), "theme": theme_id(deck, i)} for i in parked]


def theme_id(deck: Deck, card_id: str) -> str | None:
    card = deck.card(card_id)
    return card.theme if card else None


def history_view(deck: Deck, closed: tuple[ClosedCard, ...]) -> list[dict[str, Any]]:
    return [{"card_id": cc.card_id, "title": title(deck, cc.card_id), "outcome": cc.outcome} for cc in closed]


def synthesis_view(deck: Deck, closed: tuple[ClosedCard, ...]) -> dict[str, Any]:
    return synthesize(deck, closed).model_dump(mode="json")


def actions_view(actions: tuple[Action, ...]) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", exclude={"created_at"}) for a in actions]


def follows_view(earlier: Earlier | None) -> dict[str, Any] | None:
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


def questions_view(
    deck: Deck, state: RoomState, current: CurrentCard | None, card: Card | None
) -> list[dict[str, Any]]:
    if current is None or card is None:
        return []
    revealed = (
        {r.question_id: r for r in results(deck, state, current)} if current.step is Step.REVEALED else {}
    )
    questions = []
    for q in card.questions:
        entry = answered_entry(q.id, current.answers)
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


def answered_entry(question_id: str, answers: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A question as everyone sees it before the reveal: how many, and who, answered it
    (never what), in the order people first answered the card."""
    answered_by = [pid for pid, a in answers.items() if question_id in a]
    return {"id": question_id, "answered": len(answered_by), "answered_by": answered_by}


def themes_left(deck: Deck, state: RoomState) -> dict[str, int]:
    counts: dict[str, int] = {t.id: 0 for t in deck.themes}
    for card_id in (*state.pile, *state.parked):
        card = deck.card(card_id)
        if card is not None:
            counts[card.theme] = counts.get(card.theme, 0) + 1
    return counts


def title(deck: Deck, card_id: str) -> str:
    card = deck.card(card_id)
    return card.title if card else card_id


# --- what each field of the view is made from (server.core.views.ViewCache) ------------------

Piece = Callable[[Deck, RoomState, CurrentCard | None, Card | None], str]
NOW = "current."  # a name of ``CurrentCard``'s, among those of ``RoomState``

# every field of the view: its JSON, and the attributes of the state (``current.x``: of its
# current card) it is made from; a change to the deck redoes all. tests/core/test_views.py
# checks that every attribute of the state is either read here or in IGNORED.
PIECES: tuple[tuple[str, Piece, tuple[str, ...]], ...] = (
    ("phase", lambda d, s, cur, card: dumps(s.phase.value), ("phase",)),
    ("deck", lambda d, s, cur, card: dumps(deck_view(d)), ()),
    ("language", lambda d, s, cur, card: dumps(s.settings.language or d.language), ("settings",)),
    ("settings", lambda d, s, cur, card: dumps(settings_view(s.settings)), ("settings",)),
    ("players", lambda d, s, cur, card: dumps(players_view(s.players)), ("players",)),
    ("reader_id", lambda d, s, cur, card: dumps(s.reader_id), ("reader_id",)),
    ("cards_done", lambda d, s, cur, card: dumps(s.cards_done), ("closed",)),
    ("cards_total", lambda d, s, cur, card: dumps(s.cards_total), ("cards_total",)),
    ("cards_left", lambda d, s, cur, card: dumps(len(s.pile) + len(s.parked)), ("pile", "parked")),
    ("cards_parked", lambda d, s, cur, card: dumps(len(s.parked)), ("parked",)),
    ("parked_cards", lambda d, s, cur, card: dumps(parked_view(d, s.parked)), ("parked",)),
    ("themes_left", lambda d, s, cur, card: dumps(themes_left(d, s)), ("pile", "parked")),
    (
        "card",
        lambda d, s, cur, card: dumps(card_view(card, is_revealed(cur))),
        ("current.card_id", "current.step"),
    ),
    ("step", lambda d, s, cur, card: dumps(cur.step.value if cur else None), ("current.step",)),
    ("drawn_at", lambda d, s, cur, card: dumps(cur.drawn_at if cur else None), ("current.drawn_at",)),
    ("deadline", lambda d, s, cur, card: dumps(cur.deadline if cur else None), ("current.deadline",)),
    # before the reveal who answered (ViewCache keeps it question by question); after it, the
    # results, which read the players, the settings, the consensus…
    (
        "questions",
        lambda d, s, cur, card: dumps(questions_view(d, s, cur, card)),
        (
            "current.card_id",
            "current.step",
            "current.answers",
            "current.consensus",
            "current.present",
            "players",
            "settings",
        ),
    ),
    ("notes", lambda d, s, cur, card: dumps(notes_view(cur.notes)) if cur else "[]", ("current.notes",)),
    ("history", lambda d, s, cur, card: dumps(history_view(d, s.closed)), ("closed",)),
    (
        "synthesis",
        lambda d, s, cur, card: dumps(synthesis_view(d, s.closed)) if s.phase is Phase.SYNTHESIS else "null",
        ("phase", "closed"),
    ),
    ("locked", lambda d, s, cur, card: dumps(s.locked), ("locked",)),
    ("actions", lambda d, s, cur, card: dumps(actions_view(s.actions)), ("actions",)),
    ("follows", lambda d, s, cur, card: dumps(follows_view(s.follows)), ("follows",)),
)
QUESTIONS = next(i for i, (key, _, _) in enumerate(PIECES) if key == "questions")
# what no field shows (stored, or counted elsewhere): a change there redoes nothing
IGNORED = frozenset(
    {"version", "parked_notes", "parked_at", "created_at", "started_at", "finished_at", "closed_chars"}
    | {"action_seq", "current.sealed", "current.note_counts"}
)
ALL = frozenset(range(len(PIECES)))


def _readers() -> dict[str, frozenset[int]]:
    """Attribute name → the fields made from it."""
    readers: dict[str, frozenset[int]] = {name: frozenset() for name in IGNORED}
    for i, (_, _, names) in enumerate(PIECES):
        for name in names:
            readers[name] = readers.get(name, frozenset()) | {i}
    return readers


READERS = _readers()
NOW_READERS = frozenset[int]().union(*(r for name, r in READERS.items() if name.startswith(NOW)))
