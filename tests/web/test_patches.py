"""``patch`` messages (protocol 2): applied in order, the patches of random games give exactly
the full state of every version that was sent — also when versions are skipped (a coalesced
big room), so a client that keeps applying them never drifts from the server.

The patches are applied here by an RFC 6902 applier written from the RFC, not the server's.
"""

import contextlib
import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core import commands as c
from server.core.deck import Deck
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings, RoomState
from server.core.views import ViewCache, json_object, public_view, public_view_fields
from server.errors import GameError
from server.rooms.changes import field_ops, keyed_ops
from server.web import wire
from tests.core import test_view_cache as crowd
from tests.core.test_views import EXPLORIA, MINI, NOW, PEOPLE, moves


def rfc6902(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """RFC 6902 §4.1–4.3 (add, remove, replace) on a copy of ``doc``."""
    doc = copy.deepcopy(doc)
    for op in ops:
        assert set(op) <= {"op", "path", "value"}, op
        assert op["path"].startswith("/"), op
        tokens = [t.replace("~1", "/").replace("~0", "~") for t in op["path"][1:].split("/")]
        parent = doc
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if op["op"] == "add":
            if isinstance(parent, list):
                parent.insert(len(parent) if last == "-" else int(last), op["value"])
            else:
                parent[last] = op["value"]
        elif op["op"] == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                assert last in parent, op
                del parent[last]
        elif op["op"] == "replace":
            if isinstance(parent, list):
                assert 0 <= int(last) < len(parent), op
                parent[int(last)] = op["value"]
            else:
                assert last in parent, op
                parent[last] = op["value"]
        else:
            raise AssertionError(op)
    return doc


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.booleans(),
    st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.booleans()), min_size=10, max_size=60),
)
def test_patches_applied_in_order_give_the_full_state(
    deck: Deck, anonymous: bool, steps: list[tuple[int, bool]]
) -> None:
    state = new_room(deck, RoomSettings(anonymous=anonymous), seed=5, now=NOW)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    for name in PEOPLE[1:]:
        state = apply(deck, state, None, c.Join(name, name.title()), NOW)
    cache = ViewCache()
    sent = public_view_fields(deck, state, cache)
    client = json.loads(json_object(sent))  # what a client got in its welcome
    patches = 0
    for i, (choice, send) in enumerate(steps):
        legal: list[tuple[c.Command, RoomState]] = []
        extra = [
            ("fac", c.Join(f"x{i}", f"Nouvelle {i}")),
            ("fac", c.Remove("ben")),
            ("fac", c.Lock(i % 2 == 0)),
        ]
        for actor, cmd in [*moves(deck, state), *extra]:
            with contextlib.suppress(GameError):
                legal.append((cmd, apply(deck, state, actor, cmd, NOW + i)))
        _, state = legal[choice % len(legal)]
        if not send and i != len(steps) - 1:
            continue  # coalesced: this version is never sent, the next patch spans it
        fields = public_view_fields(deck, state, cache)
        ops = field_ops(sent, fields)
        # a vote's questions are diffed from the values the views keep, not from their JSON:
        # the very operations decoding both texts gives
        assert ops == keyed_ops(sent, fields)
        message = json.loads(wire.patch(1, 2, NOW, ops))  # what goes on the wire
        client = rfc6902(client, message["patch"])
        patches += bool(ops)
        assert canonical(client) == canonical(public_view(deck, state))
        sent = fields
    assert patches > 0


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([MINI, EXPLORIA]),
    st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.booleans()), min_size=10, max_size=80),
)
def test_the_patches_of_a_voting_crowd_give_the_full_state(deck: Deck, steps: list[tuple[int, bool]]) -> None:
    """Mostly votes (first ones, changed ones, withdrawn ones), people leaving and coming
    between two patches: the kept questions give the very operations of the decoded JSON."""
    state = crowd.room(deck)
    cache = ViewCache()
    sent = public_view_fields(deck, state, cache)
    client = json.loads(json_object(sent))
    for i, (choice, send) in enumerate(steps):
        legal = []
        for actor, cmd in crowd.moves(deck, state, i):
            with contextlib.suppress(GameError):
                legal.append(apply(deck, state, actor, cmd, NOW + i))
        if not legal:
            break
        state = legal[choice % len(legal)]
        if not send:
            continue
        fields = public_view_fields(deck, state, cache)
        ops = field_ops(sent, fields)
        assert ops == keyed_ops(sent, fields)
        client = rfc6902(client, json.loads(wire.patch(1, 2, NOW, ops))["patch"])
        assert canonical(client) == canonical(public_view(deck, state))
        sent = fields


def test_a_vote_patches_the_count_and_the_list_of_its_question() -> None:
    state = crowd.room(MINI)
    state = apply(MINI, state, "fac", c.Start(), NOW)
    state = apply(MINI, state, "fac", c.Draw(), NOW)
    assert state.current is not None
    card = MINI.card(state.current.card_id)
    assert card is not None
    question = card.questions[-1]
    cache = ViewCache()
    before = public_view_fields(MINI, state, cache)
    value = "yes" if question.kind == "yes_no" else "a"
    state = apply(MINI, state, "p2", c.Answer(card.id, question.id, value), NOW)
    after = public_view_fields(MINI, state, cache)
    assert before.questions is not None and after.questions is not None  # diffed without decoding
    where = f"/questions/{len(card.questions) - 1}"
    assert field_ops(before, after) == [
        {"op": "replace", "path": f"{where}/answered", "value": 1},
        {"op": "add", "path": f"{where}/answered_by/-", "value": "p2"},
    ]


def test_diff_handles_nulls_lists_and_odd_keys() -> None:
    old = {"a": None, "b": [1, 2, 3], "c": {"x/y": 1, "t~": 2}, "d": [{"k": 1}], "e": True}
    new = {"a": {"z": None}, "b": [1, 2], "c": {"x/y": 2}, "d": [{"k": 1}, {"k": 2}], "e": 1, "f": None}
    ops = wire.diff(old, new)
    assert canonical(rfc6902(old, ops)) == canonical(new)
    assert canonical(wire.apply_patch(old, ops)) == canonical(new)
    assert {"op": "remove", "path": "/c/t~0"} in ops
    assert wire.diff(new, new) == []
    assert wire.diff([1, 2], [3]) == [{"op": "replace", "path": "", "value": [3]}]
