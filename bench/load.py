"""Load benchmark of the WebSocket room server, next to a bare floor (see bench/README.md).

    .venv/bin/python bench/load.py            # full run, < 10 min on 2 cores
    .venv/bin/python bench/load.py --quick    # smaller sizes, < 60 s
    .venv/bin/python bench/load.py --json /tmp/bench.json --scenarios a,b
    .venv/bin/python bench/load.py --scenarios a --rounds 3   # six app/floor pairs, pooled

Starts the app (``python -m server``) on a free loopback port with a fresh SQLite database, and
the floor (bench/floor_server.py), one scenario after the other (``run_order``), and drives each
with the same scenarios from one asyncio event loop over real WebSockets on 127.0.0.1. Bounded
in clients, messages and time.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from bisect import bisect_left
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import rawws  # noqa: E402
from tests.helpers import make_cards_dir  # noqa: E402

perf = time.perf_counter
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Fast paths for the two messages that dominate; anything else is parsed with json.loads, so a
# change of the server's serialisation only makes the generator slower, never wrong.
STATE_PREFIX = '{"type":"state","version":'
ACK_PREFIX = '{"type": "ack", "id": "'
PATCH_PREFIX = '{"type":"patch","base":'  # protocol 2: what changed, the same bytes for all
YOU_PREFIX = '{"type":"you",'  # protocol 2: the connection's own part

# --- the measured processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Target:
    """A server subprocess (the app or the floor) on 127.0.0.1, with /proc readings."""

    def __init__(self, kind: str, args: argparse.Namespace, tmp: Path) -> None:
        self.kind = kind
        self.args = args
        self.tmp = tmp
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tmp / f"{kind}-{self.port}.log"
        self.state_bytes = 3000  # floor only: size of its state messages (per scenario)
        self.rooms_made = 0

    def start(self) -> "Target":
        if self.kind == "app":
            db = self.tmp / f"app-{self.port}.db"
            env = {
                **os.environ,
                "HOST": "127.0.0.1",
                "PORT": str(self.port),
                "DATABASE_URL": f"sqlite:///{db}",
                "CARDS_DIR": str(make_cards_dir(self.tmp)),
                "LOG_LEVEL": "warning",
                "ENVIRONMENT": "test",
                "MAX_PLAYERS_PER_ROOM": "5000",
                # rate limits off: every client comes from 127.0.0.1 (unknown names are ignored)
                "MESSAGES_PER_SECOND": "1000000",
                "JOINS_PER_MINUTE": "1e9",
                "JOINS_BURST": "1e9",
                "ROOMS_PER_MINUTE": "1e9",
                "ROOMS_BURST": "1e9",
                "LOOKUPS_PER_MINUTE": "1e9",
                "LOOKUPS_BURST": "1e9",
                "DECK_UPLOADS_PER_MINUTE": "1e9",
                "DECK_UPLOADS_BURST": "1e9",
                "WEBSOCKETS_PER_ADDRESS": "1000000",
                "CODE_MISSES_PER_HOUR": "1e9",
                "CODE_MISSES_BURST": "1e9",
                **dict(kv.split("=", 1) for kv in self.args.server_env),
            }
            cmd = [sys.executable, "-m", "server"]
        else:
            env = dict(os.environ)
            extra = dict(kv.split("=", 1) for kv in self.args.server_env)
            cmd = [
                sys.executable,
                str(ROOT / "bench" / "floor_server.py"),
                "--port",
                str(self.port),
                "--big-room-threshold",
                extra.get("BIG_ROOM_THRESHOLD", "50"),
                "--coalesce-ms",
                extra.get("COALESCE_MS", "100"),
            ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=out, preexec_fn=_raise_nofile
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {self.log.read_text()[-3000:]}")
            try:
                if self.kind == "app":
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                        return self
                else:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start in 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            # the database is a temporary file: no need for a graceful shutdown, which would
            # record thousands of disconnections first
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_s(self) -> float:
        rest = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / CLK_TCK

    async def settle(self, quiet: float = 0.05, window: float = 0.5, limit: float = 60) -> None:
        """Wait until the server uses less than ``quiet`` of a core over ``window`` seconds."""
        end = perf() + limit
        while perf() < end:
            before = self.cpu_s()
            await asyncio.sleep(window)
            if self.cpu_s() - before < quiet * window:
                return

    async def create_room(self, deck: str, max_players: int) -> tuple[str, str]:
        """(code, facilitator token)."""
        self.rooms_made += 1
        if self.kind == "floor":
            code = f"F{self.rooms_made:05d}"
            return code, f"fac-{code}"
        body = json.dumps({"deck_id": deck, "settings": {"max_players": min(5000, max_players)}})

        def post() -> dict[str, Any]:
            req = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/rooms",
                data=body.encode(),
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                return dict(json.loads(r.read()))

        room = await asyncio.to_thread(post)
        return room["code"], room["facilitator_token"]

    def ws_url(self, code: str) -> str:
        url = f"ws://127.0.0.1:{self.port}/ws/rooms/{code}"
        return url + f"?state_bytes={self.state_bytes}" if self.kind == "floor" else url


# --- the load generator ---------------------------------------------------------------------


class Stats:
    """Counters of the current phase, shared by every client (one event loop, no locks)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.deliveries = 0  # state messages received, all clients
        self.state_bytes = 0
        self.sent = 0
        self.acked = 0
        self.errors = 0
        self.error_codes: dict[str, int] = {}
        self.ack_lat: list[float] = []
        self.send_lag: list[float] = []
        # (room, version, t0, answerer): the version an answer produced (or a later one)
        self.attrs: list[tuple[int, int, float, Client]] = []
        self.backlogged = 0


S = Stats()
CLIENT_LIBRARY = False  # --client websockets: the generator's client before 2026-11-28


