"""Every server→client message of a room, built from data (docs/protocol.md).

A room's public view arrives as its fields, each already serialised (``server.core.views``),
and messages are assembled from them: nothing here cuts a serialised string apart. What goes
to a whole room (``state``, ``patch``) is built once per change as bytes, and the same bytes
go to every connection; what is personal (``you``) is a message of its own.

``diff`` computes a JSON Patch (RFC 6902) from one value to another: the ``patch`` message
carries it. ``apply_patch`` is its inverse, for tests and tools.
"""

import copy
from typing import Any

from server.core.views import json_dumps, json_object

Fields = tuple[tuple[str, str], ...]  # (key, the JSON of its value), in order

PROTOCOL_LATEST = 2  # the protocol version this server speaks at most


dumps = json_dumps  # ``json.dumps(value, ensure_ascii=False)``, without an encoder made per call


def _head(kind: str, version: int, server_time: float) -> str:
    return f'{{"type":"{kind}","version":{version},"server_time":{server_time:.3f}'


# --- protocol 2: the same bytes for everyone -------------------------------------------------


def state(version: int, server_time: float, view_json: str) -> bytes:
    """The full public view of a room: ``{"type": "state", "version", "server_time", "state"}``."""
    return (_head("state", version, server_time) + ',"state":' + view_json + "}").encode()


def patch(base: int, version: int, server_time: float, ops: list[dict[str, Any]]) -> bytes:
    """What changed since version ``base``, as RFC 6902 operations on the public view."""
    return (
        f'{{"type":"patch","base":{base},"version":{version},'
        f'"server_time":{server_time:.3f},"patch":{dumps(ops)}}}'
    ).encode()


def you(version: int, my_answers_json: str, tip_json: str) -> bytes:
    """What only this connection sees, sent when it changes."""
    return (
        f'{{"type":"you","version":{version},"my_answers":{my_answers_json},"card_tip":{tip_json}}}'
    ).encode()


def welcome(
    you_fields: dict[str, Any],
    version: int,
    server_time: float,
    view_json: str,
    my_answers_json: str,
    tip_json: str,
) -> str:
    """The answer to ``join`` (protocol 2): the person's own answers and tip ride in ``you``
    (protocol 1 welcomes are ``state_v1_head`` with ``you_fields``)."""
    you_json = json_object(
        [
            *((k, dumps(v)) for k, v in you_fields.items()),
            ("my_answers", my_answers_json),
            ("card_tip", tip_json),
        ]
    )
    return (
        f'{{"type":"welcome","you":{you_json},"version":{version},'
        f'"server_time":{server_time:.3f},"state":{view_json}}}'
    )


# --- protocol 1: the state with the person's own part inside ---------------------------------


def state_v1_head(
    version: int, server_time: float, fields: Fields, you_fields: dict[str, Any] | None = None
) -> bytes:
    """Everything of a protocol 1 ``state`` (or ``welcome``) but its personal end, which
    ``state_v1_tail`` closes: so the shared part is encoded once per change."""
    if you_fields is not None:
        kind = (
            f'{{"type":"welcome","you":{dumps(you_fields)},"version":{version},'
            f'"server_time":{server_time:.3f}'
        )
    else:
        kind = _head("state", version, server_time)
    inner = ", ".join(f"{dumps(key)}: {value}" for key, value in fields)
    return (kind + ',"state":{' + inner + ', "my_answers": ').encode()


def state_v1_tail(my_answers_json: bytes, tip_json: bytes) -> bytes:
    return my_answers_json + b', "card_tip": ' + tip_json + b"}}"


# --- small control messages ---------------------------------------------------------------


def ack(msg_id: str) -> str:
    return dumps({"type": "ack", "id": msg_id})


def error(code: str, message: str, msg_id: str | None) -> str:
    body: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if msg_id is not None:
        body["id"] = msg_id
    return dumps(body)


def event(message: dict[str, Any]) -> str:
    return dumps(message)


# --- JSON Patch (RFC 6902) ----------------------------------------------------------------


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _same(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """RFC 6902 operations that turn ``old`` into ``new``: objects key by key, lists that
    grew or shrank at their end by ``add``/``remove`` there, lists of the same length item by
    item, anything else replaced."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _diff_objects(old, new, path)
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if _same(old, new):
        return []
    return [{"op": "replace", "path": path, "value": new}]


def _diff_objects(old: dict[str, Any], new: dict[str, Any], path: str) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = [
        {"op": "remove", "path": f"{path}/{_escape(key)}"} for key in old if key not in new
    ]
    for key, value in new.items():
        where = f"{path}/{_escape(key)}"
        if key not in old:
            ops.append({"op": "add", "path": where, "value": value})
        elif not _same(old[key], value):
            ops.extend(diff(old[key], value, where))
    return ops


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[dict[str, Any]]:
    n, m = len(old), len(new)
    if m > n and _same(new[:n], old):
        return [{"op": "add", "path": f"{path}/-", "value": v} for v in new[n:]]
    if m < n and _same(old[:m], new):
        return [{"op": "remove", "path": f"{path}/{i}"} for i in range(n - 1, m - 1, -1)]
    if m != n:
        return [{"op": "replace", "path": path, "value": new}]
    ops: list[dict[str, Any]] = []
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if not _same(a, b):
            ops.extend(diff(a, b, f"{path}/{i}"))
    return ops


def apply_patch(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """``doc`` with ``ops`` applied (add, remove, replace; a copy: ``doc`` is not changed)."""
    doc = copy.deepcopy(doc)
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        if not parts:
            doc = copy.deepcopy(op["value"])
            continue
        target = doc
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            if op["op"] == "add":
                if last == "-":
                    target.append(copy.deepcopy(op["value"]))
                else:
                    target.insert(int(last), copy.deepcopy(op["value"]))
            elif op["op"] == "remove":
                del target[int(last)]
            else:
                target[int(last)] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del target[last]
        else:
            target[last] = copy.deepcopy(op["value"])
    return doc
