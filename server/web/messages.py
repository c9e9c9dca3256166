"""Client → server messages of the WebSocket protocol, parsed once at the edge.

Unknown fields are ignored (newer clients may send more); wrong or missing ones are reported
with the field's name. See docs/protocol.md.
"""

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

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
    # the protocol version the client speaks (docs/protocol.md, "Protocol versions"); a
    # higher one than the server's gets the server's
    protocol: Annotated[int, Field(ge=1, le=1000)] | None = None


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


class RemoveMsg(_Msg):
    type: Literal["remove"]
    player_id: Annotated[str, Field(max_length=64)]


class LockMsg(_Msg):
    type: Literal["lock"]
    locked: bool


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


# --- actions and follow-ups (issue 16) -------------------------------------------------------
# Lengths here only bound what is parsed; the rules check the real limits (server/core/actions.py)
# so that their errors say them in the user's language.
_Short = Annotated[str, Field(max_length=2000)]


class ActionAddMsg(_Msg):
    type: Literal["action_add"]
    text: _Short = ""
    owner: _Short | None = None
    due: Annotated[str, Field(max_length=40)] | None = None
    criterion: Annotated[str, Field(max_length=64)] | None = None
    guide_step: int | None = None
    card_id: Annotated[str, Field(max_length=64)] | None = None
    note: Annotated[int, Field(ge=0, le=10_000)] | None = None


class ActionEditMsg(_Msg):
    type: Literal["action_edit"]
    action_id: Annotated[str, Field(max_length=16)]
    text: _Short | None = None
    owner: _Short | None = None
    due: Annotated[str, Field(max_length=40)] | None = None
    criterion: Annotated[str, Field(max_length=64)] | None = None
    guide_step: int | None = None

    def changes(self) -> tuple[tuple[str, object], ...]:
        fields = ("text", "owner", "due", "criterion", "guide_step")
        return tuple((k, getattr(self, k)) for k in fields if k in self.model_fields_set)


class ActionRemoveMsg(_Msg):
    type: Literal["action_remove"]
    action_id: Annotated[str, Field(max_length=16)]


class ActionStatusMsg(_Msg):
    type: Literal["action_status"]
    action_id: Annotated[str, Field(max_length=16)]
    status: Literal["done", "not_done", "dropped"] | None


class SyncMsg(_Msg):
    type: Literal["sync"]


class PingMsg(_Msg):
    type: Literal["ping"]


ClientMessage = Annotated[
    JoinMsg
    | StartMsg
    | DrawMsg
    | AnswerMsg
    | RevealMsg
    | ConsensusMsg
    | NoteMsg
    | NextMsg
    | SkipMsg
    | ParkMsg
    | PassTurnMsg
    | FinishMsg
    | FrameMsg
    | SyncMsg
    | PingMsg
    | RemoveMsg
    | LockMsg
    | ActionAddMsg
    | ActionEditMsg
    | ActionRemoveMsg
    | ActionStatusMsg,
    Field(discriminator="type"),
]
_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
MESSAGE_TYPES = (
    "join",
    "start",
    "draw",
    "answer",
    "reveal",
    "consensus",
    "note",
    "next",
    "skip",
    "park",
    "pass_turn",
    "finish",
    "frame",
    "sync",
    "ping",
    "remove",
    "lock",
    "action_add",
    "action_edit",
    "action_remove",
    "action_status",
)


# a \uD800–\uDFFF escape: JSON may carry a lone surrogate, which no UTF-8 reply can hold
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _loads(text: str) -> Any:
    """``json.loads``, refusing what would break later: a number of more than 4,300 digits
    (Python refuses to convert it), nesting deeper than the parser's recursion allows, and
    lone surrogates (valid surrogate pairs, as ``ensure_ascii`` encoders write them, pass)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise BadMessage("bad_json") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(raw, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadMessage("bad_text") from None
        except RecursionError:  # pragma: no cover - loads would have refused it
            raise BadMessage("bad_json") from None
    return raw


def peek_id(text: str) -> str | None:
    """The id of a message that will not be parsed further (e.g. one refused by the rate limit)."""
    try:
        raw = _loads(text)
    except BadMessage:
        return None
    return _usable_id(raw.get("id") if isinstance(raw, dict) else None)


def _usable_id(raw_id: object) -> str | None:
    return raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 64 else None


def parse(text: str) -> tuple[ClientMessage, str | None]:
    """The message, and its id when it had a usable one (for error replies).

    A well-formed message is parsed and validated in one pass by pydantic's own JSON reader
    (half the time of ``json.loads`` then validation, with cold caches: issue 15); anything
    it refuses, or any text with a ``\\u`` surrogate escape, takes the path below, which says
    precisely what was wrong."""
    if _SURROGATE_ESCAPE.search(text) is None:
        try:
            msg = _adapter.validate_json(text)
        except ValidationError:
            pass
        else:
            return msg, msg.id
    return parse_checked(text)


def parse_checked(text: str) -> tuple[ClientMessage, str | None]:
    """``parse`` step by step: the JSON, its shape, its type, then its fields."""
    raw = _loads(text)
    if not isinstance(raw, dict):
        raise BadMessage("not_object")
    msg_id = _usable_id(raw.get("id"))  # from what was parsed: not ``peek_id``, a second parse
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
