"""Commands: what a person asks the room to do, already parsed and typed.

The transport builds them from protocol messages; the actor and the clock come with every
command so that the rules stay a pure function.
"""

from dataclasses import dataclass
from typing import Any, Literal

from server.core.state import Role


@dataclass(frozen=True)
class Join:
    player_id: str
    name: str
    role: Role = Role.PLAYER
    connected: bool = True


@dataclass(frozen=True)
class Connect:
    pass


@dataclass(frozen=True)
class Disconnect:
    pass


@dataclass(frozen=True)
class Start:
    pass


@dataclass(frozen=True)
class Draw:
    theme: str | None = None
    card_id: str | None = None  # a card that was set aside, chosen from the list


@dataclass(frozen=True)
class Answer:
    card_id: str
    question_id: str
    value: str


@dataclass(frozen=True)
class Reveal:
    pass


@dataclass(frozen=True)
class Consensus:
    question_id: str
    value: Literal["yes", "no", "unsure"] | None


@dataclass(frozen=True)
class AddNote:
    text: str


@dataclass(frozen=True)
class Next:
    pass


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Park:
    pass


@dataclass(frozen=True)
class PassTurn:
    pass


@dataclass(frozen=True)
class Finish:
    pass


@dataclass(frozen=True)
class Remove:
    """The facilitator removes a participant from the room."""

    player_id: str


@dataclass(frozen=True)
class Lock:
    """The facilitator closes (or reopens) the room to newcomers."""

    locked: bool


@dataclass(frozen=True)
class Frame:
    """Replace the session's framing fields present in ``changes`` (state.FRAME_FIELDS);
    values are already validated by the transport (RoomSettings' field types)."""

    changes: tuple[tuple[str, Any], ...] = ()


# --- actions and follow-ups (issue 16; rules in server/core/actions.py) ---------------------


@dataclass(frozen=True)
class AddAction:
    text: str = ""
    owner: str = ""
    due: str | None = None
    criterion: str | None = None
    guide_step: int | None = None
    card_id: str | None = None  # with ``note``: the action comes from that note of that card
    note: int | None = None


@dataclass(frozen=True)
class EditAction:
    """Replace the fields present in ``changes`` (text, owner, due, criterion, guide_step)."""

    action_id: str
    changes: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class RemoveAction:
    action_id: str


@dataclass(frozen=True)
class SetActionStatus:
    """The group's status of an action of the earlier session (follow-ups only)."""

    action_id: str
    status: Literal["done", "not_done", "dropped"] | None


@dataclass(frozen=True)
class Unlink:
    """The earlier session was erased: drop the snapshot kept of it. Made by the server, with
    no actor."""


Command = (
    Join
    | Connect
    | Disconnect
    | Start
    | Draw
    | Answer
    | Reveal
    | Consensus
    | AddNote
    | Next
    | Skip
    | Park
    | PassTurn
    | Finish
    | Frame
    | Remove
    | Lock
    | AddAction
    | EditAction
    | RemoveAction
    | SetActionStatus
    | Unlink
)
