"""Client → server messages of the WebSocket protocol, parsed once at the edge.

Unknown fields are ignored (newer clients may send more); wrong or missing ones are reported
with the field's name. See docs/protocol.md.
"""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from server.core import commands as c
from server.core.state import AiSystem, CompanySize, Organisation, Title
from server.errors import BadMessage

MessageId = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=20_000)]


class _Msg(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: MessageId | None = None


class JoinMsg(_Msg):
    type: Literal["join"]
    name: Annotated[str, Field(max_length=500)] | None = None
    token: Annotated[str, Field(max_length=200)] | None = None
    lang: Literal["fr", "en"] | None = None
    role: Literal["viewer"] | None = None  # a read-only screen, with a token of the room


class StartMsg(_Msg):
    type: Literal["start"]


class DrawMsg(_Msg):
    type: Literal["draw"]
    theme: Annotated[str, Field(max_length=64)] | None = None
    card_id: Annotated[str, Field(max_length=64)] | None = None


class AnswerMsg(_Msg):
    type: Literal["answer"]
    card_id: Annotated[str, Field(max_length=64)]
    question_id: Annotated[str, Field(max_length=64)]
    value: Text


class RevealMsg(_Msg):
    type: Literal["reveal"]


class ConsensusMsg(_Msg):
    type: Literal["consensus"]
    question_id: Annotated[str, Field(max_length=64)]
    value: Literal["yes", "no", "unsure"] | None


class NoteMsg(_Msg):
    type: Literal["note"]
    text: Text


class NextMsg(_Msg):
    type: Literal["next"]


class SkipMsg(_Msg):
    type: Literal["skip"]


class ParkMsg(_Msg):
    type: Literal["park"]


class PassTurnMsg(_Msg):
    type: Literal["pass_turn"]


class FinishMsg(_Msg):
    type: Literal["finish"]


class FrameMsg(_Msg):
    """The session's framing (facilitator; lobby or playing). A field left out is unchanged;
    ``ai_system: null`` and ``company_size: null`` clear them, ``""`` clears a text."""

    type: Literal["frame"]
    title: Title | None = None
    organisation: Organisation | None = None
    ai_system: AiSystem | None = None
    company_size: CompanySize | None = None

    def changes(self) -> tuple[tuple[str, object], ...]:
        out: list[tuple[str, object]] = []
        for name in ("title", "organisation", "ai_system", "company_size"):
            if name in self.model_fields_set:
                value = getattr(self, name)
                if value is None and name in ("title", "organisation"):
                    value = ""
                out.append((name, value))
        return tuple(out)


class SyncMsg(_Msg):
    type: Literal["sync"]


class PingMsg(_Msg):
    type: Literal["ping"]


ClientMessage = Annotated[
    JoinMsg | StartMsg | DrawMsg | AnswerMsg | RevealMsg | ConsensusMsg | NoteMsg | NextMsg
    | SkipMsg | ParkMsg | PassTurnMsg | FinishMsg | FrameMsg | SyncMsg | PingMsg,
    Field(discriminator="type"),
]
_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
MESSAGE_TYPES = (
    "join", "start", "draw", "answer", "reveal", "consensus", "note", "next", "skip", "park",
    "pass_turn", "finish", "frame", "sync", "ping",
)


def peek_id(text: str) -> str | None:
    """The id of a message that will not be parsed further (e.g. one refused by the rate limit)."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    return raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 64 else None


def parse(text: str) -> tuple[ClientMessage, str | None]:
    """The message, and its id when it had a usable one (for error replies)."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise BadMessage("bad_json") from None
    if not isinstance(raw, dict):
        raise BadMessage("not_object")
    msg_id = peek_id(text)
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise BadMessage("missing_type", id=msg_id)
    if kind not in MESSAGE_TYPES:
        raise BadMessage("unknown_type", type=kind[:40], id=msg_id)
    try:
        return _adapter.validate_python(raw), msg_id
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "?"
        code = "missing_field" if first["type"] == "missing" else "bad_field"
        raise BadMessage(code, field=where, id=msg_id) from None


def to_command(msg: ClientMessage) -> c.Command | None:
    """The game command a message stands for (None for join, sync and ping)."""
    match msg:
        case StartMsg():
            return c.Start()
        case DrawMsg(theme=theme, card_id=card_id):
            return c.Draw(theme, card_id)
        case AnswerMsg(card_id=card_id, question_id=question_id, value=value):
            return c.Answer(card_id, question_id, value)
        case RevealMsg():
            return c.Reveal()
        case ConsensusMsg(question_id=question_id, value=value):
            return c.Consensus(question_id, value)
        case NoteMsg(text=text):
            return c.AddNote(text)
        case NextMsg():
            return c.Next()
        case SkipMsg():
            return c.Skip()
        case ParkMsg():
            return c.Park()
        case PassTurnMsg():
            return c.PassTurn()
        case FinishMsg():
            return c.Finish()
        case FrameMsg():
            return c.Frame(msg.changes())
    return None


def error_event(code: str, message: str, msg_id: str | None) -> str:
    event: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if msg_id is not None:
        event["id"] = msg_id
    return json.dumps(event, ensure_ascii=False)