class Client:
    """One WebSocket (bench/rawws.py): what arrives is timestamped in the read callback;
    answers sent on demand."""

    __slots__ = (
        "attr_t0",
        "backlog",
        "busy",
        "card",
        "conn_error",
        "deliveries",
        "flip",
        "inbox",
        "n",
        "pending",
        "qid",
        "room",
        "times",
        "token",
        "track",
        "vers",
        "version",
        "welcome_at",
        "welcomed",
        "ws",
        "you",
    )

    def __init__(self, room: int) -> None:
        self.room = room
        self.ws: rawws.RawWebSocket | rawws.LibraryWebSocket | None = None
        self.inbox: asyncio.Queue[str] | None = None  # setup only: every message, in order
        self.welcomed: asyncio.Future[dict[str, Any]] | None = None
        self.welcome_at = 0.0
        self.you: dict[str, Any] = {}
        self.token = ""
        self.version = -1
        self.vers: list[int] = []  # versions as they first arrived (growing) ...
        self.times: list[float] = []  # ... and when
        self.deliveries = 0
        self.pending: dict[str, float] = {}  # message id: send time
        self.attr_t0: float | None = None  # acked answer waiting for its state
        self.busy = False
        self.backlog = 0
        self.track = True
        self.n = 0
        self.flip = random.random() < 0.5
        self.card = "c1"
        self.qid = "q1"
        self.conn_error = ""

    async def connect(self, url: str, timeout: float = 60) -> None:
        self.welcomed = asyncio.get_running_loop().create_future()
        connect = rawws.connect_library if CLIENT_LIBRARY else rawws.connect
        self.ws = await connect(url, self.on_text, self.on_close, timeout)

    def on_close(self) -> None:
        if self.welcomed and not self.welcomed.done():
            self.welcomed.set_result({"type": "closed"})

    def on_text(self, text: str, now: float) -> None:
        """A message from the server; ``now`` is when the read that brought it came in."""
        if text.startswith(STATE_PREFIX):
            self.on_state(int(text[26 : text.index(",", 26)]), now, len(text))
        elif text.startswith(ACK_PREFIX) and text.endswith('"}'):
            self.on_ack(text[23:-2], now)
        elif text.startswith(PATCH_PREFIX):
            at = text.index('"version":', 23) + 10
            self.on_state(int(text[at : text.index(",", at)]), now, len(text))
        elif text.startswith(YOU_PREFIX):
            pass
        else:
            msg = json.loads(text)
            kind = msg.get("type")
            if kind == "state":
                self.on_state(int(msg["version"]), now, len(text))
            elif kind == "ack":
                self.on_ack(str(msg.get("id")), now)
            elif kind == "welcome":
                self.welcome_at = now
                self.you = msg["you"]
                self.token = self.you["token"]
                self.version = max(self.version, int(msg["version"]))
                if self.welcomed and not self.welcomed.done():
                    self.welcomed.set_result(msg)
            elif kind == "error":
                stats = S
                stats.errors += 1
                code = str(msg.get("code"))
                stats.error_codes[code] = stats.error_codes.get(code, 0) + 1
                mid = msg.get("id")
                if mid is not None and self.pending.pop(mid, None) is not None:
                    self.busy = False
                if self.welcomed and not self.welcomed.done():
                    self.welcomed.set_result(msg)
        if self.inbox is not None:
            self.inbox.put_nowait(text)

    def on_state(self, version: int, now: float, size: int) -> None:
        stats = S
        stats.deliveries += 1
        stats.state_bytes += size
        self.deliveries += 1
        if version > self.version:
            self.version = version
            self.vers.append(version)
            self.times.append(now)
        if self.attr_t0 is not None:
            # The first state after the ack of an answer carries the version that answer
            # produced, or a later one: the app pushes the new state into the answerer's
            # outbox before the ack, and the outbox sends control messages (the ack) before
            # the latest state; the floor writes the ack before it broadcasts. So versions
            # below the produced one all arrive before the ack.
            stats.attrs.append((self.room, version, self.attr_t0, self))
            self.attr_t0 = None
            self.done_answering()

    def on_ack(self, mid: str, now: float) -> None:
        t0 = self.pending.pop(mid, None)
        if t0 is None:
            return
        stats = S
        stats.acked += 1
        stats.ack_lat.append(now - t0)
        if self.track:
            self.attr_t0 = t0
        else:
            self.done_answering()

    def done_answering(self) -> None:
        self.busy = False
        if self.backlog:
            self.backlog -= 1
            asyncio.get_running_loop().create_task(self.answer(perf()))

    async def answer(self, due: float) -> None:
        """Send one answer (the other value than last time, so the state always changes)."""
        if self.busy:  # one answer in flight per client: the next waits for its state
            self.backlog += 1
            S.backlogged += 1
            return
        self.busy = True
        self.n += 1
        self.flip = not self.flip
        mid = f"a{self.n}"
        text = (
            f'{{"type":"answer","card_id":"{self.card}","question_id":"{self.qid}",'
            f'"value":"{"yes" if self.flip else "no"}","id":"{mid}"}}'
        )
        now = perf()
        S.send_lag.append(now - due)
        self.pending[mid] = now
        S.sent += 1
        assert self.ws is not None
        if not self.ws.send_text(text):  # closed
            self.pending.pop(mid, None)
            self.busy = False

    # setup helpers (not on the measured path)

    async def join(self, timeout: float = 60, **fields: Any) -> dict[str, Any]:
        assert self.ws is not None and self.welcomed is not None
        self.ws.send_text(json.dumps({"type": "join", "protocol": 2, **fields}))
        msg = await asyncio.wait_for(asyncio.shield(self.welcomed), timeout)
        if msg.get("type") != "welcome":
            raise RuntimeError(f"join failed: {msg}")
        return msg

    async def call(self, msg: dict[str, Any], timeout: float = 30) -> dict[str, Any] | None:
        """Send with an id, wait for the ack, return the next state (parsed) or None."""
        assert self.ws is not None
        self.inbox = asyncio.Queue()
        self.n += 1
        mid = f"s{self.n}"
        self.ws.send_text(json.dumps({**msg, "id": mid}))
        end = perf() + timeout
        acked = False
        try:
            while True:
                got = json.loads(await asyncio.wait_for(self.inbox.get(), max(0.01, end - perf())))
                if got.get("type") in ("ack", "error") and got.get("id") == mid:
                    if got["type"] == "error":
                        raise RuntimeError(f"{msg} failed: {got}")
                    acked = True
                elif acked and got.get("type") == "state":
                    return dict(got.get("state") or {})
                elif acked and got.get("type") == "patch":  # the top-level fields it sets
                    return {
                        op["path"][1:]: op.get("value")
                        for op in got["patch"]
                        if op["path"].count("/") == 1 and op["op"] != "remove"
                    }
        except TimeoutError:
            if acked:
                return None
            raise
        finally:
            self.inbox = None

    def reset_arrivals(self) -> None:
        self.vers = []
        self.times = []
        self.deliveries = 0

    async def close(self) -> None:
        """A close frame, then the connection closed once the server has it (not waiting for
        its close frame: nothing of the closing handshake is measured)."""
        if self.ws is not None:
            self.ws.close()

    def abort(self) -> None:
        if self.ws is not None:
            self.ws.abort()


@dataclass
class Room:
    idx: int
    code: str
    fac_token: str
    members: list[Client] = field(default_factory=list)  # facilitator first


async def gather_limited(coros: Iterable[Awaitable[Any]], limit: int) -> list[Any]:
    sem = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with sem:
            return await c

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)


