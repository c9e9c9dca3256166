"""Style rules the pages rely on: hover tints only for devices that hover (a tapped button on a
touch screen keeps no tint), in the game's and the studio's style sheets."""

import re

import pytest

from tests.helpers import ROOT


def top_level_rules(css: str) -> list[tuple[str, str]]:
    """(enclosing at-rule or "", selector) of every rule, one level of nesting deep."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: list[tuple[str, str]] = []
    depth, start, context = 0, 0, [""]
    for i, char in enumerate(css):
        if char == "{":
            head = css[start:i].strip()
            if head.startswith("@"):
                context.append(head)
            else:
                found.append((context[-1], head))
            depth += 1
            start = i + 1
        elif char == "}":
            depth -= 1
            if len(context) > depth + 1:
                context.pop()
            start = i + 1
        elif char == ";" and depth <= len(context) - 1:
            start = i + 1
    return found


@pytest.mark.parametrize("sheet", ["app.css", "studio.css"])
def test_hover_only_where_a_pointer_hovers(sheet: str) -> None:
    rules = top_level_rules((ROOT / "static" / "css" / sheet).read_text("utf-8"))
    hovering = [(at, sel) for at, sel in rules if ":hover" in sel]
    assert hovering, "the scan found no hover rule at all"
    outside = [sel for at, sel in hovering if "hover: hover" not in at]
    assert not outside, outside
