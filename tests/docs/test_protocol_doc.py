"""docs/protocol.md stays true: every message type and every error code is in it."""

import json
import re
from pathlib import Path

import pytest

from server.web.messages import MESSAGE_TYPES

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / "docs" / "protocol.md").read_text("utf-8")
SERVER_TYPES = ("welcome", "state", "patch", "you", "ack", "error", "pong")
ERROR_CODES = sorted(
    k.removeprefix("error.")
    for k in json.loads((ROOT / "server/locales/en/core.json").read_text("utf-8"))
    if k.startswith("error.")
)


@pytest.mark.parametrize("kind", [*MESSAGE_TYPES, *SERVER_TYPES])
def test_every_message_type_is_documented(kind: str) -> None:
    assert re.search(rf"^\| `{kind}` \|", DOC, re.M), f"message type {kind} missing from the doc"


def test_every_type_the_server_handles_is_listed_in_messages() -> None:
    handled = set(re.findall(r'type: Literal\["(\w+)"\]', (ROOT / "server/web/messages.py").read_text()))
    assert handled == set(MESSAGE_TYPES)


def test_the_server_sends_only_documented_types() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "server").rglob("*.py"))
    sent = set(re.findall(r'"type": "(\w+)"', sources)) | set(re.findall(r'\{"type":"(\w+)"', sources))
    assert sent <= set(SERVER_TYPES) | set(MESSAGE_TYPES), sent


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code_is_documented(code: str) -> None:
    assert f"| `{code}` |" in DOC


def test_every_error_code_raised_has_a_message() -> None:
    sources = "\n".join(p.read_text() for p in (ROOT / "server").rglob("*.py"))
    raised = set(re.findall(r'(?:GameError|BadMessage|NotFound|Forbidden|Conflict)\("(\w+)"', sources))
    assert raised <= set(ERROR_CODES), raised - set(ERROR_CODES)
