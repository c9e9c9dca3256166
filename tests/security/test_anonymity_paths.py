"""Anonymity on every path: whatever ends a card (next, park, finish on an unrevealed card) or a
session (erasure, expiry), the database files keep no per-person answer and no per-person log
of actions — on SQLite (database file and its WAL) and on PostgreSQL (its whole data directory,
heap and WAL). Answers of an open anonymous card are only ever stored sealed with a card key
that is destroyed when the card closes (server/rooms/sealing.py, docs/security.md)."""

import asyncio
import contextlib
import os
import secrets
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Client, ServerProcess, seat_room
from tests.infra import Postgres

Marks = dict[str, bytes]


def sqlite_files(proc: ServerProcess) -> bytes:
    """The SQLite database and WAL, read while the server is frozen (a clean shutdown would
    hide leftovers)."""
    assert proc.proc is not None
    os.kill(proc.proc.pid, signal.SIGSTOP)
    try:
        return b"".join(p.read_bytes() for p in sorted(proc.tmp.glob("exploria.db*")))
    finally:
        os.kill(proc.proc.pid, signal.SIGCONT)


def postgres_files(pg: Postgres) -> bytes:
    import psycopg

    with psycopg.connect(pg.url(), autocommit=True) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
        assert row is not None
        conn.execute("CHECKPOINT")  # heap pages on disk too, not only in the WAL
    out = []
    for path in Path(row[0]).rglob("*"):
        if path.is_file():
            with contextlib.suppress(OSError):
                out.append(path.read_bytes())
    return b"".join(out)


async def play_card(
    proc: ServerProcess, room: dict[str, Any], tag: str
) -> tuple[Client, list[Client], Marks]:
    """Three people answer card c1 (yes/no and an open question), each with message ids and
    an open answer nobody else could have written; a note is added too."""
    fac, players = await seat_room(proc, room, (f"Ana{tag}", f"Ben{tag}", f"Zoé{tag}"))
    await fac.ok({"type": "start"})
    await fac.ok({"type": "draw"})
    card = (await fac.until(lambda s: s["card"] is not None))["card"]
    marks: Marks = {}
    for i, p in enumerate(players):
        for q in card["questions"]:
            value = ("yes", "no", "unsure")[i] if q["kind"] == "yes_no" else f"secret{i}-{tag}"
            mid = f"mid{i}{q['id']}-{tag}"
            await p.ok(
                {"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": value, "id": mid}
            )
            marks[f"message id {mid}"] = mid.encode()
        assert p.you is not None
        marks[f"answers of {p.you['id']}"] = f'"{p.you["id"]}":{{'.encode()
    await players[0].ok({"type": "note", "text": f"note-{tag}", "id": f"notemid-{tag}"})
    marks["note's message id"] = f"notemid-{tag}".encode()
    return fac, players, marks


def scenarios(proc: ServerProcess, read: Callable[[], bytes]) -> dict[str, tuple[Marks, bytes]]:
    """Each path on its own room; what the database files hold after each."""
    out: dict[str, tuple[Marks, bytes]] = {}

    async def run() -> None:
        for path in ("next", "park", "finish"):
            tag = secrets.token_hex(4)
            room = proc.create_room(selection="cards", cards=["c1"])
            fac, players, marks = await play_card(proc, room, tag)
            if path == "next":
                await fac.ok({"type": "reveal"})
                await fac.ok({"type": "next"})
                await fac.until(lambda s: s["cards_done"] == 1)
            else:
                if path == "finish":
                    await fac.ok({"type": "finish"})
                    await fac.until(lambda s: s["phase"] == "synthesis")
                else:
                    await fac.ok({"type": "park"})
                    await fac.until(lambda s: s["card"] is None)
                # never revealed: the open answers themselves must be gone too
                for i in range(3):
                    marks[f"unrevealed answer {i}"] = f"secret{i}-{tag}".encode()
            await asyncio.sleep(0.3)
            out[path] = (marks, read())
            for c in (fac, *players):
                await c.close()

    asyncio.run(run())
    return out


