"""Decks: the list reads summary columns (never the deck files), uploads have quotas per
address and in all, unused custom decks expire, rooms share one stored copy per deck version,
custom decks are unlisted, and state-changing endpoints take JSON from our own origin only."""

import json
import sqlite3
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.helpers import FIXTURES, ServerProcess


def a_deck(deck_id: str) -> dict[str, Any]:
    deck = json.loads((FIXTURES / "mini-deck.json").read_text("utf-8"))
    deck["id"] = deck_id
    deck["title"] = f"Deck {deck_id}"
    return dict(deck)


def post_deck(server: ServerProcess, deck: dict[str, Any], address: str | None = None) -> tuple[int, Any]:
    headers = {"X-Forwarded-For": address} if address else {}
    return server.request("POST", "/api/decks", deck, headers=headers)


def test_list_reads_columns_not_deck_files(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path).start()
    try:
        assert post_deck(server, a_deck("columns-deck"))[0] == 201
        # a stored deck file the list would choke on if it parsed it
        with sqlite3.connect(tmp_path / "exploria.db") as db:
            db.execute("UPDATE decks SET data = '{not json' WHERE id = 'columns-deck'")
        status, listed = server.request("GET", "/api/decks?mine=columns-deck")
        assert status == 200, listed
        mine = next(d for d in listed if d["id"] == "columns-deck")
        assert mine["card_count"] == 3 and mine["title"] == "Deck columns-deck"
        assert [t["card_count"] for t in mine["themes"]] == [2, 1]
        status, _ = server.request("GET", "/")
        assert status == 200
    finally:
        server.stop()


def test_quotas_per_address_and_in_all(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path, env={"TRUSTED_PROXIES": "127.0.0.1", "DECKS_PER_ADDRESS": "2", "DECKS_TOTAL": "5"}
    ).start()
    try:
        assert post_deck(server, a_deck("quota-a1"), "203.0.113.7")[0] == 201
        assert post_deck(server, a_deck("quota-a2"), "203.0.113.7")[0] == 201
        status, body = post_deck(server, a_deck("quota-a3"), "203.0.113.7")
        assert status == 429 and body["error"]["code"] == "deck_quota", body
        # IPv6: the whole /64 counts as one address
        assert post_deck(server, a_deck("quota-b1"), "2001:db8:1:2::1")[0] == 201
        assert post_deck(server, a_deck("quota-b2"), "2001:db8:1:2::ffff")[0] == 201
        status, body = post_deck(server, a_deck("quota-b3"), "2001:db8:1:2:abcd::9")
        assert status == 429 and body["error"]["code"] == "deck_quota", body
        assert post_deck(server, a_deck("quota-c1"), "198.51.100.1")[0] == 201
        status, body = post_deck(server, a_deck("quota-d1"), "198.51.100.2")
        assert status == 429 and body["error"]["code"] == "deck_storage_full", body
        assert body["error"]["message"]
    finally:
        server.stop()


def test_unused_custom_decks_expire(tmp_path: Path) -> None:
    server = ServerProcess(
        tmp_path,
        env={
            "DECK_EXPIRY_DAYS": "0.00003",  # ~2.6 s
            "CLEANUP_INTERVAL_S": "0.5",
        },
    ).start()
    try:
        assert post_deck(server, a_deck("short-lived"))[0] == 201
        deadline = time.monotonic() + 20
        while server.request("GET", "/api/decks/short-lived")[0] == 200:
            assert time.monotonic() < deadline, "an unused deck was never erased"
            time.sleep(0.5)
    finally:
        server.stop()


def test_rooms_share_one_copy_per_deck_version(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path).start()
    try:
        codes = [server.create_room()["code"] for _ in range(6)]
        with sqlite3.connect(tmp_path / "exploria.db") as db:
            versions = db.execute("SELECT COUNT(*) FROM deck_versions").fetchone()[0]
            copies = db.execute("SELECT SUM(LENGTH(deck)) FROM room_decks").fetchone()[0]
        assert versions == 1 and copies == 0
        _status, _ = server.request("DELETE", f"/api/rooms/{codes[0]}")
        for code in codes:
            assert server.request("GET", f"/api/rooms/{code}")[0] == 200
    finally:
        server.stop()


def test_custom_decks_are_unlisted(server: ServerProcess) -> None:
    deck = a_deck("unlisted-deck")
    req = urllib.request.Request(
        server.base + "/api/decks",
        data=json.dumps(deck).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        cookie = r.headers["set-cookie"].split(";", 1)[0]
    # a stranger's list: built-in decks only
    _status, listed = server.request("GET", "/api/decks")
    assert "unlisted-deck" not in {d["id"] for d in listed}
    assert all(d["builtin"] for d in listed)
    _status, page = server.request("GET", "/")
    assert b"unlisted-deck" not in page
    # the browser that made it sees it, on the list and on the home page
    _status, listed = server.request("GET", "/api/decks", headers={"Cookie": cookie})
    assert "unlisted-deck" in {d["id"] for d in listed}
    _status, page = server.request("GET", "/", headers={"Cookie": cookie})
    assert b"unlisted-deck" in page
    # anyone with its link can read it
    assert server.request("GET", "/api/decks/unlisted-deck")[0] == 200


def test_state_changing_requests_need_json_from_our_origin(server: ServerProcess) -> None:
    body = json.dumps({"deck_id": "mini-test"}).encode()
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        status, reply = server.request("POST", "/api/rooms", raw=body, headers={"Content-Type": ctype})
        assert status == 415 and reply["error"]["code"] == "unsupported_media_type", reply
    status, reply = server.request(
        "POST",
        "/api/decks",
        raw=json.dumps(a_deck("x-site")).encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert status == 415, reply
    evil = {"Origin": "https://evil.example"}
    status, reply = server.request("POST", "/api/rooms", {"deck_id": "mini-test"}, headers=evil)
    assert status == 403 and reply["error"]["code"] == "bad_origin", reply
    room = server.create_room()
    status, reply = server.request(
        "DELETE",
        f"/api/rooms/{room['code']}",
        headers={**evil, "Authorization": f"Bearer {room['facilitator_token']}"},
    )
    assert status == 403 and reply["error"]["code"] == "bad_origin", reply
    # our own pages (same origin) and clients that send no Origin keep working
    ours = {"Origin": server.base}
    status, _ = server.request("POST", "/api/rooms", {"deck_id": "mini-test"}, headers=ours)
    assert status == 201
    status, _ = server.request(
        "POST",
        "/api/rooms",
        {"deck_id": "mini-test"},
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert status == 201
