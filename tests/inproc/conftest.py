"""The in-process layer: the app built with ``create_app(Settings(...))`` and driven through
Starlette's TestClient, over HTTP and WebSockets, with no server process. Fast enough to hold
most protocol and rules tests (``make test-fast`` runs it)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.settings import Settings
from server.storage.migrate import upgrade
from server.web.app import create_app
from tests.helpers import make_cards_dir

MAX_MESSAGES = 200  # a message that never comes fails the test instead of reading forever


def app_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for one test app: its own SQLite database, the test deck, no limits a scripted
    client on one address would reach."""
    url = f"sqlite:///{tmp_path / 'exploria.db'}"
    upgrade(url)
    relaxed = {
        f"{k}_{s}": 100_000
        for k in ("joins", "lookups", "rooms", "deck_uploads")
        for s in ("per_minute", "burst")
    }
    return Settings(
        environment="test",
        database_url=url,
        cards_dir=make_cards_dir(tmp_path),
        card_key_dir=tmp_path / "keys",
        messages_per_second=2000,
        code_misses_per_hour=1_000_000,
        code_misses_burst=100_000,
        websockets_per_address=100_000,
        decks_per_address=100_000,
        **{**relaxed, **overrides},
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings(tmp_path))) as test_client:
        yield test_client


class Sock:
    """One WebSocket of the test client, read message by message."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self.state: dict[str, Any] | None = None
        self.you: dict[str, Any] | None = None
        self._n = 0

    def recv(self) -> dict[str, Any]:
        msg: dict[str, Any] = self.ws.receive_json()
        self.seen.append(msg)
        if msg["type"] in ("state", "welcome"):
            self.state = msg["state"]
        if msg["type"] == "welcome":
            self.you = msg["you"]
        return msg

    def expect(self, kind: str) -> dict[str, Any]:
        for _ in range(MAX_MESSAGES):
            msg = self.recv()
            if msg["type"] == kind:
                return msg
        raise AssertionError(f"no {kind}; last seen {self.seen[-5:]}")

    def until(self, predicate: Any) -> dict[str, Any]:
        for _ in range(MAX_MESSAGES):
            if self.state is not None and predicate(self.state):
                return self.state
            self.recv()
        raise AssertionError(f"state never matched; last {self.state}")

    def call(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Send with an id; the ack or error for it (what came before is kept in ``seen``)."""
        self._n += 1
        mid = f"m{self._n}"
        self.ws.send_json({**msg, "id": mid})
        for _ in range(MAX_MESSAGES):
            reply = self.recv()
            if reply["type"] in ("ack", "error") and reply.get("id") == mid:
                return reply
        raise AssertionError(f"no reply to {msg}; last seen {self.seen[-5:]}")

    def ok(self, msg: dict[str, Any]) -> dict[str, Any]:
        reply = self.call(msg)
        assert reply["type"] == "ack", reply
        return reply

    def join(self, **fields: Any) -> dict[str, Any]:
        self.ws.send_json({"type": "join", **fields})
        welcome = self.expect("welcome")
        return welcome


def create_room(client: TestClient, deck_id: str = "mini-test", **settings: Any) -> dict[str, Any]:
    response = client.post("/api/rooms", json={"deck_id": deck_id, "settings": settings})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