def check(results: dict[str, tuple[Marks, bytes]]) -> None:
    leaks = [
        f"{path}: {what}"
        for path, (marks, raw) in results.items()
        for what, needle in marks.items()
        if needle in raw
    ]
    assert not leaks, "left in the database files: " + "; ".join(leaks)


def test_every_card_path_on_sqlite_leaves_no_link(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:
        results = scenarios(proc, lambda: sqlite_files(proc))
        keys = list((tmp_path / "card-keys").glob("*.key"))
        assert keys == [], "a closed card's key was not destroyed"
    finally:
        proc.stop()
    check(results)


@pytest.mark.timeout(120)
def test_every_card_path_on_postgresql_leaves_no_link(tmp_path: Path, postgres: Postgres) -> None:
    proc = ServerProcess(tmp_path, database_url=postgres.create_database()).start()
    try:
        results = scenarios(proc, lambda: postgres_files(postgres))
    finally:
        proc.stop()
    check(results)


def test_open_card_answers_survive_kill9_but_only_sealed(tmp_path: Path) -> None:
    """Acknowledged answers of an open anonymous card come back after kill -9 (the key is on
    disk, outside the database), yet the database files never held them in clear."""
    first = ServerProcess(tmp_path).start()
    tag = secrets.token_hex(4)

    async def before() -> tuple[dict[str, Any], list[str], Marks]:
        room = first.create_room(selection="cards", cards=["c1"])
        fac, players, marks = await play_card(first, room, tag)
        tokens = [p.you["token"] for p in players if p.you]
        for i in range(3):
            marks[f"open answer {i}"] = f"secret{i}-{tag}".encode()
        for c in (fac, *players):
            await c.close()
        return room, tokens, marks

    room, tokens, marks = asyncio.run(before())
    raw = sqlite_files(first)
    first.kill9()
    check({"open card": (marks, raw)})
    second = ServerProcess(tmp_path, database_url=first.database_url).start()
    try:

        async def after() -> list[dict[str, Any]]:
            mine = []
            for token in tokens:
                cl = await Client.connect(second, room["code"])
                welcome = await cl.join(token=token)
                mine.append(
                    welcome["my_answers"] if "my_answers" in welcome else welcome["state"]["my_answers"]
                )
                await cl.close()
            return mine

        mine = asyncio.run(after())
    finally:
        second.stop()
    assert [m.get("q3") for m in mine] == [f"secret{i}-{tag}" for i in range(3)]


def test_erasure_and_expiry_leave_no_name_in_sqlite_files(tmp_path: Path) -> None:
    proc = ServerProcess(
        tmp_path,
        env={
            "RETENTION_DAYS": "0.00003",  # ~2.6 s
            "CLEANUP_INTERVAL_S": "0.5",
        },
    ).start()
    try:

        async def run() -> tuple[str, str]:
            erased = proc.create_room()
            fac, players = await seat_room(proc, erased, ("Érasé" + secrets.token_hex(3),))
            erased_name = players[0].you["name"] if players[0].you else ""
            for c in (fac, *players):
                await c.close()
            status, _ = proc.request(
                "DELETE",
                f"/api/rooms/{erased['code']}",
                headers={"Authorization": f"Bearer {erased['facilitator_token']}"},
            )
            assert status == 204
            expired = proc.create_room()
            fac, players = await seat_room(proc, expired, ("Expiré" + secrets.token_hex(3),))
            expired_name = players[0].you["name"] if players[0].you else ""
            for c in (fac, *players):
                await c.close()
            return erased_name, expired_name

        erased_name, expired_name = asyncio.run(run())
        raw = sqlite_files(proc)
        assert erased_name.encode() not in raw, "an erased session's name is still on disk"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            _status, _ = proc.request("GET", "/healthz")
            raw = sqlite_files(proc)
            if expired_name.encode() not in raw:
                break
            time.sleep(0.5)
        assert expired_name.encode() not in raw, "an expired session's name is still on disk"
    finally:
        proc.stop()
