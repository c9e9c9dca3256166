"""The summary of sessions played through the protocol, fetched over HTTP in every format."""

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import ROOT, ServerProcess
from tests.summary.session import NAMES, NOTE, Played, nasty_deck, play_session

SCHEMA = json.loads((ROOT / "docs" / "summary.schema.json").read_text("utf-8"))
ARTIFACTS = ROOT / "test-artifacts" / "summary"
FORMATS = ("json", "md", "csv", "pdf")


@pytest.fixture(scope="module")
def played(server: ServerProcess) -> Played:
    return play_session(server)  # anonymous, the default


@pytest.fixture(scope="module")
def named(server: ServerProcess) -> Played:
    return play_session(server, anonymous=False)


def fetch(
    server: ServerProcess, code: str, fmt: str, token: str | None, bearer: bool = False
) -> tuple[int, bytes, str]:
    import urllib.error
    import urllib.request

    path = f"/api/rooms/{code}/summary.{fmt}"
    headers = {}
    if token and bearer:
        headers["Authorization"] = f"Bearer {token}"
    elif token:
        path += f"?token={token}"
    req = urllib.request.Request(server.base + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        with e:  # it holds the connection: closed here, not by GC in a later test
            return e.code, e.read(), e.headers.get("content-type", "")


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, timeout=20
    ).stdout.decode("utf-8")


@dataclass(frozen=True)
class Documents:
    raw: dict[str, bytes]  # as downloaded
    types: dict[str, str]  # content types
    text: dict[str, str]  # as text (the PDF through pdftotext)


@pytest.fixture(scope="module")
def documents(server: ServerProcess, played: Played, tmp_path_factory: pytest.TempPathFactory) -> Documents:
    raw, types = {}, {}
    for fmt in FORMATS:
        status, body, ctype = fetch(server, played.code, fmt, played.facilitator_token)
        assert status == 200, body[:300]
        raw[fmt], types[fmt] = body, ctype
    text = {
        "json": raw["json"].decode(),
        "md": raw["md"].decode(),
        "csv": raw["csv"].decode("utf-8-sig"),
        "pdf": pdf_text(raw["pdf"], tmp_path_factory.mktemp("pdf")),
    }
    return Documents(raw, types, text)


def test_json_matches_its_schema_and_the_game(documents: Documents) -> None:
    assert documents.types["json"] == "application/json"
    data = json.loads(documents.text["json"])
    jsonschema.validate(data, SCHEMA)
    sess = data["session"]
    assert sess["deck"] == {
        "id": "mini-test",
        "title": "Mini deck de test",
        "version": "1.0",
        "language": "fr",
    }
    assert sess["participants"] == {"count": 3, "names": None}
    assert sess["cards"]["played"] == 3 and sess["finished"] and sess["anonymous"]
    assert sess["duration_seconds"] is not None
    first = data["cards"][0]
    q = next(q for q in first["questions"] if q["kind"] == "yes_no")
    assert q["consensus"] is True and q["group_answer"] == "no"
    assert sum(q["tally"][k] for k in ("yes", "no", "unsure")) == 3
    assert first["notes"] == [{"text": NOTE, "author": None}]
    levels = {c["criterion"]: c["level"] for c in data["synthesis"]["criteria"]}
    assert set(levels) == {
        "autonomie",
        "reconnaissance",
        "savoir_faire",
        "surveillance",
        "relations_humaines",
        "responsabilite",
    }
    assert data["next_steps"] and len(data["appropriation_steps"]) == 9


def test_markdown_reads_well_and_keeps_user_text_inert(documents: Documents) -> None:
    assert documents.types["md"].startswith("text/markdown")
    md = documents.text["md"]
    assert md.startswith("# Synthèse de session — Mini deck de test")
    for heading in (
        "## La session",
        "## Synthèse par critère",
        "## Et maintenant\u00a0?",
        "## Carte par carte",
        "## Comment lire cette synthèse",
    ):
        assert heading in md
    assert "DUERP" in md and "CSE" in md
    assert "**Système d'IA\u00a0:** Aucun système d'IA nommé" in md
    assert not re.search(
        r"(?<!\\)[<>*_#\[]",
        "".join(line for line in md.splitlines() if "alert" in line and not line.startswith("#")).replace(
            "**", ""
        ),
    )  # in user text, every special character is escaped
    assert '\\<script\\>alert("note")\\</script\\>' in md
    assert "\\*\\*gras\\*\\* \\# \\[lien\\](x)" in md
    assert "\\<img src=x onerror=alert(1)\\> \\_souligné\\_ \\| @cmd" in md


