"""What each person may see. Raw state is never sent as is.

``public_view`` is the same for everyone in the room (it is built and serialised once per
change); ``private_view`` adds what only one player may see: their own answers. Before the
reveal the public view says how many (and who) have answered each question, never what.
"""

from typing import Any

from server.core.deck import Deck
from server.core.rules import results
from server.core.state import Phase, RoomState, Step
from server.core.synthesis import synthesize


def public_view(deck: Deck, state: RoomState) -> dict[str, Any]:
    settings = state.settings
    view: dict[str, Any] = {
        "phase": state.phase.value,
        "deck": {
            "id": deck.id, "title": deck.title, "language": deck.language,
            "themes": [{"id": t.id, "title": t.title, "color": t.color} for t in deck.themes],
        },
        "language": settings.language or deck.language,
        "settings": settings.model_dump(mode="json", exclude={"facilitator_name"}),
        "players": [
            {"id": p.id, "name": p.name, "role": p.role.value, "connected": p.connected}
            for p in state.players
        ],
        "reader_id": state.reader_id,
        "cards_done": state.cards_done,
        "cards_total": state.cards_total,
        "cards_left": len(state.pile) + len(state.parked),
        "cards_parked": len(state.parked),
        "themes_left": _themes_left(deck, state),
        "card": None,
        "step": None,
        "drawn_at": None,
        "deadline": None,
        "questions": [],
        "notes": [],
        "history": [
            {
                "card_id": cc.card_id,
                "title": _title(deck, cc.card_id),
                "outcome": cc.outcome,
            }
            for cc in state.closed
        ],
        "synthesis": None,
    }
    current = state.current
    if current is not None:
        card = deck.card(current.card_id)
        view["card"] = card.model_dump(mode="json", exclude_none=True) if card else None
        view["step"] = current.step.value
        view["drawn_at"] = current.drawn_at
        view["deadline"] = current.deadline
        view["notes"] = [n.model_dump(mode="json") for n in current.notes]
        revealed = (
            {r.question_id: r for r in results(deck, state, current)}
            if current.step is Step.REVEALED
            else {}
        )
        questions = []
        for q in card.questions if card else ():
            answered_by = [pid for pid, a in current.answers.items() if q.id in a]
            entry: dict[str, Any] = {
                "id": q.id,
                "answered": len(answered_by),
                "answered_by": answered_by,
            }
            result = revealed.get(q.id)
            if result is not None:
                entry["tally"] = {
                    "yes": result.tally.yes,
                    "no": result.tally.no,
                    "unsure": result.tally.unsure,
                }
                entry["group_answer"] = result.group_answer
                entry["consensus"] = result.consensus
                entry["divergent"] = result.divergent
                if q.kind == "open":
                    entry["open_answers"] = [a.model_dump(mode="json") for a in result.open_answers]
                if result.votes:
                    entry["votes"] = result.votes
            questions.append(entry)
        view["questions"] = questions
    if state.phase is Phase.SYNTHESIS:
        view["synthesis"] = synthesize(deck, state.closed).model_dump(mode="json")
    return view


def private_view(state: RoomState, player_id: str | None) -> dict[str, Any]:
    """The part of the state only ``player_id`` sees: their own answers to the current card."""
    current = state.current
    if current is None or player_id is None:
        return {}
    return dict(current.answers.get(player_id, {}))


def _themes_left(deck: Deck, state: RoomState) -> dict[str, int]:
    return dict(_count_themes(deck, state.pile, state.parked))


_theme_counts: dict[tuple[int, tuple[str, ...], tuple[str, ...]], tuple[tuple[str, int], ...]] = {}


def _count_themes(deck: Deck, pile: tuple[str, ...],
                  parked: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    # the pile only changes when a card is drawn: most views (one per answer) reuse the count
    key = (id(deck), pile, parked)
    cached = _theme_counts.get(key)
    if cached is None:
        counts: dict[str, int] = {t.id: 0 for t in deck.themes}
        for card_id in (*pile, *parked):
            card = deck.card(card_id)
            if card is not None:
                counts[card.theme] = counts.get(card.theme, 0) + 1
        cached = tuple(counts.items())
        if len(_theme_counts) > 10_000:
            _theme_counts.clear()
        _theme_counts[key] = cached
    return cached


def _title(deck: Deck, card_id: str) -> str:
    card = deck.card(card_id)
    return card.title if card else card_id