async def open_rooms(
    target: Target, deck: str, n_rooms: int, per_room: int, *, concurrency: int = 64, deadline: float = 600
) -> list[Room]:
    """``n_rooms`` rooms of a facilitator and ``per_room - 1`` players, all joined."""
    rooms = []
    for i in range(n_rooms):
        code, token = await target.create_room(deck, per_room + 10)
        rooms.append(Room(i, code, token))

    async def seat(room: Room, k: int) -> Client:
        cl = Client(room.idx)
        await cl.connect(target.ws_url(room.code))
        if k == 0:
            await cl.join(token=room.fac_token)
        else:
            await cl.join(name=f"P{room.idx}-{k}")
        return cl

    async def fill(room: Room) -> None:
        room.members.append(await seat(room, 0))  # the facilitator first: it loads the room
        got = await gather_limited((seat(room, k) for k in range(1, per_room)), concurrency)
        for cl in got:
            if isinstance(cl, BaseException):
                raise cl
            room.members.append(cl)

    got = await asyncio.wait_for(gather_limited((fill(r) for r in rooms), max(1, concurrency // 8)), deadline)
    for x in got:
        if isinstance(x, BaseException):
            raise RuntimeError(f"could not fill a room: {x!r}") from x
    return rooms


async def start_and_draw(room: Room) -> None:
    """The facilitator starts, the reader draws; every player answers a yes/no question."""
    fac = room.members[0]
    state = await fac.call({"type": "start"}) or {}
    reader = fac
    by_id = {cl.you.get("id"): cl for cl in room.members}
    if state.get("reader_id") in by_id:
        reader = by_id[state["reader_id"]]
    state = await reader.call({"type": "draw"}) or {}
    card = state.get("card") or {}
    if card and not any(q.get("kind") == "yes_no" for q in card.get("questions", [])):
        # the deck's opening card (``place: first``) asks open questions only: it is skipped,
        # so that every answer is a yes/no vote on a situation card, as in a session (until
        # 2026-11-29 the benchmark answered "yes" and "no" as text to the opening card)
        state = await fac.call({"type": "skip"}) or {}
        if state.get("reader_id") in by_id:
            reader = by_id[state["reader_id"]]
        state = await reader.call({"type": "draw"}) or {}
        card = state.get("card") or {}
    questions = [q for q in card.get("questions", []) if q.get("kind") == "yes_no"]
    for cl in room.members:
        cl.card = card.get("id", "c1")
        cl.qid = questions[0]["id"] if questions else "q1"


async def close_all(clients: list[Client]) -> None:
    for cl in clients:
        cl.abort()
    await asyncio.sleep(0.2)


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return math.nan
    ys = sorted(xs)
    return ys[min(len(ys) - 1, max(0, math.ceil(p / 100 * len(ys)) - 1))]


def fanout_latencies(rooms: list[Room], sent_at: list[float] | None = None) -> tuple[list[float], int]:
    """Per attributed answer: the time from its send until every other member of the room had
    a state of the produced version (or later). Returns (latencies, never delivered); each
    one's send time is appended to ``sent_at`` if given."""
    lat = []
    missing = 0
    for room_idx, version, t0, who in S.attrs:
        worst = t0
        for m in rooms[room_idx].members:
            if m is who:
                continue
            i = bisect_left(m.vers, version)
            if i == len(m.vers):
                missing += 1
                break
            worst = max(worst, m.times[i])
        else:
            lat.append(worst - t0)
            if sent_at is not None:
                sent_at.append(t0)
    return lat, missing


def slow_windows(
    sent_at: list[float], lat: list[float], t_start: float, width_s: float = 0.5
) -> dict[str, Any]:
    """The step cut in windows of ``width_s`` by send time: how many had a fan-out p99 of 50 ms
    or more, and where the first and last of them began (seconds into the step). One or two
    such windows is a stall; most of them, a server (or machine) past its rate."""
    by: dict[int, list[float]] = {}
    for t0, x in zip(sent_at, lat, strict=True):
        by.setdefault(int((t0 - t_start) / width_s), []).append(x)
    slow = sorted(k for k, xs in by.items() if pct(xs, 99) >= 0.05)
    return {
        "windows": len(by),
        "slow": len(slow),
        "first_s": slow[0] * width_s if slow else math.nan,
        "last_s": slow[-1] * width_s if slow else math.nan,
    }


def machine_busy_s() -> float:
    """CPU seconds used by the whole machine so far (all cores), from /proc/stat."""
    f = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in f[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


class Gen:
    """Generator CPU (if it nears one core, the figures are bounded by the generator) and the
    CPU used by everything else on the machine (other processes disturb the figures)."""

    def __init__(self) -> None:
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = r.ru_utime + r.ru_stime
        self.machine = machine_busy_s()
        self.server = CURRENT.cpu_s()
        self.t = perf()

    def share(self) -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return (r.ru_utime + r.ru_stime - self.cpu) / max(1e-9, perf() - self.t)

    def others(self) -> float:
        """Cores used by other processes than the server and the generator."""
        r = resource.getrusage(resource.RUSAGE_SELF)
        mine = r.ru_utime + r.ru_stime - self.cpu + CURRENT.cpu_s() - self.server
        return max(0.0, machine_busy_s() - self.machine - mine) / max(1e-9, perf() - self.t)


@contextlib.contextmanager
def generator_gc_paused() -> Iterator[None]:
    """The generator's own garbage collector off while latencies are timed: its passes over
    the clients' arrival lists stalled the generator's loop for up to 150 ms, and that showed
    as the server's fan-out latency (a server-side loop monitor saw nothing at those moments).
    Same for the app and the floor; collected after the window."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


async def paced_answers(
    rooms: list[Room], rate: float, duration: float, drain: float = 5.0, track: bool = True
) -> dict[str, Any]:
    """Answers at ``rate``/s in total for ``duration`` s, round-robin over rooms and players."""
    players = [r.members[1:] for r in rooms]
    for r in rooms:
        for cl in r.members:
            cl.reset_arrivals()
            cl.track = track
            cl.backlog = 0
            cl.pending = {}  # acks of an earlier phase still on their way are not counted
            cl.attr_t0 = None
            cl.busy = False
    with generator_gc_paused():
        return await _paced(rooms, players, rate, duration, drain, track)


async def _paced(
    rooms: list[Room], players: list[list["Client"]], rate: float, duration: float, drain: float, track: bool
) -> dict[str, Any]:
    n_rooms = len(rooms)
    S.reset()
    target_cpu = CURRENT.cpu_s()
    gen = Gen()
    total = int(rate * duration)
    t_start = perf()
    i = 0
    while i < total:
        due = t_start + i / rate
        now = perf()
        if due > now:
            # at least a millisecond: uvloop's timers have that resolution, and shorter
            # sleeps came back at once, the pacer spinning on a core above ~1,500 answers/s
            # (that showed as the generator's CPU share, hiding whether it bound the figures)
            await asyncio.sleep(max(due - now, 0.001))
            now = perf()
        while i < total and t_start + i / rate <= now:
            room = players[i % n_rooms]
            await room[(i // n_rooms) % len(room)].answer(t_start + i / rate)
            i += 1
    t_end = perf()
    deliveries_in_window = S.deliveries
    end = perf() + drain
    while perf() < end and (
        S.acked + S.errors < S.sent
        or any(cl.attr_t0 is not None or cl.backlog for r in rooms for cl in r.members)
    ):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    cpu = CURRENT.cpu_s() - target_cpu
    elapsed = t_end - t_start
    sent_at: list[float] = []
    fan, missing = fanout_latencies(rooms, sent_at) if track else ([], 0)
    return {
        "offered_per_s": rate,
        "duration_s": round(elapsed, 2),
        "scheduled": total,
        "sent": S.sent,
        "acked": S.acked,
        "errors": S.errors,
        "error_codes": dict(S.error_codes),
        "lost": total - S.acked - S.errors,  # not acknowledged by the end of the drain
        "answers_per_s": S.sent / elapsed,
        "ack_p50_ms": pct(S.ack_lat, 50) * 1e3,
        "ack_p99_ms": pct(S.ack_lat, 99) * 1e3,
        "fanout_p50_ms": pct(fan, 50) * 1e3,
        "fanout_p99_ms": pct(fan, 99) * 1e3,
        "fanout_max_ms": max(fan, default=math.nan) * 1e3,
        "fanout_samples": len(fan),
        "fanout_undelivered": missing,
        "deliveries_per_s": deliveries_in_window / elapsed,
        "deliveries": S.deliveries,
        "state_bytes_mean": S.state_bytes / max(1, S.deliveries),
        "server_cpu_s": cpu,
        "server_cpu_us_per_delivery": cpu / max(1, S.deliveries) * 1e6,
        "server_cpu_share": cpu / (perf() - t_start),
        "gen_cpu_share": gen.share(),
        "send_lag_p99_ms": pct(S.send_lag, 99) * 1e3,
        "backlogged": S.backlogged,
        "other_cpu_cores": gen.others(),
        "slow_windows": slow_windows(sent_at, fan, t_start),
        # the same without the answers of the step's first second: a step begins after an idle
        # pause, and both servers' failed steps often fail there only (bench/README.md,
        # "Thirteenth stop"); for b's report, not its goal
        "fanout_p99_steady_ms": pct(
            [x for t0, x in zip(sent_at, fan, strict=True) if t0 >= t_start + 1.0], 99
        )
        * 1e3,
        # raw figures, to pool two runs of a (``pool_runs``); left out of --json
        "_fan": fan,
        "_ack": list(S.ack_lat),
        "_send_lag": list(S.send_lag),
    }


def pool_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Two (or more) runs of scenario a as one: counts added, latency percentiles of all
    their answers together, CPU per delivery over all their deliveries."""
    if len(runs) == 1:
        return runs[0]
    fan = [x for r in runs for x in r["_fan"]]
    ack = [x for r in runs for x in r["_ack"]]
    lag = [x for r in runs for x in r["_send_lag"]]
    deliveries = sum(r["deliveries"] for r in runs)
    cpu = sum(r["server_cpu_s"] for r in runs)
    total = {k: sum(r[k] for r in runs) for k in ("scheduled", "sent", "acked", "errors", "lost")}
    mean = {
        k: statistics.fmean(r[k] for r in runs)
        for k in (
            "offered_per_s",
            "duration_s",
            "answers_per_s",
            "deliveries_per_s",
            "server_cpu_share",
            "gen_cpu_share",
            "other_cpu_cores",
        )
    }
    return {
        **total,
        **mean,
        "runs": len(runs),
        "error_codes": dict(sum((Counter(r["error_codes"]) for r in runs), Counter())),
        "ack_p50_ms": pct(ack, 50) * 1e3,
        "ack_p99_ms": pct(ack, 99) * 1e3,
        "fanout_p50_ms": pct(fan, 50) * 1e3,
        "fanout_p99_ms": pct(fan, 99) * 1e3,
        "fanout_max_ms": max(fan, default=math.nan) * 1e3,
        "fanout_samples": len(fan),
        "fanout_undelivered": sum(r["fanout_undelivered"] for r in runs),
        "deliveries": deliveries,
        "state_bytes_mean": sum(r["state_bytes_mean"] * r["deliveries"] for r in runs) / max(1, deliveries),
        "server_cpu_s": cpu,
        "server_cpu_us_per_delivery": cpu / max(1, deliveries) * 1e6,
        "send_lag_p99_ms": pct(lag, 99) * 1e3,
        "backlogged": sum(r["backlogged"] for r in runs),
    }


def pool_ladders(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Two (or more) ladders of scenario b as one: the mean of their bests (deliveries/s, rate,
    CPU there). One ladder's best swings with a single step's luck near the limit (the floor's
    best over eleven runs: 1,680 to 3,416 answers/s, one step of the ladder or two apart)."""
    if len(runs) == 1:
        return runs[0]
    cpu = [r["best_cpu_us_per_delivery"] for r in runs if not math.isnan(r["best_cpu_us_per_delivery"])]
    return {
        "steps": [step for r in runs for step in r["steps"]],
        "best_deliveries_per_s": statistics.fmean(r["best_deliveries_per_s"] for r in runs),
        "best_rate": statistics.fmean(r["best_rate"] for r in runs),
        "best_cpu_us_per_delivery": statistics.fmean(cpu) if cpu else math.nan,
        "ladder_best_deliveries_per_s": statistics.fmean(r["ladder_best_deliveries_per_s"] for r in runs),
        "steady_best_deliveries_per_s": statistics.fmean(r["steady_best_deliveries_per_s"] for r in runs),
        "limited_by_generator": any(r["limited_by_generator"] for r in runs),
        "runs": len(runs),
    }


def _public(value: Any) -> Any:
    """``value`` without the raw figures (keys starting with ``_``), for --json."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("_"))}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


CURRENT: Target  # the target being measured (set by run_target)


# --- scenarios -------------------------------------------------------------------------------


def say(*parts: Any) -> None:
    print(*parts, flush=True)


def fmt(x: Any, nd: int = 1) -> str:
    if isinstance(x, float):
        return "n/a" if math.isnan(x) else f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


async def scenario_ab(target: Target, a: argparse.Namespace, out: dict[str, Any]) -> None:
    t0 = perf()
    rooms = await open_rooms(target, a.deck, a.rooms, a.players + 1)
    for r in rooms:
        await start_and_draw(r)
    await target.settle()
    say(
        f"  [{target.kind}] {a.rooms} rooms x ({a.players} players + facilitator) ready in "
        f"{perf() - t0:.1f} s"
    )
    if "a" in a.scenarios:
        res = await paced_answers(rooms, a.rate, a.duration, drain=20.0)
        out["a"] = res
        say_a("a. rooms", res)
        await target.settle(limit=10)
    if "b" in a.scenarios:
        await scenario_b(rooms, target, a, out)
    await close_all([cl for r in rooms for cl in r.members])


def say_a(label: str, res: dict[str, Any]) -> None:
    say(
        f"  {label}: {res['scheduled']} answers scheduled, {res['sent']} sent at "
        f"{res['answers_per_s']:.0f}/s: acked {res['acked']}, "
        f"errors {res['errors']}, lost {res['lost']}; ack p50/p99 {fmt(res['ack_p50_ms'], 2)}/"
        f"{fmt(res['ack_p99_ms'], 2)} ms; fan-out p50/p99/max {fmt(res['fanout_p50_ms'], 2)}/"
        f"{fmt(res['fanout_p99_ms'], 2)}/{fmt(res['fanout_max_ms'], 1)} ms "
        f"(undelivered {res['fanout_undelivered']}); {res['deliveries_per_s']:,.0f} deliveries/s "
        f"of {res['state_bytes_mean']:,.0f} B; server CPU {res['server_cpu_share']:.0%} = "
        f"{res['server_cpu_us_per_delivery']:.1f} us/delivery; generator CPU "
        f"{res['gen_cpu_share']:.0%}, send lag p99 {fmt(res['send_lag_p99_ms'], 2)} ms; other "
        f"processes {res['other_cpu_cores']:.2f} cores"
    )


def _delivered(res: dict[str, Any]) -> bool:
    """A b step lost nothing, delivered everything and sent at (nearly) its offered rate."""
    return (
        res["lost"] == 0
        and res["fanout_undelivered"] == 0
        and res["answers_per_s"] >= 0.9 * res["offered_per_s"]
    )


async def b_step(rooms: list[Room], target: Target, a: argparse.Namespace, rate: float) -> dict[str, Any]:
    """One step of b at ``rate``: measured again (twice at most) when another process took
    the CPU meanwhile."""
    for attempt in range(3):
        res = await paced_answers(rooms, rate, a.step_duration, drain=3.0)
        res["ok"] = res["fanout_p99_ms"] < 50 and _delivered(res)
        if res["ok"] or res["other_cpu_cores"] <= 0.25 or attempt == 2:
            return res
        say(
            f"  b. {rate:>7,.0f} answers/s: fan-out p99 {fmt(res['fanout_p99_ms'], 1)} ms "
            f"while other processes used {res['other_cpu_cores']:.2f} cores: again"
        )
        await target.settle(limit=10)
    raise AssertionError("unreachable")


async def scenario_b(rooms: list[Room], target: Target, a: argparse.Namespace, out: dict[str, Any]) -> None:
    """Offered rates ×``rate_factor`` from ``start_rate`` until a step fails; then ``refine``
    steps halve the gap (geometrically) between the last rate that passed and the first that
    failed. The ×1.5 ladder alone could only say 0.44, 0.67, 1.0 or 1.5 of the floor's rate;
    after two halvings a rate is known within ×1.11, the same way for the app and the floor."""
    steps: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    ladder_best: dict[str, Any] | None = None
    rate, failed = a.start_rate, math.nan
    while rate <= a.max_rate:
        res = await b_step(rooms, target, a, rate)
        steps.append(res)
        say_b_step(rate, res, "")
        if not res["ok"]:
            failed = rate
            break
        best = ladder_best = res
        await target.settle(limit=10)
        rate = round(rate * a.rate_factor)
    passed = best["offered_per_s"] if best else 0.0
    for _ in range(a.refine if not math.isnan(failed) else 0):
        await target.settle(limit=10)
        rate = round(math.sqrt(max(passed, a.start_rate / a.rate_factor) * failed))
        if rate in (round(passed), round(failed)):
            break
        res = await b_step(rooms, target, a, rate)
        res["refine"] = True
        steps.append(res)
        say_b_step(rate, res, "refine ")
        if res["ok"]:
            best, passed = res, rate
        else:
            failed = rate
    steady = [r for r in steps if r["fanout_p99_steady_ms"] < 50 and _delivered(r)]
    steady_best = max(steady, key=lambda r: r["deliveries_per_s"], default=None)
    out["b"] = {
        "steps": steps,
        # for information, not the goal: the best step once each step's first second is left out
        "steady_best_deliveries_per_s": steady_best["deliveries_per_s"] if steady_best else 0.0,
        "best_deliveries_per_s": best["deliveries_per_s"] if best else 0.0,
        "best_rate": best["offered_per_s"] if best else 0,
        "best_cpu_us_per_delivery": best["server_cpu_us_per_delivery"] if best else math.nan,
        "ladder_best_deliveries_per_s": ladder_best["deliveries_per_s"] if ladder_best else 0.0,
        "limited_by_generator": bool(steps and steps[-1]["gen_cpu_share"] > 0.9),
    }
    say(
        f"  b. best: {out['b']['best_deliveries_per_s']:,.0f} deliveries/s with fan-out p99 < 50 ms "
        f"(the ladder alone: {out['b']['ladder_best_deliveries_per_s']:,.0f})"
    )


def say_b_step(rate: float, res: dict[str, Any], kind: str) -> None:
    say(
        f"  b. {kind}{rate:>7,.0f} answers/s offered: {res['answers_per_s']:>7,.0f}/s sent, "
        f"{res['deliveries_per_s']:>8,.0f} deliveries/s, fan-out p99 "
        f"{fmt(res['fanout_p99_ms'], 1):>6} ms, lost {res['lost']}, server CPU "
        f"{res['server_cpu_share']:.0%}, generator CPU {res['gen_cpu_share']:.0%}, others "
        f"{res['other_cpu_cores']:.2f} cores "
        f"{'ok' if res['ok'] else '-> over'}{slow_part(res)}"
    )


def slow_part(res: dict[str, Any]) -> str:
    """For a step over its p99: in how many half-seconds, and when (a stall or the rate), and
    its p99 without its first second."""
    w = res.get("slow_windows")
    if res["ok"] or not w or not w["slow"]:
        return ""
    return (
        f" (p99 >= 50 ms in {w['slow']} of {w['windows']} half-seconds, "
        f"from {w['first_s']:.1f} to {w['last_s'] + 0.5:.1f} s; "
        f"after its first second p99 {fmt(res['fanout_p99_steady_ms'], 1)} ms)"
    )


async def scenario_c(target: Target, a: argparse.Namespace, out: dict[str, Any]) -> None:
    n = a.idle_rooms * a.idle_per_room
    # a warm-up room, so the first connection's one-off allocations are not counted
    warm = await open_rooms(target, a.deck, 1, 2)
    codes = [await target.create_room(a.deck, a.idle_per_room + 10) for _ in range(a.idle_rooms)]
    await target.settle()
    rss0 = target.rss_kib()
    cpu0 = target.cpu_s()
    S.reset()
    t0 = perf()
    clients: list[Client] = []

    async def seat(i: int, k: int) -> None:
        cl = Client(i)
        await cl.connect(target.ws_url(codes[i][0]))
        clients.append(cl)
        if k == 0:
            await cl.join(token=codes[i][1])
        else:
            await cl.join(name=f"I{i}-{k}")

    async def fill(i: int) -> list[Any]:
        await seat(i, 0)
        return await gather_limited((seat(i, k) for k in range(1, a.idle_per_room)), 16)

    failures = 0
    try:
        got = await asyncio.wait_for(
            gather_limited((fill(i) for i in range(a.idle_rooms)), 8), a.idle_timeout
        )
        failures = sum(
            1 for x in got for y in (x if isinstance(x, list) else [x]) if isinstance(y, BaseException)
        )
    except TimeoutError:
        say(f"  c. time limit {a.idle_timeout:.0f} s reached")
    joined = sum(1 for cl in clients if cl.you)
    join_time = perf() - t0
    await target.settle()
    await asyncio.sleep(1)
    rss1 = target.rss_kib()
    res = {
        "connections": joined,
        "failures": failures + (n - len(clients)),
        "join_s": join_time,
        "rss_before_kib": rss0,
        "rss_after_kib": rss1,
        "kib_per_connection": (rss1 - rss0) / max(1, joined),
        "server_cpu_ms_per_join": (target.cpu_s() - cpu0) / max(1, joined) * 1e3,
        "state_bytes_mean": S.state_bytes / max(1, S.deliveries),
    }
    out["c"] = res
    say(
        f"  c. idle: {joined:,} connections joined in {join_time:.1f} s ({res['failures']} failed); "
        f"RSS {rss0 / 1024:,.1f} -> {rss1 / 1024:,.1f} MiB = {res['kib_per_connection']:.1f} KiB per "
        f"connection; server CPU {res['server_cpu_ms_per_join']:.2f} ms per join"
    )
    await close_all(clients + [cl for r in warm for cl in r.members])


async def scenario_d(target: Target, a: argparse.Namespace, out: dict[str, Any]) -> None:
    t0 = perf()
    rooms = await open_rooms(target, a.deck, 1, a.big_players + 1, concurrency=64)
    room = rooms[0]
    await start_and_draw(room)
    await target.settle()
    say(f"  [{target.kind}] one room of {a.big_players} players + facilitator ready in {perf() - t0:.1f} s")
    for cl in room.members:
        cl.reset_arrivals()
        cl.track = False
    S.reset()
    cpu0 = target.cpu_s()
    gen = Gen()
    plan = sorted((random.uniform(0, a.big_window), cl) for cl in room.members[1:])
    with generator_gc_paused():
        start = perf()
        for at, cl in plan:
            delay = start + at - perf()
            if delay > 0:
                await asyncio.sleep(delay)
            await cl.answer(start + at)
        t_end = perf()
        end = perf() + 30
        while perf() < end and S.acked + S.errors < S.sent:
            await asyncio.sleep(0.05)
        await asyncio.sleep(max(0.5, 3 * int(a.server_env_map.get("COALESCE_MS", 100)) / 1000))
    per_client = [cl.deliveries for cl in room.members]
    cpu = target.cpu_s() - cpu0
    res = {
        "voters": len(plan),
        "sent": S.sent,
        "acked": S.acked,
        "errors": S.errors,
        "error_codes": dict(S.error_codes),
        "lost": S.sent - S.acked - S.errors,
        "ack_p50_ms": pct(S.ack_lat, 50) * 1e3,
        "ack_p99_ms": pct(S.ack_lat, 99) * 1e3,
        "ack_max_ms": max(S.ack_lat, default=math.nan) * 1e3,
        "states_per_client_mean": sum(per_client) / len(per_client),
        "states_per_client_min": min(per_client),
        "states_per_client_max": max(per_client),
        "state_bytes_mean": S.state_bytes / max(1, S.deliveries),
        "deliveries_per_s": S.deliveries / (t_end - start),
        "server_cpu_s": cpu,
        "server_cpu_us_per_delivery": cpu / max(1, S.deliveries) * 1e6,
        "gen_cpu_share": gen.share(),
        "send_lag_p99_ms": pct(S.send_lag, 99) * 1e3,
        "other_cpu_cores": gen.others(),
    }
    out["d"] = res
    say(
        f"  d. big room: {res['sent']} votes in {a.big_window:.0f} s: acked {res['acked']}, errors "
        f"{res['errors']}, lost {res['lost']}; ack p50/p99/max {fmt(res['ack_p50_ms'])}/"
        f"{fmt(res['ack_p99_ms'])}/{fmt(res['ack_max_ms'])} ms; states per client "
        f"{res['states_per_client_mean']:.1f} (min {res['states_per_client_min']}, max "
        f"{res['states_per_client_max']}) of {res['state_bytes_mean']:,.0f} B; server CPU "
        f"{cpu:.1f} s; generator CPU {res['gen_cpu_share']:.0%}; other processes "
        f"{res['other_cpu_cores']:.2f} cores"
    )
    await close_all(room.members)


async def scenario_e(target: Target, a: argparse.Namespace, out: dict[str, Any]) -> None:
    t0 = perf()
    rooms = await open_rooms(target, a.deck, a.storm_rooms, a.storm_per_room)
    clients = [cl for r in rooms for cl in r.members]
    say(f"  [{target.kind}] {len(clients):,} clients joined in {perf() - t0:.1f} s; closing them all")
    seats = [(r, cl.token) for r in rooms for cl in r.members]
    await asyncio.gather(*(cl.close() for cl in clients))
    await target.settle()
    S.reset()
    cpu0 = target.cpu_s()
    gen = Gen()
    fresh = [Client(r.idx) for r, _ in seats]

    async def back(cl: Client, room: Room, token: str) -> float:
        await cl.connect(target.ws_url(room.code), timeout=a.storm_timeout)
        await cl.join(timeout=a.storm_timeout, token=token)
        return cl.welcome_at - start

    start = perf()
    got = await asyncio.gather(
        *(back(cl, r, tok) for cl, (r, tok) in zip(fresh, seats, strict=True)), return_exceptions=True
    )
    times = [x for x in got if isinstance(x, float)]
    fails = [x for x in got if not isinstance(x, float)]
    res = {
        "clients": len(seats),
        "welcomed": len(times),
        "failed": len(fails),
        "failure_kinds": sorted({type(x).__name__ for x in fails}),
        "p50_s": pct(times, 50),
        "p99_s": pct(times, 99),
        "max_s": max(times, default=math.nan),
        "total_s": perf() - start,
        "server_cpu_s": target.cpu_s() - cpu0,
        "state_bytes_mean": S.state_bytes / max(1, S.deliveries),
        "gen_cpu_share": gen.share(),
        "other_cpu_cores": gen.others(),
    }
    out["e"] = res
    say(
        f"  e. reconnect storm: {res['welcomed']:,}/{res['clients']:,} welcomed ({res['failed']} failed "
        f"{res['failure_kinds']}); p50/p99/max {fmt(res['p50_s'], 2)}/{fmt(res['p99_s'], 2)}/"
        f"{fmt(res['max_s'], 2)} s; total {res['total_s']:.2f} s; server CPU {res['server_cpu_s']:.1f} s; "
        f"generator CPU {res['gen_cpu_share']:.0%}; other processes {res['other_cpu_cores']:.2f} cores"
    )
    await close_all(fresh)


async def run_target(kind: str, a: argparse.Namespace, tmp: Path, sizes: dict[str, float]) -> dict[str, Any]:
    global CURRENT
    out: dict[str, Any] = {}
    groups = [
        (s, fn)
        for s, fn in ((("a", "b"), scenario_ab), (("c",), scenario_c), (("d", "e"), None))
        if set(s) & set(a.scenarios)
    ]
    for names, fn in groups:
        target = CURRENT = Target(kind, a, tmp)
        try:
            runs: list[tuple[str, Callable[..., Awaitable[None]]]]
            if fn is None:
                runs = [(n, {"d": scenario_d, "e": scenario_e}[n]) for n in names if n in a.scenarios]
            else:
                runs = [(names[0], fn)]
            target.start()
            say(f"[{kind}] pid {target.pid} on 127.0.0.1:{target.port}")
            for name, run in runs:
                if kind == "floor":  # the floor's messages are as large as the app's
                    target.state_bytes = int(sizes.get(name, 3000))
                await run(target, a, out)
                if kind == "app" and out.get(name, {}).get("state_bytes_mean"):
                    sizes[name] = out[name]["state_bytes_mean"]
        finally:
            target.stop()
    return out


# --- the report ------------------------------------------------------------------------------


def report(a: argparse.Namespace, app: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    rows: list[tuple[str, str, Any, Any]] = []

    def row(scn: str, metric: str, key: str | Callable[[dict[str, Any]], Any]) -> None:
        def get(d: dict[str, Any]) -> Any:
            if scn[0] not in d:
                return None
            return key(d[scn[0]]) if callable(key) else d[scn[0]].get(key)

        rows.append((scn, metric, get(app), get(floor)))

    scn_a = f"a {a.rooms}x{a.players} @{a.rate:.0f}/s"
    row(scn_a, "answers sent / acked / errors", lambda d: f"{d['sent']}/{d['acked']}/{d['errors']}")
    row(scn_a, "answers not acked (lost)", "lost")
    row(scn_a, "ack latency p50 ms", "ack_p50_ms")
    row(scn_a, "ack latency p99 ms", "ack_p99_ms")
    row(scn_a, "fan-out latency p50 ms", "fanout_p50_ms")
    row(scn_a, "fan-out latency p99 ms", "fanout_p99_ms")
    row(scn_a, "deliveries/s", "deliveries_per_s")
    row(scn_a, "state message bytes", "state_bytes_mean")
    row(scn_a, "server CPU us/delivery", "server_cpu_us_per_delivery")
    row(scn_a, "server CPU share of a core", "server_cpu_share")
    row(scn_a, "generator CPU share of a core", "gen_cpu_share")
    row(scn_a, "other processes, cores (noise)", "other_cpu_cores")
    row("b step-up", "best deliveries/s, p99<50ms", "best_deliveries_per_s")
    row("b step-up", "at offered answers/s", "best_rate")
    row("b step-up", "best of the x1.5 ladder alone", "ladder_best_deliveries_per_s")
    row("b step-up", "best, steps' 1st s left out", "steady_best_deliveries_per_s")
    row("b step-up", "server CPU us/delivery (best)", "best_cpu_us_per_delivery")
    scn_c = f"c idle {a.idle_rooms}x{a.idle_per_room}"
    row(scn_c, "connections joined", "connections")
    row(scn_c, "RSS growth KiB/connection", "kib_per_connection")
    row(scn_c, "server CPU ms per join", "server_cpu_ms_per_join")
    scn_d = f"d big room {a.big_players}"
    row(scn_d, "votes sent / acked / errors", lambda d: f"{d['sent']}/{d['acked']}/{d['errors']}")
    row(scn_d, "ack latency p50 ms", "ack_p50_ms")
    row(scn_d, "ack latency p99 ms", "ack_p99_ms")
    row(scn_d, "states per client (mean)", "states_per_client_mean")
    row(scn_d, "state message bytes", "state_bytes_mean")
    row(scn_d, "server CPU us/delivery", "server_cpu_us_per_delivery")
    row(scn_d, "other processes, cores (noise)", "other_cpu_cores")
    scn_e = f"e storm {a.storm_rooms * a.storm_per_room}"
    row(scn_e, "welcomed", lambda d: f"{d['welcomed']}/{d['clients']}")
    row(scn_e, "welcome p50 s", "p50_s")
    row(scn_e, "welcome p99 s", "p99_s")
    row(scn_e, "all welcomed after s (max)", "max_s")
    row(scn_e, "server CPU s", "server_cpu_s")
    row(scn_e, "generator CPU share of a core", "gen_cpu_share")
    row(scn_e, "other processes, cores (noise)", "other_cpu_cores")

    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return fmt(v, 2 if abs(v) < 100 else 0)
        return fmt(v)

    say("")
    say(f"{'scenario':<22} | {'metric':<31} | {'app':>11} | {'floor':>11} | {'ratio':>6}")
    say("-" * 92)
    table = []
    for scn, metric, x, y in rows:
        if x is None and y is None:
            continue
        ratio = ""
        if isinstance(x, int | float) and isinstance(y, int | float) and y and not math.isnan(x / y):
            ratio = f"{x / y:.2f}"
        say(f"{scn:<22} | {metric:<31} | {cell(x):>11} | {cell(y):>11} | {ratio:>6}")
        table.append({"scenario": scn, "metric": metric, "app": x, "floor": y, "ratio": ratio})

    goals = []
    q = " (quick sizes)" if a.quick else ""

    def goal(name: str, met: bool | None, figure: str) -> None:
        goals.append({"goal": name + q, "met": met, "figure": figure})

    def ratio(x: float, y: float) -> float:
        return x / y if y else math.nan

    # issue 15: ratios to the floor's figures of this same run (absolute figures vary)
    if "a" in app:
        r, f = app["a"], floor.get("a")
        intact = r["lost"] == 0 and r["errors"] == 0 and r["fanout_undelivered"] == 0
        if f:
            # with two runs each (``run_order``), the ratio of each neighbouring pair too
            pairs = list(zip(app.get("a_runs", []), floor.get("a_runs", []), strict=False))

            def each(key: str) -> str:
                return pair_ratios([ratio(p[key], q[key]) for p, q in pairs])

            x, y = r["server_cpu_us_per_delivery"], f["server_cpu_us_per_delivery"]
            goal(
                f"{a.rooms}x{a.players} @ {a.rate:.0f}/s: CPU per delivery <= 1.5x the floor's",
                ratio(x, y) <= 1.5,
                f"{fmt(x, 1)} vs {fmt(y, 1)} us ({ratio(x, y):.2f}x{each('server_cpu_us_per_delivery')})",
            )
            x, y = r["fanout_p99_ms"], f["fanout_p99_ms"]
            goal(
                f"{a.rooms}x{a.players} @ {a.rate:.0f}/s: fan-out p99 <= 1.5x the floor's, nothing lost",
                ratio(x, y) <= 1.5 and intact,
                f"{fmt(x, 2)} vs {fmt(y, 2)} ms ({ratio(x, y):.2f}x{each('fanout_p99_ms')}), "
                f"lost {r['lost']}, errors {r['errors']}",
            )
        else:
            goal(
                f"{a.rooms}x{a.players} @ {a.rate:.0f}/s: nothing lost",
                intact,
                f"p99 {fmt(r['fanout_p99_ms'], 2)} ms, lost {r['lost']}, errors {r['errors']}",
            )
    if "b" in app and "b" in floor:
        x, y = app["b"]["best_deliveries_per_s"], floor["b"]["best_deliveries_per_s"]
        ladders = list(zip(app.get("b_runs", []), floor.get("b_runs", []), strict=False))
        each = pair_ratios(
            [ratio(p["best_deliveries_per_s"], q["best_deliveries_per_s"]) for p, q in ladders]
        )
        goal(
            "deliveries/s at p99 < 50 ms >= 0.8x the floor's",
            x >= 0.8 * y if y else None,
            f"{x:,.0f} vs {y:,.0f} ({ratio(x, y):.2f}x{each})"
            + (" floor bounded by the generator" if floor["b"]["limited_by_generator"] else ""),
        )
    if "c" in app:
        r, f = app["c"], floor.get("c")
        complete = r["connections"] == a.idle_rooms * a.idle_per_room
        x = r["kib_per_connection"]
        if f:
            y = f["kib_per_connection"]
            goal(
                f"{a.idle_rooms * a.idle_per_room:,} idle connections: <= 2x the floor's memory each",
                ratio(x, y) <= 2 and complete,
                f"{x:.1f} vs {y:.1f} KiB ({ratio(x, y):.2f}x), {r['connections']:,} joined",
            )
        else:
            goal(
                f"{a.idle_rooms * a.idle_per_room:,} idle connections joined",
                complete,
                f"{x:.1f} KiB, {r['connections']:,} joined",
            )
    if "d" in app:
        r, f = app["d"], floor.get("d")
        goal(
            f"room of {a.big_players} voting in {a.big_window:.0f} s: all acked, p99 <= 500 ms",
            r["acked"] == r["voters"] and r["ack_p99_ms"] <= 500,
            f"{r['acked']}/{r['voters']} acked, p99 {fmt(r['ack_p99_ms'])} ms",
        )
        if f:
            x, y = r["server_cpu_us_per_delivery"], f["server_cpu_us_per_delivery"]
            goal(
                f"room of {a.big_players}: CPU per delivery <= 2x the floor's",
                ratio(x, y) <= 2,
                f"{fmt(x, 1)} vs {fmt(y, 1)} us ({ratio(x, y):.2f}x); "
                f"{fmt(r['state_bytes_mean'])} vs {fmt(f['state_bytes_mean'])} bytes a message",
            )
    if "e" in app:
        r, f = app["e"], floor.get("e")
        everyone = r["welcomed"] == r["clients"]
        if f:
            x, y = r["max_s"], f["max_s"]
            goal(
                f"{r['clients']:,} reconnecting at once: all welcomed within 1.5x the floor's time",
                everyone and ratio(x, y) <= 1.5,
                f"{r['welcomed']:,}/{r['clients']:,} in {fmt(x, 2)} vs {fmt(y, 2)} s ({ratio(x, y):.2f}x)",
            )
        else:
            goal(
                f"{r['clients']:,} reconnecting at once: all welcomed",
                everyone,
                f"{r['welcomed']:,}/{r['clients']:,} in {fmt(r['max_s'], 2)} s",
            )
    say("")
    say(f"{'goal':<72} | {'met':<7} | figure")
    say("-" * 110)
    for g in goals:
        verdict = "n/a" if g["met"] is None else "met" if g["met"] else "NOT met"
        say(f"{g['goal']:<72} | {verdict:<7} | {g['figure']}")
    say("(answers are stored before acknowledged by design: server/rooms/service.py commits, then acks)")
    return {"table": table, "goals": goals}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Load benchmark: the app next to a bare websockets floor.")
    p.add_argument("--quick", action="store_true", help="small sizes, finishes in < 60 s")
    p.add_argument("--scenarios", default="a,b,c,d,e", help="comma-separated subset of a,b,c,d,e")
    p.add_argument("--targets", default="app,floor", help="app, floor or both")
    p.add_argument("--deck", default="exploria-fr", help="deck of the rooms (or mini-test)")
    p.add_argument("--rooms", type=int, help="a/b: rooms (100)")
    p.add_argument("--players", type=int, help="a/b: players per room, plus a facilitator (20)")
    p.add_argument("--rate", type=float, help="a: answers per second in total (400)")
    p.add_argument("--duration", type=float, help="a: seconds of answering (20)")
    p.add_argument("--start-rate", type=float, help="b: first offered rate (200)")
    p.add_argument("--rate-factor", type=float, default=1.5, help="b: rate multiplier per step")
    p.add_argument("--max-rate", type=float, default=20000, help="b: highest offered rate")
    p.add_argument("--step-duration", type=float, help="b: seconds per step (6)")
    p.add_argument(
        "--refine", type=int, default=2, help="b: steps halving the gap around the limit found (2)"
    )
    p.add_argument("--idle-rooms", type=int, help="c: rooms (100)")
    p.add_argument("--idle-per-room", type=int, help="c: connections per room (100)")
    p.add_argument("--idle-timeout", type=float, default=240, help="c: time limit for joining")
    p.add_argument("--big-players", type=int, help="d: players in the big room (1000)")
    p.add_argument("--big-window", type=float, help="d: voting window in seconds (10)")
    p.add_argument("--storm-rooms", type=int, help="e: rooms (20)")
    p.add_argument("--storm-per-room", type=int, help="e: clients per room (100)")
    p.add_argument("--storm-timeout", type=float, default=60, help="e: per-client time limit")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the app (BIG_ROOM_THRESHOLD and COALESCE_MS are passed to the floor too)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="a and b: rounds of app-floor-floor-app runs, all pooled (1); more on a noisy machine",
    )
    p.add_argument("--json", metavar="FILE", help="write every figure to FILE")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--client",
        choices=("raw", "websockets"),
        default="raw",
        help="the generator's WebSocket client: bench/rawws.py, or the websockets library as before",
    )
    a = p.parse_args(argv)
    full = dict(
        rooms=100,
        players=20,
        rate=400.0,
        duration=20.0,
        start_rate=200.0,
        step_duration=6.0,
        idle_rooms=100,
        idle_per_room=100,
        big_players=1000,
        big_window=10.0,
        storm_rooms=20,
        storm_per_room=100,
    )
    quick = dict(
        rooms=20,
        players=10,
        rate=200.0,
        duration=3.0,
        start_rate=400.0,
        step_duration=1.5,
        idle_rooms=5,
        idle_per_room=100,
        big_players=200,
        big_window=3.0,
        storm_rooms=3,
        storm_per_room=100,
    )
    for k, v in (quick if a.quick else full).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.quick:
        a.max_rate = min(a.max_rate, 1400)
    if a.rounds < 1:
        p.error("--rounds: at least 1")
    a.scenarios = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    a.targets = [t.strip() for t in a.targets.split(",") if t.strip()]
    a.server_env_map = dict(kv.split("=", 1) for kv in a.server_env)
    return a


def pair_ratios(ratios: list[float]) -> str:
    """The ratio of each neighbouring app/floor pair, and from three pairs on their median:
    on a noisy machine one pair's luck moves the pooled figure less than it moves a single
    run, and the median of several pairs less again (``--rounds``)."""
    if len(ratios) < 2:
        return ""
    text = "; pairs " + ", ".join(f"{x:.2f}x" for x in ratios)
    if len(ratios) >= 3:
        text += f"; median of pairs {statistics.median(ratios):.2f}x"
    return text


def run_order(a: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """Which target runs which scenarios, in order: each scenario on the app, then at once on
    the floor, so that the machine's drift (±20 % within minutes here) falls on both alike.
    With both targets, a — whose goals are ratios of a few tens of microseconds — runs twice
    each, app-floor-floor-app: a drift steady over those minutes cancels out of the pooled
    figures (until 2026-11-29 every scenario ran on the app, then all on the floor, the app's
    a some four minutes before the floor's). So does b, each ladder on a server of its own:
    one ladder's best is a step's luck near the limit as much as the server's speed."""
    kinds = [k for k in ("app", "floor") if k in a.targets]
    order: list[tuple[str, list[str]]] = []
    for name in ("a", "b"):  # b's ladders likewise, since 2026-11-29 (``pool_ladders``)
        if name in a.scenarios:
            for _ in range(a.rounds):  # ``--rounds``: more pairs, each neighbours still
                order += [(k, [name]) for k in kinds]
                if len(kinds) == 2 and not a.quick:
                    order += [(k, [name]) for k in reversed(kinds)]
    for group in (["c"], ["d", "e"]):
        names = [n for n in group if n in a.scenarios]
        if names:
            order += [(k, names) for k in kinds]
    return order


async def amain(a: argparse.Namespace) -> dict[str, Any]:
    global CLIENT_LIBRARY
    CLIENT_LIBRARY = a.client == "websockets"
    random.seed(a.seed)
    sizes: dict[str, float] = {}
    results: dict[str, Any] = {"args": {k: v for k, v in vars(a).items() if k != "server_env_map"}}
    t0 = perf()
    say(f"load average before the run: {os.getloadavg()[0]:.2f} (2 cores; other processes disturb)")
    with tempfile.TemporaryDirectory(prefix="exploria-bench-") as tmp:
        repeated: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (kind, a or b) → its runs
        for kind, names in run_order(a):
            say(f"== {kind}: {', '.join(names)} ==")
            out = await run_target(
                kind, argparse.Namespace(**{**vars(a), "scenarios": names}), Path(tmp), sizes
            )
            for name in ("a", "b"):
                if name in out:
                    repeated.setdefault((kind, name), []).append(out.pop(name))
            results.setdefault(kind, {}).update(out)
        for (kind, name), runs in repeated.items():
            results[kind][name] = pool_runs(runs) if name == "a" else pool_ladders(runs)
            results[kind][f"{name}_runs"] = runs
            if len(runs) > 1 and name == "a":
                say_a(f"[{kind}] a, its {len(runs)} runs together", results[kind]["a"])
            elif len(runs) > 1:
                say(
                    f"[{kind}] b, its {len(runs)} ladders together: "
                    f"{results[kind]['b']['best_deliveries_per_s']:,.0f} deliveries/s (mean of "
                    + ", ".join(f"{r['best_deliveries_per_s']:,.0f}" for r in runs)
                    + ")"
                )
    results["report"] = report(a, results.get("app", {}), results.get("floor", {}))
    say(f"\nbenchmark finished in {perf() - t0:.0f} s")
    return results


def main() -> None:
    a = parse_args()
    _raise_nofile()
    try:
        import uvloop

        results = uvloop.run(amain(a))
    except ImportError:  # pragma: no cover
        results = asyncio.run(amain(a))
    if a.json:
        Path(a.json).write_text(json.dumps(_public(results), indent=2, default=str))
        say(f"figures written to {a.json}")


if __name__ == "__main__":
    main()
