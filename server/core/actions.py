"""The rules of actions and follow-ups (issue 16); ``server/core/rules.py`` dispatches to them.

Who may (docs/protocol.md):
- ``action_add``: every participant and the facilitator, while playing (on the card in play or
  from a note of any card) and in the synthesis. No author is recorded, in any session: an
  action names only who the group typed in ``owner``.
- ``action_edit``, ``action_remove``: the facilitator, while playing and in the synthesis.
- ``action_status``: every participant and the facilitator, in any phase, in a follow-up.
"""

import unicodedata
from collections.abc import Callable
from typing import Any

from server.core import commands as c
from server.core.criteria import CRITERIA
from server.core.deck import Deck
from server.core.followup import (
    ACTION_OWNER,
    ACTION_TEXT,
    GUIDE_STEPS,
    MAX_ACTIONS,
    STATUSES,
    Action,
    valid_date,
)
from server.core.guards import require_facilitator, require_phase
from server.core.state import BIDI_CONTROLS, Note, Phase, Player, RoomState
from server.errors import GameError

EDITABLE = ("text", "owner", "due", "criterion", "guide_step")


def _one_line(value: str) -> str:
    """Line breaks and other control characters become spaces; bidi overrides go."""
    out = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value if ch not in BIDI_CONTROLS)
    return " ".join(out.split())


def clean_text(value: str) -> str:
    text = _one_line(value)
    if not text:
        raise GameError("text_empty")
    if len(text) > ACTION_TEXT:
        raise GameError("text_too_long", limit=ACTION_TEXT)
    return text


def clean_owner(value: str | None) -> str:
    owner = _one_line(value or "")
    if len(owner) > ACTION_OWNER:
        raise GameError("owner_too_long", limit=ACTION_OWNER)
    return owner


def clean_due(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not valid_date(value):
        raise GameError("bad_date")
    return value


def clean_criterion(value: str | None) -> Any:
    if value is None or value == "":
        return None
    if value not in CRITERIA:
        raise GameError("unknown_criterion", criterion=value[:40])
    return value


def clean_step(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= GUIDE_STEPS:
        raise GameError("unknown_step", limit=GUIDE_STEPS)
    return value


def _notes_of(state: RoomState, card_id: str) -> tuple[Note, ...] | None:
    """The notes of a card of this session (in play, closed or set aside), None if unknown."""
    if state.current is not None and state.current.card_id == card_id:
        return state.current.notes
    for cc in state.closed:
        if cc.card_id == card_id:
            return cc.notes
    if card_id in state.parked:
        return state.parked_notes.get(card_id, ())
    return None


def _add(deck: Deck, state: RoomState, actor: Player, cmd: c.AddAction, now: float) -> RoomState:
    require_phase(state, Phase.PLAYING, Phase.SYNTHESIS)
    if len(state.actions) >= MAX_ACTIONS:
        raise GameError("too_many_actions", limit=MAX_ACTIONS)
    text = cmd.text
    if cmd.card_id is not None:
        notes = _notes_of(state, cmd.card_id)
        if notes is None:
            raise GameError("unknown_card", card=cmd.card_id[:64])
        if cmd.note is not None:
            if not 0 <= cmd.note < len(notes):
                raise GameError("unknown_note")
            if not text.strip():  # "turn this note into an action": its words, cut to fit
                words = _one_line(notes[cmd.note].text)
                text = words if len(words) <= ACTION_TEXT else words[: ACTION_TEXT - 1] + "…"
    elif cmd.note is not None:
        raise GameError("missing_field", field="card_id")
    seq = state.action_seq + 1
    action = Action(
        id=f"a{seq}",
        text=clean_text(text),
        owner=clean_owner(cmd.owner),
        due=clean_due(cmd.due),
        criterion=clean_criterion(cmd.criterion),
        guide_step=clean_step(cmd.guide_step),
        card_id=cmd.card_id,
        created_at=now,
    )
    return state.model_copy(update={"actions": (*state.actions, action), "action_seq": seq})


def _find(state: RoomState, action_id: str) -> Action:
    action = next((a for a in state.actions if a.id == action_id), None)
    if action is None:
        raise GameError("unknown_action")
    return action


def _edit(deck: Deck, state: RoomState, actor: Player, cmd: c.EditAction, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.PLAYING, Phase.SYNTHESIS)
    action = _find(state, cmd.action_id)
    cleaners: dict[str, Callable[[Any], Any]] = {
        "text": lambda v: clean_text(v or ""),
        "owner": clean_owner,
        "due": clean_due,
        "criterion": clean_criterion,
        "guide_step": clean_step,
    }
    changes = {k: cleaners[k](v) for k, v in cmd.changes if k in EDITABLE}
    if not changes:
        return state
    edited = action.model_copy(update=changes)
    actions = tuple(edited if a.id == action.id else a for a in state.actions)
    return state.model_copy(update={"actions": actions})


def _remove(deck: Deck, state: RoomState, actor: Player, cmd: c.RemoveAction, now: float) -> RoomState:
    require_facilitator(actor)
    require_phase(state, Phase.PLAYING, Phase.SYNTHESIS)
    action = _find(state, cmd.action_id)
    return state.model_copy(update={"actions": tuple(a for a in state.actions if a.id != action.id)})


def _status(deck: Deck, state: RoomState, actor: Player, cmd: c.SetActionStatus, now: float) -> RoomState:
    earlier = state.follows
    if earlier is None:
        raise GameError("not_a_follow_up")
    if earlier.action(cmd.action_id) is None:
        raise GameError("unknown_action")
    if cmd.status is not None and cmd.status not in STATUSES:
        raise GameError("bad_field", field="status")
    statuses = {k: v for k, v in earlier.statuses.items() if k != cmd.action_id}
    if cmd.status is not None:
        statuses[cmd.action_id] = cmd.status
    return state.model_copy(update={"follows": earlier.model_copy(update={"statuses": statuses})})


def unlink(state: RoomState) -> RoomState:
    """The earlier session was erased: nothing of it stays in this one."""
    return state.model_copy(update={"follows": None})


HANDLERS: dict[type, Callable[[Deck, RoomState, Player, Any, float], RoomState]] = {
    c.AddAction: _add,
    c.EditAction: _edit,
    c.RemoveAction: _remove,
    c.SetActionStatus: _status,
}