def test_csv_parses_back_with_one_row_per_question(documents: Documents) -> None:
    assert documents.raw["csv"].startswith(b"\xef\xbb\xbf")
    assert documents.types["csv"].startswith("text/csv")
    text = documents.text["csv"]
    frame, table = text.split("\r\n\r\n", 1)  # the framing rows, an empty row, the table
    assert "Système d'IA;Aucun système d'IA nommé" in frame
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert len(rows) == 6  # 2 + 1 + 3 questions... of the three cards of the mini deck
    assert {r["Carte"] for r in rows} == {"Planning prédictif", "Tri des CV", "Chatbot client"}
    yes_no = [r for r in rows if r["Type"] == "oui/non"]
    assert len(yes_no) == 4
    for r in yes_no:
        assert r["Réponse du groupe"] in (
            "Oui",
            "Non",
            "Partagé",
            "Ne sait pas",
            "À clarifier",
            "Réponses insuffisantes",
        )
        assert r["Présents au dévoilement"] == "3" and r["Quorum"] == "2"
        assert r["Signale un risque"] in ("Oui", "Non") and r["Consensus"] in ("Oui", "Non")
        assert int(r["Oui"]) + int(r["Non"]) + int(r["Ne sait pas"]) == 3


def test_pdf_has_everything_with_accents(documents: Documents) -> None:
    raw = documents.raw["pdf"]
    assert raw.startswith(b"%PDF") and documents.types["pdf"] == "application/pdf"
    text = documents.text["pdf"].replace("\u00a0", " ").replace("\u202f", " ")
    for expected in (
        "Synthèse par critère",
        "Mini deck de test",
        "Les six critères",
        "Autonomie",
        "Responsabilité",
        "Bien-être",
        "Et maintenant ?",
        "DUERP",
        "Carte par carte",
        "Planning prédictif",
        "Comment lire cette synthèse",
        "Page 2 /",
        'alert("note")',
        "Aucun système d'IA nommé",
    ):
        assert expected in text, expected
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "summary.pdf"
    pdf.write_bytes(raw)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "first-page")],
        check=True,
        timeout=30,
    )
    pngs = list(ARTIFACTS.glob("first-page*.png"))
    assert pngs and pngs[0].stat().st_size > 5000
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, timeout=20)
    assert b"DejaVu" in fonts.stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=20)
    assert re.search(rb"Tagged:\s+yes", info.stdout)  # PDF/UA-1
    # one running header: the title once, with the session's code (never "ExplorIA — ExplorIA")
    code = json.loads(documents.text["json"])["session"]["code"]
    assert f"Mini deck de test · session {code}" in text and "ExplorIA — ExplorIA" not in text


def test_anonymous_session_names_nobody_in_any_format(documents: Documents) -> None:
    for fmt in FORMATS:
        body = documents.text[fmt]
        for name in NAMES:
            assert name not in body, (fmt, name)


def test_named_session_shows_who_said_what(server: ServerProcess, named: Played) -> None:
    status, body, _ = fetch(server, named.code, "json", named.player_token, bearer=True)
    assert status == 200
    data = json.loads(body)
    assert data["session"]["participants"]["names"] == list(NAMES)
    q = next(q for q in data["cards"][0]["questions"] if q["kind"] == "yes_no")
    assert {v["name"] for v in q["votes"]} == set(NAMES)
    opened = [a for card in data["cards"] for q in card["questions"] for a in q["open_answers"]]
    assert opened and {a["author"] for a in opened} == set(NAMES)
    assert data["cards"][0]["notes"][0]["author"] == NAMES[0]


def test_deck_texts_cannot_inject_formulas_or_html(server: ServerProcess, tmp_path: Path) -> None:
    status, body = server.request("POST", "/api/decks", nasty_deck())
    assert status in (201, 409), body
    game = play_session(server, "deck-piege", names=("Ana", "Ben", "Cy"))
    status, raw, _ = fetch(server, game.code, "csv", game.facilitator_token)
    assert status == 200
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    cells = {cell for row in rows for cell in row}
    assert '\'=HYPERLINK("http://evil";"clic")' in cells and "'@SUM(A1:A9)" in cells
    assert "'-2+3 <i>ok</i> ?" in cells and "'\tTab en tête ?" in cells
    status, page = server.request("GET", f"/r/{game.code}/report?token={game.facilitator_token}")
    assert status == 200
    html = page.decode()
    assert "<script>alert(1)" not in html and "<b>Piège</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    status, md, _ = fetch(server, game.code, "md", game.facilitator_token)
    assert "\\<b\\>Piège\\</b\\> =1+1" in md.decode()
    status, pdf, _ = fetch(server, game.code, "pdf", game.facilitator_token)
    assert status == 200 and "<script>alert(1)</script>" in pdf_text(pdf, tmp_path)


