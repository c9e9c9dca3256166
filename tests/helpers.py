"""Test helpers: a real server process on a free loopback port, and a real WebSocket client."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_cards_dir(tmp: Path) -> Path:
    """The built-in decks plus the small test deck."""
    cards = tmp / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "cards").glob("*.json"):
        shutil.copy(path, cards / path.name)
    shutil.copy(FIXTURES / "mini-deck.json", cards / "mini-deck.json")
    return cards


class ServerProcess:
    """``python -m server`` with its own database, as a user would run it."""

    def __init__(
        self, tmp: Path, env: Mapping[str, str] | None = None, database_url: str | None = None
    ) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.database_url = database_url or f"sqlite:///{tmp / 'exploria.db'}"
        self.env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": self.database_url,
            "CARDS_DIR": str(make_cards_dir(tmp)),
            "LOG_LEVEL": "warning",
            "ENVIRONMENT": "test",
            "MESSAGES_PER_SECOND": "2000",  # scripted clients are faster than people
            **{
                f"{k}_{s}": "100000"
                for k in ("JOINS", "LOOKUPS", "ROOMS", "DECK_UPLOADS")
                for s in ("PER_MINUTE", "BURST")
            },
            # per-address caps that a test suite on one loopback address would reach
            "CODE_MISSES_PER_HOUR": "1000000",
            "CODE_MISSES_BURST": "100000",
            "WEBSOCKETS_PER_ADDRESS": "100000",
            "DECKS_PER_ADDRESS": "100000",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"server-{self.port}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server"], cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except urllib.error.HTTPError as e:  # not ready yet: its connection closed at once
                e.close()
                time.sleep(0.1)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                payload = r.read()
                status = r.status
                ctype = r.headers.get("content-type", "")
        except urllib.error.HTTPError as e:
            with e:  # it holds the connection: unclosed, its socket warns whenever GC finds it
                payload, status, ctype = e.read(), e.code, e.headers.get("content-type", "")
        if "json" in ctype and payload:
            return status, json.loads(payload)
        return status, payload

    def create_room(self, deck_id: str = "mini-test", **settings: Any) -> dict[str, Any]:
        status, body = self.request("POST", "/api/rooms", {"deck_id": deck_id, "settings": settings})
        assert status == 201, body
        return dict(body)


class Client:
    """A protocol client: sends JSON, waits for a given message type with a timeout."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.state: dict[str, Any] | None = None
        self.version = -1
        self.you: dict[str, Any] | None = None
        self.seen: list[dict[str, Any]] = []
        self._n = 0

    @classmethod
    async def connect(cls, server: ServerProcess, code: str, **kwargs: Any) -> "Client":
        kwargs.setdefault("close_timeout", 1)
        ws = await websockets.connect(f"{server.ws_base}/ws/rooms/{code}", open_timeout=TIMEOUT, **kwargs)
        return cls(ws)

    async def send(self, msg: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(msg))

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        msg: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.seen.append(msg)
        if msg["type"] in ("state", "welcome") and msg.get("version", 0) >= self.version:
            self.state = msg["state"]
            self.version = msg.get("version", self.version)
        if msg["type"] == "welcome":
            self.you = msg["you"]
        return msg

    async def expect(self, kind: str, timeout: float = TIMEOUT, **match: Any) -> dict[str, Any]:
        """The next message of ``kind`` (and fields), skipping others; fails after timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no {kind} {match} within {timeout}s; seen {self.seen[-5:]}")
            msg = await self.recv(left)
            if msg["type"] == kind and all(msg.get(k) == v for k, v in match.items()):
                return msg

    async def call(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Send with an id; return the ack or the error for it."""
        self._n += 1
        mid = msg.get("id") or f"m{self._n}-{id(self)}"
        await self.send({**msg, "id": mid})
        deadline = asyncio.get_running_loop().time() + TIMEOUT
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no reply to {msg}; seen {self.seen[-5:]}")
            reply = await self.recv(left)
            if reply["type"] in ("ack", "error") and reply.get("id") == mid:
                return reply

    async def ok(self, msg: dict[str, Any]) -> dict[str, Any]:
        reply = await self.call(msg)
        assert reply["type"] == "ack", reply
        return reply

    async def fails(self, msg: dict[str, Any], code: str) -> dict[str, Any]:
        reply = await self.call(msg)
        assert reply["type"] == "error" and reply["code"] == code, reply
        assert reply["message"], reply
        return reply

    async def join(self, **fields: Any) -> dict[str, Any]:
        await self.send({"type": "join", **fields})
        while True:
            msg = await self.recv()
            if msg["type"] == "welcome":
                return msg
            if msg["type"] == "error":
                raise AssertionError(msg)

    async def until(self, predicate: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Read until the latest state satisfies ``predicate``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.state is None or not predicate(self.state):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"state never matched; last {self.state}")
            await self.recv(left)
        return self.state

    async def close(self) -> None:
        await self.ws.close()


async def seat(server: ServerProcess, code: str, **join: Any) -> Client:
    """A client connected to room ``code`` and joined (``name=`` or ``token=``)."""
    client = await Client.connect(server, code)
    await client.join(**join)
    return client


async def seat_room(
    server: ServerProcess, room: dict[str, Any], names: "list[str] | tuple[str, ...]"
) -> tuple[Client, list[Client]]:
    """The facilitator of ``room`` (as returned by ``create_room``), then one participant per
    name, in that order."""
    fac = await seat(server, room["code"], token=room["facilitator_token"])
    return fac, [await seat(server, room["code"], name=name) for name in names]
