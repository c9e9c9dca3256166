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
ROW_MESSAGES = 32  # a vote's row keeps its person's last vote ids; older ones go to the table


class Row(NamedTuple):
    answers: dict[str, str]
    message_ids: list[str]
    version: int  # 0 in rows written before the version was


def row_body(answers_json: str, message_ids: list[str], version: int) -> str:
    """The row as stored (sealed first in an anonymous session)."""
    return f"[{answers_json},{_ENCODE(message_ids)},{int(version)}]"


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
