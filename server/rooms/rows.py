"""A vote's row of ``open_answers``: what one person answered on the open card, the ids of
their votes on it, and the room's version that vote made.

The version is there because, with one process, a vote writes this row and nothing else
(issue 15: the room's row took the new version too, a second page in the WAL for every vote);
a room read back takes the highest version of its state and its rows. With several processes
the room's row still takes every version (the check another process's write relies on).
"""

import json
from typing import NamedTuple

_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
ROW_MESSAGES = 32  # a vote's row keeps at least its person's last 32 vote ids on the card
# ... and at most 64: past that, all but the last 32 go to ``applied_messages`` together, once
# every 32 votes. Spilling one id at each vote past the 32nd made every such vote a transaction
# of four statements and ~3.6 WAL frames instead of one (issue 15: bench/load.py's b keeps one
# card open, so its highest steps ran that way, ~10 % dearer a vote; bench/README.md)
ROW_MESSAGES_MAX = 64


class Row(NamedTuple):
    answers: dict[str, str]
    message_ids: list[str]
    version: int  # 0 in rows written before the version was


def row_body(answers_json: str, message_ids: list[str], version: int, ids_json: str | None = None) -> str:
    """The row as stored (sealed first in an anonymous session); ``ids_json``, when given, is
    ``message_ids`` already encoded (``IdsJson``)."""
    if ids_json is None:
        ids_json = _ENCODE(message_ids)
    return f"[{answers_json},{ids_json},{int(version)}]"


class IdsJson:
    """Each person's vote ids as JSON, kept with the list they were encoded from: a vote adds
    one id to the list, so its JSON is the last one with one more string, instead of the
    whole list encoded again (16 µs with cold caches for 32 ids, at every vote: issue 15).
    A list is recognised by identity, so a list the caller replaced is simply encoded."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[str, tuple[list[str], str]] = {}

    def encode(self, player_id: str, before: list[str], after: list[str]) -> str:
        """The JSON of ``after``, which is ``before`` with at most one id added at the end."""
        made = self._made.get(player_id)
        if made is not None and made[0] is before:
            if after is before:
                return made[1]
            if len(after) == len(before) + 1:  # one added, none dropped
                text = made[1][:-1] + ("," if before else "") + _ENCODE(after[-1]) + "]"
                self._made[player_id] = (after, text)
                return text
        text = _ENCODE(after)
        self._made[player_id] = (after, text)
        return text

    def clear(self) -> None:
        self._made.clear()


def read_row(value: object) -> Row:
    """A row read back: ``row_body``'s triple, the pair written before the version, or the
    answers alone (rows before the ids)."""
    if isinstance(value, list):
        if len(value) not in (2, 3) or not isinstance(value[1], list):
            raise TypeError("not a row")
        if not all(isinstance(m, str) for m in value[1]):
            raise TypeError("not a row")
        version = value[2] if len(value) == 3 else 0
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise TypeError("not a row")
        return Row(_mine(value[0]), list(value[1]), version)
    return Row(_mine(value), [], 0)


def _mine(value: object) -> dict[str, str]:
    """One person's answers as read back: a mapping of question id to text."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError("not a person's answers")
    return {str(k): v for k, v in value.items()}
