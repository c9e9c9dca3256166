"""A session with thin turnout, "unsure" pluralities and a 1-1-1 split, played through the real
protocol: the state and every summary format give the answers docs/protocol.md documents
(CONTRACT §4.1), and the session's framing (title, organisation, AI system) shows everywhere."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import ServerProcess
from tests.summary.session import AI_SYSTEM, THIN_EXPECTED, Thin, play_thin_session
from tests.summary.test_summary_http import SCHEMA, fetch, pdf_text

SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


@pytest.fixture(scope="module")
def thin(server: ServerProcess) -> Thin:
    return play_thin_session(server)


@pytest.fixture(scope="module")
def formats(server: ServerProcess, thin: Thin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = {}
    for fmt in ("json", "md", "csv", "pdf"):
        status, body, _ = fetch(server, thin.code, fmt, thin.facilitator_token)
        assert status == 200, body[:200]
        if fmt == "pdf":
            out[fmt] = pdf_text(body, tmp_path_factory.mktemp("thin"))
        else:
            out[fmt] = body.decode("utf-8-sig")
    status, page = server.request("GET", f"/r/{thin.code}/report?token={thin.facilitator_token}")
    assert status == 200
    out["web"] = page.decode()
    return out


def test_the_state_shows_turnout_and_the_documented_group_answers(thin: Thin) -> None:
    for (card, question), (answer, voted, divergent) in THIN_EXPECTED.items():
        entry = thin.revealed[(card, question)]
        assert entry["present"] == 4 and entry["quorum"] == 2, entry
        assert entry["voted"] == voted, entry
        assert entry["group_answer"] == answer, entry
        assert entry["divergent"] is divergent, entry
    assert thin.revealed[("c3", "q1")]["consensus"] == "yes"  # overrides the "no" majority
    settings = thin.final["settings"]
    assert settings["title"] == "Atelier planning"
    assert settings["organisation"] == "Boulangerie Martin"
    assert settings["ai_system"] == AI_SYSTEM and settings["company_size"] == "11_49"


def test_the_synthesis_counts_what_each_level_rests_on(thin: Thin) -> None:
    by = {c["criterion"]: c for c in thin.final["synthesis"]["criteria"]}
    autonomie = by["autonomie"]
    assert (autonomie["level"], autonomie["insufficient"], autonomie["answered"]) == ("not_assessed", 1, 0)
    assert autonomie["insufficient_questions"][0]["card_id"] == "c1"
    surveillance = by["surveillance"]
    assert (surveillance["level"], surveillance["to_clarify"]) == ("not_assessed", 1)
    assert surveillance["to_clarify_questions"][0]["group_answer"] == "to_clarify"
    responsabilite = by["responsabilite"]
    assert responsabilite["divided"] == 1 and len(responsabilite["divergent_questions"]) == 1
    relations = by["relations_humaines"]
    assert (relations["level"], relations["answered"], relations["risks"]) == ("alert", 1, 1)
    assert relations["indicative"] is True
    assert relations["risk_questions"][0]["consensus"] is True


def test_json_carries_the_rule_and_the_frame(formats: dict[str, str]) -> None:
    data = json.loads(formats["json"])
    jsonschema.validate(data, SCHEMA)
    sess = data["session"]
    assert sess["title"] == "Atelier planning" and sess["organisation"] == "Boulangerie Martin"
    assert sess["ai_system"]["name"] == "PlanifIA" and sess["ai_system"]["stage"] == "pilot"
    assert sess["quorum"] == {"percent": 50, "minimum": 2}
    questions = {(c["card_id"], q["id"]): q for c in data["cards"] for q in c["questions"]}
    for key, (answer, voted, divergent) in THIN_EXPECTED.items():
        q = questions[key]
        assert (q["group_answer"], q["voted"], q["present"], q["divergent"]) == (answer, voted, 4, divergent)
    ids = [s["id"] for s in data["next_steps"]]
    assert "clarify.surveillance" in ids and "insufficient" in ids and "cse.11_49" in ids
    assert "criterion.relations_humaines" in ids
    assert "Partagé" not in json.dumps([q for q in questions.values() if q["voted"] == 0])


@pytest.mark.parametrize("fmt", ["md", "pdf", "web"])
def test_every_text_format_says_it(formats: dict[str, str], fmt: str) -> None:
    body = formats[fmt].translate(SPACES)
    if fmt == "pdf":
        body = " ".join(body.split())  # pdftotext breaks lines where the page does
    for expected in (
        "Atelier planning",
        "Boulangerie Martin",
        "PlanifIA",
        "1 sur 4 a répondu",
        "3 sur 4 ont répondu",
        "Réponses insuffisantes",
        "À clarifier",
        "Partagé",
        "indicatif",
        "consensus du groupe",
        "trouver qui sait",
        "ne sont pas ceux du LaborIA",
        "De 11 à 49 salariés",
    ):
        assert expected in body, (fmt, expected)
    assert "Surveillance : À surveiller" not in body and "À surveiller" not in body
    assert "(s)" not in body


def test_csv_has_the_frame_and_the_turnout(formats: dict[str, str]) -> None:
    frame, table = formats["csv"].split("\r\n\r\n", 1)
    rows = dict(csv.reader(io.StringIO(frame), delimiter=";"))
    assert rows["Session"] == "Atelier planning"
    assert rows["Système d'IA"] == "PlanifIA" and rows["Stade"] == "en test (pilote)"
    assert rows["Taille de l'entreprise"] == "de 11 à 49 salariés"
    answers = {
        (r["Id carte"], r["Id question"]): r for r in csv.DictReader(io.StringIO(table), delimiter=";")
    }
    assert answers[("c1", "q1")]["Réponse du groupe"] == "Réponses insuffisantes"
    assert answers[("c1", "q1")]["Votes exprimés"] == "1"
    assert answers[("c1", "q2")]["Réponse du groupe"] == "À clarifier"
    assert answers[("c2", "q1")]["Réponse du groupe"] == "Partagé"
    assert answers[("c2", "q1")]["Avis partagés"] == "Oui"
    assert {r["Présents au dévoilement"] for r in answers.values()} == {"4"}


def test_frame_is_refused_to_players_and_checked(server: ServerProcess) -> None:
    import asyncio

    from tests.helpers import seat_room

    room = server.create_room("mini-test")

    async def scenario() -> None:
        fac, (ana,) = await seat_room(server, room, ["Ana"])
        await ana.fails({"type": "frame", "title": "Hop"}, "not_facilitator")
        await fac.fails({"type": "frame", "title": "x" * 121}, "bad_field")
        await fac.fails({"type": "frame", "ai_system": {"name": "a\u0007b"}}, "bad_field")
        await fac.fails({"type": "frame", "ai_system": {"stage": "prod"}}, "bad_field")
        await fac.ok({"type": "frame", "title": "  Atelier  ", "organisation": "Équipe RH"})
        state = await fac.until(lambda s: s["settings"]["title"] == "Atelier")
        assert state["settings"]["organisation"] == "Équipe RH"
        await fac.ok({"type": "frame", "title": None})  # null clears a text
        await fac.until(lambda s: s["settings"]["title"] == "")
        for client in (fac, ana):
            await client.close()

    asyncio.run(scenario())
    status, body = server.request(
        "POST", "/api/rooms", {"deck_id": "mini-test", "settings": {"quorum_percent": 0}}
    )
    assert status == 422 and "quorum_percent" in json.dumps(body)


def test_artifacts(formats: dict[str, str]) -> None:
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "summary"
    out.mkdir(parents=True, exist_ok=True)
    (out / "thin.md").write_text(formats["md"], "utf-8")
    assert (out / "thin.md").stat().st_size > 1000
