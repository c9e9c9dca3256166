"""Item 7 of the hostile review: malformed input gets a documented error and the connection
stays (no traceback in the log); revoked tokens say so; names are normalised and unique;
votes are keyed by player id; rate-limit strikes decay; the card carries only what each person
needs; CSP, HSTS and security headers on every response."""

import asyncio
import json
import socket
from pathlib import Path

from tests.helpers import Client, ServerProcess, seat_room


async def still_alive(client: Client) -> None:
    assert (await client.call({"type": "ping"}))["type"] == "ack"


def test_malformed_frames_keep_the_connection(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            fac, (ana,) = await seat_room(proc, room, ("Ana",))
            await ana.ws.send(b"\x00\x01binary")
            assert (await ana.expect("error"))["code"] == "binary_frame"
            await still_alive(ana)
            await ana.ws.send('{"type": "note", "text": "x", "n": ' + "9" * 5000 + "}")
            assert (await ana.expect("error"))["code"] == "bad_json"
            await still_alive(ana)
            await ana.ws.send('{"type": "ping", "id": "\\ud800"}')
            err = await ana.expect("error")
            assert err["code"] == "bad_text" and "id" not in err
            await still_alive(ana)
            await ana.ws.send("[" * 30_000 + "]" * 30_000)  # within the 64 KiB frame limit
            assert (await ana.expect("error"))["code"] == "bad_json"
            await still_alive(ana)
            # a valid surrogate pair (an emoji as ensure_ascii writes it) is fine
            await ana.ok({"type": "ping", "id": "\U0001f600"})
            # before joining too
            raw = await Client.connect(proc, room["code"])
            await raw.ws.send(b"\xff")
            assert (await raw.expect("error"))["code"] == "binary_frame"
            await raw.join(name="Bea")
            for cl in (fac, ana, raw):
                await cl.close()

        asyncio.run(scenario())
        for body in ("[" * 100_000, '{"id": ' + "1" * 5000 + "}", '{"a": 1e999999}'):
            status, reply = proc.request("POST", "/api/decks", raw=body.encode())
            assert status in (400, 422), (status, reply)
    finally:
        proc.stop()
    log = proc.log.read_text()
    assert "Traceback" not in log, log[-3000:]


def test_a_revoked_share_token_cannot_become_a_seat(server: ServerProcess) -> None:
    room = server.create_room()
    auth = {"Authorization": f"Bearer {room['facilitator_token']}"}
    status, share = server.request("POST", f"/api/rooms/{room['code']}/shares", headers=auth)
    assert status == 201
    assert server.request("DELETE", f"/api/rooms/{room['code']}/shares", headers=auth)[0] == 200

    async def scenario() -> None:
        cl = await Client.connect(server, room["code"])
        await cl.send({"type": "join", "name": "Opportuniste", "token": share["token"]})
        err = await cl.expect("error")
        assert err["code"] == "token_revoked" and err["message"]
        await cl.join(name="Honnête")  # and the connection is still usable
        await cl.close()

    asyncio.run(scenario())


def test_names_are_normalised_and_unique(server: ServerProcess) -> None:
    room = server.create_room(anonymous=False)

    async def scenario() -> None:
        fac, (sam,) = await seat_room(server, room, ("Sam",))
        cases = {
            "\u202eSam\u202c": "name_taken",
            "S\u200bam": "name_taken",
            "sAM": "name_taken",
            "animation": "name_taken",
            "Facilitator": "name_taken",
            "\u200b\u200d\u202e": "name_empty",
            "\x00": "name_empty",
        }
        for name, code in cases.items():
            cl = await Client.connect(server, room["code"])
            await cl.send({"type": "join", "name": name})
            err = await cl.expect("error")
            assert err["code"] == code, (name, err)
            await cl.close()
        nfd = await Client.connect(server, room["code"])
        welcome = await nfd.join(name="Zoe\u0301\u2067\x07")
        assert welcome["you"]["name"] == "Zoé"
        # named session: revealed votes are keyed by player id
        await fac.ok({"type": "start"})
        reader = (
            sam
            if (await sam.until(lambda s: s["reader_id"] is not None))["reader_id"] == sam.you["id"]
            else nfd
        )
        await reader.ok({"type": "draw"})
        card = (await fac.until(lambda s: s["card"] is not None))["card"]
        q = next(q for q in card["questions"] if q["kind"] == "yes_no")
        await sam.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": "yes"})
        await nfd.ok({"type": "answer", "card_id": card["id"], "question_id": q["id"], "value": "no"})
        await fac.ok({"type": "reveal"})
        state = await fac.until(lambda s: s["step"] == "revealed")
        votes = next(x for x in state["questions"] if x["id"] == q["id"])["votes"]
        assert votes == {sam.you["id"]: "yes", nfd.you["id"]: "no"}
        for cl in (fac, sam, nfd):
            await cl.close()

    asyncio.run(scenario())


def test_strikes_decay(tmp_path: Path) -> None:
    """Bursts above the limit but an average below it (18.75/s against 20/s): warned, never cut
    (the old counter never decayed and cut such a client after its 100th refused message)."""
    proc = ServerProcess(tmp_path, env={"MESSAGES_PER_SECOND": "20"}).start()
    try:
        room = proc.create_room()

        async def scenario() -> None:
            cl = await Client.connect(proc, room["code"])
            await cl.join(name="Rafale")
            refused = 0
            for _ in range(3):
                for i in range(150):
                    await cl.send({"type": "ping", "id": f"b{i}"})
                for _ in range(150):
                    msg = await cl.recv()
                    refused += msg["type"] == "error"
                await asyncio.sleep(8)
            assert refused > 100
            await still_alive(cl)
            await cl.close()

        asyncio.run(scenario())
    finally:
        proc.stop()


def test_the_card_carries_only_what_each_person_needs(server: ServerProcess) -> None:
    room = server.create_room(selection="cards", cards=["c1"])  # c1 has a facilitator tip

    async def scenario() -> None:
        fac, (ana, ben) = await seat_room(server, room, ("Ana", "Ben"))
        await fac.ok({"type": "start"})
        await fac.ok({"type": "draw"})
        states = {}
        for cl in (fac, ana, ben):
            states[cl] = await cl.until(lambda s: s["card"] is not None)
        reader_id = states[fac]["reader_id"]
        for cl, state in states.items():
            assert "facilitator_tip" not in state["card"]
            assert all("risk_answer" not in q for q in state["card"]["questions"])
            privileged = cl is fac or cl.you["id"] == reader_id
            assert (state["card_tip"] is not None) == privileged, cl.you
        raw = json.dumps(states[next(c for c in (ana, ben) if c.you["id"] != reader_id)])
        assert "Demandez" not in raw
        await fac.ok({"type": "reveal"})
        revealed = await ana.until(lambda s: s["step"] == "revealed")
        assert any("risk_answer" in q for q in revealed["card"]["questions"])
        for cl in (fac, ana, ben):
            await cl.close()

    asyncio.run(scenario())


def test_headers_on_every_response(tmp_path: Path) -> None:
    proc = ServerProcess(
        tmp_path,
        env={"PUBLIC_URL": "https://exploria.example.fr", "ROOMS_BURST": "1", "ROOMS_PER_MINUTE": "1"},
    ).start()
    try:

        def headers_of(raw: bytes) -> dict[str, str]:
            with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as s:
                s.sendall(raw)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            out = {"status": head[0].split()[1]}
            out.update({k.lower(): v.strip() for k, v in (h.split(":", 1) for h in head[1:])})
            return out

        ok = headers_of(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        too_big = headers_of(
            b"POST /api/decks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n"
        )
        proc.request("POST", "/api/rooms", {"deck_id": "mini-test"})
        limited = headers_of(
            b"POST /api/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n"
            b"Connection: close\r\n\r\n{}"
        )
        assert (too_big["status"], limited["status"]) == ("413", "429")
        for h in (ok, too_big, limited):
            csp = h["content-security-policy"]
            connect = next(p for p in csp.split(";") if p.strip().startswith("connect-src"))
            assert connect.split()[1:] == ["'self'", "wss://exploria.example.fr"], connect
            assert h["strict-transport-security"].startswith("max-age=")
            assert h["x-content-type-options"] == "nosniff"
            assert h["x-frame-options"] == "DENY"
    finally:
        proc.stop()
