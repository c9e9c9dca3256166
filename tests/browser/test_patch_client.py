"""The browser's RFC 6902 applier (static/js/connection.js ``applyPatch``) turns the server's
patches of random games into exactly the server's full state, version after version, and
leaves the state it started from untouched (the page may still hold it)."""

import contextlib
import json
import random
from typing import Any

from server.core import commands as c
from server.core.rules import apply, new_room
from server.core.state import Role, RoomSettings
from server.core.views import ViewCache, json_object, public_view_fields
from server.errors import GameError
from server.rooms.changes import field_ops
from tests.browser.conftest import Pages
from tests.core.test_views import EXPLORIA, NOW, PEOPLE, moves
from tests.helpers import ServerProcess


def norm(value: Any) -> Any:
    """JSON as JavaScript holds it: 5.0 and 5 are the same number there."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def game(seed: int, steps: int) -> tuple[Any, list[tuple[list[dict[str, Any]], Any]]]:
    """The first view of a random game, then (patch, full view) for every change sent."""
    rng = random.Random(seed)
    deck = EXPLORIA
    state = new_room(deck, RoomSettings(anonymous=seed % 2 == 0), seed=seed, now=NOW)
    state = apply(deck, state, None, c.Join("fac", "Anim", Role.FACILITATOR), NOW)
    for name in PEOPLE[1:]:
        state = apply(deck, state, None, c.Join(name, name.title()), NOW)
    cache = ViewCache()
    sent = public_view_fields(deck, state, cache)
    first = json.loads(json_object(sent))
    out = []
    for i in range(steps):
        legal = []
        for actor, cmd in moves(deck, state):
            with contextlib.suppress(GameError):
                legal.append(apply(deck, state, actor, cmd, NOW + i))
        state = rng.choice(legal)
        if rng.random() < 0.3:
            continue  # coalesced
        fields = public_view_fields(deck, state, cache)
        out.append((field_ops(sent, fields), json.loads(json_object(fields))))
        sent = fields
    return first, out


def test_the_browser_applies_patches_like_the_server_sends_them(server: ServerProcess, pages: Pages) -> None:
    page = pages.new("patches")
    page.goto(f"{server.base}/")
    for seed in (1, 2, 3):
        first, changes = game(seed, 80)
        result = page.evaluate(
            """async ([first, patches]) => {
              const { applyPatch } = await import('/static/js/connection.js');
              let doc = first;
              const out = [];
              for (const ops of patches) {
                const before = JSON.stringify(doc);
                const next = applyPatch(doc, ops);
                if (JSON.stringify(doc) !== before) return {mutated: true};
                out.push(next);
                doc = next;
              }
              return {out};
            }""",
            [first, [ops for ops, _ in changes]],
        )
        assert "mutated" not in result
        got = result["out"]
        assert len(got) == len(changes) and any(ops for ops, _ in changes)
        for doc, (_, full) in zip(got, changes, strict=True):
            assert json.dumps(norm(doc), sort_keys=True) == json.dumps(norm(full), sort_keys=True)