# --- access ------------------------------------------------------------------------------------


def test_access_rules(server: ServerProcess, played: Played, named: Played) -> None:
    for fmt in FORMATS:
        assert fetch(server, played.code, fmt, None)[0] == 403
        assert fetch(server, played.code, fmt, "not-a-token")[0] == 403
        assert fetch(server, played.code, fmt, named.facilitator_token)[0] == 403  # other room
        assert fetch(server, "ZZZZZZ", fmt, played.facilitator_token)[0] == 404
    assert fetch(server, played.code, "docx", played.facilitator_token)[0] == 404
    assert fetch(server, played.code, "json", played.player_token, bearer=True)[0] == 200
    assert fetch(server, played.code, "md", played.player_token)[0] == 200


def test_share_link_works_then_stops_after_revoke(server: ServerProcess, played: Played) -> None:
    path = f"/api/rooms/{played.code}/shares"
    fac = {"Authorization": f"Bearer {played.facilitator_token}"}
    assert server.request("POST", path)[0] == 403
    assert server.request("POST", path, headers={"Authorization": f"Bearer {played.player_token}"})[0] == 403
    assert server.request("POST", "/api/rooms/ZZZZZZ/shares", headers=fac)[0] == 404
    status, body = server.request("POST", path, headers=fac)
    assert status == 201 and body["url"].endswith(f"/r/{played.code}/report?token={body['token']}")
    share = body["token"]
    assert fetch(server, played.code, "json", share)[0] == 200
    assert fetch(server, played.code, "csv", share, bearer=True)[0] == 200
    status, page = server.request("GET", f"/r/{played.code}/report?token={share}")
    assert status == 200 and b"share-create" not in page  # only the facilitator shares
    # a share token opens no seat in the game, and cannot make more links
    assert server.request("POST", path, headers={"Authorization": f"Bearer {share}"})[0] == 403
    assert server.request("DELETE", path, headers={"Authorization": f"Bearer {share}"})[0] == 403
    status, body = server.request("DELETE", path, headers=fac)
    assert status == 200 and body["revoked"] >= 1
    assert fetch(server, played.code, "json", share)[0] == 403
    assert server.request("GET", f"/r/{played.code}/report?token={share}")[0] == 403
    assert fetch(server, played.code, "json", played.facilitator_token)[0] == 200


def test_share_token_cannot_join_the_game(server: ServerProcess, played: Played) -> None:
    import asyncio

    from tests.helpers import Client

    fac = {"Authorization": f"Bearer {played.facilitator_token}"}
    share = server.request("POST", f"/api/rooms/{played.code}/shares", headers=fac)[1]["token"]

    async def scenario() -> None:
        client = await Client.connect(server, played.code)
        await client.send({"type": "join", "token": share})
        err = await client.expect("error")
        assert err["code"] == "bad_token"
        await client.close()

    asyncio.run(scenario())


def test_report_page_access(server: ServerProcess, played: Played) -> None:
    base = f"/r/{played.code}/report"
    status, page = server.request("GET", base)
    assert status == 403 and b"/static/js/report.js" in page  # the shell that finds the token
    status, page = server.request("GET", base + "?token=nope")
    assert status == 403 and b"Mini deck" not in page
    assert server.request("GET", "/r/ZZZZZZ/report")[0] == 404
    status, page = server.request("GET", f"{base}?token={played.facilitator_token}")
    assert status == 200
    html = page.decode()
    assert "Synthèse de session" in html and "<svg" in html and "share-create" in html
    for fmt in FORMATS:
        assert f"/api/rooms/{played.code}/summary.{fmt}?token=" in html
    assert " style=" not in html and "<script>" not in html
    status, page = server.request("GET", f"{base}?token={played.player_token}")
    assert status == 200 and b"share-create" not in page


def test_lobby_summary_is_valid(server: ServerProcess) -> None:
    room = server.create_room("mini-test", language="en")
    for fmt in FORMATS:
        status, body, _ = fetch(server, room["code"], fmt, room["facilitator_token"])
        assert status == 200, (fmt, body[:200])
        if fmt == "json":
            data = json.loads(body)
            jsonschema.validate(data, SCHEMA)
            assert data["session"]["phase"] == "lobby" and data["language"] == "en"
            assert data["next_steps"][0]["id"] == "nothing_played"


@pytest.fixture(scope="module", autouse=True)
def _clean_artifacts() -> Iterator[None]:
    for old in (*ARTIFACTS.glob("first-page*.png"), ARTIFACTS / "summary.pdf"):
        old.unlink(missing_ok=True)
    yield
