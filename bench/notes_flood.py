"""A flood of notes in one room against another room's acknowledgements (issue 12, finding 3).

    .venv/bin/python bench/notes_flood.py                      # this tree
    .venv/bin/python bench/notes_flood.py --root /tmp/old-tree  # another checkout, e.g. before

Starts ``python -m server`` from ``--root`` (fresh SQLite in a temporary directory, the
default per-connection rate limit of 20 messages/s, address limits lifted since every client is
127.0.0.1). Room B: two people; one sends a ``ping`` with an id every 50 ms and times each
``ack``. First ``--calm`` seconds with nothing else going on, then ``--flood`` seconds while room
A takes ``--senders`` participants each sending 2,000-character notes at 19/s (under the rate
limit) and ``--listeners`` more participants reading every state. Prints room B's ack p50/p95
calm and during the flood, their ratio, what room A accepted and refused, the size of its last
state, the bytes its listeners received and the server's CPU time. Asserts nothing.
"""

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websockets

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.helpers import make_cards_dir  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Server:
    def __init__(self, root: Path, tmp: Path) -> None:
        self.port = free_port()
        lifted = {
            f"{k}_{s}": "1000000"
            for k in ("JOINS", "LOOKUPS", "ROOMS", "DECK_UPLOADS", "CODE_MISSES")
            for s in ("PER_MINUTE", "BURST")
        }
        self.env = {
            **os.environ,
            **lifted,
            "CODE_MISSES_PER_HOUR": "1000000",
            "WEBSOCKETS_PER_ADDRESS": "100000",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{tmp / 'flood.db'}",
            "CARDS_DIR": str(make_cards_dir(tmp)),
            "LOG_LEVEL": "warning",
            "CARD_KEY_DIR": str(tmp / "keys"),
            "PYTHONPATH": str(root),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server"],
            cwd=root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def room(self) -> dict[str, Any]:
        req = urllib.request.Request(
            f"{self.base}/api/rooms",
            method="POST",
            data=json.dumps({"deck_id": "mini-test"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return dict(json.loads(r.read()))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def seat(server: Server, code: str, **join: Any) -> Any:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/rooms/{code}", max_size=None, open_timeout=20
    )
    await ws.send(json.dumps({"type": "join", **join}))
    while True:
        msg = json.loads(await ws.recv())
        if msg["type"] == "welcome":
            return ws
        if msg["type"] == "error":
            raise RuntimeError(msg)


async def drain(ws: Any, counter: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):
        async for raw in ws:
            counter["bytes"] += len(raw)
            if raw.startswith('{"type":"state"'):
                counter["last_state"] = len(raw)
            elif '"type": "error"' in raw or '"type":"error"' in raw:
                counter["errors"] += 1
            elif '"type": "ack"' in raw or '"type":"ack"' in raw:
                counter["acks"] += 1


async def pinger(ws: Any, seconds: float, out: list[float]) -> None:
    sent: dict[str, float] = {}
    done = asyncio.Event()

    async def reader() -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                if '"ack"' in raw:
                    msg = json.loads(raw)
                    start = sent.pop(str(msg.get("id")), None)
                    if start is not None:
                        out.append((time.perf_counter() - start) * 1000)
                if done.is_set() and not sent:
                    return

    task = asyncio.create_task(reader())
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        key = f"p{i}"
        sent[key] = time.perf_counter()
        await ws.send(json.dumps({"type": "ping", "id": key}))
        i += 1
        await asyncio.sleep(0.05)
    done.set()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(task, 5)
    task.cancel()


async def flood_sender(ws: Any, seconds: float, counter: dict[str, Any]) -> None:
    text = "n" * 1990
    end = time.monotonic() + seconds
    i = 0
    drainer = asyncio.create_task(drain(ws, counter))
    while time.monotonic() < end:
        await ws.send(json.dumps({"type": "note", "text": f"{i:05d} {text}", "id": f"n{i}"}))
        counter["sent"] += 1
        i += 1
        await asyncio.sleep(1 / 19)
    await asyncio.sleep(1)
    drainer.cancel()


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(args.root).resolve(), Path(tmp))
        try:
            b = server.room()
            b_fac = await seat(server, b["code"], token=b["facilitator_token"])
            b_ws = await seat(server, b["code"], name="Calme")
            calm: list[float] = []
            cpu0 = cpu_seconds(server.proc.pid)
            await pinger(b_ws, args.calm, calm)
            cpu_calm = cpu_seconds(server.proc.pid) - cpu0

            a = server.room()
            a_fac = await seat(server, a["code"], token=a["facilitator_token"])
            senders = [await seat(server, a["code"], name=f"Flot{i}") for i in range(args.senders)]
            listeners = [await seat(server, a["code"], name=f"Lect{i}") for i in range(args.listeners)]
            await a_fac.send(json.dumps({"type": "start"}))
            await a_fac.send(json.dumps({"type": "draw"}))
            await asyncio.sleep(0.5)
            heard = {"bytes": 0, "last_state": 0, "errors": 0, "acks": 0}
            sent = {"bytes": 0, "last_state": 0, "errors": 0, "acks": 0, "sent": 0}
            drains = [asyncio.create_task(drain(w, heard)) for w in (a_fac, *listeners)]
            flooding: list[float] = []
            cpu1 = cpu_seconds(server.proc.pid)
            await asyncio.gather(
                pinger(b_ws, args.flood, flooding), *(flood_sender(w, args.flood, sent) for w in senders)
            )
            cpu_flood = cpu_seconds(server.proc.pid) - cpu1
            for d in drains:
                d.cancel()
            for w in (b_fac, b_ws, a_fac, *senders, *listeners):
                with contextlib.suppress(Exception):
                    await w.close()
        finally:
            server.stop()
    calm_p95, flood_p95 = pct(calm, 0.95), pct(flooding, 0.95)
    print(f"tree: {Path(args.root).resolve()}")
    print(
        f"room B ack, calm  ({len(calm)} pings): p50 {pct(calm, 0.5):.1f} ms, "
        f"p95 {calm_p95:.1f} ms; server CPU {cpu_calm:.1f} s in {args.calm:.0f} s"
    )
    print(
        f"room B ack, flood ({len(flooding)} pings): p50 {pct(flooding, 0.5):.1f} ms, "
        f"p95 {flood_p95:.1f} ms; server CPU {cpu_flood:.1f} s in {args.flood:.0f} s"
    )
    print(f"p95 flood / calm: {flood_p95 / calm_p95:.1f}x")
    print(
        f"room A: {sent['sent']} notes sent by {args.senders} senders, {sent['acks']} "
        f"acknowledged, {sent['errors']} refused; last state {heard['last_state'] / 1e6:.2f} MB; "
        f"{1 + args.listeners} readers received {heard['bytes'] / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(HERE.parent), help="the tree to run the server from")
    parser.add_argument("--calm", type=float, default=10.0)
    parser.add_argument("--flood", type=float, default=30.0)
    parser.add_argument("--senders", type=int, default=3)
    parser.add_argument("--listeners", type=int, default=10)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
