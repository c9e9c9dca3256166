"""What changed from one flush of a room to the next (server/rooms/fanout.py): the public
view's RFC 6902 operations, field by field, and the people whose own part may differ."""

import json
from itertools import chain, compress, repeat
from operator import is_, is_not
from typing import TYPE_CHECKING, Any

from server.core.views import ViewFields
from server.web import wire

if TYPE_CHECKING:
    from server.rooms.fanout import RoomFan


def changed_people(
    fan: "RoomFan", answers: dict[str, dict[str, str]], tip: tuple[str, frozenset[str]]
) -> set[str] | None:
    """Whose ``you`` may differ from the last flush's: the people whose answers are not the
    very objects they were then (found in C: a vote keeps everyone else's), or None
    (everyone) when the tip changed or the answers were made anew (a new card, a reload).
    Every protocol 2 connection was given its ``you`` for that flush's state, or later in
    its ``welcome``, so nobody else can need one."""
    last, fan.personal = fan.personal, (answers, tip)
    if last is None or last[1] is not tip:
        return None
    before = last[0]
    if before is answers:
        return set()
    if len(before) > len(answers) or not all(map(is_, before, answers)):  # keys kept, in order
        return None
    return set(compress(answers, chain(map(is_not, before.values(), answers.values()), repeat(True))))


def field_ops(old: ViewFields, new: ViewFields) -> list[dict[str, Any]]:
    """RFC 6902 operations from one public view to the next, decoding only the fields whose
    JSON changed; a vote's ``questions`` from the values both views keep before the reveal
    (entries that did not change are the same objects, so ``diff`` passes them at once)."""
    if len(old) != len(new):  # pragma: no cover - every view has the same keys, in order
        return keyed_ops(old, new)
    ops: list[dict[str, Any]] = []
    # a field not made again is the very pair of the view before (ViewCache): skipped in C,
    # so a vote that changes nothing public walks no field at all
    for (key, previous), pair in compress(zip(old, new, strict=True), map(is_not, old, new)):
        value = pair[1]
        if previous is value or previous == value:
            continue
        if key != pair[0]:  # pragma: no cover - as above
            return keyed_ops(old, new)
        if key == "questions" and old.questions is not None and new.questions is not None:
            ops.extend(wire.diff(old.questions, new.questions, "/questions"))
        else:
            ops.extend(wire.diff(json.loads(previous), json.loads(value), f"/{key}"))
    return ops


def keyed_ops(old: wire.Fields, new: wire.Fields) -> list[dict[str, Any]]:
    """``field_ops`` for views whose keys differ: field by field, by key."""
    before = dict(old)
    ops: list[dict[str, Any]] = []
    for key, value in new:
        previous = before.get(key)
        if previous == value:
            continue
        if previous is None:
            ops.append({"op": "add", "path": f"/{key}", "value": json.loads(value)})
        else:
            ops.extend(wire.diff(json.loads(previous), json.loads(value), f"/{key}"))
    return ops
